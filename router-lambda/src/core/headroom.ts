import { admissionCharge, LIMIT_KINDS, LIMITS_BY_PROVIDER, settledCharge, type Charge, type LimitKind, type RequestEstimate, type RouterTarget, type Usage } from '@headroom/plan/runtime';
import type { Observation, SharedUsage } from './contracts';
import { bucketAdjust, bucketFits, ownRemaining, bucketLearn, bucketMsUntilFits, bucketObserveRemaining, bucketObserveShared, bucketRemaining, bucketReserve, bucketRetune, bucketView, chargedTrailingMinute, createBucket, type BucketState, type BucketView } from './bucket';
import { EPSILON } from './evidence';
import { throttleBound, type LearningOptions } from './learned-capacity';
import { InvalidEstimateError, MissingLimitError } from './errors';
import { windowChargesOf } from './shared-level';

/** A target's buckets: one per limit its provider enforces, never fewer. Plain data. */
export interface HeadroomState {
  readonly target: string;
  readonly buckets: Readonly<Partial<Record<LimitKind, BucketState>>>;
}

/** Build the buckets for every limit the provider enforces; a missing or non-positive limit throws. */
export function createHeadroom(target: Pick<RouterTarget, 'key' | 'provider' | 'limits'>): HeadroomState {
  const buckets: Partial<Record<LimitKind, BucketState>> = {};
  for (const kind of LIMITS_BY_PROVIDER[target.provider]) {
    const limit = target.limits[kind];
    if (limit === undefined || !(limit > 0) || !Number.isFinite(limit)) throw new MissingLimitError({ target: target.key, kind, received: limit });
    buckets[kind] = createBucket(kind, limit);
  }
  return { target: target.key, buckets };
}

function entries(state: HeadroomState): [LimitKind, BucketState][] {
  // A plain loop: this runs for every bucket of every candidate of every placement (flatMap was a quarter of the decision's cost).
  const out: [LimitKind, BucketState][] = [];
  for (const kind of LIMIT_KINDS) {
    const bucket = state.buckets[kind];
    if (bucket) out.push([kind, bucket]);
  }
  return out;
}

function checkCount(field: string, value: number): void {
  if (!Number.isFinite(value) || value < 0) throw new InvalidEstimateError({ field, received: value });
}

/** What admitting `estimate` takes from each bucket, by the target's cost model. */
export function admissionChargeFor(target: Pick<RouterTarget, 'cost'>, estimate: RequestEstimate): Charge {
  checkCount('inputTokens', estimate.inputTokens);
  checkCount('maxTokens', estimate.maxTokens);
  return admissionCharge(target.cost, estimate);
}

/** What the request finally cost; unknown or invalid usage keeps the reservation (never under-counts). */
export function settledChargeFor(target: Pick<RouterTarget, 'cost'>, estimate: RequestEstimate, usage: Usage): Charge {
  checkCount('usage.inputTokens', usage.inputTokens);
  checkCount('usage.outputTokens', usage.outputTokens);
  return settledCharge(target.cost, estimate, usage);
}

/** Headroom after this charge as a share of the limit (min over buckets); undefined when it does not fit. */
export function headroomAfter(state: HeadroomState, charge: Charge, now: number): number | undefined {
  let share = Number.POSITIVE_INFINITY;
  for (const [kind, bucket] of entries(state)) {
    const amount = charge[kind] ?? 0;
    if (!bucketFits(bucket, amount, now)) return undefined;
    share = Math.min(share, (bucketRemaining(bucket, now) - amount) / bucket.limit);
  }
  return Math.max(0, share);
}

/** Milliseconds until the charge fits every bucket; Infinity if it exceeds a limit itself. */
export function headroomMsUntilFits(state: HeadroomState, charge: Charge, now: number): number {
  return entries(state).reduce((wait, [kind, bucket]) => Math.max(wait, bucketMsUntilFits(bucket, charge[kind] ?? 0, now)), 0);
}

/** How many requests of this charge the target takes per minute: the capacity weight for selection. */
export function capacityFor(state: HeadroomState, charge: Charge): number {
  return entries(state).reduce((capacity, [kind, bucket]) => {
    const amount = charge[kind] ?? 0;
    return amount > 0 ? Math.min(capacity, bucket.limit / amount) : capacity;
  }, Number.POSITIVE_INFINITY);
}

function mapBuckets(state: HeadroomState, update: (kind: LimitKind, bucket: BucketState) => BucketState): HeadroomState {
  const buckets: Partial<Record<LimitKind, BucketState>> = {};
  for (const [kind, bucket] of entries(state)) buckets[kind] = update(kind, bucket);
  return { ...state, buckets };
}

export function reserveHeadroom(state: HeadroomState, charge: Charge, now: number): HeadroomState {
  return mapBuckets(state, (kind, bucket) => bucketReserve(bucket, charge[kind] ?? 0, now));
}

/** Replace the reservation with the final charge; returns the delta per enforced limit (for the shared store). */
export function settleHeadroom(state: HeadroomState, reserved: Charge, final: Charge, now: number): { state: HeadroomState; delta: Charge } {
  const delta: Charge = {};
  const next = mapBuckets(state, (kind, bucket) => {
    const change = (final[kind] ?? 0) - (reserved[kind] ?? 0);
    if (change !== 0) delta[kind] = change;
    return bucketAdjust(bucket, change, now);
  });
  return { state: next, delta };
}

/**
 * Apply `remaining` observations (cooldown observations belong to the cooldown policy). With
 * `learning`, a header's `limit` is also the bucket's learned figure (the provider's own, above or
 * below declared).
 */
