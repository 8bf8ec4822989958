import type { ResolvedHold, RouterTarget } from '@headroom/plan';
import { FrontDoorError, HEADER_PARSERS, holdAllowanceMs, holdWaitMs, Router, type AttemptOutcome, type SelectionStrategy, type SharedUsage, type Ticket } from '@headroom/router-lambda';
import { FAILOVER, REPLY, type FailedKind, type ReportVerdict, type RouteDecision, type RoutingInstance, type SimRequest, type Strategy, type UpstreamResult, type World } from '../model';
import type { SimSharedStore } from '../shared-store';

/** The outcome the router core sees for what the wire showed, through the router's own header parsers. */
export function attemptOutcome(target: RouterTarget, result: UpstreamResult, now: number): AttemptOutcome {
  switch (result.kind) {
    case 'success':
      return { kind: 'success', usage: result.usage, observations: HEADER_PARSERS[target.rateLimitHeaders](result.headers, now) };
    case 'throttled':
      return { kind: 'throttled', observations: HEADER_PARSERS[target.rateLimitHeaders](result.headers, now) };
    case 'error':
      return result.status === 529 || result.status === 503 ? { kind: 'overloaded', status: result.status } : { kind: 'server-error', status: result.status };
  }
}

type Wanted = Parameters<Router['place']>[0];

/** What the engine hands back with an attempt's outcome: the reservation and the request it was for. */
interface Handle {
  readonly ticket: Ticket;
  readonly wanted: Wanted;
}

/** What the driver may change from the plan's routing, e.g. to measure holding off against on. */
export interface HeadroomDriverOptions {
  /** Replaces the config's `routing.hold` (`{ maxMs: 0, streaming: false }`: never hold). */
  readonly hold?: ResolvedHold;
}

/**
 * One instance of the real router core (`Router` from @headroom/router-lambda, the code the Lambda
 * runs), driven the way the request loop drives it (router-lambda/src/route.ts `routeRequest`):
 * - the shared store is read once per client call, and every placement of that call sees that read;
 * - place with the call's failed targets excluded; forward the charge to the store;
 * - complete with the headers parsed by the router's own `HEADER_PARSERS`, forward the settlement
 *   and cooldown; on a failover trigger ask `mayRetry` (the family's Envoy-style retry budget);
 * - exhausted: an outage answer (529 Anthropic / 503 OpenAI) when the reason is `breakers-open`, or
 *   every target was tried and none of this call's failures was a 429; otherwise a quota 429. Both
 *   carry `clientRetryAfter(placement.retryAfterMs)` (the router's jittered, capped wait);
 * - a failover the budget refuses: a 429 is passed through with the router's retry-after
 *   (`clientRetryAfter(nextAvailableMs)`), an error becomes the outage answer with the same;
 * - `unservable`: the client's 400 (never a 429);
 * - hold (route.ts with hold.ts): an exhausted placement for quota (`no-headroom`, never an outage)
 *   whose wait is known and ends within `routing.hold.maxMs` of the call's start (and within
 *   `timeouts.totalMs`) is `{ kind: 'hold', waitMs }`: the engine places the call again after the wait.
 *   route.ts also reads the shared store again after a hold; the engine keeps the call's first read.
 * `Router.release` is not needed: the simulator has no request the adapter cannot build and no
 * client that leaves mid-request, and timeouts are not modelled (no upstream hangs).
 */
class HeadroomInstance implements RoutingInstance {
  private readonly router: Router;
  /** Each call's own shared-store read (a call's retries use the read its call made, as route.ts does). */
  private readonly shared = new WeakMap<SimRequest, Readonly<Record<string, SharedUsage>>>();
  /** Each call's start and holds so far (a client's retry is a new call: `begin` starts it afresh). */
  private readonly calls = new WeakMap<SimRequest, { startedAt: number; holds: number }>();
  /** What the family's API calls an outage: FrontDoorError('overloaded').statusFor(api). */
  private readonly outageStatus: number;
  /** How long after its start a call may still be held (non-streaming): hold.maxMs within timeouts.totalMs. */
  private readonly holdAllowanceMs: number;

