import { residencyOf, servesPin } from './catalog';
import { canonicalize } from './canonical';
import { capacityOf, type FamilyCapacity, type TargetCapacity, type Total } from './capacity';
import { resolvedLimits } from './cost';
import { providerQuotaOf, quotaBucketsOf } from './quota-buckets';
import { GEOS, LIMIT_KINDS, targetsOf, type LimitKind, type Plan, type Provider, type Target, type TargetRef, type AzureOpenAiTarget } from './types';

export interface FieldChange {
  /** Dotted path inside the target, family or plan, e.g. `limits.tpm`. */
  readonly field: string;
  readonly before: unknown;
  readonly after: unknown;
}

export interface TargetChange {
  readonly key: string;
  readonly familyId: string;
  readonly targetId: string;
  readonly kind: 'added' | 'removed' | 'changed';
  readonly fields: readonly FieldChange[];
  readonly before?: TargetCapacity;
  readonly after?: TargetCapacity;
}

export interface FamilyDelta {
  readonly familyId: string;
  readonly before?: FamilySummary;
  readonly after?: FamilySummary;
  readonly fields: readonly FieldChange[];
}

export interface FamilySummary {
  readonly tokens: Total;
  readonly ruleOfThumb: number;
  readonly served: Total;
  readonly limits: Readonly<Partial<Record<LimitKind, Total>>>;
  /** Declared tokens per minute of each target, by target id. */
  readonly tokensByTarget: Readonly<Record<string, number>>;
}

export type RiskCode =
  | 'capacity-decreased'
  | 'family-removed'
  | 'residency-failover-lost'
  | 'new-credentials'
  | 'azure-quota-request'
  | 'vertex-quota-decrease'
  | 'target-renamed'
  | 'resource-replaced';

/**
 * How serious each risk is, 1 = most serious; risks are listed in this order. Traffic that will
 * fail comes first, then changes that destroy and recreate resources (often unintended, and an
 * Azure deployment's quota may not come back), then a declared capacity loss, then the steps to
 * take before deploying. A Record, so a new code cannot be added without a rank.
 */
export const RISK_SEVERITY: Readonly<Record<RiskCode, number>> = {
  'family-removed': 1, // every request to the family's aliases fails
  'residency-failover-lost': 2, // pinned traffic loses its second target, or every target
  'resource-replaced': 3, // an Azure deployment or Vertex quota is released and re-requested
  'target-renamed': 4, // the same through new names; its metrics and alarms start over
  'capacity-decreased': 5, // fewer tokens per minute: more 429s under the same load
  'vertex-quota-decrease': 6, // Cloud Quotas refuses the preference unless gcp.allowQuotaDecrease
  'azure-quota-request': 7, // the deploy fails unless the subscription has the quota
  'new-credentials': 8, // the new provider's targets fail until the credentials exist
};

/** Most serious first; risks of one code keep the order in which they were found. */
export function bySeverity(risks: readonly Risk[]): Risk[] {
  return [...risks].sort((a, b) => RISK_SEVERITY[a.code] - RISK_SEVERITY[b.code]);
}

// Number formats. Risk messages carry numbers, and the CLI's renderers import these same
// functions, so a PR comment writes every number one way.

/** The minus sign of every negative number and change (U+2212, not a hyphen). */
export const MINUS = '\u2212';

/** A count with thousands separators: `60,000`, `−1,000`. */
export function formatCount(n: number): string {
  const rounded = Math.round(n);
  const digits = Math.abs(rounded).toLocaleString('en-US');
  return rounded < 0 ? `${MINUS}${digits}` : digits;
}

/** A signed count for a change: `+20,000`, `−10,000`, `0`. */
export function formatCountChange(n: number): string {
  return Math.round(n) > 0 ? `+${formatCount(n)}` : formatCount(n);
}

/** A multiplier: `2.78x`. */
export function formatMultiplier(n: number): string {
  return `${n.toFixed(2)}x`;
}

/** The relative change from `before` to `after`: `+33.3%`, `−16.7%`, `0.0%`; `new` from zero. */
export function formatPercentChange(after: number, before: number): string {
  if (before === 0) return after === 0 ? '0.0%' : 'new';
  const rounded = Number((((after - before) / before) * 100).toFixed(1));
  if (rounded === 0) return '0.0%';
  return `${rounded > 0 ? '+' : MINUS}${Math.abs(rounded).toFixed(1)}%`;
}

