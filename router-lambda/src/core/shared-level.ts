import type { LimitKind } from '@headroom/plan/runtime';
import type { SharedUsage } from './contracts';
import { MS_PER_MINUTE } from './evidence';
import { REPLAY_MS, SUB_WINDOW_MS, subWindowStart } from './sliding-windows';

/**
 * Reconstructing a provider's token-bucket level from the shared store.
 *
 * The provider's bucket (capacity = limit, refilled continuously at limit per minute) is not
 * "limit - used in the trailing minute": usage from 50 s ago is mostly refilled already, and a
 * steady load below the refill rate keeps the bucket nearly full. Its deficit (limit - level) is
 * the reflected process D' = inflow - refill, D >= 0, which we replay over the last REPLAY_MS
 * (three minutes: a bucket under load remembers more than a minute), from a full bucket:
 * - this instance's own bookings at their exact times (it knows them: `OwnWindow` summaries);
 * - every other instance's bookings in a sub-window, known by three sums the stores keep
 *   (sliding-windows.ts): positive charge P, its charge-weighted mean time tau, refunds N; our own
 *   share of each is subtracted (never counted twice).
 *
 * Why charge-weighted times (issue #13 listed GCRA, finer sub-windows, or this): a GCRA item
 * (level and timestamp) needs a read-modify-write or a conditional retry per charge and the limit
 * in the store; finer sub-windows multiply the keys of every read (100 targets x 60 one-second
 * items is 60 BatchGetItem calls). Two more summed attributes keep one ADD per write and one
 * BatchGetItem round trip per read, and they pin the replay down where it matters:
 * - Refunds are replayed at the window's start. A refund credited earlier never shows more room
 *   (the reflected process only grows when a negative inflow moves earlier).
 * - P with mean tau: knowing only (P, tau), the provider's deficit at the window's end is at most
 *   the larger of two replays, both computed: (a) our bookings, then all of P at max(tau, our
 *   last booking); (b) P x (end - tau) / span at the start, our bookings, P x (tau - start) / span
 *   at the end. (The bound: the charge after any moment s is at most P, and after s > tau at most
 *   P (tau - start) / (s - start) by the mean; the deficit is a maximum over s of charge after s
 *   minus refill since s, convex in s between our bookings, so its maximum is at tau, at one of
 *   our bookings (covered by (a)) or at the end (covered by (b)).)
 * So the replay never shows more room than the provider's bucket has, beyond writes not yet
 * visible, clock skew between instances, and a deficit older than the horizon (a bucket kept
 * near empty for more than three minutes). It is exact whenever the provider's bucket is never
 * full inside a window (then timing does not matter: under load, where admission binds). When it
 * is, the loss is what a mean cannot tell: P spread evenly costs about half a window's refill or
 * P / 2, where taking P at the window's end (before) cost up to a whole window's refill or P.
 * With no other instance the replay is exactly the own token bucket (over a shorter horizon, so
 * never lower): one instance with a store admits exactly what it admits alone.
 */

/**
 * This instance's bookings on a bucket within one sub-window, summarised exactly: the replay maps
 * the deficit D at `start` to max(alpha, D + beta) at `lastAt` (a token bucket's steps, charge
 * and refill, compose to that form). `sum`, `chargeMs` and `refund` are what we wrote to the
 * store in that sub-window (net, charge x ms into the window over positive charges, refunds), so
 * the replay can take our share out of the store's sums. One step per sub-window, however many
 * requests we booked.
 */
export interface OwnWindow {
  readonly start: number;
  readonly sum: number;
  readonly chargeMs: number;
  readonly refund: number;
  readonly alpha: number;
  readonly beta: number;
  readonly lastAt: number;
}

/** A shared sub-window on one bucket, all instances, as the store has it (sliding-windows.ts). */
export interface WindowCharge {
  readonly start: number;
  /** Net charge. */
  readonly amount: number;
  /** Sum of positive charge x ms since `start`; absent: every charge taken at the window's end. */
  readonly chargeMs?: number | undefined;
  /** Sum of refunds, positive; absent: none recorded apart from the net. */
  readonly refund?: number | undefined;
}

/** One bucket's view of a shared snapshot: every instance's charges per sub-window on `kind`. */
export function windowChargesOf(usage: SharedUsage, kind: LimitKind): WindowCharge[] {
  // A window with no write on `kind` is no window for this bucket (an item holds every limit's sums).
  // One object shape for every window (absent fields undefined): this runs per target per read.
  const charges: WindowCharge[] = [];
  for (const w of usage.windows) {
    const amount = w.charge[kind];
    if (amount !== undefined) charges.push({ start: w.start, amount, chargeMs: w.chargeMs?.[kind], refund: w.refund?.[kind] });
  }
  return charges;
}

/** Keep only own sub-windows a read at or after `now` can still need (as the stores prune). */
export function trimOwn(own: readonly OwnWindow[], now: number): readonly OwnWindow[] {
  let first = 0;
  while (first < own.length && own[first]!.start + SUB_WINDOW_MS + REPLAY_MS <= now) first++;
  return first === 0 ? own : own.slice(first);
}

