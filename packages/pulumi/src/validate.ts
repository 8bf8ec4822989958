import {
  catalog, checkName, NAME_RULES, quotaBucketsOf, targetsOf, validatePlan,
  type AzureOpenAiTarget, type FieldPath, type Plan, type PlanProblem, type TargetRef, type VertexTarget,
} from '@headroom/plan';
import { CapacityPlanError } from './errors';
import { vertexPreferenceId, vertexPreferenceSegment } from './vertex-names';

/**
 * What the Pulumi components need from a plan beyond what the plan validator checks. A `Plan`
 * can be built by hand, so nothing the components rely on is assumed. Pure: collects every
 * problem; `throwOnErrors` throws once with all of them.
 *
 * Missing `aws.identityIssuer` is a WARNING, not an error: capacity, the Entra application and
 * its role assignments are still created, only the federated credential is skipped, so the
 * issuer can be added once the AWS account has enabled outbound identity federation.
 */

type Problem = Omit<PlanProblem, 'severity'>;
const error = (p: Problem): PlanProblem => ({ severity: 'error', ...p });
const warning = (p: Problem): PlanProblem => ({ severity: 'warning', ...p });
const targetPath = (ref: TargetRef, ...rest: string[]): FieldPath => ['families', ref.familyId, 'targets', ref.targetId, ...rest];

export type AzureRef = TargetRef & { readonly target: AzureOpenAiTarget };
export type VertexRef = TargetRef & { readonly target: VertexTarget };

export function azureRefs(plan: Plan, region?: string): AzureRef[] {
  return targetsOf(plan).filter((r): r is AzureRef => r.target.provider === 'azure-openai' && (region === undefined || r.target.region === region));
}

export function vertexRefs(plan: Plan): VertexRef[] {
  return targetsOf(plan).filter((r): r is VertexRef => r.target.provider === 'vertex');
}

/**
 * The plan validator's errors: a `Plan` built by hand gets exactly the checks a headroom.yaml gets
 * (whole Azure units, tier-6 maximum, SKU offered, RPM derivable, derived names, deployments per
 * account, missing azure/gcp blocks). The components never re-implement them.
 */
export function planErrors(plan: Plan): PlanProblem[] {
  return validatePlan(plan).problems.filter((p) => p.severity === 'error');
}

/** Azure targets (optionally of one region): what `AzureOpenAiCapacity` needs beyond a valid plan. */
export function checkAzure(plan: Plan, region?: string): PlanProblem[] {
  if (azureRefs(plan, region).length > 0 && !plan.azure) {
    return [error({
      code: 'azure/missing-block', path: ['azure'], message: "Azure OpenAI targets need the plan's azure block",
      received: 'nothing (the field is missing)', allowed: 'azure: { subscription, resourceGroup, tenant }', fix: 'add the azure block',
    })];
  }
  return [];
}

/** What `AzureRouterIdentity` needs: the tenant and, for the federated credential, the issuer. */
export function checkAzureIdentity(plan: Plan): PlanProblem[] {
  const problems: PlanProblem[] = [];
  if (!plan.azure) {
    problems.push(error({
      code: 'azure/missing-block', path: ['azure'], message: "the router identity needs the Entra tenant of the plan's azure block",
      received: 'nothing (the field is missing)', allowed: 'azure: { subscription, resourceGroup, tenant }', fix: 'add the azure block',
    }));
  }
  return [...problems, ...checkIssuer(plan)];
}

function checkIssuer(plan: Plan): PlanProblem[] {
  const issuer = plan.aws.identityIssuer;
  if (issuer === undefined) {
    return [warning({
      code: 'azure/keyless-trust-skipped', path: ['aws', 'identityIssuer'],
      message: 'no outbound identity issuer: the Entra federated credential is skipped, so the router cannot sign in to Azure yet',
      received: 'nothing (the field is missing)', allowed: 'https://<id>.tokens.sts.global.api.aws',
      fix: "run 'aws iam get-outbound-web-identity-federation-info' (after enabling the feature) and set aws.identityIssuer",
    })];
  }
  if (!/^https:\/\/[^\s/]+(\/\S*)?$/.test(issuer)) {
    return [error({
      code: 'aws/identity-issuer', path: ['aws', 'identityIssuer'], message: 'the issuer must be an https URL',
      received: issuer, allowed: 'https://<id>.tokens.sts.global.api.aws', fix: 'copy IssuerIdentifier from GetOutboundWebIdentityFederationInfo',
    })];
  }
  return [];
}