export interface Risk {
  readonly code: RiskCode;
  /** The family or target the risk is about. */
  readonly subject: string;
  readonly message: string;
}

export interface PlanDiff {
  readonly plan: string;
  readonly targets: readonly TargetChange[];
  readonly families: readonly FamilyDelta[];
  readonly planFields: readonly FieldChange[];
  readonly risks: readonly Risk[];
  readonly changed: boolean;
}

/** Flatten a value to `a.b.c -> leaf`, arrays kept whole (aliases, pins), keys sorted. */
function flatten(value: unknown, prefix = '', out: Map<string, unknown> = new Map()): Map<string, unknown> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const key of Object.keys(value).sort()) flatten((value as Record<string, unknown>)[key], prefix ? `${prefix}.${key}` : key, out);
  } else if (value !== undefined) {
    out.set(prefix, value);
  }
  return out;
}

function fieldChanges(before: unknown, after: unknown): FieldChange[] {
  const a = flatten(canonicalize(before));
  const b = flatten(canonicalize(after));
  const keys = [...new Set([...a.keys(), ...b.keys()])].sort();
  return keys
    .filter((k) => JSON.stringify(a.get(k)) !== JSON.stringify(b.get(k)))
    .map((field) => ({ field, before: a.get(field), after: b.get(field) }));
}

/** Targets normalised for comparison: resolved limits, so a derived Azure RPM change shows up. */
function normalisedTarget(target: Target): unknown {
  return { ...target, limits: resolvedLimits(target) };
}

function summary(family: FamilyCapacity): FamilySummary {
  return { tokens: family.tokens, ruleOfThumb: family.ruleOfThumb.tokensPerMinute, served: family.served, limits: family.limits, tokensByTarget: Object.fromEntries(family.targets.map((t) => [t.targetId, t.tokensPerMinute])) };
}

/** Compare two validated plans. `base` is undefined when the plan is new. */
export function diffPlans(base: Plan | undefined, head: Plan): PlanDiff {
  const beforeRefs = new Map((base ? targetsOf(base) : []).map((r) => [r.key, r]));
  const afterRefs = new Map(targetsOf(head).map((r) => [r.key, r]));
  const beforeCap = new Map((base ? capacityOf(base) : []).map((f) => [f.familyId, f]));
  const afterCap = new Map(capacityOf(head).map((f) => [f.familyId, f]));
  const capOf = (caps: Map<string, FamilyCapacity>, ref: TargetRef) => caps.get(ref.familyId)?.targets.find((t) => t.key === ref.key);

  const targets: TargetChange[] = [];
  for (const key of [...new Set([...beforeRefs.keys(), ...afterRefs.keys()])].sort()) {
    const before = beforeRefs.get(key);
    const after = afterRefs.get(key);
    const ref = (after ?? before)!;
    const fields = fieldChanges(before ? normalisedTarget(before.target) : {}, after ? normalisedTarget(after.target) : {});
    if (fields.length === 0) continue;
    targets.push({
      key, familyId: ref.familyId, targetId: ref.targetId,
      kind: !before ? 'added' : !after ? 'removed' : 'changed',
      fields,
      ...(before ? { before: capOf(beforeCap, before)! } : {}),
      ...(after ? { after: capOf(afterCap, after)! } : {}),
    });
  }

  const families: FamilyDelta[] = [];
  const familyIds = [...new Set([...Object.keys(base?.families ?? {}), ...Object.keys(head.families)])].sort();
  for (const familyId of familyIds) {
    const strip = (plan: Plan | undefined) => {
      const family = plan?.families[familyId];
      if (!family) return {};
      const { targets: _targets, ...rest } = family;
      return { ...rest, aliases: [...family.aliases].sort(), pins: [...(family.pins ?? [])].sort() };
    };
    const before = beforeCap.get(familyId);
    const after = afterCap.get(familyId);
    families.push({
      familyId,
      ...(before ? { before: summary(before) } : {}),
      ...(after ? { after: summary(after) } : {}),
      fields: fieldChanges(strip(base), strip(head)),
    });
  }

  const withoutFamilies = (plan: Plan | undefined) => {
    if (!plan) return {};
    const { families: _families, ...rest } = plan;
    return rest;
  };
  const planFields = fieldChanges(withoutFamilies(base), withoutFamilies(head));
  const risks = bySeverity(assessRisks(base, head, targets, families));
  const changed = targets.length > 0 || planFields.length > 0 || families.some((f) => f.fields.length > 0);
  return { plan: head.name, targets, families, planFields, risks, changed };
}