  constructor(private readonly world: World, seed: number, strategy: SelectionStrategy | undefined, private readonly store: SimSharedStore | undefined, options: HeadroomDriverOptions) {
    // No strategy given: the Router's own default, as the Lambda runs it.
    this.router = new Router(world.config, { rng: world.random.fork(seed).asRng(), ...(strategy ? { strategy } : {}) });
    this.outageStatus = new FrontDoorError('overloaded', 'outage').statusFor(world.config.families[world.family]!.api);
    const { routing } = world.config;
    // The router's own hold policy (router-lambda/src/hold.ts), so the two cannot drift. A simulated call
    // is non-streaming and no client sends x-headroom-max-wait-ms.
    this.holdAllowanceMs = holdAllowanceMs(options.hold ?? routing.hold, { stream: false }, routing.timeouts.totalMs);
  }

  async begin(request: SimRequest, now: number): Promise<number> {
    this.calls.set(request, { startedAt: now, holds: 0 });
    if (!this.store) return 0;
    this.shared.set(request, await this.store.read(this.world.targets.map((t) => t.key), now));
    return this.store.readLatencyMs;
  }

  route(request: SimRequest, now: number, tried: ReadonlySet<string>, failed: readonly FailedKind[]): RouteDecision {
    const wanted: Wanted = { family: request.family, estimate: { inputTokens: request.inputTokens, maxTokens: request.maxTokens }, ...(request.residency ? { residency: request.residency } : {}) };
    const placement = this.router.place(wanted, now, this.shared.get(request), tried);
    if (placement.kind === 'placed') {
      void this.store?.add(placement.target.key, placement.ticket.charged, now);
      const handle: Handle = { ticket: placement.ticket, wanted };
      return { kind: 'send', target: placement.target.key, handle };
    }
    if (placement.kind === 'unservable') return { kind: 'reject', status: 400 };
    const outage = placement.reason === 'breakers-open' || (placement.reason === 'all-excluded' && failed.length > 0);
    if (outage && failed.every((kind) => kind !== 'throttled')) {
      return { kind: 'reject', status: this.outageStatus, retryAfterMs: this.router.clientRetryAfter(placement.retryAfterMs).ms };
    }
    const call = this.calls.get(request) ?? { startedAt: now, holds: 0 };
    const waitMs = holdWaitMs(placement, { arrivedAt: call.startedAt, allowanceMs: this.holdAllowanceMs, holds: call.holds }, now);
    if (waitMs !== undefined) {
      // As route.ts: no retry-after is drawn for a hold (the rng stream stays the pipeline's).
      this.calls.set(request, { ...call, holds: call.holds + 1 });
      return { kind: 'hold', waitMs };
    }
    return { kind: 'reject', status: 429, retryAfterMs: this.router.clientRetryAfter(placement.retryAfterMs).ms };
  }

  report(handle: unknown, result: UpstreamResult, now: number): ReportVerdict {
    const { ticket, wanted } = handle as Handle;
    const target = this.world.config.targets[ticket.target]!;
    const completion = this.router.complete(ticket, attemptOutcome(target, result, now), now);
    if (completion.shared.charge) void this.store?.add(ticket.target, completion.shared.charge, now);
    if (completion.shared.cooldownUntil !== undefined) void this.store?.cooldown(ticket.target, completion.shared.cooldownUntil, now);
    if (!completion.failover) return REPLY;
    if (this.router.mayRetry(ticket.target, now).allowed) return FAILOVER;
    // The family's retry budget refuses: the router answers with its own retry-after (route.ts).
    const said = this.router.clientRetryAfter(this.router.nextAvailableMs(wanted, now));
    if (result.kind === 'throttled') return { kind: 'reply', status: 429, retryAfterMs: said.ms };
    return { kind: 'reply', status: this.outageStatus, retryAfterMs: said.ms };
  }
}

/**
 * Headroom: the real router core with the Router's own default selection unless given another, and
 * the plan's `routing.hold` unless `options.hold` replaces it.
 */
export function headroomStrategy(selection?: SelectionStrategy, id = 'headroom', label = 'Headroom', options: HeadroomDriverOptions = {}): Strategy {
  return {
    id,
    label,
    source: 'router-lambda/src/core (the Lambda\'s own code), driven as router-lambda/src/route.ts drives it',
    instances: (world, count) => Array.from({ length: count }, (_, i) => new HeadroomInstance(world, 0x9e37 + i, selection, world.store, options)),
  };
}
