import { bedrockInvokeId, CATALOG_VERSION, residencyOf, vertexHost, vertexPublisher, type Residency } from './catalog';
import { canonicalize, digest } from './canonical';
import { costModelOf, resolvedLimits, type CostModel } from './cost';
import { azureAccountName, azureDeploymentName, defaultSecretName, metricDimensions, regionLabel, workloadIdentityPoolId, workloadIdentityProviderId, type MetricDimensions } from './naming';
import { bucketIdOf, quotaBucketsOf } from './quota-buckets';
import { targetsOf, type Api, type Geo, type Limits, type Plan, type Provider, type Target } from './types';

export const ROUTER_CONFIG_SCHEMA = 'headroom.router-config/v1';

/** Azure OpenAI data-plane API version the router and the emulator speak. */
export const AZURE_API_VERSION = '2024-10-21';

/**
 * Routing settings a plan may omit. `timeouts.headersMs` is the failover trigger for streamed calls;
 * a non-streaming call has no headers until it is generated, so it is bounded by `totalMs` alone and
 * never re-sent after it may have been generated. `totalMs` fits inside Lambda's 15-minute maximum.
 */
export const ROUTING_DEFAULTS = {
  retryBudget: 0.2,
  /** Retries in flight a family always allows, whatever its traffic (Envoy's min_retry_concurrency). */
  minRetryConcurrency: 3,
  timeouts: { headersMs: 10_000, idleMs: 60_000, totalMs: 600_000 },
  maxCooldownMs: 300_000,
  /**
   * Hold a non-streaming request refused for quota up to 2 s. The router's own 429 tells a client to
   * wait at least 1 s plus at least 2 s of jitter (core/client-retry-after.ts), and an SDK retry costs a
   * round trip and one of its 2 default retries (openai 6.x, @anthropic-ai/sdk: maxRetries 2), so a
   * wait the router knows ends within 2 s is served sooner held than refused. Streamed requests are
   * interactive: they get the fast 429 unless the plan says otherwise.
   */
  hold: { maxMs: 2_000, streaming: false },
} as const;

/** Resolved upstream timeouts in ms: every field present. */
export interface ResolvedTimeouts {
  readonly headersMs: number;
  readonly idleMs: number;
  readonly totalMs: number;
}

/** Resolved hold settings: `maxMs` 0 means the router never holds. */
export interface ResolvedHold {
  readonly maxMs: number;
  readonly streaming: boolean;
}

export interface ResolvedRouting {
  readonly retryBudget: number;
  readonly timeouts: ResolvedTimeouts;
  readonly maxCooldownMs: number;
  readonly hold: ResolvedHold;
}

/** The plan's routing with defaults filled in. A default never exceeds an explicit `totalMs`. */
export function resolveRouting(routing: Plan['routing']): ResolvedRouting {
  const defaults = ROUTING_DEFAULTS.timeouts;
  const totalMs = routing?.timeouts?.totalMs ?? defaults.totalMs;
  return {
    retryBudget: routing?.retryBudget ?? ROUTING_DEFAULTS.retryBudget,
    timeouts: {
      headersMs: routing?.timeouts?.headersMs ?? Math.min(defaults.headersMs, totalMs),
      idleMs: routing?.timeouts?.idleMs ?? Math.min(defaults.idleMs, totalMs),
      totalMs,
    },
    maxCooldownMs: routing?.maxCooldownMs ?? ROUTING_DEFAULTS.maxCooldownMs,
    hold: {
      maxMs: routing?.hold?.maxMs ?? ROUTING_DEFAULTS.hold.maxMs,
      streaming: routing?.hold?.streaming ?? ROUTING_DEFAULTS.hold.streaming,
    },
  };
}

export type UpstreamAuth =
  | { readonly mode: 'api-key'; readonly header: 'x-api-key' | 'authorization' | 'api-key'; readonly secret: string }
  | { readonly mode: 'sigv4'; readonly service: 'bedrock'; readonly region: string }
  | { readonly mode: 'google-federated'; readonly project: string; readonly projectNumber?: string; readonly pool: string; readonly provider: string }
  | { readonly mode: 'entra-federated'; readonly tenant: string; readonly clientId?: string; readonly scope: string };

export interface UpstreamEndpoint {
  /** Scheme and host; the only part the local server and tests replace with an emulator URL. */
  readonly baseUrl: string;
  /** Provider path prefix; the adapter appends the operation (`/invoke`, `:rawPredict`, `/chat/completions`). */
  readonly path: string;
  readonly apiVersion?: string;
}

export interface RouterTarget {
  readonly key: string;
  readonly family: string;
  readonly id: string;
  readonly provider: Provider;
  readonly region: string;
  /** Model as the upstream wants it: Bedrock profile id, Vertex publisher model, Azure model behind the deployment. */
  readonly upstreamModel: string;
  readonly endpoint: UpstreamEndpoint;
  readonly auth: UpstreamAuth;
  readonly limits: Limits;
  readonly cost: CostModel;
  readonly residency: Residency;
  /** Which rate-limit header dialect the upstream speaks, if any. */
  readonly rateLimitHeaders: 'anthropic' | 'openai' | 'azure-openai' | 'none';
  readonly dimensions: MetricDimensions;
  /** The bucket the target draws on: a key of `RouterConfig.quotas` when shared, else the target's own key. */
  readonly quota: string;
}

