import { admissionCharge, type LimitKind } from '@headroom/plan';
import { REPLY, type ReportVerdict, type RouteDecision, type RoutingInstance, type SimRequest, type Strategy, type World } from '../model';
import type { Upstream } from '../upstream';
import { eligibleTargets } from './stateless';

/**
 * The reference: perfect, instantaneous knowledge of every emulated endpoint, truth included (it
 * reads the quotas the engine enforces: true limits, burst, refill algorithm, the provider's token
 * count, failure windows). It sends a request to the eligible target with the most true headroom
 * left after it, as a share of the limit, and only when that target will admit it; so it never sees
 * an upstream 429 and refuses only when no endpoint can take the request. Equivalent to pooling the
 * quotas.
 */
class Oracle implements RoutingInstance {
  private readonly upstreams: ReadonlyMap<string, Upstream>;
  constructor(private readonly world: World) {
    if (!world.upstreams) throw new Error('the oracle needs the emulated endpoints (Strategy.readsTruth)');
    this.upstreams = world.upstreams;
  }
  begin(): number { return 0; }
  route(request: SimRequest): RouteDecision {
    let best: { key: string; share: number } | undefined;
    for (const target of eligibleTargets(this.world, request)) {
      const upstream = this.upstreams.get(target.key)!;
      if (upstream.failingNow()) continue;
      const counted = upstream.counted(request);
      const quota = upstream.quota();
      const charge = admissionCharge(target.cost, counted);
      const snapshot = quota.snapshot();
      let share = Number.POSITIVE_INFINITY;
      let fits = true;
      for (const [kind, s] of Object.entries(snapshot) as [LimitKind, NonNullable<(typeof snapshot)[LimitKind]>][]) {
        const after = s.remaining - (charge[kind] ?? 0);
        if (after < 0) { fits = false; break; }
        share = Math.min(share, after / s.limit);
      }
      // Every limiter's remaining is what it admits now (a short burst's bucket holds no more than
      // its capacity; a window no more than its allowance): fitting the snapshot is quota.canAdmit.
      if (fits && (!best || share > best.share)) best = { key: target.key, share };
    }
    return best ? { kind: 'send', target: best.key, handle: best.key } : { kind: 'reject' };
  }
  report(): ReportVerdict { return REPLY; }
}

export const oracleStrategy: Strategy = {
  id: 'oracle',
  label: 'Oracle (pooled, perfect knowledge)',
  source: 'reference: reads the emulated endpoints and their hidden truth directly',
  readsTruth: true,
  instances: (world, count) => Array.from({ length: count }, () => new Oracle(world)),
};
