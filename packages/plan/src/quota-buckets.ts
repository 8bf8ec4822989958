import { anthropicModelClass, azureGrantedRpm, VERTEX_MODELS } from './catalog';
import { resolvedLimits } from './cost';
import { targetsOf, type Limits, type Plan, type Provider, type Target } from './types';

/** The parts of a plan that say which provider account, subscription, project or organization a target uses. */
export type QuotaContext = {
  readonly name?: string;
  readonly aws?: Pick<Plan['aws'], 'account'>;
  readonly azure?: Pick<NonNullable<Plan['azure']>, 'subscription'>;
  readonly gcp?: Pick<NonNullable<Plan['gcp']>, 'project'>;
};

/** One quota as the provider counts it (catalog `QUOTA_SCOPES` cites each scope). */
export interface ProviderQuota {
  readonly provider: Provider;
  /** Equal keys mean one quota at the provider. */
  readonly key: string;
  /** For people: `bedrock account 111122223333, us-east-1, anthropic.claude-sonnet-4-6, cross-region profile`. */
  readonly label: string;
}

function bedrockInvocation(profile: string | undefined): string {
  if (profile === undefined) return 'on-demand';
  return profile === 'global' ? 'global profile' : 'cross-region profile';
}

/** The provider quota a target draws on, derived from the provider's own quota scope. */
export function providerQuotaOf(plan: QuotaContext, target: Target): ProviderQuota {
  const parts = ((): [string, string][] => {
    switch (target.provider) {
      case 'bedrock':
        return [['account', plan.aws?.account ?? '?'], ['region', target.region], ['model', target.model], ['invocation', bedrockInvocation(target.profile)]];
      case 'azure-openai':
        return [['subscription', plan.azure?.subscription ?? '?'], ['region', target.region], ['model', target.model], ['deployment type', target.sku]];
      case 'vertex':
        return [['project', plan.gcp?.project ?? '?'], ['region', target.region], ['base model', VERTEX_MODELS[target.model]?.baseModel ?? target.model.replace(/@.*$/, '')]];
      case 'anthropic':
        return [['organization key', target.secret ?? `${plan.name ?? ''}/anthropic-api-key`], ['model class', anthropicModelClass(target.model)]];
      case 'openai':
        return [['organization key', target.secret ?? `${plan.name ?? ''}/openai-api-key`], ['model', target.model]];
    }
  })();
  return {
    provider: target.provider,
    key: [target.provider, ...parts.map(([, v]) => v)].join('|'),
    label: `${target.provider} ${parts.map(([k, v]) => `${k} ${v}`).join(', ')}`,
  };
}

/** A budget the router charges and the reports count once: one provider quota. */
export interface QuotaBucket {
  /** The `quotas:` name of a shared quota, else the key (`family/target`) of the one target on it. */
  readonly id: string;
  /** Declared in the plan's `quotas:`. */
  readonly shared: boolean;
  readonly providerQuota: ProviderQuota;
  /** Keys of the targets drawing on it, sorted. */
  readonly targets: readonly string[];
  /** What the targets may use together: the declared quota's limits, else the one target's. */
  readonly limits: Limits;
}

/** The bucket id a target draws on: its `quota:` name, or its own key. */
export function bucketIdOf(ref: { readonly key: string; readonly target: Target }): string {
  return ref.target.quota ?? ref.key;
}

/** Every provider quota of a valid plan, once, sorted by id. Reordering the plan changes nothing. */
export function quotaBucketsOf(plan: Plan): QuotaBucket[] {
  const buckets = new Map<string, { providerQuota: ProviderQuota; targets: string[]; limits: Limits; shared: boolean }>();
  for (const ref of targetsOf(plan)) {
    const id = bucketIdOf(ref);
    const entry = buckets.get(id);
    if (entry) { entry.targets.push(ref.key); continue; }
    const declared = ref.target.quota !== undefined ? plan.quotas?.[ref.target.quota] : undefined;
    buckets.set(id, {
      providerQuota: providerQuotaOf(plan, ref.target),
      targets: [ref.key],
      limits: declared ? declaredLimits(declared.limits, ref.target) : resolvedLimits(ref.target),
      shared: declared !== undefined,
    });
  }
  return [...buckets].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([id, b]) => ({ id, ...b, targets: [...b.targets].sort() }));
}

/** A shared Azure quota may omit rpm: Azure grants it from the TPM, as for one deployment. */
function declaredLimits(limits: Limits, target: Target): Limits {
  if (target.provider !== 'azure-openai' || limits.rpm !== undefined || limits.tpm === undefined) return { ...limits };
  const rpm = azureGrantedRpm(target.model, target.sku, limits.tpm);
  return rpm === undefined ? { ...limits } : { ...limits, rpm };
}

/** Limit kinds a provider's quota is counted in; a shared quota must declare each (Azure rpm derives from tpm). */
export const QUOTA_LIMIT_KINDS: Readonly<Record<Provider, readonly (keyof Limits)[]>> = {
  anthropic: ['rpm', 'itpm', 'otpm'],
  vertex: ['rpm', 'itpm', 'otpm'],
  bedrock: ['rpm', 'tpm'],
  openai: ['rpm', 'tpm'],
  'azure-openai': ['tpm'],
};
