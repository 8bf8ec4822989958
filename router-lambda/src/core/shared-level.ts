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
 * - every other instance's bookings: the sub-window's net charge minus our own share of it (never
 *   counted twice), taken at the END of the sub-window (or at the read, for the current one).
 *   The store cannot say when inside the 10 s they happened; the latest moment is the safe
 *   assumption (a later charge has refilled less), so the replay never shows more room than the
 *   provider's bucket has, beyond writes not yet visible and other instances' refunds (a 10-s sum
 *   cannot say whether the bucket was full again when they came). It costs at most 10 s of refill.
 * With no other instance the replay is exactly the own token bucket (over a shorter horizon, so
 * never lower): one instance with a store admits exactly what it admits alone.
 */

/**
 * This instance's bookings on a bucket within one sub-window, summarised exactly: the replay maps
 * the deficit D at `start` to max(alpha, D + beta) at `lastAt` (a token bucket's steps, charge
 * and refill, compose to that form), and `sum` is what we wrote to the store in that sub-window.
 * So a replay costs one step per sub-window, however many requests we booked.
 */
export interface OwnWindow {
  readonly start: number;
  readonly sum: number;
  readonly alpha: number;
  readonly beta: number;
  readonly lastAt: number;
}

/** A shared sub-window's net charge on one bucket (all instances, as the store has it). */
export interface WindowCharge {
  readonly start: number;
  readonly amount: number;
}

/** One bucket's view of a shared snapshot: every instance's net charge per sub-window on `kind`. */
export function windowChargesOf(usage: SharedUsage, kind: LimitKind): WindowCharge[] {
  return usage.windows.map((w) => ({ start: w.start, amount: w.charge[kind] ?? 0 }));
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
  const current = last && last.start === start ? last : { start, sum: 0, alpha: 0, beta: 0, lastAt: start };
  const drained = (limit / MS_PER_MINUTE) * Math.max(0, at - current.lastAt);
  const next: OwnWindow = {
    start,
    sum: current.sum + amount,
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
  const origin = subWindowStart(readAt - TRAILING_MS);
  const mine = new Map(own.map((o) => [o.start, o]));
  const others = new Map<number, number>();
  for (const w of windows) {
    if (w.start < origin || w.start > readAt || !Number.isFinite(w.amount)) continue;
    others.set(w.start, (others.get(w.start) ?? 0) + w.amount);
  }
  const lastStart = Math.max(subWindowStart(readAt), own[own.length - 1]?.start ?? origin);

  let deficit = 0;
  let t = origin;
  const drain = (until: number) => {
    if (until > t) deficit = Math.max(0, deficit - refill * (until - t));
    t = Math.max(t, until);
  };
  for (let start = origin; start <= lastStart; start += SUB_WINDOW_MS) {
    const o = mine.get(start);
    if (o) {
      drain(start);
      deficit = Math.max(o.alpha, deficit + o.beta);
      t = Math.max(t, o.lastAt);
    }
    // Other instances' share of this sub-window: never negative (our unseen writes, refunds of older
    // windows), taken at its end (or at the read, for the current one): the safe side.
    drain(Math.min(start + SUB_WINDOW_MS, Math.max(readAt, t)));
    deficit = Math.max(0, deficit + Math.max(0, (others.get(start) ?? 0) - (o?.sum ?? 0)));
  }
  return { level: limit - deficit, at: t };
}