export function observeHeadroom(state: HeadroomState, observations: readonly Observation[], learning?: LearningOptions): HeadroomState {
  let next = state;
  for (const o of observations) {
    if (o.kind !== 'remaining' || !next.buckets[o.bucket]) continue;
    next = mapBuckets(next, (kind, bucket) => {
      if (kind !== o.bucket) return bucket;
      const learned = learning && o.limit !== undefined && Number.isFinite(o.limit) && o.limit > 0 ? bucketLearn(bucket, o.limit, 0, o.observedAt, learning) : bucket;
      return bucketObserveRemaining(learned, o.remaining, o.observedAt, o.limit);
    });
  }
  return next;
}

/** Every bucket at its learned figure for `now` (learned figures decay toward the declared ones). */
export function retuneHeadroom(state: HeadroomState, now: number, learning: LearningOptions): HeadroomState {
  let changed = false;
  const next = mapBuckets(state, (_kind, bucket) => {
    const tuned = bucketRetune(bucket, now, learning);
    if (tuned !== bucket) changed = true;
    return tuned;
  });
  return changed ? next : state;
}

/** The charged buckets with the least room left after `charge` (as a share of their limit): the likeliest to have refused it. */
function tightestKinds(state: HeadroomState, charge: Charge, now: number): Set<LimitKind> {
  let least = Number.POSITIVE_INFINITY;
  const shares = new Map<LimitKind, number>();
  for (const [kind, bucket] of entries(state)) {
    const amount = charge[kind] ?? 0;
    if (amount <= 0) continue;
    const share = (bucketRemaining(bucket, now) - amount) / bucket.limit;
    shares.set(kind, share);
    least = Math.min(least, share);
  }
  return new Set([...shares].filter(([, share]) => share <= least + EPSILON).map(([kind]) => kind));
}

/**
 * A 429 with no headers: the provider had less than `charge` left in some bucket. The bucket we
 * believed tightest is the likeliest; its limit is bounded by what was charged in the trailing
 * minute plus this charge (learned-capacity.ts), and learned when that is below its figure.
 */
export function learnFromThrottle(state: HeadroomState, charge: Charge, now: number, learning: LearningOptions): HeadroomState {
  const tight = tightestKinds(state, charge, now);
  return mapBuckets(state, (kind, bucket) => {
    if (!tight.has(kind)) return bucket;
    const bound = throttleBound(chargedTrailingMinute(bucket, now), charge[kind] ?? 0);
    return bound < bucket.limit ? bucketLearn(bucket, bound, charge[kind] ?? 0, now, learning) : bucket;
  });
}

/**
 * The provider admitted a capacity probe (sent when our belief had no room): the tightest bucket's
 * figure is too low. Raise it by one step (multiplicative increase).
 */
export function learnFromProbe(state: HeadroomState, charge: Charge, now: number, learning: LearningOptions): HeadroomState {
  const tight = tightestKinds(state, charge, now);
  return mapBuckets(state, (kind, bucket) => (tight.has(kind) ? bucketLearn(bucket, bucket.limit * (1 + learning.probeStep), charge[kind] ?? 0, now, learning) : bucket));
}

/**
 * A success while a bucket runs on the part of a raised figure above the declared one (its own
 * level below limit - declared): the provider admitted what only the raised figure allows, so the
 * figure is confirmed and does not decay while that goes on. (A 429 bounds it again.)
 */
export function confirmRaised(state: HeadroomState, now: number, learning: LearningOptions): HeadroomState {
  let changed = false;
  const next = mapBuckets(state, (_kind, bucket) => {
    if (!bucket.learned || !(bucket.limit > bucket.declared) || !(ownRemaining(bucket, now) < bucket.limit - bucket.declared)) return bucket;
    changed = true;
    return { ...bucket, learned: { limit: bucket.limit, at: now } };
  });
  return changed ? next : state;
}

/** The learned figure of each bucket that has one (for status), and the declared one. */
export function learnedLimits(state: HeadroomState): Partial<Record<LimitKind, { readonly declared: number; readonly effective: number }>> {
  const out: Partial<Record<LimitKind, { declared: number; effective: number }>> = {};
  for (const [kind, bucket] of entries(state)) if (bucket.learned) out[kind] = { declared: bucket.declared, effective: Math.round(bucket.limit) };
  return out;
}

/** A shared snapshot: each bucket replays its provider's level from the sub-windows (see shared-level.ts). */
export function observeSharedUsage(state: HeadroomState, usage: SharedUsage): HeadroomState {
  return mapBuckets(state, (kind, bucket) => {
    const windows = windowChargesOf(usage, kind);
    return bucketObserveShared(bucket, windows, usage.readAt);
  });
}

/**
 * A 429 with no remaining headers (Bedrock, Vertex) is itself evidence: the provider had no room
 * for this charge. Record zero remaining on every bucket the charge touches, so the target's score
 * recovers only as those buckets refill.
 */
export function exhaustHeadroom(state: HeadroomState, charge: Charge, now: number): HeadroomState {
  return mapBuckets(state, (kind, bucket) => ((charge[kind] ?? 0) > 0 ? bucketObserveRemaining(bucket, 0, now) : bucket));
}

export interface HeadroomView {
  /** Effective remaining as a share of the limit, the lowest bucket, 0..100. */
  readonly headroomPct: number;
  readonly buckets: Readonly<Partial<Record<LimitKind, BucketView>>>;
}

export function headroomView(state: HeadroomState, now: number): HeadroomView {
  const buckets: Partial<Record<LimitKind, BucketView>> = {};
  let pct = 100;
  for (const [kind, bucket] of entries(state)) {
    const view = bucketView(bucket, now);
    buckets[kind] = view;
    pct = Math.min(pct, (100 * view.remaining) / view.limit);
  }
  return { headroomPct: Math.round(pct * 10) / 10, buckets };
}
