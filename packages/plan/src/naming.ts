import { createHash } from 'node:crypto';
import type { Plan, Provider, Target, TargetRef } from './types';

/**
 * Every cloud resource name, derived from plan keys only (plan name, family id, target id, region).
 * Never from list positions: reordering the plan renames nothing.
 */

/** A naming rule of one cloud, checked against each derived name. */
export interface NameRule {
  readonly what: string;
  readonly pattern: RegExp;
  readonly min: number;
  readonly max: number;
  readonly allowed: string;
}

export const NAME_RULES = {
  planName: { what: 'plan name', pattern: /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/, min: 3, max: 24, allowed: '3-24 lowercase letters, digits and single hyphens, starting with a letter' },
  key: { what: 'family or target id', pattern: /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/, min: 1, max: 40, allowed: '1-40 lowercase letters, digits and single hyphens, starting with a letter' },
  azureAccount: { what: 'Azure account name and custom subdomain', pattern: /^[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]$/, min: 2, max: 64, allowed: '2-64 letters, digits and hyphens, starting and ending alphanumeric' },
  azureDeployment: { what: 'Azure deployment name', pattern: /^[a-zA-Z0-9][\w.-]*$/, min: 2, max: 64, allowed: '2-64 letters, digits, -, _ and .' },
  vertexQuotaPreference: { what: 'Vertex quota preference id', pattern: /^[a-z][a-z0-9-]*[a-z0-9]$/, min: 2, max: 63, allowed: '2-63 lowercase letters, digits and hyphens' },
  iamRole: { what: 'IAM role name', pattern: /^[\w+=,.@-]+$/, min: 1, max: 64, allowed: '1-64 characters of [A-Za-z0-9+=,.@_-]' },
  alarm: { what: 'CloudWatch alarm name', pattern: /^[\x20-\x7e]+$/, min: 1, max: 255, allowed: '1-255 printable ASCII characters' },
  dynamoTable: { what: 'DynamoDB table name', pattern: /^[\w.-]+$/, min: 3, max: 255, allowed: '3-255 of [A-Za-z0-9_.-]' },
  wifPool: { what: 'Workload Identity pool id', pattern: /^[a-z][a-z0-9-]*[a-z0-9]$/, min: 4, max: 32, allowed: '4-32 lowercase letters, digits and hyphens' },
} as const satisfies Record<string, NameRule>;

export function checkName(rule: NameRule, name: string): boolean {
  return name.length >= rule.min && name.length <= rule.max && rule.pattern.test(name);
}

/** What the Azure account names depend on: the plan name and the azure block's subscription and override. */
export type AzureNamingPlan = Pick<Plan, 'name'> & { readonly azure?: Pick<NonNullable<Plan['azure']>, 'subscription' | 'subdomainSuffix'> };

/**
 * The suffix that makes account names and custom subdomains unlikely to be taken: custom subdomains
 * are one namespace across all Azure customers, and a deleted one stays reserved for 48 hours.
 * `azure.subdomainSuffix` when set ('' for none), else 6 hex digits of sha256(subscription id):
 * deterministic, so reordering or re-running the plan renames nothing.
 */
export function azureNameSuffix(plan: AzureNamingPlan): string {
  const azure = plan.azure;
  if (azure?.subdomainSuffix !== undefined) return azure.subdomainSuffix;
  if (azure === undefined) throw new RangeError(`plan ${plan.name}: Azure account names need the azure block (its subscription id)`);
  return createHash('sha256').update(azure.subscription.toLowerCase()).digest('hex').slice(0, 6);
}

/** One Azure OpenAI account per region, `<name>-<region>-<suffix>`; its custom subdomain makes the endpoint host. */
export function azureAccountName(plan: AzureNamingPlan, region: string): string {
  const suffix = azureNameSuffix(plan);
  return suffix === '' ? `${plan.name}-${region}` : `${plan.name}-${region}-${suffix}`;
}

export function azureDeploymentName(familyId: string, targetId: string): string {
  return `${familyId}-${targetId}`;
}

export function azureEndpoint(plan: AzureNamingPlan, region: string): string {
  return `https://${azureAccountName(plan, region)}.openai.azure.com`;
}

export type AlarmKind = 'throttle-rate' | 'low-headroom' | 'retry-budget-exhausted';

export function alarmName(plan: Pick<Plan, 'name'>, familyId: string, targetId: string, kind: AlarmKind): string {
  return `${plan.name}/${familyId}/${targetId}/${kind}`;
}

