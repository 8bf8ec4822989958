/** The five providers a target can live on. */
export const PROVIDERS = ['anthropic', 'bedrock', 'vertex', 'azure-openai', 'openai'] as const;
export type Provider = (typeof PROVIDERS)[number];

/** Front doors: the wire API a family is served through. */
export const APIS = ['anthropic', 'openai'] as const;
export type Api = (typeof APIS)[number];

/** Every per-minute limit a provider can enforce. */
export const LIMIT_KINDS = ['rpm', 'tpm', 'itpm', 'otpm'] as const;
export type LimitKind = (typeof LIMIT_KINDS)[number];

/** Geographies used for processing residency and residency pins. */
export const GEOS = ['us', 'eu', 'apac', 'ca', 'sa', 'me', 'af'] as const;
export type Geo = (typeof GEOS)[number];

export type Limits = Partial<Record<LimitKind, number>>;

interface TargetBase {
  /** Extra description shown in reports; no effect on resources. */
  readonly description?: string;
  /**
   * Name of an entry in the plan's `quotas`: this target draws on that shared provider quota.
   * Omit when the target has its provider quota to itself (the usual case). @default none
   */
  readonly quota?: string;
}

/**
 * A provider quota that several targets draw on, declared once so it is counted once. Its limits are
 * the provider's quota (what the targets may use together); each target's own limits still cap it.
 */
export interface SharedQuota {
  readonly description?: string;
  readonly limits: Limits;
}

export interface AnthropicTarget extends TargetBase {
  readonly provider: 'anthropic';
  readonly model: string;
  /** Secrets Manager name or ARN holding the API key. @default `${plan.name}/anthropic-api-key` */
  readonly secret?: string;
  readonly limits: { readonly rpm: number; readonly itpm: number; readonly otpm: number };
}

export interface OpenAiTarget extends TargetBase {
  readonly provider: 'openai';
  readonly model: string;
  /** Secrets Manager name or ARN holding the API key. @default `${plan.name}/openai-api-key` */
  readonly secret?: string;
  readonly limits: { readonly rpm: number; readonly tpm: number };
}

export const BEDROCK_PROFILES = ['us', 'eu', 'apac', 'jp', 'au', 'global'] as const;
export type BedrockProfile = (typeof BEDROCK_PROFILES)[number];

export interface BedrockTarget extends TargetBase {
  readonly provider: 'bedrock';
  /** The source region the router calls; its quota bucket. */
  readonly region: string;
  /** Foundation model id without a geo prefix, e.g. `anthropic.claude-sonnet-4-5-20250929-v1:0`. */
  readonly model: string;
  /** Cross-region inference profile geo; omit for in-region on-demand invocation. */
  readonly profile?: BedrockProfile;
  readonly limits: { readonly rpm: number; readonly tpm: number };
}

export interface VertexTarget extends TargetBase {
  readonly provider: 'vertex';
  readonly region: string;
  /** Publisher model id, e.g. `claude-sonnet-4-5@20250929` or `gemini-2.5-pro`. */
  readonly model: string;
  /** Overrides the catalog's Cloud Quotas quota ids, per limit. */
  readonly quotaIds?: { readonly rpm?: string; readonly itpm?: string; readonly otpm?: string };
  readonly limits: { readonly rpm: number; readonly itpm: number; readonly otpm: number };
}

export const AZURE_SKUS = [
  'GlobalStandard',
  'DataZoneStandard',
  'Standard',
] as const;
export type AzureSku = (typeof AZURE_SKUS)[number];

export interface AzureOpenAiTarget extends TargetBase {
  readonly provider: 'azure-openai';
  /** ARM location of the account, e.g. `eastus2`. */
  readonly region: string;
  readonly model: string;
  /** Model version, e.g. `2025-08-07`. */
  readonly version: string;
  readonly sku: AzureSku;
  /** `tpm` is required; `rpm` defaults to what Azure grants for that TPM. */
  readonly limits: { readonly tpm: number; readonly rpm?: number };
  /** Content filter policy. @default `Microsoft.DefaultV2` */
  readonly raiPolicy?: string;
}

export type Target = AnthropicTarget | OpenAiTarget | BedrockTarget | VertexTarget | AzureOpenAiTarget;

export interface Family {
  readonly api: Api;
  /** Model names clients send; each alias belongs to one family. */
  readonly aliases: readonly string[];
  /** Residency pins clients of this family send (`x-headroom-residency`). @default none */
  readonly pins?: readonly Geo[];
  readonly targets: Readonly<Record<string, Target>>;
}

/**
 * Upstream timeouts, in ms. A non-streaming response has no headers until it is generated, so the
 * headers timeout bounds streamed calls only; a non-streaming call is bounded by `totalMs`, and one
 * that timed out may have been generated (and billed), so it is never re-sent to another target.
 */
export interface RoutingTimeouts {
  /** Connect plus response headers of a streamed call; past it the attempt fails over. @default 10000 */
  readonly headersMs?: number;
  /** Longest gap between stream chunks; past it the stream ends with an error event. @default 60000 */
  readonly idleMs?: number;
  /** One upstream response from the request to its last byte. At most 840000 (14 min, inside Lambda's 15). @default 600000 */
  readonly totalMs?: number;
}

