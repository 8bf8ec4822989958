import type { Charge } from '@headroom/plan/runtime';
import type { AttemptOutcome } from './contracts';
import { exhaustHeadroom, headroomMsUntilFits, learnFromThrottle, type HeadroomState } from './headroom';
import type { LearningOptions } from './learned-capacity';

/** A target parked until a time. Plain data; an expired cooldown reads as clear. */
export type CooldownState =
  | { readonly kind: 'clear' }
  | { readonly kind: 'cooling'; readonly until: number; readonly source: 'retry-after' | 'derived' | 'shared' };

export const CLEAR: CooldownState = { kind: 'clear' };

/** Extend to at least `until`; never shortens a longer cooldown. */
export function extendCooldown(state: CooldownState, until: number, source: 'retry-after' | 'derived' | 'shared'): CooldownState {
  if (!Number.isFinite(until)) return state;
  if (state.kind === 'cooling' && state.until >= until) return state;
  return { kind: 'cooling', until, source };
}

/**
 * The latest a cooldown observed at `now` may end. An upstream's `retry-after` of a year, or an
 * HTTP date years ahead, would otherwise take the target out of the fleet for that long.
 */
export function cappedUntil(until: number, now: number, maxMs: number): number {
  return Math.min(until, now + maxMs);
}

/** How far instances' clocks may disagree; a shared cooldown beyond the cap by more was never written by a capped router. */
export const CLOCK_SKEW_MS = 5_000;

/**
 * A cooldown another instance shared, as this one may honour it: capped, and absent when it lies
 * further out than any capped router could have written (an item from before the cap, a bug).
 * Capping such a value instead would re-park the target at every read, for as long as it is stored.
 */
export function plausibleSharedUntil(until: number, now: number, maxMs: number): number | undefined {
  if (!Number.isFinite(until) || until > now + maxMs + CLOCK_SKEW_MS) return undefined;
  return cappedUntil(until, now, maxMs);
}

/** When the target may take traffic again: `now` if not cooling. */
export function cooldownEndsAt(state: CooldownState, now: number): number {
  return state.kind === 'cooling' && state.until > now ? state.until : now;
}

export function isCooling(state: CooldownState, now: number): boolean {
  return cooldownEndsAt(state, now) > now;
}

/** What an attempt's outcome says about cooling, and the headroom evidence it implies. */
export interface CooldownDecision {
  readonly cooldown: CooldownState;
  readonly headroom: HeadroomState;
  /** Set when this outcome started or extended a cooldown: forward it to the shared store. */
  readonly until?: number;
}

/**
 * Cooldown policy. `retry-after` (or a cooldown observation) is honoured as sent, up to `maxMs`
 * (`routing.maxCooldownMs`); every cooldown, derived ones included, ends within `maxMs`. A 429 without one
 * (Bedrock, Vertex) is evidence that the provider had no room for this charge: its buckets are
 * recorded as empty and the cooldown is derived as the time until they refill enough for this
 * request again (our typical request, by the same bucket math the selection uses). With `learning`,
 * that 429 also bounds the tightest bucket's limit first (learned-capacity.ts), so the derived wait
 * refills at the learned rate. A 429 to a capacity probe (`belief: 'no-room'`: sent although our
 * belief had no room for it) only confirms that belief: the buckets keep what we believed, so the
 * smaller requests that belief still admits are not refused for it.
 */
export function applyOutcomeCooldown(
  state: CooldownState, headroom: HeadroomState, outcome: AttemptOutcome, charge: Charge, now: number, maxMs: number,
  evidence: { readonly learning?: LearningOptions; readonly belief?: 'room' | 'no-room' } = {},
): CooldownDecision {
  let cooldown = state;
  let until: number | undefined;
  const extend = (uncapped: number, source: 'retry-after' | 'derived') => {
    const to = cappedUntil(uncapped, now, maxMs);
    const next = extendCooldown(cooldown, to, source);
    if (next !== cooldown) until = Math.max(until ?? to, to);
    cooldown = next;
  };
  const observations = 'observations' in outcome ? outcome.observations : [];
  for (const o of observations) if (o.kind === 'cooldown' && o.until > now) extend(o.until, o.source);
  const retryAfterMs = 'retryAfterMs' in outcome ? outcome.retryAfterMs : undefined;
  if (retryAfterMs !== undefined && Number.isFinite(retryAfterMs) && retryAfterMs > 0) extend(now + retryAfterMs, 'retry-after');
  let nextHeadroom = headroom;
  if (outcome.kind === 'throttled') {
    const saidRemaining = observations.some((o) => o.kind === 'remaining');
    if (!saidRemaining) {
      const learned = evidence.learning ? learnFromThrottle(headroom, charge, now, evidence.learning) : headroom;
      nextHeadroom = evidence.belief === 'no-room' ? learned : exhaustHeadroom(learned, charge, now);
    }
    const hinted = retryAfterMs !== undefined || observations.some((o) => o.kind === 'cooldown');
    if (!hinted) {
      const wait = headroomMsUntilFits(nextHeadroom, charge, now);
      extend(now + (Number.isFinite(wait) ? Math.max(1, wait) : 60_000), 'derived');
    }
  }
  return { cooldown, headroom: nextHeadroom, ...(until !== undefined ? { until } : {}) };
}