const CREDENTIALS: Record<Provider, string> = {
  anthropic: 'an Anthropic API key in Secrets Manager',
  openai: 'an OpenAI API key in Secrets Manager',
  bedrock: 'Bedrock model access (and the one-time Anthropic first-use form) in the account',
  vertex: 'the Workload Identity pool trusting the router role, and Claude enabled in Model Garden',
  'azure-openai': 'the Entra application with a federated credential for the router role (azure.clientId)',
};

function assessRisks(base: Plan | undefined, head: Plan, targets: readonly TargetChange[], families: readonly FamilyDelta[]): Risk[] {
  const risks: Risk[] = [];
  if (!base) return providersNew(undefined, head);

  for (const family of families) {
    if (family.before && !family.after) {
      risks.push({ code: 'family-removed', subject: family.familyId, message: `family '${family.familyId}' is removed: clients sending its aliases will get errors` });
      continue;
    }
    if (!family.before || !family.after) continue;
    // One risk per family, naming every limit that falls, so a shrink reads as one line.
    const falls = LIMIT_KINDS.flatMap((kind) => {
      const b = family.before!.limits[kind]?.sum ?? 0;
      const a = family.after!.limits[kind]?.sum ?? 0;
      return a < b ? [`${kind.toUpperCase()} ${formatCount(b)} → ${formatCount(a)} (${formatPercentChange(a, b)})`] : [];
    });
    if (falls.length > 0) risks.push({ code: 'capacity-decreased', subject: family.familyId, message: `'${family.familyId}' loses capacity: ${falls.join(', ')}` });
  }

  for (const familyId of Object.keys(head.families).sort()) {
    const before = base.families[familyId];
    if (!before) continue;
    const after = head.families[familyId]!;
    for (const geo of GEOS) {
      const count = (targetsMap: Record<string, Target>) => Object.values(targetsMap).filter((t) => servesPin(residencyOf(t), geo)).length;
      const b = count(before.targets);
      const a = count(after.targets);
      if (b >= 2 && a < 2) {
        risks.push({
          code: 'residency-failover-lost', subject: familyId,
          message: `'${geo}' processing in '${familyId}' drops from ${b} targets to ${a}: ${a === 0 ? `${geo}-pinned traffic has nowhere to go` : `${geo}-pinned traffic loses failover`}`,
        });
      }
    }
  }

  risks.push(...providersNew(base, head));

  risks.push(...azureQuotaRequests(base, head));
  risks.push(...vertexQuotaDecreases(base, head));

  const removed = targets.filter((t) => t.kind === 'removed');
  const added = targets.filter((t) => t.kind === 'added');
  for (const gone of removed) {
    const old = base.families[gone.familyId]!.targets[gone.targetId]!;
    const twin = added.find((n) => n.familyId === gone.familyId && sameIdentity(old, head.families[n.familyId]!.targets[n.targetId]!));
    if (twin) {
      risks.push({
        code: 'target-renamed', subject: gone.key,
        message: `${gone.key} looks renamed to ${twin.key}: every derived name changes, so its ${resourcesOf(old.provider)} are destroyed and recreated and its metrics and alarms start over`,
      });
    }
  }
  for (const change of targets.filter((t) => t.kind === 'changed')) {
    const replacing = change.fields.filter((f) => f.field === 'region' || f.field === 'provider' || f.field === 'sku');
    const provider = head.families[change.familyId]!.targets[change.targetId]!.provider;
    if (replacing.length > 0 && (provider === 'azure-openai' || provider === 'vertex')) {
      risks.push({
        code: 'resource-replaced', subject: change.key,
        message: `${change.key}: changing ${replacing.map((f) => f.field).join(', ')} replaces its ${resourcesOf(provider)}`,
      });
    }
  }
  return risks;
}

/** Cloud Quotas' safety check: a preference may not lower the limit by more than 10% (QuotaSafetyCheck). */
export const VERTEX_SAFE_DECREASE = 0.1;