/** A provider quota several targets share: the router charges it once for all of them, across instances. */
export interface RouterQuota {
  readonly id: string;
  readonly provider: Provider;
  /** The provider's quota, for people (`quotaBucketsOf`). */
  readonly scope: string;
  readonly limits: Limits;
  readonly targets: readonly string[];
}

export interface RouterFamily {
  readonly api: Api;
  readonly aliases: readonly string[];
  readonly pins: readonly Geo[];
  readonly targets: readonly string[];
}

/** The versioned JSON the router loads: everything it needs, nothing it must look up. */
export interface RouterConfig {
  readonly schema: typeof ROUTER_CONFIG_SCHEMA;
  readonly plan: string;
  /** sha256 of the canonical plan: proves which plan a deployed router runs. */
  readonly planDigest: string;
  readonly catalogVersion: string;
  readonly routing: ResolvedRouting;
  readonly families: Readonly<Record<string, RouterFamily>>;
  readonly targets: Readonly<Record<string, RouterTarget>>;
  /** Shared provider quotas by id (`quotas:` in the plan); a target on none has its own bucket. */
  readonly quotas: Readonly<Record<string, RouterQuota>>;
}

function endpointOf(plan: Plan, familyId: string, targetId: string, target: Target): UpstreamEndpoint {
  switch (target.provider) {
    case 'anthropic': return { baseUrl: 'https://api.anthropic.com', path: '/v1' };
    case 'openai': return { baseUrl: 'https://api.openai.com', path: '/v1' };
    case 'bedrock':
      return { baseUrl: `https://bedrock-runtime.${target.region}.amazonaws.com`, path: `/model/${encodeURIComponent(bedrockInvokeId(target.model, target.profile))}` };
    case 'vertex':
      return {
        baseUrl: `https://${vertexHost(target.region)}`,
        path: `/v1/projects/${plan.gcp!.project}/locations/${target.region}/publishers/${vertexPublisher(target.model)}/models/${target.model}`,
      };
    case 'azure-openai':
      return {
        baseUrl: `https://${azureAccountName(plan, target.region)}.openai.azure.com`,
        path: `/openai/deployments/${azureDeploymentName(familyId, targetId)}`,
        apiVersion: AZURE_API_VERSION,
      };
  }
}

function authOf(plan: Plan, target: Target): UpstreamAuth {
  switch (target.provider) {
    case 'anthropic': return { mode: 'api-key', header: 'x-api-key', secret: target.secret ?? defaultSecretName(plan, 'anthropic') };
    case 'openai': return { mode: 'api-key', header: 'authorization', secret: target.secret ?? defaultSecretName(plan, 'openai') };
    case 'bedrock': return { mode: 'sigv4', service: 'bedrock', region: target.region };
    case 'vertex': {
      const gcp = plan.gcp!;
      return {
        mode: 'google-federated', project: gcp.project, pool: workloadIdentityPoolId(plan), provider: workloadIdentityProviderId(plan),
        ...(gcp.projectNumber ? { projectNumber: gcp.projectNumber } : {}),
      };
    }
    case 'azure-openai': {
      const azure = plan.azure!;
      return { mode: 'entra-federated', tenant: azure.tenant, scope: 'https://cognitiveservices.azure.com/.default', ...(azure.clientId ? { clientId: azure.clientId } : {}) };
    }
  }
}

const HEADER_DIALECT: Record<Provider, RouterTarget['rateLimitHeaders']> = {
  anthropic: 'anthropic', openai: 'openai', 'azure-openai': 'azure-openai', bedrock: 'none', vertex: 'none',
};

/** Compile a validated plan. Pure and deterministic: the same plan in any key order gives the same JSON. */
export function compileRouterConfig(plan: Plan): RouterConfig {
  const targets: Record<string, RouterTarget> = {};
  const families: Record<string, RouterFamily> = {};
  for (const ref of targetsOf(plan)) {
    const { target } = ref;
    targets[ref.key] = {
      key: ref.key,
      family: ref.familyId,
      id: ref.targetId,
      provider: target.provider,
      region: regionLabel(target),
      upstreamModel: target.provider === 'bedrock' ? bedrockInvokeId(target.model, target.profile) : target.model,
      endpoint: endpointOf(plan, ref.familyId, ref.targetId, target),
      auth: authOf(plan, target),
      limits: resolvedLimits(target),
      cost: costModelOf(target),
      residency: residencyOf(target)!,
      rateLimitHeaders: HEADER_DIALECT[target.provider],
      dimensions: metricDimensions(ref),
      quota: bucketIdOf(ref),
    };
  }
  const quotas: Record<string, RouterQuota> = {};
  for (const bucket of quotaBucketsOf(plan)) {
    if (!bucket.shared) continue;
    quotas[bucket.id] = { id: bucket.id, provider: bucket.providerQuota.provider, scope: bucket.providerQuota.label, limits: bucket.limits, targets: bucket.targets };
  }
  for (const familyId of Object.keys(plan.families).sort()) {
    const family = plan.families[familyId]!;
    families[familyId] = {
      api: family.api,
      aliases: [...family.aliases].sort(),
      pins: [...(family.pins ?? [])].sort(),
      targets: Object.keys(family.targets).sort().map((id) => `${familyId}/${id}`),
    };
  }
  return canonicalize({
    schema: ROUTER_CONFIG_SCHEMA,
    plan: plan.name,
    planDigest: digest(plan),
    catalogVersion: CATALOG_VERSION,
    routing: resolveRouting(plan.routing),
    families,
    targets,
    quotas,
  });
}
