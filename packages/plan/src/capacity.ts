import { describeResidency, residencyOf, VERTEX_MODELS } from './catalog';
import { costModelOf, resolvedLimits, settledCharge, type RequestEstimate, type Usage } from './cost';
import { regionLabel } from './naming';
import { bucketIdOf, quotaBucketsOf, type QuotaBucket } from './quota-buckets';
import { LIMIT_KINDS, targetsOf, type Api, type LimitKind, type Limits, type Plan, type Provider, type Target, type TargetRef } from './types';

/**
 * The 2.7x planning rule: a pool of targets delivers about 90% of the sum of their capacity, because
 * load balancing is never perfect; three equal regions yield about 2.7x one region.
 * `efficiency` is that share of the pool, the one number every report compares against.
 */
export const PLANNING_RULE = { regions: 3, multiplier: 2.7, efficiency: 2.7 / 3 } as const;
/** @deprecated the former name of `PLANNING_RULE`, kept so existing imports compile. */
export const SEED_RULE = PLANNING_RULE;

/** A chatbot-sized request used to compare targets with different cost models. */
export const REFERENCE_REQUEST: RequestEstimate & Usage = { inputTokens: 800, maxTokens: 1024, outputTokens: 300 };

export interface TargetCapacity {
  readonly key: string;
  readonly familyId: string;
  readonly targetId: string;
  readonly provider: Provider;
  readonly region: string;
  readonly model: string;
  readonly limits: Limits;
  /** Token throughput the limits allow: tpm, or itpm + otpm. */
  readonly tokensPerMinute: number;
  /** Requests per minute of the reference request the limits sustain, under the provider's cost model. */
  readonly servedRpm: number;
  readonly servedTokensPerMinute: number;
  readonly residency: string;
  /** Limits are a routing budget, not a reserved quota (dynamic shared quota). */
  readonly advisory: boolean;
  /** The provider quota it draws on (`quotaBucketsOf`): a `quotas:` name, else its own key. */
  readonly quota: string;
}

export interface Total {
  readonly sum: number;
  readonly best: number;
  readonly bestTarget: string;
  /** sum / best: the pooled capacity as a multiple of the best single target. */
  readonly multiplier: number;
}

export interface FamilyCapacity {
  readonly familyId: string;
  readonly api: Api;
  readonly targets: readonly TargetCapacity[];
  /** The quotas the family draws on, each once: summed limits of its targets there, capped by the quota. */
  readonly quotas: readonly QuotaDraw[];
  /** Per limit kind present in the family, each quota counted once. */
  readonly limits: Readonly<Partial<Record<LimitKind, Total>>>;
  /** Declared tokens per minute: the theoretical pooled ceiling. */
  readonly tokens: Total;
  /** The 2.7x planning rule applied to the pooled ceiling: `PLANNING_RULE.efficiency` of `tokens`. */
  readonly ruleOfThumb: { readonly tokensPerMinute: number; readonly multiplier: number };
  /** Reference-request throughput after each provider's cost model (e.g. Bedrock's output burn). */
  readonly served: Total;
}

/** Reference requests per minute that these limits sustain under the target's cost model. */
function servedRpmUnder(target: Target, limits: Limits): number {
  const cost = costModelOf(target);
  // In steady state reservations are returned at settlement, so the settled cost bounds throughput
  // (for Azure and OpenAI, which never settle, it equals the admission charge).
  const settled = settledCharge(cost, REFERENCE_REQUEST, REFERENCE_REQUEST);
  let servedRpm = Infinity;
  for (const kind of LIMIT_KINDS) {
    const limit = limits[kind];
    if (limit === undefined) continue;
    const perRequest = settled[kind] ?? 0;
    if (perRequest > 0) servedRpm = Math.min(servedRpm, limit / perRequest);
  }
  return servedRpm;
}

const tokensOf = (limits: Limits): number => limits.tpm ?? (limits.itpm ?? 0) + (limits.otpm ?? 0);
const servedTokensOf = (servedRpm: number): number => Math.floor(servedRpm * (REFERENCE_REQUEST.inputTokens + REFERENCE_REQUEST.outputTokens));

export function targetCapacity(ref: TargetRef): TargetCapacity {
  const { target } = ref;
  const limits = resolvedLimits(target);
  const servedRpm = servedRpmUnder(target, limits);
  return {
    key: ref.key,
    familyId: ref.familyId,
    targetId: ref.targetId,
    provider: target.provider,
    region: regionLabel(target),
    model: target.model,
    limits,
    tokensPerMinute: tokensOf(limits),
    servedRpm: Math.floor(servedRpm),
    servedTokensPerMinute: servedTokensOf(servedRpm),
    residency: describeResidency(residencyOf(target)),
    advisory: target.provider === 'vertex' && (VERTEX_MODELS[target.model]?.dynamicSharedQuota ?? false),
    quota: bucketIdOf(ref),
  };
}

