import type { LimitKind } from '@headroom/plan/runtime';
import type { SharedUsage } from './contracts';
import { MS_PER_MINUTE } from './evidence';
import { SUB_WINDOW_MS, subWindowStart, TRAILING_MS } from './sliding-windows';

/**
 * Reconstructing a provider's token-bucket level from the shared store.
 *
 * The provider's bucket (capacity = limit, refilled continuously at limit per minute) is not
 * "limit - used in the trailing minute": usage from 50 s ago is mostly refilled already, and a
 * steady load below the refill rate keeps the bucket nearly full. Its deficit (limit - level) is
 * the reflected process D' = inflow - refill, D >= 0, which we replay over the trailing minute:
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
 * visible and clock skew between instances. It is exact whenever the provider's bucket is never
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
  readonly chargeMs?: number;
  /** Sum of refunds, positive; absent: none recorded apart from the net. */
  readonly refund?: number;
}

/** One bucket's view of a shared snapshot: every instance's charges per sub-window on `kind`. */
export function windowChargesOf(usage: SharedUsage, kind: LimitKind): WindowCharge[] {
  return usage.windows.map((w) => {
    const chargeMs = w.chargeMs?.[kind];
    const refund = w.refund?.[kind];
    return { start: w.start, amount: w.charge[kind] ?? 0, ...(chargeMs !== undefined ? { chargeMs } : {}), ...(refund !== undefined ? { refund } : {}) };
  });
}

/** Keep only own sub-windows a read at or after `now` can still need (as the stores prune). */
export function trimOwn(own: readonly OwnWindow[], now: number): readonly OwnWindow[] {
  let first = 0;
  while (first < own.length && own[first]!.start + SUB_WINDOW_MS + TRAILING_MS <= now) first++;
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

/** Other instances' share of one sub-window: positive charge, its mean offset into the window, refunds. */
interface OthersShare {
  positive: number;
  chargeMs: number;
  refund: number;
  /** Some writer left no time: take every charge at the window's end. */
  untimed: boolean;
  /** The store recorded refunds apart (absent: an older writer, whose net already has them subtracted). */
  refundsApart: boolean;
}

/**
 * The bucket's level at `at` (= readAt, or our last booking after it), replayed from the shared
 * sub-windows read at `readAt` and our own sub-window summaries (in time order). The router
 * observes a snapshot before booking anything after it; a booking after the read in the read's
 * own sub-window would be taken as already in the snapshot.
 */
export function reconstructLevel(limit: number, windows: readonly WindowCharge[], own: readonly OwnWindow[], readAt: number): { level: number; at: number } {
  const refill = limit / MS_PER_MINUTE;
  const origin = subWindowStart(readAt - TRAILING_MS);
  const lastOwn = own.length > 0 ? own[own.length - 1]!.start : origin;
  const count = (Math.max(subWindowStart(readAt), lastOwn) - origin) / SUB_WINDOW_MS + 1;
  // Sub-windows by index from `origin`: a handful, so arrays, not maps (this runs per target per read).
  const theirs: (OthersShare | undefined)[] = new Array(count);
  for (const w of windows) {
    if (w.start < origin || w.start > readAt || !Number.isFinite(w.amount)) continue;
    const index = (w.start - origin) / SUB_WINDOW_MS;
    if (!Number.isInteger(index)) continue;
    const refund = w.refund !== undefined && Number.isFinite(w.refund) ? Math.max(0, w.refund) : 0;
    const timed = w.chargeMs !== undefined && Number.isFinite(w.chargeMs);
    const share = (theirs[index] ??= { positive: 0, chargeMs: 0, refund: 0, untimed: false, refundsApart: false });
    share.positive += w.amount + refund;
    share.refund += refund;
    share.chargeMs += timed ? w.chargeMs! : 0;
    share.untimed ||= !timed;
    share.refundsApart ||= w.refund !== undefined;
  }
  const mine: (OwnWindow | undefined)[] = new Array(count);
  for (const o of own) if (o.start >= origin) mine[(o.start - origin) / SUB_WINDOW_MS] = o;

  let deficit = 0;
  let t = origin;
  for (let index = 0; index < count; index++) {
    const start = origin + index * SUB_WINDOW_MS;
    const o = mine[index];
    const share = theirs[index];
    if (start > t) deficit = Math.max(0, deficit - refill * (start - t));
    t = Math.max(t, start);
    const ownEnd = o ? Math.max(t, o.lastAt) : t;
    // Everything of this window the store shows happened by the read; our later bookings come after.
    const end = Math.min(start + SUB_WINDOW_MS, Math.max(readAt, ownEnd));
    const span = Math.max(0, Math.min(SUB_WINDOW_MS, readAt - start));
    const ownStep = (d: number) => (o ? Math.max(o.alpha, d + o.beta) : d);
    const drain = (d: number, from: number, to: number) => (to > from ? Math.max(0, d - refill * (to - from)) : d);

    // Their share: what the store holds minus what we wrote (never negative: our writes not yet visible).
    const ownPositive = o ? o.sum + (share?.refundsApart ? o.refund : 0) : 0;
    const positive = Math.max(0, (share?.positive ?? 0) - ownPositive);
    const refund = Math.max(0, (share?.refund ?? 0) - (o?.refund ?? 0));
    if (positive <= 0) {
      deficit = drain(ownStep(Math.max(0, deficit - refund)), ownEnd, end);
      t = end;
      continue;
    }
    // Their charge-weighted mean time, inside what the window had seen by the read (untimed: its end).
    const meanOffset = share!.untimed || span === 0 ? span : Math.min(span, Math.max(0, ((share!.chargeMs - (o?.chargeMs ?? 0)) / positive)));
    const meanAt = start + meanOffset;
    const from = Math.max(0, deficit - refund); // refunds at the window's start: the safe side
    // (a) our bookings, then all of theirs at their mean time (or after our last booking).
    const placedAt = Math.max(meanAt, ownEnd);
    const lumped = drain(drain(ownStep(from), ownEnd, placedAt) + positive, placedAt, end);
    // (b) the part a mean allows before our bookings at the start, the rest at the end.
    const late = span > 0 ? (positive * meanOffset) / span : positive;
    const split = drain(ownStep(from + positive - late), ownEnd, end) + late;
    deficit = Math.max(lumped, split);
    t = end;
  }
  return { level: limit - deficit, at: t };
}