/**
 * A Vertex quota (project, region, base model: matched by provider quota, so declaring a share is
 * not a decrease) whose limit falls by more than 10%: Cloud Quotas refuses the lowered preference
 * unless `gcp.allowQuotaDecrease` sets `ignoreSafetyChecks`. The base plan's value stands for the
 * project's current limit (the plan filed it).
 */
function vertexQuotaDecreases(base: Plan, head: Plan): Risk[] {
  const vertex = (plan: Plan) => new Map(quotaBucketsOf(plan).filter((b) => b.providerQuota.provider === 'vertex').map((b) => [b.providerQuota.key, b]));
  const before = vertex(base);
  const allowed = head.gcp?.allowQuotaDecrease === true;
  const risks: Risk[] = [];
  for (const [key, after] of [...vertex(head)].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const old = before.get(key);
    if (!old) continue;
    const falls = (['rpm', 'itpm', 'otpm'] as const).flatMap((limit) => {
      const was = old.limits[limit];
      const now = after.limits[limit];
      return was !== undefined && now !== undefined && now < was * (1 - VERTEX_SAFE_DECREASE) ? [`${limit} ${formatCount(was)} -> ${formatCount(now)} (${formatPercentChange(now, was)})`] : [];
    });
    if (falls.length === 0) continue;
    risks.push({
      code: 'vertex-quota-decrease', subject: after.id,
      message: `Vertex quota ${after.id} (${after.providerQuota.label}) falls by more than 10%: ${falls.join(', ')}; ` + (allowed
        ? 'gcp.allowQuotaDecrease is set, so its preferences ignore the QUOTA_DECREASE_PERCENTAGE_TOO_HIGH safety check'
        : 'Cloud Quotas refuses the preference unless gcp.allowQuotaDecrease: true (ignoreSafetyChecks QUOTA_DECREASE_PERCENTAGE_TOO_HIGH)'),
    });
  }
  return risks;
}

/** Deployments on one Azure quota (subscription, region, model, sku) draw on it together: one request per quota. */
function azureQuotaRequests(base: Plan, head: Plan): Risk[] {
  const tpmByQuota = (plan: Plan) => {
    const sums = new Map<string, { tpm: number; keys: string[]; target: AzureOpenAiTarget }>();
    for (const ref of targetsOf(plan)) {
      if (ref.target.provider !== 'azure-openai') continue;
      const key = providerQuotaOf(plan, ref.target).key;
      const entry = sums.get(key) ?? { tpm: 0, keys: [] as string[], target: ref.target };
      entry.tpm += ref.target.limits.tpm;
      entry.keys.push(ref.key);
      sums.set(key, entry);
    }
    return sums;
  };
  const before = tpmByQuota(base);
  const risks: Risk[] = [];
  for (const [key, after] of [...tpmByQuota(head)].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const grown = after.tpm - (before.get(key)?.tpm ?? 0);
    if (grown <= 0) continue;
    const { model, sku, region } = after.target;
    const who = after.keys.length === 1 ? `${after.keys[0]} needs` : `${after.keys.join(' and ')} (one quota) need`;
    risks.push({
      code: 'azure-quota-request', subject: after.keys[0]!,
      message: `${who} ${formatCountChange(grown)} TPM of ${model} ${sku} quota in ${region}: check the subscription's quota before merging, or file a quota request`,
    });
  }
  return risks;
}

function providersNew(base: Plan | undefined, head: Plan): Risk[] {
  const had = new Set((base ? targetsOf(base) : []).map((r) => r.target.provider));
  const first = new Map<Provider, string>();
  for (const ref of targetsOf(head)) if (!had.has(ref.target.provider) && !first.has(ref.target.provider)) first.set(ref.target.provider, ref.key);
  return [...first].map(([provider, key]) => ({
    code: 'new-credentials' as const, subject: key, message: `first ${provider} target (${key}): needs ${CREDENTIALS[provider]}`,
  }));
}

function sameIdentity(a: Target, b: Target): boolean {
  return a.provider === b.provider && a.model === b.model && ('region' in a ? a.region : '') === ('region' in b ? b.region : '');
}

function resourcesOf(provider: Provider): string {
  switch (provider) {
    case 'azure-openai': return 'Azure deployment (capacity released and re-requested)';
    case 'vertex': return 'Vertex quota preferences';
    default: return 'dashboard rows and alarms';
  }
}
