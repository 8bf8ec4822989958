import { servesPin, type Charge, type RequestEstimate, type RouterConfig, type RouterTarget } from '@headroom/plan/runtime';
import { isFailoverTrigger, type AttemptOutcome, type RouteRequest, type SharedUsage } from './contracts';
import { breakerOnOutcome, breakerOnPlaced, breakerVerdict, resolveBreakerOptions, type BreakerOptions, type BreakerView, type ResolvedBreakerOptions } from './circuit-breaker';
import { applyOutcomeCooldown, extendCooldown } from './cooldown';
import { TicketError, UnknownFamilyError, UnknownTargetError } from './errors';
import { admissionChargeFor, observeHeadroom, observeSharedUsage, reserveHeadroom, settledChargeFor, settleHeadroom } from './headroom';
import { discountScarce, scarcePinServers } from './pin-reserve';
import { recordRequest, resolveRetryBudget, tryRetry, type ResolvedRetryBudgetOptions, type RetryBudgetOptions } from './retry-budget';
import type { Rng } from './rng';
import { powerOfTwoChoices, type Candidate, type SelectionStrategy } from './selection';
import { availability, createTargetState, targetStatus, type TargetState, type TargetStatus } from './target-state';

export interface RouterOptions {
  /** Injected randomness in [0, 1) (e.g. `seededRng(seed)`); the core never calls Math.random. */
  readonly rng: Rng;
  /** @default powerOfTwoChoices (capacity-weighted, with replacement) */
  readonly strategy?: SelectionStrategy;
  /** @default resolveBreakerOptions() defaults; probeTimeoutMs defaults to the config's timeoutMs */
  readonly breaker?: BreakerOptions;
  /** @default fraction = config.routing.retryBudget, minRetries 3, window 10 s */
  readonly retryBudget?: Partial<RetryBudgetOptions>;
}

/** A reservation: what was charged where and when. Plain data; hand it back to `complete` once. */
export interface Ticket {
  readonly id: string;
  readonly target: string;
  readonly family: string;
  readonly estimate: RequestEstimate;
  readonly charged: Charge;
  readonly placedAt: number;
  /** Placed as a half-open breaker probe. */
  readonly probe: boolean;
}

export type Placement =
  /** Forward `ticket.charged` to the shared store (`add(target.key, ticket.charged, now)`). */
  | { readonly kind: 'placed'; readonly target: RouterTarget; readonly ticket: Ticket; readonly headroomAfter: number }
  /** Client 429: no eligible target fits now. `retryAfterMs` is when the first one frees enough for this request. */
  | { readonly kind: 'exhausted'; readonly retryAfterMs: number; readonly retryAt: number; readonly reason: 'no-headroom' | 'all-excluded' }
  /** Retrying will never help: no target serves the pin, or the request exceeds every target's limits. */
  | { readonly kind: 'unservable'; readonly reason: 'no-target-serves-pin' | 'exceeds-every-limit' };

/** What the pipeline forwards to the SharedStore after `complete`. */
export interface SharedEffects {
  /** Settlement delta (`add(target, charge, now)`; negative returns part of the reservation). */
  readonly charge?: Charge;
  /** `cooldown(target, until, now)`. */
  readonly cooldownUntil?: number;
}

export interface Completion {
  readonly target: string;
  /** The outcome is a failover trigger (429, 529, 5xx, timeout, connection error). Ignore once streaming began. */
  readonly failover: boolean;
  readonly shared: SharedEffects;
  readonly breaker: BreakerView['kind'];
}

/** Outcomes where the provider did not take the request: the reservation is returned. */
const REFUNDED: ReadonlySet<AttemptOutcome['kind']> = new Set(['throttled', 'overloaded', 'client-error']);

/**
 * The facade the request pipeline calls. It holds per-target state (plain data, one field per
 * policy) and delegates every decision to the policies; time and randomness come in from outside.
 */
export class Router {
  private readonly states = new Map<string, TargetState>();
  private readonly outstanding = new Set<string>();
  /** Per family: the scarce servers of its residency pins, kept for pinned demand (pin-reserve.ts). */
  private readonly scarce = new Map<string, ReadonlySet<string>>();
  private readonly strategy: SelectionStrategy;
  private readonly breaker: ResolvedBreakerOptions;
  private readonly budget: ResolvedRetryBudgetOptions;
  private sequence = 0;

  constructor(readonly config: RouterConfig, private readonly options: RouterOptions) {
    this.strategy = options.strategy ?? powerOfTwoChoices;
    this.breaker = resolveBreakerOptions({ probeTimeoutMs: config.routing.timeouts.headersMs, ...options.breaker });
    const retryBudget = { fraction: config.routing.retryBudget, ...options.retryBudget };
    this.budget = resolveRetryBudget(retryBudget);
    for (const [key, target] of Object.entries(config.targets)) {
      this.states.set(key, createTargetState(target, { breaker: this.breaker, retryBudget }));
    }
    for (const [family, { targets }] of Object.entries(config.families)) {
      for (const key of targets) if (!this.states.has(key)) throw new UnknownTargetError({ target: key, where: `family ${family}` });
      this.scarce.set(family, scarcePinServers(config, config.families[family]!));
    }
  }

