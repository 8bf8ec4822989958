import type { Charge, RouterTarget } from '@headroom/plan/runtime';
import { breakerAdmits, breakerAvailableAt, breakerView, closedBreaker, type BreakerState, type BreakerView, type ResolvedBreakerOptions } from './circuit-breaker';
import { CLEAR, cooldownEndsAt, type CooldownState } from './cooldown';
import { headroomStaleness } from './freshness';
import { capacityFor, createHeadroom, headroomAfter, headroomMsUntilFits, headroomView, type HeadroomState, type HeadroomView } from './headroom';

/** Everything the router knows about one target: plain data, one field per policy. */
export interface TargetState {
  readonly headroom: HeadroomState;
  readonly cooldown: CooldownState;
  readonly breaker: BreakerState;
  /** The last 429 from the target (capacity-probe.ts). */
  readonly lastThrottledAt?: number;
  /** The last capacity probe sent to it (capacity-probe.ts). */
  readonly lastCapacityProbeAt?: number;
  /** Capacity probes it refused in a row (capacity-probe.ts). */
  readonly refusedProbes?: number;
}

export interface TargetStateOptions {
  readonly breaker: ResolvedBreakerOptions;
}

export function createTargetState(target: RouterTarget, options: TargetStateOptions): TargetState {
  return {
    headroom: createHeadroom(target),
    cooldown: CLEAR,
    breaker: closedBreaker(options.breaker),
  };
}

export type Availability =
  /**
   * Placeable now; `probe` when the breaker is half-open and this would be a probe; `staleness`
   * how far our view may be from the provider's (freshness.ts).
   */
  | { readonly kind: 'available'; readonly score: number; readonly weight: number; readonly probe: boolean; readonly staleness: number }
  /** Not now; `at` is the earliest moment it could take this charge (Infinity: never, too large). */
  | { readonly kind: 'blocked'; readonly at: number; readonly why: 'cooldown' | 'breaker' | 'headroom' | 'too-large' };

/** Whether the target can take `charge` now, and if not, the earliest moment it can. */
export function availability(state: TargetState, charge: Charge, breaker: ResolvedBreakerOptions, now: number): Availability {
  const fitsIn = headroomMsUntilFits(state.headroom, charge, now);
  const coolsAt = cooldownEndsAt(state.cooldown, now);
  const breakerAt = breakerAvailableAt(state.breaker, breaker, now);
  const at = Math.max(now + fitsIn, coolsAt, breakerAt);
  if (at > now) {
    const why = !Number.isFinite(fitsIn) ? 'too-large' : at === coolsAt ? 'cooldown' : at === breakerAt ? 'breaker' : 'headroom';
    return { kind: 'blocked', at, why };
  }
  const score = headroomAfter(state.headroom, charge, now);
  // headroomMsUntilFits said it fits; both use the same tolerance, so score is defined.
  if (score === undefined) return { kind: 'blocked', at: now + 1, why: 'headroom' };
  return {
    kind: 'available', score, weight: capacityFor(state.headroom, charge), probe: breakerAdmits(state.breaker, breaker, now) === 'probe',
    staleness: headroomStaleness(state.headroom, now),
  };
}

export interface TargetStatus extends HeadroomView {
  readonly key: string;
  readonly family: string;
  readonly provider: RouterTarget['provider'];
  readonly region: string;
  /** Present while cooling. */
  readonly cooldown?: { readonly until: number; readonly source: string };
  readonly breaker: BreakerView;
  /** The shared provider quota the target draws on; `headroomPct` is then the lower of the two. */
  readonly sharedQuota?: string;
}

export function targetStatus(target: RouterTarget, state: TargetState, breaker: ResolvedBreakerOptions, now: number): TargetStatus {
  const coolsAt = cooldownEndsAt(state.cooldown, now);
  return {
    key: target.key,
    family: target.family,
    provider: target.provider,
    region: target.region,
    ...headroomView(state.headroom, now),
    ...(coolsAt > now && state.cooldown.kind === 'cooling' ? { cooldown: { until: coolsAt, source: state.cooldown.source } } : {}),
    breaker: breakerView(state.breaker, breaker, now),
  };
}
