import { LIMIT_KINDS, ROUTING_DEFAULTS, type LimitKind } from '@headroom/plan/runtime';
import type { SharedStore, SharedUsage } from './contracts';
import { cappedUntil, CLOCK_SKEW_MS, plausibleSharedUntil } from './cooldown';
// The same sliding 10-s sub-window arithmetic as the DynamoDB store, so both implementations agree.
import { subWindowStart, sumTrailing, trailingWindows, TRAILING_MS, SUB_WINDOW_MS, type Counts } from './sliding-windows';

/**
 * Shared state for one process (the local server, tests, the simulator): per bucket (a target's key or a shared quota's id), counters in
 * 10-s sub-windows summed over a sliding minute (never the wall-clock minute) and a cooldown that
 * is only ever extended. Time comes from the caller.
 */
export class InMemorySharedStore implements SharedStore {
  private readonly windows = new Map<string, Map<number, Counts>>();
  private readonly cooldowns = new Map<string, number>();
  private readonly maxCooldownMs: number;

  /** `maxCooldownMs`: as the DynamoDB store, no cooldown is kept or reported further out. @default ROUTING_DEFAULTS.maxCooldownMs */
  constructor(options: { readonly maxCooldownMs?: number } = {}) {
    this.maxCooldownMs = options.maxCooldownMs ?? ROUTING_DEFAULTS.maxCooldownMs;
  }

  async read(targets: readonly string[], now: number): Promise<Readonly<Record<string, SharedUsage>>> {
    const result: Record<string, SharedUsage> = {};
    for (const target of targets) {
      const windows = this.windows.get(target);
      this.prune(target, now);
      const used = sumTrailing(now, (start) => windows?.get(start));
      const recent = trailingWindows(now).flatMap(({ start }) => {
        const charge = windows?.get(start);
        return charge ? [{ start, charge: { ...charge } }] : [];
      });
      const stored = this.cooldowns.get(target);
      const until = stored !== undefined ? plausibleSharedUntil(stored, now, this.maxCooldownMs) : undefined;
      result[target] = { windows: recent, used, readAt: now, ...(until !== undefined && until > now ? { cooldownUntil: until } : {}) };
    }
    return result;
  }

  async add(target: string, charge: Readonly<Partial<Record<LimitKind, number>>>, now: number): Promise<void> {
    const kinds = LIMIT_KINDS.filter((kind) => Number.isFinite(charge[kind]) && (charge[kind] ?? 0) !== 0);
    if (kinds.length === 0) return;
    const windows = this.windows.get(target) ?? new Map<number, Counts>();
    this.windows.set(target, windows);
    const start = subWindowStart(now);
    const counts: Counts = { ...windows.get(start) };
    for (const kind of kinds) counts[kind] = (counts[kind] ?? 0) + charge[kind]!;
    windows.set(start, counts);
    this.prune(target, now);
  }

  async cooldown(target: string, requested: number, now: number): Promise<void> {
    if (!Number.isFinite(requested)) return;
    const until = cappedUntil(requested, now, this.maxCooldownMs);
    const stored = this.cooldowns.get(target) ?? Number.NEGATIVE_INFINITY;
    if (stored < until || stored > now + this.maxCooldownMs + CLOCK_SKEW_MS) this.cooldowns.set(target, until);
  }

  /** Drop sub-windows that can no longer fall inside any trailing minute at or after `now`. */
  private prune(target: string, now: number): void {
    const windows = this.windows.get(target);
    if (!windows) return;
    for (const start of windows.keys()) if (start + SUB_WINDOW_MS + TRAILING_MS <= now) windows.delete(start);
  }
}