/** Vertex targets: what `VertexCapacity` needs. */
export function checkVertex(plan: Plan): PlanProblem[] {
  const refs = vertexRefs(plan);
  const problems: PlanProblem[] = [];
  if (refs.length === 0) return problems;
  // A missing gcp.project is the plan validator's error (planErrors).
  if (plan.gcp?.project && !plan.gcp.quotaContactEmail) {
    problems.push(warning({
      code: 'vertex/quota-contact-missing', path: ['gcp', 'quotaContactEmail'],
      message: 'Cloud Quotas requires a contact email to grant an increase; preferences above the default will be rejected',
      received: 'nothing (the field is missing)', allowed: 'an email address', fix: 'set gcp.quotaContactEmail',
    }));
  }
  for (const ref of refs) {
    const { target } = ref;
    const model = catalog.VERTEX_MODELS[target.model];
    if (model?.dynamicSharedQuota) {
      problems.push(warning({
        code: 'vertex/advisory-quota', path: targetPath(ref, 'limits'),
        message: `${target.model} runs on dynamic shared quota: no quota preference is filed, the limits stay a routing budget`,
        received: JSON.stringify(target.limits), allowed: 'any limits', fix: 'buy Provisioned Throughput for a guaranteed rate',
      }));
      continue;
    }
    if (!model?.baseModel) {
      problems.push(error({
        code: 'vertex/unknown-base-model', path: targetPath(ref, 'model'),
        message: `the catalog has no base_model quota dimension for '${target.model}', so no quota preference can be filed`,
        received: target.model, allowed: Object.keys(catalog.VERTEX_MODELS).join(', '), fix: 'use a catalogued publisher model id, or add the model to the catalog',
      }));
    }
  }
  problems.push(...checkSharedVertexQuotas(plan, refs));
  return problems;
}

/**
 * A shared Vertex quota gets one preference per limit (`vertexLayout`): its id must be a valid
 * preference id, and its targets must not override the quota ids differently (one quota, one id).
 */
function checkSharedVertexQuotas(plan: Plan, refs: readonly VertexRef[]): PlanProblem[] {
  const problems: PlanProblem[] = [];
  const byKey = new Map(refs.map((r) => [r.key, r]));
  for (const bucket of quotaBucketsOf(plan)) {
    if (!bucket.shared || bucket.providerQuota.provider !== 'vertex') continue;
    for (const limit of ['rpm', 'itpm', 'otpm'] as const) {
      const id = vertexPreferenceId(plan, vertexPreferenceSegment(bucket, byKey.get(bucket.targets[0]!)!), limit);
      if (!checkName(NAME_RULES.vertexQuotaPreference, id)) {
        problems.push(error({
          code: 'naming/derived-name', path: ['quotas', bucket.id], message: `the derived ${NAME_RULES.vertexQuotaPreference.what} '${id}' breaks its naming rule`,
          received: id, allowed: NAME_RULES.vertexQuotaPreference.allowed, fix: 'shorten the quota name or the plan name',
        }));
      }
      const ids = new Set(bucket.targets.map((key) => byKey.get(key)?.target.quotaIds?.[limit] ?? '(catalog)'));
      if (ids.size > 1) {
        const ref = byKey.get(bucket.targets[0]!)!;
        problems.push(error({
          code: 'vertex/shared-quota-ids', path: targetPath(ref, 'quotaIds', limit),
          message: `targets on shared quota '${bucket.id}' (${bucket.targets.join(', ')}) name different ${limit} quota ids; one quota has one id`,
          received: [...ids].join(', '), allowed: 'one quota id per limit across the quota\'s targets', fix: `give every target on '${bucket.id}' the same quotaIds.${limit}, or none`,
        }));
      }
    }
  }
  return problems;
}

/** Throws one `CapacityPlanError` listing every error (the plan validator's first); returns the warnings. */
export function throwOnErrors(component: string, plan: Plan, componentProblems: readonly PlanProblem[]): PlanProblem[] {
  const problems = [...planErrors(plan), ...componentProblems];
  const errors = problems.filter((p) => p.severity === 'error');
  if (errors.length > 0) throw new CapacityPlanError(component, problems);
  return problems.filter((p) => p.severity === 'warning');
}
