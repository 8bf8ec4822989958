import {
  AZURE_LIMITS, AZURE_MODELS, AZURE_SKU_INFO, AZURE_TPM_PER_UNIT, azureGrantedRpm, azureModelSku, BEDROCK_GEOS, BEDROCK_MODELS,
  DIRECT_MODELS, geoOfRegion, knownRegions, VERTEX_MODELS,
} from '../catalog';
import type { FamilyDraft, PlanDraft } from '../draft';
import { closest, closestAll, listOf } from '../problems';
import type { AzureOpenAiTarget, BedrockTarget, Target, VertexTarget } from '../types';
import type { ProblemList } from './problem';

export interface DraftTargetRef {
  readonly familyId: string;
  readonly targetId: string;
  readonly key: string;
  readonly family: FamilyDraft;
  readonly target: Target;
  readonly path: readonly string[];
}

export function targetsOfDraft(draft: PlanDraft): DraftTargetRef[] {
  return Object.keys(draft.families).sort().flatMap((familyId) => {
    const family = draft.families[familyId]!;
    return Object.keys(family.targets).sort().map((targetId) => ({
      familyId, targetId, key: `${familyId}/${targetId}`, family, target: family.targets[targetId]!,
      path: ['families', familyId, 'targets', targetId],
    }));
  });
}

export function checkTargets(draft: PlanDraft, problems: ProblemList): void {
  for (const ref of targetsOfDraft(draft)) {
    const { target } = ref;
    if ('region' in target) checkRegion(ref, target.provider, target.region, problems);
    switch (target.provider) {
      case 'bedrock': checkBedrock(ref, target, problems); break;
      case 'vertex': checkVertex(ref, target, problems); break;
      case 'azure-openai': checkAzure(ref, target, problems); break;
      case 'anthropic':
      case 'openai':
        if (!DIRECT_MODELS[target.provider].models.includes(target.model)) {
          warnUnknownModel(ref, target.model, `the ${target.provider} catalog`, DIRECT_MODELS[target.provider].models, 'check the model id', problems);
        }
    }
  }
  checkAzureQuotaPerRegion(draft, problems);
}

/** Edits at most this far from a catalog id read as a typo, not as a model newer than the catalog. */
const MODEL_TYPO_DISTANCE = 2;

/** A warning, not an error: the catalog lags new models. A near miss gets a "did you mean". */
function warnUnknownModel(ref: DraftTargetRef, model: string, catalog: string, known: readonly string[], check: string, problems: ProblemList): void {
  const suggestions = closestAll(model, known, MODEL_TYPO_DISTANCE);
  problems.warn('catalog/unknown-model', [...ref.path, 'model'], `model not in ${catalog}`, {
    value: model, allowed: listOf(known),
    fix: suggestions.length > 0
      ? `did you mean ${suggestions.map((s) => `'${s}'`).join(' or ')}? ignore this warning only if ${model} is newer than the catalog`
      : `${check}; ignore this warning if the model is newer than the catalog`,
  });
}

function checkRegion(ref: DraftTargetRef, provider: Target['provider'], region: string, problems: ProblemList): void {
  if (geoOfRegion(provider, region) !== undefined) return;
  problems.error('catalog/unknown-region', [...ref.path, 'region'], `not a ${provider} region`, {
    value: region, allowed: `a ${provider} region: ${listOf(knownRegions(provider))}`, fix: suggestRegion(region, knownRegions(provider)),
  });
}

function checkBedrock(ref: DraftTargetRef, target: BedrockTarget, problems: ProblemList): void {
  const model = BEDROCK_MODELS[target.model];
  if (!model) {
    warnUnknownModel(ref, target.model, 'the Bedrock catalog', Object.keys(BEDROCK_MODELS),
      'use the foundation model id without a geo prefix (e.g. anthropic.claude-sonnet-4-6)', problems);
  } else if (!target.profile && model.requiresProfile) {
    problems.error('bedrock/profile-required', [...ref.path, 'profile'], `${target.model} cannot be invoked on demand by model id; it needs an inference profile`, {
      value: undefined, allowed: listOf(model.profiles), fix: `add profile: ${model.profiles.includes('global') ? 'global' : model.profiles[0]} (or the geo your data must stay in)`,
    });
  } else if (target.profile && !model.profiles.includes(target.profile)) {
    problems.warn('bedrock/profile-unknown-for-model', [...ref.path, 'profile'], `the catalog has no '${target.profile}' profile for ${target.model}`, {
      value: target.profile, allowed: listOf(model.profiles), fix: 'pick a listed profile, or ignore if AWS has added it since',
    });
  }
  if (target.profile && target.profile !== 'global') {
    const geo = BEDROCK_GEOS[target.profile];
    if (geoOfRegion('bedrock', target.region) !== undefined && !geo.sources.includes(target.region)) {
      problems.error('bedrock/region-outside-profile', [...ref.path, 'region'], `${target.region} cannot call the '${target.profile}' inference profile`, {
        value: target.region, allowed: `a source region of '${target.profile}': ${listOf(geo.sources)}`,
        fix: `use a ${target.profile} region, or the profile of ${target.region}'s geography`,
      });
    }
  }
}

