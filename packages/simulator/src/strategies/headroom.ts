import type { RouterTarget } from '@headroom/plan';
import { HEADER_PARSERS, powerOfTwoChoices, Router, type AttemptOutcome, type SelectionStrategy, type SharedUsage, type Ticket } from '@headroom/router-lambda';
import type { RoutingInstance, SimRequest, Strategy, UpstreamResult, World } from '../model';
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

/**
 * One instance of the real router core (`Router` from @headroom/router-lambda, the code the Lambda
 * runs), driven the way the request pipeline drives it (router-lambda/src/pipeline.ts): read the
 * shared store once per request, place with the failed targets excluded, forward the charge,
 * complete with the parsed headers, fail over while the retry budget allows.
 */
class HeadroomInstance implements RoutingInstance {
  private readonly router: Router;
  private shared: Readonly<Record<string, SharedUsage>> | undefined;

  constructor(private readonly world: World, seed: number, strategy: SelectionStrategy, private readonly store: SimSharedStore | undefined) {
    this.router = new Router(world.config, { rng: world.random.fork(seed).asRng(), strategy });
  }

  async begin(_request: SimRequest, now: number): Promise<number> {
    if (!this.store) return 0;
    this.shared = await this.store.read(this.world.targets.map((t) => t.key), now);
    return this.store.readLatencyMs;
  }

  route(request: SimRequest, now: number, tried: ReadonlySet<string>) {
    const placement = this.router.place(
      { family: request.family, estimate: { inputTokens: request.inputTokens, maxTokens: request.maxTokens }, ...(request.residency ? { residency: request.residency } : {}) },
      now, this.shared, tried,
    );
    if (placement.kind === 'placed') {
      void this.store?.add(placement.target.key, placement.ticket.charged, now);
      return { kind: 'send' as const, target: placement.target.key, handle: placement.ticket };
    }
    if (placement.kind === 'exhausted') return { kind: 'reject' as const, retryAfterMs: placement.retryAfterMs };
    return { kind: 'reject' as const };
  }

  report(handle: unknown, result: UpstreamResult, now: number): boolean {
    const ticket = handle as Ticket;
    const target = this.world.config.targets[ticket.target]!;
    const completion = this.router.complete(ticket, attemptOutcome(target, result, now), now);
    if (completion.shared.charge) void this.store?.add(ticket.target, completion.shared.charge, now);
    if (completion.shared.cooldownUntil !== undefined) void this.store?.cooldown(ticket.target, completion.shared.cooldownUntil, now);
    return completion.failover && this.router.mayRetry(ticket.target, now).allowed;
  }
}

/** Headroom: the real router core, default selection (capacity-weighted power of two choices) unless given another. */
export function headroomStrategy(selection: SelectionStrategy = powerOfTwoChoices, id = 'headroom', label = 'Headroom'): Strategy {
  return {
    id,
    label,
    source: 'router-lambda/src/core (the Lambda\'s own code), driven as router-lambda/src/pipeline.ts drives it',
    instances: (world, count) => Array.from({ length: count }, (_, i) => new HeadroomInstance(world, 0x9e37 + i, selection, world.store)),
  };
}
