import { servesPin, type Charge, type RequestEstimate, type RouterConfig, type RouterTarget } from '@headroom/plan/runtime';
import { isFailoverTrigger, type AttemptOutcome, type RouteRequest, type SharedUsage } from './contracts';
import { breakerOnOutcome, breakerOnPlaced, breakerVerdict, resolveBreakerOptions, type BreakerOptions, type BreakerView, type ResolvedBreakerOptions } from './circuit-breaker';
import { clientRetryAfter, type ClientRetryAfter } from './client-retry-after';
import { applyOutcomeCooldown, extendCooldown, plausibleSharedUntil } from './cooldown';
import { TicketError, UnknownFamilyError, UnknownTargetError } from './errors';
import { mayProbe, resolveProbeOptions, type ProbeOptions } from './capacity-probe';
import { admissionChargeFor, confirmRaised, type HeadroomView, learnFromProbe, observeHeadroom, observeSharedUsage, reserveHeadroom, retuneHeadroom, settledChargeFor, settleHeadroom } from './headroom';
import { resolveLearningOptions, type LearningOptions } from './learned-capacity';
import { discountScarce, scarcePinServers } from './pin-reserve';
import { resolveRetryBudget, retryAllowed, retryBudgetView, type FamilyActivity, type ResolvedRetryBudgetOptions, type RetryBudgetOptions, type RetryBudgetView } from './retry-budget';
import type { Rng } from './rng';
import { DEFAULT_STRATEGY, type Candidate, type SelectionStrategy } from './selection';
import { SharedQuotas } from './shared-quotas';
import { availability, createTargetState, targetStatus, type Availability, type TargetState, type TargetStatus } from './target-state';

export interface RouterOptions {
  /** Injected randomness in [0, 1) (e.g. `seededRng(seed)`); the core never calls Math.random. */
  readonly rng: Rng;
  /** @default DEFAULT_STRATEGY (argmaxWhenFresh: the most headroom on fresh evidence, p2c in proportion to staleness) */
  readonly strategy?: SelectionStrategy;
  /** Learning each bucket's effective limit from 429s and headers (learned-capacity.ts); `false` keeps the declared figures. */
  readonly learning?: Partial<LearningOptions> | false;
  /** Capacity probes before refusing (capacity-probe.ts); `false` refuses on belief alone. */
  readonly capacityProbe?: Partial<ProbeOptions> | false;
  /** @default resolveBreakerOptions() defaults; probeTimeoutMs defaults to the config's timeoutMs */
  readonly breaker?: BreakerOptions;
  /** @default fraction = config.routing.retryBudget, minRetryConcurrency 3 (per family) */
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
  /** Placed as a capacity probe: our belief had no room, but the target's figure may be too low (capacity-probe.ts). */
  readonly capacityProbe: boolean;
  /** Placed as a failover retry (other targets were excluded): counts against the family's retry budget while active. */
  readonly retry: boolean;
}

