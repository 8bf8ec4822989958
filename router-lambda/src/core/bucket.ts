import type { LimitKind } from '@headroom/plan/runtime';
import { chargeEvidence, EPSILON, evidenceLevel, evidenceMsUntil, observedEvidence, recapacitateEvidence, type EvidenceState } from './evidence';
import { clampLearned, effectiveLimit, hasSettled, recordSlot, SLOT_MS, trailingMinuteSum, type ChargeSlot, type LearnedLimit, type LearningOptions } from './learned-capacity';
import { reconstructLevel, recordOwn, trimOwn, type OwnWindow, type WindowCharge } from './shared-level';
import { SUB_WINDOW_MS, TRAILING_MS } from './sliding-windows';

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
 *
 * `limit` is the effective figure: the declared one, or one learned from the provider's 429s and
 * headers while that evidence is recent (learned-capacity.ts). Own and shared evidence are sized
 * and refilled by it; a header keeps the provider's own figure.
 */
export interface BucketState {
  readonly kind: LimitKind;
  /** The effective limit: `declared`, or the learned figure decayed toward it (see `bucketRetune`). */
  readonly limit: number;
  /** The plan's figure. */
  readonly declared: number;
  readonly learned?: LearnedLimit;
  /** Our own net charges over the trailing minute, in slots: what a headerless 429 is weighed against. */
  readonly recent: readonly ChargeSlot[];
  /** Every instance's net charge over the trailing minute in the last shared snapshot, and when it was read. */
  readonly sharedTrailing?: { readonly amount: number; readonly readAt: number };
  /** Share of that charge other instances made (0..1; 1 when nobody charged anything): what this instance did not see happen. */
  readonly othersShare?: number;
  readonly own: EvidenceState;
  readonly header?: EvidenceState;
  readonly shared?: EvidenceState;
  /** Our own recent bookings, kept once shared evidence is in use, so a snapshot never counts them twice. */
  readonly mine?: readonly OwnWindow[];
}

export function createBucket(kind: LimitKind, limit: number): BucketState {
  return { kind, limit, declared: limit, own: observedEvidence(limit, limit, Number.NEGATIVE_INFINITY), recent: [] };
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
    recent: recordSlot(bucket.recent, amount, now),
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
  const total = windows.reduce((sum, w) => (w.start + SUB_WINDOW_MS > readAt - TRAILING_MS && w.start <= readAt && Number.isFinite(w.amount) ? sum + w.amount : sum), 0);
  const ours = mine.reduce((sum, o) => (o.start + SUB_WINDOW_MS > readAt - TRAILING_MS ? sum + o.sum : sum), 0);
  const others = Math.max(0, total - ours);
  // Below a millionth of the total, the difference is float noise, not another instance. A snapshot
  // with no charges at all cannot say whether others are about to act on the same picture: unknown, 1.
  const othersShare = !(total > EPSILON) ? 1 : others > 1e-6 * total + EPSILON ? Math.min(1, others / total) : 0;
  return { ...bucket, shared: { ...observedEvidence(bucket.limit, level, readAt), at }, mine, sharedTrailing: { amount: Math.max(0, total), readAt }, othersShare };
}

/**
 * What was charged on the provider's bucket in the trailing minute before `now`, as far as this
 * instance knows: its own net charges, or, when a shared snapshot is in use, every instance's
 * charges as of the read plus ours since (whichever is larger).
 */
export function chargedTrailingMinute(bucket: BucketState, now: number): number {
  const own = trailingMinuteSum(bucket.recent, now);
  // With nobody else's charges in the snapshot, our own slots are the exact figure (and finer).
  if (!bucket.sharedTrailing || !((bucket.othersShare ?? 0) > 0)) return own;
  const readSlot = Math.floor(bucket.sharedTrailing.readAt / SLOT_MS) * SLOT_MS;
  const since = trailingMinuteSum(bucket.recent.filter((s) => s.start >= readSlot), now);
  return Math.max(own, bucket.sharedTrailing.amount + since);
}

/**
 * Bring `limit` to the learned figure at `now` (decaying toward the declared one), resizing own and
 * shared evidence so what was used stays used. A learned figure back at the declared one is dropped.
 */
export function bucketRetune(bucket: BucketState, now: number, options: LearningOptions): BucketState {
  const learned = bucket.learned && hasSettled(bucket.declared, bucket.learned, now, options) ? undefined : bucket.learned;
  const limit = effectiveLimit(bucket.declared, learned, now, options);
  if (learned === bucket.learned && Math.abs(limit - bucket.limit) <= 1e-3 * bucket.declared) return bucket;
  const { learned: _dropped, ...rest } = bucket;
  return {
    ...rest,
    ...(learned ? { learned } : {}),
    limit,
    own: recapacitateEvidence(bucket.own, limit, now),
    ...(bucket.shared ? { shared: recapacitateEvidence(bucket.shared, limit, now) } : {}),
  };
}

/** Set a learned figure at `now` (kept within the learning bounds) and apply it. */
export function bucketLearn(bucket: BucketState, limit: number, charge: number, now: number, options: LearningOptions): BucketState {
  if (!Number.isFinite(limit) || limit <= 0) return bucket;
  const learned: LearnedLimit = { limit: clampLearned(bucket.declared, limit, charge, options), at: now };
  return bucketRetune({ ...bucket, learned }, now, options);
}

export interface BucketView {
  /** The effective limit (learned, when it differs from the plan's). */
  readonly limit: number;
  /** The plan's figure, present while a learned one is in force. */
  readonly declared?: number;
  /** Effective remaining (lowest source), never below zero. */
  readonly remaining: number;
  readonly own: number;
  readonly header?: number;
  readonly shared?: number;
}

export function bucketView(bucket: BucketState, now: number): BucketView {
  const clamp = (value: number) => Math.max(0, Math.floor(value + EPSILON));
  return {
    limit: bucket.learned ? Math.round(bucket.limit) : bucket.limit,
    ...(bucket.learned ? { declared: bucket.declared } : {}),
    remaining: clamp(bucketRemaining(bucket, now)),
    own: clamp(ownRemaining(bucket, now)),
    ...(bucket.header ? { header: clamp(evidenceLevel(bucket.header, now)) } : {}),
    ...(bucket.shared ? { shared: clamp(evidenceLevel(bucket.shared, now)) } : {}),
  };
}
