import type { LimitKind } from '@headroom/plan/runtime';
import { chargeEvidence, EPSILON, evidenceLevel, evidenceMsUntil, observedEvidence, type EvidenceState } from './evidence';
import { reconstructLevel, recordOwn, trimOwn, type OwnWindow, type WindowCharge } from './shared-level';

/**
 * One limit a target enforces (RPM, TPM, input or output TPM), sized from the config.
 *
 * Three sources, and the lowest wins:
 * - `own`: our own bookings in a token bucket shaped like the provider's (capacity = the declared
 *   limit, refilled continuously over a minute, full at the start). Admitting only what such a
 *   bucket admits never causes a 429 on its own, and, unlike a stricter sliding window, leaves
 *   none of the provider's burst capacity unused.
 * - `header`: the provider's `remaining`, freshest observation wins, aged by refill.
 * - `shared`: the provider bucket's level replayed from the shared store's sub-windows (every
 *   instance's bookings, ours counted once: see shared-level.ts), freshest wins, then aged by
 *   refill and charged with our later bookings like any evidence.
 */
export interface BucketState {
  readonly kind: LimitKind;
  readonly limit: number;
  readonly own: EvidenceState;
  readonly header?: EvidenceState;
  readonly shared?: EvidenceState;
  /** Our own recent bookings, kept once shared evidence is in use, so a snapshot never counts them twice. */
  readonly mine?: readonly OwnWindow[];
}

export function createBucket(kind: LimitKind, limit: number): BucketState {
  return { kind, limit, own: observedEvidence(limit, limit, Number.NEGATIVE_INFINITY) };
}

/** What own accounting alone says is left. */
export function ownRemaining(bucket: BucketState, now: number): number {
  return evidenceLevel(bucket.own, now);
}

/** The effective remaining: the lowest of own accounting, header evidence and shared evidence. */
export function bucketRemaining(bucket: BucketState, now: number): number {
  let remaining = ownRemaining(bucket, now);
  if (bucket.header) remaining = Math.min(remaining, evidenceLevel(bucket.header, now));
  if (bucket.shared) remaining = Math.min(remaining, evidenceLevel(bucket.shared, now));
  return remaining;
}

export function bucketFits(bucket: BucketState, amount: number, now: number): boolean {
  return amount <= 0 || bucketRemaining(bucket, now) - amount >= -EPSILON;
}

/** Milliseconds until `amount` fits in every source; Infinity if it exceeds the limit itself. */
export function bucketMsUntilFits(bucket: BucketState, amount: number, now: number): number {
  if (amount <= 0) return 0;
  let wait = evidenceMsUntil(bucket.own, amount, now);
  if (bucket.header) wait = Math.max(wait, evidenceMsUntil(bucket.header, amount, now));
  if (bucket.shared) wait = Math.max(wait, evidenceMsUntil(bucket.shared, amount, now));
  return wait;
}

function chargeAll(bucket: BucketState, amount: number, now: number): BucketState {
  return {
    ...bucket,
    own: chargeEvidence(bucket.own, amount, now),
    ...(bucket.header ? { header: chargeEvidence(bucket.header, amount, now) } : {}),
    ...(bucket.shared ? { shared: chargeEvidence(bucket.shared, amount, now), mine: recordOwn(bucket.mine ?? [], bucket.limit, amount, now) } : {}),
  };
}

/** Book an admission charge at `now` in every source. */
export function bucketReserve(bucket: BucketState, amount: number, now: number): BucketState {
  if (amount === 0) return bucket;
  return chargeAll(bucket, amount, now);
}

/**
 * Apply a settlement `delta` (final - reserved) at `now`, as the provider does: a refund goes back
 * into the bucket (up to its capacity), an overrun (Bedrock's output burn) is taken.
 */
export function bucketAdjust(bucket: BucketState, delta: number, now: number): BucketState {
  if (delta === 0) return bucket;
  return chargeAll(bucket, delta, now);
}

/**
 * A provider's `remaining` (of `limit`, when it says) observed at `observedAt`: replaces older
 * header evidence, ignored if older than what we have. Negative or non-finite values are unknown.
 */
export function bucketObserveRemaining(bucket: BucketState, remaining: number, observedAt: number, limit?: number): BucketState {
  if (!Number.isFinite(remaining) || remaining < 0) return bucket;
  if (bucket.header && bucket.header.observedAt > observedAt) return bucket;
  const capacity = limit !== undefined && Number.isFinite(limit) && limit > 0 ? limit : bucket.limit;
  return { ...bucket, header: observedEvidence(capacity, remaining, observedAt) };
}

/**
 * A shared snapshot read at `readAt`: every instance's net charge per sub-window. Applied once
 * (the same or an older snapshot again changes nothing: our bookings since are already charged).
 */
export function bucketObserveShared(bucket: BucketState, windows: readonly WindowCharge[], readAt: number): BucketState {
  if (!Number.isFinite(readAt)) return bucket;
  if (bucket.shared && bucket.shared.observedAt >= readAt) return bucket;
  const mine = trimOwn(bucket.mine ?? [], readAt);
  const { level, at } = reconstructLevel(bucket.limit, windows, mine, readAt);
  return { ...bucket, shared: { ...observedEvidence(bucket.limit, level, readAt), at }, mine };
}

export interface BucketView {
  readonly limit: number;
  /** Effective remaining (lowest source), never below zero. */
  readonly remaining: number;
  readonly own: number;
  readonly header?: number;
  readonly shared?: number;
}

export function bucketView(bucket: BucketState, now: number): BucketView {
  const clamp = (value: number) => Math.max(0, Math.floor(value + EPSILON));
  return {
    limit: bucket.limit,
    remaining: clamp(bucketRemaining(bucket, now)),
    own: clamp(ownRemaining(bucket, now)),
    ...(bucket.header ? { header: clamp(evidenceLevel(bucket.header, now)) } : {}),
    ...(bucket.shared ? { shared: clamp(evidenceLevel(bucket.shared, now)) } : {}),
  };
}
