import { describeResidency, residencyOf, VERTEX_MODELS } from './catalog';
import { costModelOf, resolvedLimits, settledCharge, type RequestEstimate, type Usage } from './cost';
import { regionLabel } from './naming';
import { LIMIT_KINDS, targetsOf, type Api, type LimitKind, type Limits, type Plan, type Provider, type TargetRef } from './types';

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
  /** Per limit kind present in the family. */
  readonly limits: Readonly<Partial<Record<LimitKind, Total>>>;
  /** Declared tokens per minute: the theoretical pooled ceiling. */
  readonly tokens: Total;
  /** The 2.7x planning rule applied to the pooled ceiling: `PLANNING_RULE.efficiency` of `tokens`. */
  readonly ruleOfThumb: { readonly tokensPerMinute: number; readonly multiplier: number };
  /** Reference-request throughput after each provider's cost model (e.g. Bedrock's output burn). */
  readonly served: Total;
}

export function targetCapacity(ref: TargetRef): TargetCapacity {
  const { target } = ref;
  const limits = resolvedLimits(target);
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
  return {
    key: ref.key,
    familyId: ref.familyId,
    targetId: ref.targetId,
    provider: target.provider,
    region: regionLabel(target),
    model: target.model,
    limits,
    tokensPerMinute: limits.tpm ?? (limits.itpm ?? 0) + (limits.otpm ?? 0),
    servedRpm: Math.floor(servedRpm),
    servedTokensPerMinute: Math.floor(servedRpm * (REFERENCE_REQUEST.inputTokens + REFERENCE_REQUEST.outputTokens)),
    residency: describeResidency(residencyOf(target)),
    advisory: target.provider === 'vertex' && (VERTEX_MODELS[target.model]?.dynamicSharedQuota ?? false),
  };
}

function total(targets: readonly TargetCapacity[], value: (t: TargetCapacity) => number | undefined): Total | undefined {
  let sum = 0;
  let best = -1;
  let bestTarget = '';
  for (const t of targets) {
    const v = value(t);
    if (v === undefined) continue;
    sum += v;
    if (v > best) { best = v; bestTarget = t.targetId; }
  }
  if (best < 0) return undefined;
  return { sum, best, bestTarget, multiplier: best > 0 ? sum / best : 0 };
}

export function capacityOf(plan: Plan): FamilyCapacity[] {
  const byFamily = new Map<string, TargetCapacity[]>();
  for (const ref of targetsOf(plan)) {
    const list = byFamily.get(ref.familyId) ?? [];
    list.push(targetCapacity(ref));
    byFamily.set(ref.familyId, list);
  }
  return [...byFamily].map(([familyId, targets]) => {
    const limits: Partial<Record<LimitKind, Total>> = {};
    for (const kind of LIMIT_KINDS) {
      const t = total(targets, (c) => c.limits[kind]);
      if (t) limits[kind] = t;
    }
    const tokens = total(targets, (c) => c.tokensPerMinute)!;
    return {
      familyId,
      api: plan.families[familyId]!.api,
      targets,
      limits,
      tokens,
      ruleOfThumb: { tokensPerMinute: Math.round(tokens.sum * PLANNING_RULE.efficiency), multiplier: tokens.multiplier * PLANNING_RULE.efficiency },
      served: total(targets, (c) => c.servedTokensPerMinute)!,
    };
  });
}
