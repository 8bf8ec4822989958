import { LIMIT_KINDS, type LimitKind } from '@headroom/plan/runtime';
import type { SharedWindow } from './contracts';

/** Shared counters live in 10-second sub-windows; a trailing minute is a weighted sum of seven. */
export const SUB_WINDOW_MS = 10_000;
export const TRAILING_MS = 60_000;
/**
 * How far back a read returns sub-windows for the replay (shared-level.ts). The replay assumes the
 * provider's bucket was full at its first sub-window; under load near the refill rate a bucket
 * remembers longer than a minute (a deficit drains only at refill minus load), so a one-minute
 * replay showed room the provider did not have: in the simulator's stale-100, 100 instances with
 * a perfectly fresh store still drew 0.2% upstream 429s and lost 0.05x against one instance. Three
 * minutes are 19 sub-windows per target: one BatchGetItem still covers a family of five targets.
 */
export const REPLAY_MS = 180_000;

export function subWindowStart(now: number): number {
  return Math.floor(now / SUB_WINDOW_MS) * SUB_WINDOW_MS;
}

/** Sub-windows overlapping (now - 60 s, now], oldest first, with the fraction of each inside it. */
export function trailingWindows(now: number): { start: number; weight: number }[] {
  const since = now - TRAILING_MS;
  const windows: { start: number; weight: number }[] = [];
  for (let start = subWindowStart(since); start <= now; start += SUB_WINDOW_MS) {
    const overlap = Math.min(start + SUB_WINDOW_MS, now) - Math.max(start, since);
    const span = Math.min(start + SUB_WINDOW_MS, now) - start;
    if (overlap > 0 && span > 0) windows.push({ start, weight: overlap / span });
    else if (start === subWindowStart(now)) windows.push({ start, weight: 1 });
  }
  return windows;
}

/** Sub-window starts a read returns for the replay: from the one holding now - REPLAY_MS to the current one, oldest first. */
export function replayWindowStarts(now: number): number[] {
  const starts: number[] = [];
  for (let start = subWindowStart(now - REPLAY_MS); start <= now; start += SUB_WINDOW_MS) starts.push(start);
  return starts;
}

export type Counts = Partial<Record<LimitKind, number>>;

/** Weighted sum of sub-window counts: the sliding estimate of the trailing minute. */
export function sumTrailing(now: number, countsAt: (start: number) => Counts | undefined): Counts {
  const used: Counts = {};
  for (const { start, weight } of trailingWindows(now)) {
    for (const [kind, value] of Object.entries(countsAt(start) ?? {}) as [LimitKind, number][]) {
      used[kind] = (used[kind] ?? 0) + value * weight;
    }
  }
  return used;
}

/**
 * What a sub-window holds per limit, in both stores (DynamoDB: one item per sub-window, atomic ADD
 * of each attribute; the in-memory store: the same sums in a map), so the replay knows more than a
 * window's total:
 * - `<kind>`: the net charge (reservations minus refunds), what the trailing sum counts;
 * - `<kind>_chargeMs`: the sum over positive charges of charge x ms since the window's start, so
 *   `chargeMs / (net + refund)` is their charge-weighted mean time within the window;
 * - `<kind>_refund`: the sum of refunds (negative charges), as a positive amount.
 * Each is a plain sum, so concurrent writers need no read-modify-write (ADD commutes), and a
 * write stays one UpdateItem. Items written without the two extra attributes (an older router)
 * read as charges at the window's end, the safe side.
 */
export const CHARGE_MS_SUFFIX = '_chargeMs';
export const REFUND_SUFFIX = '_refund';

/** The attributes one write of `charge` at `now` adds to the sub-window `subWindowStart(now)`; non-finite and zero amounts are skipped. */
export function windowIncrements(charge: Readonly<Counts>, now: number): Record<string, number> {
  const offset = now - subWindowStart(now);
  const add: Record<string, number> = {};
  for (const kind of LIMIT_KINDS) {
    const amount = charge[kind];
    if (amount === undefined || !Number.isFinite(amount) || amount === 0) continue;
    add[kind] = amount;
    if (amount > 0) add[`${kind}${CHARGE_MS_SUFFIX}`] = amount * offset;
    else add[`${kind}${REFUND_SUFFIX}`] = -amount;
  }
  return add;
}

/** A stored sub-window's attributes (an item or a map entry) as the core reads it; undefined when it holds no charge. */
export function sharedWindowOf(start: number, attributes: Readonly<Record<string, unknown>> | undefined): SharedWindow | undefined {
  if (!attributes) return undefined;
  const charge: Counts = {};
  const chargeMs: Counts = {};
  const refund: Counts = {};
  let any = false;
  for (const kind of LIMIT_KINDS) {
    const net = attributes[kind];
    if (typeof net !== 'number') continue;
    any = true;
    charge[kind] = net;
    const ms = attributes[`${kind}${CHARGE_MS_SUFFIX}`];
    const back = attributes[`${kind}${REFUND_SUFFIX}`];
    if (typeof ms === 'number') chargeMs[kind] = ms;
    if (typeof back === 'number') refund[kind] = back;
  }
  if (!any) return undefined;
  return {
    start,
    charge,
    ...(Object.keys(chargeMs).length > 0 ? { chargeMs } : {}),
    ...(Object.keys(refund).length > 0 ? { refund } : {}),
  };
}