export type Placement =
  /** Forward `ticket.charged` to the shared store (`add(target.key, ticket.charged, now)`). */
  | { readonly kind: 'placed'; readonly target: RouterTarget; readonly ticket: Ticket; readonly headroomAfter: number }
  /**
   * No eligible target can take the request now. `retryAfterMs` is when the first one frees enough for it.
   * `reason`: every target was already tried (`all-excluded`); every target not tried has its breaker
   * open (`breakers-open`: an outage, not quota); or some target lacks headroom or is cooling (`no-headroom`).
   */
  | { readonly kind: 'exhausted'; readonly retryAfterMs: number; readonly retryAt: number; readonly reason: 'no-headroom' | 'all-excluded' | 'breakers-open' }
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
  /** Placed and not yet completed: the family's active requests and retries (retry-budget.ts). */
  private readonly outstanding = new Map<string, Ticket>();
  private readonly retryDenials = new Map<string, number>();
  /** Per family: the scarce servers of its residency pins, kept for pinned demand (pin-reserve.ts). */
  private readonly scarce = new Map<string, ReadonlySet<string>>();
  private readonly strategy: SelectionStrategy;
  private readonly learning: LearningOptions | undefined;
  private readonly probing: ProbeOptions | undefined;
  private readonly breaker: ResolvedBreakerOptions;
  private readonly budget: ResolvedRetryBudgetOptions;
  /** No cooldown, and no wait told to a client, lasts longer (routing.maxCooldownMs). */
  private readonly maxCooldownMs: number;
  /** Provider quotas several targets share: charged once for all of them (shared-quotas.ts). */
  private readonly quotas: SharedQuotas;
  private sequence = 0;

  constructor(readonly config: RouterConfig, private readonly options: RouterOptions) {
    this.strategy = options.strategy ?? DEFAULT_STRATEGY;
    this.learning = options.learning === false ? undefined : resolveLearningOptions(options.learning);
    this.probing = options.capacityProbe === false ? undefined : resolveProbeOptions(options.capacityProbe);
    this.breaker = resolveBreakerOptions({ probeTimeoutMs: config.routing.timeouts.headersMs, ...options.breaker });
    this.budget = resolveRetryBudget({ fraction: config.routing.retryBudget, ...options.retryBudget });
    this.maxCooldownMs = config.routing.maxCooldownMs;
    this.quotas = new SharedQuotas(config);
    for (const [key, target] of Object.entries(config.targets)) {
      this.states.set(key, createTargetState(target, { breaker: this.breaker }));
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
    if (shared) this.observeShared(shared, now);
    const pin = request.residency;
    const eligible = family.targets.filter((key) => pin === undefined || servesPin(this.target(key).residency, pin));
    if (eligible.length === 0) return { kind: 'unservable', reason: 'no-target-serves-pin' };
    for (const key of eligible) this.retune(key, now);

    const candidates: Candidate[] = [];
    const charges = new Map<string, Charge>();
    const probes = new Set<string>();
    let earliest = Number.POSITIVE_INFINITY;
    let quotaBlocked = false;
    /** A target our belief refuses that may take a capacity probe: one whose last probe was admitted first, then the soonest free. */
    let probeable: { key: string; at: number; charge: Charge; rank: number } | undefined;
    for (const key of eligible) {
      const charge = admissionChargeFor(this.target(key), request.estimate);
      const verdict = this.availability(key, charge, now);
      earliest = Math.min(earliest, verdict.kind === 'available' ? now : verdict.at);
      if (excluded?.has(key)) continue;
      if (verdict.kind !== 'available') {
        if (verdict.why !== 'breaker') quotaBlocked = true;
        if (this.mayProbe(key, verdict, charge, now)) {
          const rank = this.state(key).lastCapacityProbeAt !== undefined && (this.state(key).refusedProbes ?? 0) === 0 ? 0 : 1;
          if (!probeable || rank < probeable.rank || (rank === probeable.rank && verdict.at < probeable.at)) probeable = { key, at: verdict.at, charge, rank };
        }
        continue;
      }
      charges.set(key, charge);
      if (verdict.probe) probes.add(key);
      candidates.push({ key, score: verdict.score, weight: verdict.weight, staleness: verdict.staleness });
    }
    if (candidates.length === 0) {
      if (!Number.isFinite(earliest)) return { kind: 'unservable', reason: 'exceeds-every-limit' };
      if (probeable) return this.book(probeable.key, request, probeable.charge, now, excluded, { breakerProbe: false, capacityProbe: true, score: 0 });
      const reason = eligible.every((key) => excluded?.has(key)) ? 'all-excluded' : quotaBlocked ? 'no-headroom' : 'breakers-open';
      return { kind: 'exhausted', retryAfterMs: earliest - now, retryAt: earliest, reason };
    }

    const scarce = pin === undefined ? this.scarce.get(request.family) : undefined;
    const seen = scarce ? discountScarce(candidates, scarce) : candidates;
    const pick = this.strategy.choose(seen, this.options.rng).key;
    const chosen = candidates.find((c) => c.key === pick)!;
    return this.book(chosen.key, request, charges.get(chosen.key)!, now, excluded, { breakerProbe: probes.has(chosen.key), capacityProbe: false, score: chosen.score });
  }

  /** Charge `key`'s buckets (and its shared quota) for `request` and hand out the ticket. */
  private book(key: string, request: RouteRequest, charged: Charge, now: number, excluded: ReadonlySet<string> | undefined, how: { breakerProbe: boolean; capacityProbe: boolean; score: number }): Placement {
    const state = this.state(key);
    this.states.set(key, {
      ...state,
      headroom: reserveHeadroom(state.headroom, charged, now),
      breaker: breakerOnPlaced(state.breaker, this.breaker, now),
      ...(how.capacityProbe ? { lastCapacityProbeAt: now } : {}),
    });
    this.quotas.reserve(this.target(key), charged, now);
    const ticket: Ticket = {
      id: String(++this.sequence), target: key, family: request.family, estimate: request.estimate, charged, placedAt: now,
      probe: how.breakerProbe, capacityProbe: how.capacityProbe, retry: (excluded?.size ?? 0) > 0,
    };
    this.outstanding.set(ticket.id, ticket);
    return { kind: 'placed', target: this.target(key), ticket, headroomAfter: how.score };
  }

  /**
   * A capacity probe overrules only the target's own belief (capacity-probe.ts), never a shared
   * provider quota that has no room: that belief rests on every family's charges and headers.
   */
  private mayProbe(key: string, verdict: Availability, charge: Charge, now: number): boolean {
    if (!this.probing || !mayProbe(this.state(key), verdict, charge, now, this.probing)) return false;
    const unblocked: Availability = { kind: 'available', score: 1, weight: 1, probe: false, staleness: 0 };
    return this.quotas.narrow(this.target(key), unblocked, charge, now).kind === 'available';
  }

  /** Bring the target's buckets to their learned figures for `now`. */
  private retune(key: string, now: number): void {
    if (!this.learning) return;
    const state = this.state(key);
    const headroom = retuneHeadroom(state.headroom, now, this.learning);
    if (headroom !== state.headroom) this.states.set(key, { ...state, headroom });
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
    this.retune(ticket.target, now);
    const state = this.state(ticket.target);
    let headroom = state.headroom;
    let delta: Charge = {};
    if (outcome.kind === 'success' || REFUNDED.has(outcome.kind)) {
      const final = outcome.kind === 'success' ? settledChargeFor(target, ticket.estimate, outcome.usage) : {};
      ({ state: headroom, delta } = settleHeadroom(headroom, ticket.charged, final, now));
      this.quotas.settle(target, ticket.charged, final, now);
    }
    // An Azure 429 is the deployment's own capacity, not the subscription quota its siblings share.
    if (outcome.kind === 'throttled' && target.provider !== 'azure-openai') this.quotas.exhaust(target, ticket.charged, now);
    // Headers on this response already include its own final cost: apply them after settling.
    headroom = observeHeadroom(headroom, 'observations' in outcome ? outcome.observations : [], this.learning);
    this.quotas.observeHeaders(target, 'observations' in outcome ? outcome.observations : []);
    // The provider admitted what our belief had no room for: the figure was too low.
    if (ticket.capacityProbe && outcome.kind === 'success' && this.learning) headroom = learnFromProbe(headroom, ticket.charged, now, this.learning);
    else if (outcome.kind === 'success' && this.learning) headroom = confirmRaised(headroom, now, this.learning);
    const cooling = applyOutcomeCooldown(state.cooldown, headroom, outcome, ticket.charged, now, this.maxCooldownMs, {
      ...(this.learning ? { learning: this.learning } : {}), belief: ticket.capacityProbe ? 'no-room' : 'room',
    });
    const breaker = breakerOnOutcome(state.breaker, this.breaker, breakerVerdict(outcome), ticket.probe, ticket.placedAt, now);
    this.states.set(ticket.target, {
      ...state, headroom: cooling.headroom, cooldown: cooling.cooldown, breaker,
      ...(outcome.kind === 'throttled' ? { lastThrottledAt: now } : {}),
      ...(ticket.capacityProbe ? { refusedProbes: outcome.kind === 'success' ? 0 : (state.refusedProbes ?? 0) + (outcome.kind === 'throttled' ? 1 : 0) } : {}),
    });
    const shared: SharedEffects = {
      ...(Object.keys(delta).length > 0 ? { charge: delta } : {}),
      ...(cooling.until !== undefined ? { cooldownUntil: cooling.until } : {}),
    };
    return { target: ticket.target, failover: isFailoverTrigger(outcome), shared, breaker: breaker.kind };
  }

  /**
   * The request was never sent (the adapter could not build the upstream call from it): return the
   * reservation and free a probe slot, with no breaker, cooldown or budget effect. Once per ticket,
   * instead of `complete`.
   */
  release(ticket: Ticket, now: number): Completion {
    if (!this.outstanding.delete(ticket.id)) throw new TicketError({ ticket: ticket.id, target: ticket.target, problem: 'unknown-or-completed' });
    const state = this.state(ticket.target);
    const { state: headroom, delta } = settleHeadroom(state.headroom, ticket.charged, {}, now);
    this.quotas.settle(this.target(ticket.target), ticket.charged, {}, now);
    const breaker = breakerOnOutcome(state.breaker, this.breaker, 'neutral', ticket.probe, ticket.placedAt, now);
    this.states.set(ticket.target, { ...state, headroom, breaker });
    return { target: ticket.target, failover: false, shared: Object.keys(delta).length > 0 ? { charge: delta } : {}, breaker: breaker.kind };
  }

  /**
   * May the pipeline retry after `targetKey` failed? Envoy's retry budget over the target's family
   * (retry-budget.ts): a refusal is counted. Call right before placing the retry.
   */
  mayRetry(targetKey: string, _now: number): { readonly allowed: boolean; readonly denials: number } {
    const family = this.target(targetKey).family;
    const active = this.activity(family);
    // The request asking is active too: its failed attempt has completed, its retry is about to start.
    const allowed = retryAllowed(this.budget, { ...active, activeRequests: active.activeRequests + 1 });
    const denials = (this.retryDenials.get(family) ?? 0) + (allowed ? 0 : 1);
    this.retryDenials.set(family, denials);
    return { allowed, denials };
  }

  /** How long until some target of the family can take this request (ignoring exclusions); Infinity if none ever can. */
  nextAvailableMs(request: RouteRequest, now: number): number {
    const family = this.config.families[request.family];
    if (!family) throw new UnknownFamilyError({ family: request.family, known: Object.keys(this.config.families).sort() });
    let earliest = Number.POSITIVE_INFINITY;
    for (const key of family.targets) {
      if (request.residency !== undefined && !servesPin(this.target(key).residency, request.residency)) continue;
      const verdict = this.availability(key, admissionChargeFor(this.target(key), request.estimate), now);
      earliest = Math.min(earliest, verdict.kind === 'available' ? now : verdict.at);
    }
    return earliest - now;
  }

  /** What to tell a client refused for `waitMs`: jittered by the injected rng, capped at routing.maxCooldownMs. */
  clientRetryAfter(waitMs: number): ClientRetryAfter {
    return clientRetryAfter(waitMs, this.options.rng, this.maxCooldownMs);
  }

  /** Per-target headroom, buckets, cooldown and breaker, and per family the retry budget: plain data for GET /status and metrics. */
  status(now: number): {
    readonly strategy: string;
    readonly targets: readonly TargetStatus[];
    readonly families: readonly { readonly family: string; readonly retryBudget: RetryBudgetView }[];
    /** Shared provider quotas: one headroom each, whichever targets draw on it. */
    readonly quotas: readonly { readonly quota: string; readonly view: HeadroomView }[];
  } {
    const quotas = this.quotas.view(now);
    const targets = [...this.states.keys()].sort().map((key) => {
      const status = targetStatus(this.target(key), this.state(key), this.breaker, now);
      // A target on a shared quota has no more headroom than the quota has left (the low-headroom alarm reads this).
      const quota = quotas.find((q) => q.quota === this.quotas.quotaOf(this.target(key)));
      return quota ? { ...status, headroomPct: Math.min(status.headroomPct, quota.view.headroomPct), sharedQuota: quota.quota } : status;
    });
    const families = Object.keys(this.config.families).sort().map((family) => ({
      family, retryBudget: retryBudgetView(this.budget, this.activity(family), this.retryDenials.get(family) ?? 0),
    }));
    return { strategy: this.strategy.name, targets, families, quotas };
  }

  /**
   * Where to write a target's charges and cooldowns in the shared store, and the keys to read for a
   * family: each target's own key, then its shared quota's id (once).
   */
  storeKeys(targetKeys: readonly string[]): string[] {
    return [...new Set(targetKeys.flatMap((key) => this.quotas.storeKeys(this.target(key))))];
  }

  /** The target's own availability, narrowed by the shared quota it draws on. */
  private availability(key: string, charge: Charge, now: number) {
    return this.quotas.narrow(this.target(key), availability(this.state(key), charge, this.breaker, now), charge, now);
  }

  private activity(family: string): FamilyActivity {
    let activeRequests = 0;
    let activeRetries = 0;
    for (const ticket of this.outstanding.values()) {
      if (ticket.family !== family) continue;
      activeRequests++;
      if (ticket.retry) activeRetries++;
    }
    return { activeRequests, activeRetries };
  }

  private observeShared(shared: Readonly<Record<string, SharedUsage>>, now: number): void {
    for (const [key, usage] of Object.entries(shared)) {
      if (this.quotas.observe(key, usage)) continue;
      const state = this.states.get(key);
      if (!state) continue;
      const until = usage.cooldownUntil !== undefined ? plausibleSharedUntil(usage.cooldownUntil, now, this.maxCooldownMs) : undefined;
      const cooldown = until !== undefined ? extendCooldown(state.cooldown, until, 'shared') : state.cooldown;
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
