import type { Charge } from '@headroom/plan/runtime';
import { evidenceLevel, EPSILON } from './evidence';
import { positiveOption } from './errors';
import type { HeadroomState } from './headroom';
import type { Availability, TargetState } from './target-state';

/**
 * Probe before refusing. When the router's belief has no room anywhere it would answer 429; but a
 * target's figure may be too low (learned down from 429s whose cause has passed, or a provider
 * that holds more than declared, which a headerless provider only shows by admitting). Then one
 * request goes to such a target as a capacity probe instead of being refused: admitted, the
 * figure rises (learned-capacity.ts); refused, it is an ordinary 429 (fails over, cools, bounds).
 *
 * Bounded, so a truly exhausted fleet does not turn every refusal into an upstream 429: at most one
 * probe per target per `intervalMs`, doubled after each probe the provider refused (up to
 * `maxIntervalMs`; an admitted probe resets it), none within `quietAfterThrottleMs` of a 429 from it, and none
 * where fresh outside evidence (a rate-limit header or a shared snapshot younger than
 * `quietAfterThrottleMs`) says the bucket is short: only our own accounting may be overruled, never
 * what the provider or the other instances said recently (herd safety). A target whose figure was
 * not learned down is probed above its declared figure only after `aboveDeclaredAfterMs` with no 429.
 */
export interface ProbeOptions {
  /** @default 10 s */
  readonly intervalMs: number;
  /** @default 5 min */
  readonly maxIntervalMs: number;
  /** @default 10 s */
  readonly quietAfterThrottleMs: number;
  /** @default 60 s */
  readonly aboveDeclaredAfterMs: number;
}

export const PROBE_DEFAULTS: ProbeOptions = { intervalMs: 10_000, maxIntervalMs: 5 * 60_000, quietAfterThrottleMs: 10_000, aboveDeclaredAfterMs: 60_000 };

export function resolveProbeOptions(options: Partial<ProbeOptions> = {}): ProbeOptions {
  const resolved = { ...PROBE_DEFAULTS, ...options };
  positiveOption('probe.intervalMs', resolved.intervalMs);
  positiveOption('probe.maxIntervalMs', resolved.maxIntervalMs);
  positiveOption('probe.quietAfterThrottleMs', resolved.quietAfterThrottleMs);
  positiveOption('probe.aboveDeclaredAfterMs', resolved.aboveDeclaredAfterMs);
  return resolved;
}

/** When the router last saw a 429 from the target and last sent it a capacity probe. */
export interface ProbeMemory {
  readonly lastThrottledAt?: number;
  readonly lastCapacityProbeAt?: number;
  /** Capacity probes the provider refused in a row. */
  readonly refusedProbes?: number;
}

/** How long after a probe the next may go: `intervalMs`, doubled per refused probe in a row. */
export function probeIntervalMs(memory: ProbeMemory, options: ProbeOptions): number {
  return Math.min(options.maxIntervalMs, options.intervalMs * 2 ** Math.min(30, memory.refusedProbes ?? 0));
}

/**
 * Only our own accounting blocks the charge: no header, and no shared snapshot other instances
 * contributed to, younger than `freshMs` says it is short.
 */
function onlyOwnBlocks(headroom: HeadroomState, charge: Charge, now: number, freshMs: number): boolean {
  for (const [kind, bucket] of Object.entries(headroom.buckets)) {
    const amount = charge[kind as keyof Charge] ?? 0;
    if (!bucket || amount <= 0) continue;
    // Shared evidence nobody else moved is our own accounting again (one instance with a store).
    const outside = (bucket.othersShare ?? 0) > 0 ? [bucket.header, bucket.shared] : [bucket.header];
    for (const evidence of outside) {
      if (evidence && now - evidence.observedAt < freshMs && evidenceLevel(evidence, now) - amount < -EPSILON) return false;
    }
  }
  return true;
}

function learnedDown(headroom: HeadroomState): boolean {
  return Object.values(headroom.buckets).some((b) => b !== undefined && b.limit < b.declared * (1 - 1e-3));
}

/** Whether a target the router would refuse for headroom may take a capacity probe now. */
export function mayProbe(state: TargetState & ProbeMemory, verdict: Availability, charge: Charge, now: number, options: ProbeOptions): boolean {
  if (verdict.kind !== 'blocked' || verdict.why !== 'headroom') return false;
  if (state.lastCapacityProbeAt !== undefined && now - state.lastCapacityProbeAt < probeIntervalMs(state, options)) return false;
  const sinceThrottle = state.lastThrottledAt === undefined ? Number.POSITIVE_INFINITY : now - state.lastThrottledAt;
  if (sinceThrottle < options.quietAfterThrottleMs) return false;
  if (!learnedDown(state.headroom) && sinceThrottle < options.aboveDeclaredAfterMs) return false;
  return onlyOwnBlocks(state.headroom, charge, now, options.quietAfterThrottleMs);
}