  /** Choose a target for `request`, or say truthfully when one frees. Charges the chosen target's buckets. */
  place(request: RouteRequest, now: number, shared?: Readonly<Record<string, SharedUsage>>, excluded?: ReadonlySet<string>): Placement {
    const family = this.config.families[request.family];
    if (!family) throw new UnknownFamilyError({ family: request.family, known: Object.keys(this.config.families).sort() });
    if (shared) this.observeShared(shared);
    const pin = request.residency;
    const eligible = family.targets.filter((key) => pin === undefined || servesPin(this.target(key).residency, pin));
    if (eligible.length === 0) return { kind: 'unservable', reason: 'no-target-serves-pin' };

    const candidates: Candidate[] = [];
    const charges = new Map<string, Charge>();
    const probes = new Set<string>();
    let earliest = Number.POSITIVE_INFINITY;
    for (const key of eligible) {
      const charge = admissionChargeFor(this.target(key), request.estimate);
      const verdict = availability(this.state(key), charge, this.breaker, now);
      earliest = Math.min(earliest, verdict.kind === 'available' ? now : verdict.at);
      if (verdict.kind !== 'available' || excluded?.has(key)) continue;
      charges.set(key, charge);
      if (verdict.probe) probes.add(key);
      candidates.push({ key, score: verdict.score, weight: verdict.weight });
    }
    if (candidates.length === 0) {
      if (!Number.isFinite(earliest)) return { kind: 'unservable', reason: 'exceeds-every-limit' };
      const reason = eligible.every((key) => excluded?.has(key)) ? 'all-excluded' : 'no-headroom';
      return { kind: 'exhausted', retryAfterMs: earliest - now, retryAt: earliest, reason };
    }

    const scarce = pin === undefined ? this.scarce.get(request.family) : undefined;
    const seen = scarce ? discountScarce(candidates, scarce) : candidates;
    const pick = this.strategy.choose(seen, this.options.rng).key;
    const chosen = candidates.find((c) => c.key === pick)!;
    const charged = charges.get(chosen.key)!;
    const state = this.state(chosen.key);
    this.states.set(chosen.key, {
      ...state,
      headroom: reserveHeadroom(state.headroom, charged, now),
      breaker: breakerOnPlaced(state.breaker, this.breaker, now),
      budget: recordRequest(state.budget, now),
    });
    const ticket: Ticket = { id: String(++this.sequence), target: chosen.key, family: request.family, estimate: request.estimate, charged, placedAt: now, probe: probes.has(chosen.key) };
    this.outstanding.add(ticket.id);
    return { kind: 'placed', target: this.target(chosen.key), ticket, headroomAfter: chosen.score };
  }

  /**
   * Report how an attempt ended (once per ticket; for a stream, once at its end with the final
   * outcome). Settles or refunds the reservation, applies the evidence, cooldowns, breaker and
   * returns what to forward to the shared store. Timeouts, connection and server errors keep the
   * reservation: the provider may have consumed it.
   */
  complete(ticket: Ticket, outcome: AttemptOutcome, now: number): Completion {
    if (!this.outstanding.delete(ticket.id)) throw new TicketError({ ticket: ticket.id, target: ticket.target, problem: 'unknown-or-completed' });
    const target = this.target(ticket.target);
    const state = this.state(ticket.target);
    let headroom = state.headroom;
    let delta: Charge = {};
    if (outcome.kind === 'success' || REFUNDED.has(outcome.kind)) {
      const final = outcome.kind === 'success' ? settledChargeFor(target, ticket.estimate, outcome.usage) : {};
      ({ state: headroom, delta } = settleHeadroom(headroom, ticket.charged, final, now));
    }
    // Headers on this response already include its own final cost: apply them after settling.
    headroom = observeHeadroom(headroom, 'observations' in outcome ? outcome.observations : []);
    const cooling = applyOutcomeCooldown(state.cooldown, headroom, outcome, ticket.charged, now);
    const breaker = breakerOnOutcome(state.breaker, this.breaker, breakerVerdict(outcome), ticket.probe, ticket.placedAt, now);
    this.states.set(ticket.target, { ...state, headroom: cooling.headroom, cooldown: cooling.cooldown, breaker });
    const shared: SharedEffects = {
      ...(Object.keys(delta).length > 0 ? { charge: delta } : {}),
      ...(cooling.until !== undefined ? { cooldownUntil: cooling.until } : {}),
    };
    return { target: ticket.target, failover: isFailoverTrigger(outcome), shared, breaker: breaker.kind };
  }

  /** May the pipeline retry after `targetKey` failed? Consumes that target's retry budget; a refusal is counted. */
  mayRetry(targetKey: string, now: number): { readonly allowed: boolean; readonly denials: number } {
    const state = this.state(targetKey);
    const result = tryRetry(state.budget, this.budget, now);
    this.states.set(targetKey, { ...state, budget: result.state });
    return { allowed: result.allowed, denials: result.state.denials };
  }

  /** Per-target headroom, buckets, cooldown, breaker and retry budget: plain data for GET /status and metrics. */
  status(now: number): { readonly strategy: string; readonly targets: readonly TargetStatus[] } {
    const targets = [...this.states.keys()].sort().map((key) => targetStatus(this.target(key), this.state(key), this.breaker, this.budget, now));
    return { strategy: this.strategy.name, targets };
  }

  private observeShared(shared: Readonly<Record<string, SharedUsage>>): void {
    for (const [key, usage] of Object.entries(shared)) {
      const state = this.states.get(key);
      if (!state) continue;
      const cooldown = usage.cooldownUntil !== undefined ? extendCooldown(state.cooldown, usage.cooldownUntil, 'shared') : state.cooldown;
      this.states.set(key, { ...state, headroom: observeSharedUsage(state.headroom, usage), cooldown });
    }
  }

  private target(key: string): RouterTarget {
    const target = this.config.targets[key];
    if (!target) throw new UnknownTargetError({ target: key, where: 'the router config' });
    return target;
  }

  private state(key: string): TargetState {
    const state = this.states.get(key);
    if (!state) throw new UnknownTargetError({ target: key, where: 'the router state' });
    return state;
  }
}
