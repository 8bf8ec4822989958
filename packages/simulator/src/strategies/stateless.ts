import { servesPin, type RouterTarget } from '@headroom/plan';
import { FAILOVER, REPLY, type ReportVerdict, type RouteDecision, type RoutingInstance, type SimRequest, type Strategy, type UpstreamResult, type World } from '../model';
import type { Random } from '../random';

/** Targets that may serve the request (residency pin), in plan order. */
export function eligibleTargets(world: World, request: SimRequest): RouterTarget[] {
  return world.targets.filter((t) => request.residency === undefined || servesPin(t.residency, request.residency));
}

/** The declared token limit of a target, the weight a gateway user would type in (tpm, or itpm + otpm). */
export function declaredTokens(target: RouterTarget): number {
  return target.limits.tpm ?? (target.limits.itpm ?? 0) + (target.limits.otpm ?? 0);
}

/**
 * Fixed primary with failover: always the first target in plan order; on a 429 or error, the next
 * one, until every target was tried. Stateless: it learns nothing from a 429. This is the
 * priority-ordered `fallback` mode of gateways (Portkey `strategy.mode: "fallback"`,
 * https://portkey.ai/docs/product/ai-gateway/fallbacks; LiteLLM `fallbacks`, order = priority).
 */
class FixedPrimary implements RoutingInstance {
  constructor(private readonly world: World) {}
  begin(): number { return 0; }
  route(request: SimRequest, _now: number, tried: ReadonlySet<string>): RouteDecision {
    const next = eligibleTargets(this.world, request).find((t) => !tried.has(t.key));
    return next ? { kind: 'send', target: next.key, handle: next.key } : { kind: 'reject' };
  }
  report(_handle: unknown, result: UpstreamResult): ReportVerdict { return result.kind !== 'success' ? FAILOVER : REPLY; }
}

/**
 * Round robin with failover to the next target in the rotation (nginx `proxy_next_upstream error
 * http_429`, https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_next_upstream).
 * Per instance rotation, starting at a random offset.
 */
class RoundRobin implements RoutingInstance {
  private next: number;
  constructor(private readonly world: World, random: Random) {
    this.next = Math.floor(random.uniform() * world.targets.length);
  }
  begin(): number { return 0; }
  route(request: SimRequest, _now: number, tried: ReadonlySet<string>): RouteDecision {
    const eligible = eligibleTargets(this.world, request);
    for (let i = 0; i < eligible.length; i++) {
      const target = eligible[(this.next + i) % eligible.length]!;
      if (tried.has(target.key)) continue;
      if (tried.size === 0) this.next = (this.next + i + 1) % Math.max(1, eligible.length);
      return { kind: 'send', target: target.key, handle: target.key };
    }
    return { kind: 'reject' };
  }
  report(_handle: unknown, result: UpstreamResult): ReportVerdict { return result.kind !== 'success' ? FAILOVER : REPLY; }
}

/**
 * Portkey gateway `loadbalance` (OSS 1.15): one target drawn at random in proportion to
 * `targets[].weight` (normalised by their sum), here the declared TPM of each target, which is how
 * a user sizes the weights to quotas. No state, no knowledge of remaining quota; with no `retry`
 * and no nested `fallback` in the config a 429 is returned to the client as is.
 * Source: https://portkey.ai/docs/product/ai-gateway/load-balancing ("Weight Normalization ...
 * the weights represent the relative share of requests"); provider-facts.md "Peer behaviour".
 */
class WeightedRandom implements RoutingInstance {
  constructor(private readonly world: World, private readonly random: Random) {}
  begin(): number { return 0; }
  route(request: SimRequest, _now: number, tried: ReadonlySet<string>): RouteDecision {
    if (tried.size > 0) return { kind: 'reject' };
    const eligible = eligibleTargets(this.world, request);
    const total = eligible.reduce((sum, t) => sum + declaredTokens(t), 0);
    let u = this.random.uniform() * total;
    for (const target of eligible) {
      u -= declaredTokens(target);
      if (u < 0) return { kind: 'send', target: target.key, handle: target.key };
    }
    const last = eligible[eligible.length - 1];
    return last ? { kind: 'send', target: last.key, handle: last.key } : { kind: 'reject' };
  }
  report(): ReportVerdict { return REPLY; }
}

export const fixedPrimaryStrategy: Strategy = {
  id: 'fixed-primary',
  label: 'Fixed primary + failover',
  source: 'priority fallback: https://portkey.ai/docs/product/ai-gateway/fallbacks',
  instances: (world, count) => Array.from({ length: count }, () => new FixedPrimary(world)),
};

export const roundRobinStrategy: Strategy = {
  id: 'round-robin',
  label: 'Round robin + failover',
  source: 'https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_next_upstream',
  instances: (world, count) => Array.from({ length: count }, (_, i) => new RoundRobin(world, world.random.fork(0x5151 + i))),
};

export const portkeyStrategy: Strategy = {
  id: 'portkey-loadbalance',
  label: 'Portkey loadbalance (weighted random)',
  source: 'https://portkey.ai/docs/product/ai-gateway/load-balancing',
  instances: (world, count) => Array.from({ length: count }, (_, i) => new WeightedRandom(world, world.random.fork(0x7070 + i))),
};

/** One region called directly (no router): the baseline for the pooling gain. */
export function directStrategy(targetKey: string): Strategy {
  return {
    id: 'single-region',
    label: `Single region (${targetKey})`,
    source: 'direct calls to one endpoint',
    instances: (_world, count) => Array.from({ length: count }, () => ({
      begin: () => 0,
      route: (_request: SimRequest, _now: number, tried: ReadonlySet<string>): RouteDecision => (tried.size > 0 ? { kind: 'reject' } : { kind: 'send', target: targetKey, handle: targetKey }),
      report: (): ReportVerdict => REPLY,
    })),
  };
}
