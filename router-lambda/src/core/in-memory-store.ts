import { ROUTING_DEFAULTS, type LimitKind } from '@headroom/plan/runtime';
import type { SharedStore, SharedUsage, SharedWindow } from './contracts';
import { cappedUntil, CLOCK_SKEW_MS, plausibleSharedUntil } from './cooldown';
// The same sliding 10-s sub-window arithmetic and attributes as the DynamoDB store, so both implementations agree.
import { REPLAY_MS, replayWindowStarts, sharedWindowOf, subWindowStart, sumTrailing, SUB_WINDOW_MS, windowIncrements } from './sliding-windows';

/**
 * Shared state for one process (the local server, tests, the simulator): per bucket (a target's key or a shared quota's id), counters in
 * 10-s sub-windows (net charge, charge-weighted time, refunds: sliding-windows.ts) summed over a sliding minute (never the wall-clock minute) and a cooldown that
 * is only ever extended. Time comes from the caller.
 */
export class InMemorySharedStore implements SharedStore {
  /** Per bucket, per sub-window start: the attributes a DynamoDB item would hold (sliding-windows.ts). */
  private readonly windows = new Map<string, Map<number, Record<string, number>>>();
  private readonly cooldowns = new Map<string, number>();
  private readonly maxCooldownMs: number;

  /** `maxCooldownMs`: as the DynamoDB store, no cooldown is kept or reported further out. @default ROUTING_DEFAULTS.maxCooldownMs */
  constructor(options: { readonly maxCooldownMs?: number } = {}) {
    this.maxCooldownMs = options.maxCooldownMs ?? ROUTING_DEFAULTS.maxCooldownMs;
  }

  async read(targets: readonly string[], now: number): Promise<Readonly<Record<string, SharedUsage>>> {
    const result: Record<string, SharedUsage> = {};
    for (const target of targets) {
      this.prune(target, now);
      const stored = this.windows.get(target);
      const recent = replayWindowStarts(now).flatMap((start): SharedWindow[] => {
        const window = sharedWindowOf(start, stored?.get(start));
        return window ? [window] : [];
      });
      const used = sumTrailing(now, (start) => recent.find((w) => w.start === start)?.charge);
      const cooling = this.cooldowns.get(target);
      const until = cooling !== undefined ? plausibleSharedUntil(cooling, now, this.maxCooldownMs) : undefined;
      result[target] = { windows: recent, used, readAt: now, ...(until !== undefined && until > now ? { cooldownUntil: until } : {}) };
    }
    return result;
  }

  async add(target: string, charge: Readonly<Partial<Record<LimitKind, number>>>, now: number): Promise<void> {
    const increments = Object.entries(windowIncrements(charge, now));
    if (increments.length === 0) return;
    const windows = this.windows.get(target) ?? new Map<number, Record<string, number>>();
    this.windows.set(target, windows);
    const start = subWindowStart(now);
    const attributes = windows.get(start) ?? {};
    // DynamoDB's ADD: each attribute summed, a missing one starting at zero.
    for (const [name, value] of increments) attributes[name] = (attributes[name] ?? 0) + value;
    windows.set(start, attributes);
    this.prune(target, now);
  }

  async cooldown(target: string, requested: number, now: number): Promise<void> {
    if (!Number.isFinite(requested)) return;
    const until = cappedUntil(requested, now, this.maxCooldownMs);
    const stored = this.cooldowns.get(target) ?? Number.NEGATIVE_INFINITY;
    if (stored < until || stored > now + this.maxCooldownMs + CLOCK_SKEW_MS) this.cooldowns.set(target, until);
  }

  /** Drop sub-windows no read at or after `now` returns. */
  private prune(target: string, now: number): void {
    const windows = this.windows.get(target);
    if (!windows) return;
    for (const start of windows.keys()) if (start + SUB_WINDOW_MS + REPLAY_MS <= now) windows.delete(start);
  }
}