/** What some targets on one quota can use together: their summed limits, capped by the quota. */
export interface QuotaDraw {
  readonly quota: string;
  readonly targets: readonly string[];
  readonly limits: Limits;
  readonly tokensPerMinute: number;
  readonly servedTokensPerMinute: number;
}

/** Targets grouped by the quota they draw on; each group counts once, capped by the quota. */
function drawsOf(targets: readonly TargetCapacity[], buckets: ReadonlyMap<string, QuotaBucket>, refs: ReadonlyMap<string, Target>): QuotaDraw[] {
  const groups = new Map<string, TargetCapacity[]>();
  for (const t of targets) groups.set(t.quota, [...(groups.get(t.quota) ?? []), t]);
  return [...groups].map(([quota, members]) => {
    const cap = buckets.get(quota)!.limits;
    const limits: Limits = {};
    for (const kind of LIMIT_KINDS) {
      const values = members.map((m) => m.limits[kind]).filter((v): v is number => v !== undefined);
      if (values.length === 0) continue;
      const summed = values.reduce((a, b) => a + b, 0);
      limits[kind] = Math.min(summed, cap[kind] ?? summed);
    }
    const servedRpm = servedRpmUnder(refs.get(members[0]!.key)!, limits);
    return { quota, targets: members.map((m) => m.key), limits, tokensPerMinute: tokensOf(limits), servedTokensPerMinute: servedTokensOf(servedRpm) };
  });
}

/** Sum over quotas (each once); best and multiplier against the best single target, capped by its quota. */
function total(draws: readonly QuotaDraw[], targets: readonly TargetCapacity[], value: (l: Limits, t?: TargetCapacity) => number | undefined,
  drawValue: (d: QuotaDraw) => number | undefined): Total | undefined {
  let sum = 0;
  let any = false;
  for (const d of draws) {
    const v = drawValue(d);
    if (v === undefined) continue;
    sum += v;
    any = true;
  }
  let best = -1;
  let bestTarget = '';
  for (const t of targets) {
    const own = value(t.limits, t);
    if (own === undefined) continue;
    const capped = Math.min(own, drawValue(draws.find((d) => d.quota === t.quota)!) ?? own);
    if (capped > best) { best = capped; bestTarget = t.targetId; }
  }
  if (!any || best < 0) return undefined;
  return { sum, best, bestTarget, multiplier: best > 0 ? sum / best : 0 };
}

export function capacityOf(plan: Plan): FamilyCapacity[] {
  const buckets = new Map(quotaBucketsOf(plan).map((b) => [b.id, b]));
  const refs = new Map(targetsOf(plan).map((r) => [r.key, r.target]));
  const byFamily = new Map<string, TargetCapacity[]>();
  for (const ref of targetsOf(plan)) {
    const list = byFamily.get(ref.familyId) ?? [];
    list.push(targetCapacity(ref));
    byFamily.set(ref.familyId, list);
  }
  return [...byFamily].map(([familyId, targets]) => {
    const draws = drawsOf(targets, buckets, refs);
    const limits: Partial<Record<LimitKind, Total>> = {};
    for (const kind of LIMIT_KINDS) {
      const t = total(draws, targets, (l) => l[kind], (d) => d.limits[kind]);
      if (t) limits[kind] = t;
    }
    const tokens = total(draws, targets, (l) => tokensOf(l), (d) => d.tokensPerMinute)!;
    return {
      familyId,
      api: plan.families[familyId]!.api,
      targets,
      quotas: draws,
      limits,
      tokens,
      ruleOfThumb: { tokensPerMinute: Math.round(tokens.sum * PLANNING_RULE.efficiency), multiplier: tokens.multiplier * PLANNING_RULE.efficiency },
      served: total(draws, targets, (_l, t) => t!.servedTokensPerMinute, (d) => d.servedTokensPerMinute)!,
    };
  });
}

/** The whole plan's ceiling: each provider quota once, whichever families draw on it. */
export function planCapacityOf(plan: Plan): { readonly limits: Limits; readonly tokensPerMinute: number; readonly quotas: readonly QuotaDraw[] } {
  const buckets = new Map(quotaBucketsOf(plan).map((b) => [b.id, b]));
  const refs = new Map(targetsOf(plan).map((r) => [r.key, r.target]));
  const draws = drawsOf(targetsOf(plan).map(targetCapacity), buckets, refs);
  const limits: Limits = {};
  for (const kind of LIMIT_KINDS) {
    const values = draws.map((d) => d.limits[kind]).filter((v): v is number => v !== undefined);
    if (values.length) limits[kind] = values.reduce((a, b) => a + b, 0);
  }
  return { limits, tokensPerMinute: draws.reduce((a, d) => a + d.tokensPerMinute, 0), quotas: draws };
}