/**
 * A target key as one name segment: `<family>--<target>`. Keys never contain `--` (NAME_RULES.key:
 * single hyphens only), so distinct keys give distinct segments: `chat-eu/vertex` is
 * `chat-eu--vertex`, `chat/eu-vertex` is `chat--eu-vertex`.
 */
export function targetKeySegment(familyId: string, targetId: string): string {
  return `${familyId}--${targetId}`;
}

/** `<name>-<family>--<target>-<limit>`: unique per target and limit by construction. */
export function vertexQuotaPreferenceId(plan: Pick<Plan, 'name'>, familyId: string, targetId: string, limit: string): string {
  return `${plan.name}-${targetKeySegment(familyId, targetId)}-${limit}`;
}

export function routerRoleName(plan: Pick<Plan, 'name'>): string {
  return `${plan.name}-headroom-router`;
}

export function stateTableName(plan: Pick<Plan, 'name'>): string {
  return `${plan.name}-headroom-state`;
}

export function dashboardName(plan: Pick<Plan, 'name'>): string {
  return `${plan.name}-headroom`;
}

/** Workload Identity pool (GCP) and Entra application (Azure) trusting the router role. */
export function workloadIdentityPoolId(plan: Pick<Plan, 'name'>): string {
  return `${plan.name}-router`;
}

/** The pool's AWS provider; pool and provider ids are both 4-32 characters. */
export function workloadIdentityProviderId(plan: Pick<Plan, 'aws'>): string {
  return `aws-${plan.aws.account}`;
}

/** The router's IAM role ARN: the `sub` claim of its outbound web identity token. */
export function routerRoleArn(plan: Pick<Plan, 'name' | 'aws'>): string {
  return `arn:aws:iam::${plan.aws.account}:role/${routerRoleName(plan)}`;
}

/** The `attribute.aws_role` GCP's default AWS mapping gives the router's sessions. */
export function routerAssumedRoleArn(plan: Pick<Plan, 'name' | 'aws'>): string {
  return `arn:aws:sts::${plan.aws.account}:assumed-role/${routerRoleName(plan)}`;
}

export function entraApplicationName(plan: Pick<Plan, 'name'>): string {
  return `${plan.name}-headroom-router`;
}

export function azureAlertName(plan: Pick<Plan, 'name'>, region: string, kind: 'throttles' | 'tokens'): string {
  return `${plan.name}-${region}-${kind}`;
}

export function vertexAlertName(plan: Pick<Plan, 'name'>, region: string): string {
  return `${plan.name}-vertex-${region}-throttles`;
}

/** Default Secrets Manager name for a provider that needs an API key. */
export function defaultSecretName(plan: Pick<Plan, 'name'>, provider: 'anthropic' | 'openai'): string {
  return `${plan.name}/${provider}-api-key`;
}

export const METRIC_NAMESPACE = 'Headroom';

/** Router metric names (CloudWatch EMF); dashboards and alarms read the same constants. */
export const METRICS = {
  /** Upstream attempts, per target. */
  requests: 'Requests',
  upstreamThrottles: 'UpstreamThrottles',
  upstreamErrors: 'UpstreamErrors',
  /** Attempts that were retries (failover), per target that received them. */
  retries: 'Retries',
  retryBudgetDenials: 'RetryBudgetDenials',
  /** Remaining share of the tightest bucket after each request, per target. */
  headroomPercent: 'HeadroomPercent',
  inputTokens: 'InputTokens',
  outputTokens: 'OutputTokens',
  latency: 'Latency',
  timeToFirstByte: 'TimeToFirstByte',
  /** 429s the client saw (every eligible target exhausted), per family. */
  clientThrottles: 'ClientThrottles',
  /** Times requests were held for quota instead of answered 429 (plan `routing.hold`), per family. */
  holds: 'Holds',
  /** How long each held request waited in all, in ms, one value per held request (percentiles work), per family. */
  heldMs: 'HeldMs',
} as const;

/** Region label for metrics and logs; the direct APIs have one global endpoint. */
export function regionLabel(target: Target): string {
  return 'region' in target ? target.region : 'global';
}

export interface MetricDimensions {
  readonly Family: string;
  readonly Target: string;
  readonly Provider: Provider;
  readonly Region: string;
}

export function metricDimensions(ref: Pick<TargetRef, 'familyId' | 'targetId' | 'target'>): MetricDimensions {
  return { Family: ref.familyId, Target: ref.targetId, Provider: ref.target.provider, Region: regionLabel(ref.target) };
}