function checkVertex(ref: DraftTargetRef, target: VertexTarget, problems: ProblemList): void {
  const model = VERTEX_MODELS[target.model];
  if (!model) {
    warnUnknownModel(ref, target.model, 'the Vertex catalog', Object.keys(VERTEX_MODELS), 'check the publisher model id (e.g. claude-sonnet-4-6)', problems);
    return;
  }
  if (geoOfRegion('vertex', target.region) !== undefined && !model.regions.includes(target.region)) {
    problems.warn('catalog/model-not-in-region', [...ref.path, 'region'], `${target.model} is not known in ${target.region}`, {
      value: target.region, allowed: listOf(model.regions), fix: 'pick a listed region, or ignore if Google has added it since',
    });
  }
  if (model.dynamicSharedQuota) {
    problems.warn('vertex/advisory-quota', [...ref.path, 'limits'], `${target.model} runs on dynamic shared quota: the declared limits are advisory, not a reserved quota`, {
      value: target.limits, allowed: 'any limits; no quota preference will be filed',
      fix: 'buy Provisioned Throughput for a guaranteed rate, or keep the limits as a routing budget',
    });
  }
}

function checkAzure(ref: DraftTargetRef, target: AzureOpenAiTarget, problems: ProblemList): void {
  const { tpm, rpm } = target.limits;
  const tpmPath = [...ref.path, 'limits', 'tpm'];
  if (tpm % AZURE_TPM_PER_UNIT !== 0) {
    const down = Math.max(AZURE_TPM_PER_UNIT, Math.floor(tpm / AZURE_TPM_PER_UNIT) * AZURE_TPM_PER_UNIT);
    problems.error('azure/tpm-not-whole-units', tpmPath, 'Azure capacity is sold in units of 1,000 TPM', {
      value: tpm, allowed: 'a multiple of 1000 (sku.capacity = tpm / 1000)', fix: `use ${down} or ${down + AZURE_TPM_PER_UNIT}`,
    });
  }
  const info = AZURE_MODELS[target.model];
  const skuInfo = azureModelSku(target.model, target.sku);
  if (!info) {
    warnUnknownModel(ref, target.model, 'the Azure OpenAI catalog', Object.keys(AZURE_MODELS), 'check the model name', problems);
  } else if (!skuInfo) {
    problems.error('azure/sku-not-offered', [...ref.path, 'sku'], `${target.model} is not offered as ${target.sku}`, {
      value: target.sku, allowed: listOf(Object.keys(info.skus)), fix: 'pick an offered deployment type',
    });
  }
  const granted = azureGrantedRpm(target.model, target.sku, tpm);
  if (rpm === undefined && granted === undefined) {
    problems.error('azure/rpm-unknown', [...ref.path, 'limits'], `the catalog has no RPM ratio for ${target.model} ${target.sku}, so the RPM limit cannot be derived`, {
      value: target.limits, allowed: 'limits with both tpm and rpm', fix: 'add limits.rpm from the deployment\'s rate limits in the Azure portal',
    });
  }
  if (rpm !== undefined && granted !== undefined && rpm > granted) {
    problems.error('azure/rpm-above-granted', [...ref.path, 'limits', 'rpm'], `Azure grants ${granted} RPM for ${tpm} TPM of ${target.model} ${target.sku}`, {
      value: rpm, allowed: `at most ${granted} (${skuInfo!.rpmPerUnit} RPM per 1,000 TPM)`, fix: `lower rpm to ${granted}, or raise tpm to ${Math.ceil(rpm / skuInfo!.rpmPerUnit) * AZURE_TPM_PER_UNIT}`,
    });
  }
  if (skuInfo?.tier6Tpm !== undefined && tpm > skuInfo.tier6Tpm) {
    problems.error('azure/tpm-above-maximum', tpmPath, `above the largest quota Azure grants for ${target.model} ${target.sku} in a region (quota tier 6)`, {
      value: tpm, allowed: `at most ${skuInfo.tier6Tpm}`, fix: 'split the capacity across more regions',
    });
  }
  const geo = geoOfRegion('azure-openai', target.region);
  const skuGeos = AZURE_SKU_INFO[target.sku].geos;
  if (geo && geo !== 'global' && skuGeos !== 'all' && !skuGeos.includes(geo)) {
    problems.error('azure/sku-not-in-geo', [...ref.path, 'sku'], `${target.sku} exists only in the ${skuGeos.join(' and ')} data zones`, {
      value: target.sku, allowed: `GlobalStandard or Standard in ${target.region}`, fix: 'use GlobalStandard, or a region in a data zone',
    });
  }
  if (target.sku === 'Standard' && info?.standardRegions && !info.standardRegions.includes(target.region)) {
    problems.warn('catalog/model-not-in-region', [...ref.path, 'region'], `${target.model} Standard is not known in ${target.region}`, {
      value: target.region, allowed: listOf(info.standardRegions), fix: 'pick a listed region or another deployment type',
    });
  }
}

