import type { LimitKind } from '@headroom/plan/runtime';

/** Shared counters live in 10-second sub-windows; a trailing minute is a weighted sum of seven. */
export const SUB_WINDOW_MS = 10_000;
export const TRAILING_MS = 60_000;

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