/**
 * Holding a request the router would refuse for quota: when every eligible target is at its quota and
 * the first one frees within `maxMs`, the router waits and places the request again instead of
 * answering 429 at once. Never for outages (529/503), never longer than `routing.timeouts.totalMs`,
 * and a client can lower or turn off its own hold with the `x-headroom-max-wait-ms` header.
 */
export interface RoutingHold {
  /** Longest the router holds one request, in ms; 0 turns holding off. @default 2000 */
  readonly maxMs?: number;
  /** Hold streamed requests too (interactive clients usually prefer a fast 429). @default false */
  readonly streaming?: boolean;
}

/**
 * Bounds the schema enforces on `routing.hold.maxMs`. 60 s: a request that fits a bucket refilled
 * over a minute fits again within a minute, and the official SDKs only honour a `retry-after` under
 * 60 s (openai 6.x `client.js` retryRequest; @anthropic-ai/sdk the same), so a longer wait is the
 * client's decision, not the router's.
 */
export const HOLD_LIMITS = { minMs: 0, maxMs: 60_000 } as const;

/** Bounds the schema enforces on `routing.timeouts` and `routing.maxCooldownMs`. */
export const TIMEOUT_LIMITS = {
  minMs: 1000,
  maxHeadersMs: 300_000,
  /** Lambda's 15-minute maximum less a minute for failed attempts and settlement. */
  maxTotalMs: 840_000,
  maxCooldownMs: 3_600_000,
} as const;

export interface Plan {
  /** Plan format version. */
  readonly version: 1;
  /** Prefix of every cloud resource name. */
  readonly name: string;
  readonly aws: {
    readonly account: string;
    readonly region: string;
    /** The account's outbound web identity issuer URL (IAM `GetOutboundWebIdentityFederationInfo`); Azure and GCP trust it for keyless calls. */
    readonly identityIssuer?: string;
  };
  readonly azure?: {
    readonly subscription: string;
    readonly resourceGroup: string;
    readonly tenant: string;
    /** Entra application (client) id the router authenticates as; known after the first `pulumi up`. */
    readonly clientId?: string;
    /** Keep API keys enabled on the accounts. @default false (keyless) */
    readonly keepLocalAuth?: boolean;
    /** @default true */
    readonly publicNetworkAccess?: boolean;
    /** Suffix of account names and custom subdomains ('' for none). @default 6 hex digits of sha256(subscription) */
    readonly subdomainSuffix?: string;
  };
  readonly gcp?: {
    readonly project: string;
    /** Numeric project number, needed for the Workload Identity audience. */
    readonly projectNumber?: string;
    /** Contact for quota increase requests (Cloud Quotas requires one to raise a quota). */
    readonly quotaContactEmail?: string;
    /**
     * Let a Vertex quota preference lower the project's limit by more than 10%: Cloud Quotas refuses
     * that unless the preference sets `ignoreSafetyChecks: QUOTA_DECREASE_PERCENTAGE_TOO_HIGH`, which
     * this turns on. `headroom diff` flags such decreases (`vertex-quota-decrease`). @default false
     */
    readonly allowQuotaDecrease?: boolean;
  };
  readonly families: Readonly<Record<string, Family>>;
  /** Provider quotas that several targets share, by name; targets name one with `quota:`. @default none */
  readonly quotas?: Readonly<Record<string, SharedQuota>>;
  readonly routing?: {
    /** Retries allowed as a fraction of requests, per target (Envoy-style). @default 0.2 */
    readonly retryBudget?: number;
    readonly timeouts?: RoutingTimeouts;
    /** Cap on any cooldown a retry-after imposes on a target, in ms. @default 300000 (5 minutes) */
    readonly maxCooldownMs?: number;
    /** Hold a request refused for quota for up to a short, known wait. @default { maxMs: 2000, streaming: false } */
    readonly hold?: RoutingHold;
  };
  readonly alarms?: {
    /** Alarm when upstream 429s exceed this percentage of requests. @default 1 */
    readonly throttleRatePct?: number;
    /** Alarm when headroom stays below this percentage. @default 15 */
    readonly headroomBelowPct?: number;
    /** Consecutive 1-minute periods before a headroom alarm fires. @default 5 */
    readonly headroomPeriods?: number;
  };
}

/** A target together with the keys that identify it. */
export interface TargetRef {
  readonly familyId: string;
  readonly targetId: string;
  /** `family/target`: unique in the plan, used in every derived name. */
  readonly key: string;
  readonly family: Family;
  readonly target: Target;
}

/** Targets in a stable order: by family id, then target id. Never by position in the file. */
export function targetsOf(plan: Plan): TargetRef[] {
  const refs: TargetRef[] = [];
  for (const familyId of Object.keys(plan.families).sort()) {
    const family = plan.families[familyId]!;
    for (const targetId of Object.keys(family.targets).sort()) {
      refs.push({ familyId, targetId, key: `${familyId}/${targetId}`, family, target: family.targets[targetId]! });
    }
  }
  return refs;
}

export function regionOf(target: Target): string | undefined {
  return 'region' in target ? target.region : undefined;
}