/** Azure quota is per subscription, region, model and deployment type: deployments sharing one add up. */
function checkAzureQuotaPerRegion(draft: PlanDraft, problems: ProblemList): void {
  const sums = new Map<string, { tpm: number; refs: DraftTargetRef[] }>();
  const perAccount = new Map<string, DraftTargetRef[]>();
  for (const ref of targetsOfDraft(draft)) {
    if (ref.target.provider !== 'azure-openai') continue;
    perAccount.set(ref.target.region, [...(perAccount.get(ref.target.region) ?? []), ref]);
    const key = `${ref.target.region} ${ref.target.model} ${ref.target.sku}`;
    const entry = sums.get(key) ?? { tpm: 0, refs: [] };
    entry.tpm += ref.target.limits.tpm;
    entry.refs.push(ref);
    sums.set(key, entry);
  }
  for (const [region, refs] of perAccount) {
    const max = AZURE_LIMITS.standardDeploymentsPerAccount;
    if (refs.length <= max) continue;
    problems.error('azure/too-many-deployments', refs[max]!.path, `the ${region} account would hold ${refs.length} deployments`, {
      value: refs.length, allowed: `at most ${max} standard deployments per Azure OpenAI account`, fix: 'move some targets to another region',
    });
  }
  for (const [key, { tpm, refs }] of sums) {
    const target = refs[0]!.target as AzureOpenAiTarget;
    const tiers = azureModelSku(target.model, target.sku);
    const path = [...refs[refs.length - 1]!.path, 'limits', 'tpm'];
    const who = refs.map((r) => r.key).join(', ');
    const declared = target.quota !== undefined ? draft.quotas?.[target.quota]?.limits.tpm : undefined;
    if (refs.length > 1 && tiers?.tier6Tpm !== undefined && tpm > tiers.tier6Tpm) {
      problems.error('azure/quota-tier-exceeded', path, `${key}: the deployments ${who} add up to ${tpm} TPM, above quota tier 6 (${tiers.tier6Tpm} TPM), the largest quota Azure grants a subscription for ${target.model} ${target.sku} in a region`, {
        value: tpm, allowed: `sum of sku.capacity x 1,000 at most ${tiers.tier6Tpm} (quota tier 6)`, fix: 'lower the deployments\' tpm, or move some to another region or deployment type',
      });
    } else if (declared !== undefined && tpm > declared) {
      problems.error('azure/quota-exceeded', path, `${key}: the deployments ${who} add up to ${tpm} TPM, above the shared quota '${target.quota}' (${declared} TPM)`, {
        value: tpm, allowed: `sum of the deployments' tpm at most quotas.${target.quota}.limits.tpm (${declared})`, fix: `lower the deployments' tpm, or raise quotas.${target.quota}.limits.tpm to the subscription's quota`,
      });
    } else if (tiers?.tier1Tpm !== undefined && tpm > tiers.tier1Tpm) {
      problems.warn('azure/quota-tier', [...refs[0]!.path, 'limits', 'tpm'], `${key}: ${tpm} TPM exceeds the quota-tier-1 allowance of ${tiers.tier1Tpm}`, {
        value: tpm, allowed: `${tiers.tier1Tpm} at tier 1; more at higher quota tiers`, fix: "check 'az cognitiveservices usage list' for the subscription's quota before deploying",
      });
    }
    if (declared !== undefined && tiers?.tier6Tpm !== undefined && declared > tiers.tier6Tpm) {
      problems.error('azure/quota-tier-exceeded', ['quotas', target.quota!, 'limits', 'tpm'], `shared quota '${target.quota}' declares ${declared} TPM, above quota tier 6 (${tiers.tier6Tpm} TPM) for ${target.model} ${target.sku}`, {
        value: declared, allowed: `at most ${tiers.tier6Tpm} (quota tier 6)`, fix: 'declare the quota the subscription actually has (az cognitiveservices usage list)',
      });
    }
  }
}

export function suggestRegion(region: string, known: readonly string[]): string {
  const suggestion = closest(region, known);
  return suggestion ? `did you mean '${suggestion}'?` : `use one of ${listOf(known.slice(0, 12))}${known.length > 12 ? ', ...' : ''}`;
}