/** Add one of our bookings (negative: a refund) at `at` to a bucket of `limit` per minute. */
export function recordOwn(own: readonly OwnWindow[], limit: number, amount: number, at: number): readonly OwnWindow[] {
  const kept = trimOwn(own, at);
  const start = subWindowStart(at);
  const last = kept[kept.length - 1];
  const current = last && last.start === start ? last : { start, sum: 0, chargeMs: 0, refund: 0, alpha: 0, beta: 0, lastAt: start };
  const drained = (limit / MS_PER_MINUTE) * Math.max(0, at - current.lastAt);
  const next: OwnWindow = {
    start,
    sum: current.sum + amount,
    // As the stores record it (sliding-windows.ts windowIncrements).
    chargeMs: current.chargeMs + (amount > 0 ? amount * (at - start) : 0),
    refund: current.refund + (amount < 0 ? -amount : 0),
    alpha: Math.max(0, Math.max(0, current.alpha - drained) + amount),
    beta: current.beta - drained + amount,
    lastAt: Math.max(current.lastAt, at),
  };
  return current === last ? [...kept.slice(0, -1), next] : [...kept, next];
}

/**
 * The bucket's level at `at` (= readAt, or our last booking after it), replayed from the shared
 * sub-windows read at `readAt` and our own sub-window summaries (in time order). The router
 * observes a snapshot before booking anything after it; a booking after the read in the read's
 * own sub-window would be taken as already in the snapshot.
 */
export function reconstructLevel(limit: number, windows: readonly WindowCharge[], own: readonly OwnWindow[], readAt: number): { level: number; at: number } {
  const refill = limit / MS_PER_MINUTE;
  const origin = subWindowStart(readAt - REPLAY_MS);
  const lastOwn = own.length > 0 ? own[own.length - 1]!.start : origin;
  const count = (Math.max(subWindowStart(readAt), lastOwn) - origin) / SUB_WINDOW_MS + 1;
  // Per sub-window from `origin` (a handful): the store's sums, all instances. Typed arrays, no
  // objects: this runs for every bucket of every target on every read.
  const positive = new Float64Array(count);
  const chargeMs = new Float64Array(count);
  const refund = new Float64Array(count);
  /**
   * Bit 1: some writer left no time (an older router): its charge at the window's end. Bit 2: the
   * window is written as now (times, refunds apart). Bit 4: the store has the window at all.
   */
  const flags = new Uint8Array(count);
  for (const w of windows) {
    if (w.start < origin || w.start > readAt || !Number.isFinite(w.amount)) continue;
    const index = (w.start - origin) / SUB_WINDOW_MS;
    if (!Number.isInteger(index)) continue;
    const back = w.refund !== undefined && Number.isFinite(w.refund) ? Math.max(0, w.refund) : 0;
    positive[index] = positive[index]! + w.amount + back;
    refund[index] = refund[index]! + back;
    if (w.chargeMs !== undefined && Number.isFinite(w.chargeMs)) chargeMs[index] = chargeMs[index]! + w.chargeMs;
    else flags[index] = flags[index]! | 1;
    flags[index] = flags[index]! | 4 | (w.chargeMs !== undefined || w.refund !== undefined ? 2 : 0);
  }

  let deficit = 0;
  let t = origin;
  let next = 0; // index into `own`, which is in time order
  for (let index = 0; index < count; index++) {
    const start = origin + index * SUB_WINDOW_MS;
    while (next < own.length && own[next]!.start < start) next++;
    const o = next < own.length && own[next]!.start === start ? own[next] : undefined;
    if (start > t) deficit = Math.max(0, deficit - refill * (start - t));
    t = Math.max(t, start);
    const ownEnd = o ? Math.max(t, o.lastAt) : t;
    // Everything of this window the store shows happened by the read; our later bookings come after.
    const end = Math.min(start + SUB_WINDOW_MS, Math.max(readAt, ownEnd));

    // Their share: what the store holds minus what we wrote (never negative: our writes not yet
    // visible). An older writer's net has its refunds in it: then our net is what to take out.
    const stored = (flags[index]! & 4) !== 0;
    const refundsApart = (flags[index]! & 2) !== 0;
    const theirPositive = stored ? Math.max(0, positive[index]! - (o ? o.sum + (refundsApart ? o.refund : 0) : 0)) : 0;
    const theirRefund = stored ? Math.max(0, refund[index]! - (o?.refund ?? 0)) : 0;
    const from = Math.max(0, deficit - theirRefund); // refunds at the window's start: the safe side
    if (theirPositive <= 0) {
      deficit = drained(ownStep(o, from), refill, ownEnd, end);
      t = end;
      continue;
    }
    // Their charge-weighted mean time, within what the window had seen by the read (untimed: its end).
    const span = Math.max(0, Math.min(SUB_WINDOW_MS, readAt - start));
    const untimed = (flags[index]! & 1) !== 0 || span === 0;
    const meanOffset = untimed ? span : Math.min(span, Math.max(0, (chargeMs[index]! - (o?.chargeMs ?? 0)) / theirPositive));
    // (a) our bookings, then all of theirs at their mean time (or after our last booking).
    const placedAt = Math.max(start + meanOffset, ownEnd);
    const lumped = drained(drained(ownStep(o, from), refill, ownEnd, placedAt) + theirPositive, refill, placedAt, end);
    // (b) the part a mean allows before our bookings at the start, the rest at the end.
    const late = span > 0 ? (theirPositive * meanOffset) / span : theirPositive;
    const split = drained(ownStep(o, from + theirPositive - late), refill, ownEnd, end) + late;
    deficit = Math.max(lumped, split);
    t = end;
  }
  return { level: limit - deficit, at: t };
}

/** Our own bookings of a sub-window applied to the deficit at its start (see OwnWindow). */
function ownStep(own: OwnWindow | undefined, deficit: number): number {
  return own ? Math.max(own.alpha, deficit + own.beta) : deficit;
}

/** The deficit after refilling from `from` to `to`. */
function drained(deficit: number, refill: number, from: number, to: number): number {
  return to > from ? Math.max(0, deficit - refill * (to - from)) : deficit;
}
