import { admissionCharge, type LimitKind } from '@headroom/plan';
import { REPLY, type ReportVerdict, type RouteDecision, type RoutingInstance, type SimRequest, type Strategy, type World } from '../model';
import { eligibleTargets } from './stateless';

/**
 * The reference: perfect, instantaneous knowledge of every emulated bucket (it reads the quotas the
 * engine enforces). It sends a request to the eligible target with the most headroom left after it,
 * as a share of the limit, and only when that target will admit it; so it never sees an upstream
 * 429 and refuses only when no bucket can take the request. Equivalent to pooling the quotas.
 */
class Oracle implements RoutingInstance {
  constructor(private readonly world: World) {}
  begin(): number { return 0; }
  route(request: SimRequest): RouteDecision {
    let best: { key: string; share: number } | undefined;
    for (const target of eligibleTargets(this.world, request)) {
      const quota = this.world.upstreams.get(target.key)!.quota();
      const charge = admissionCharge(target.cost, request);
      const snapshot = quota.snapshot();
      let share = Number.POSITIVE_INFINITY;
      let fits = true;
      for (const [kind, s] of Object.entries(snapshot) as [LimitKind, NonNullable<(typeof snapshot)[LimitKind]>][]) {
        const after = s.remaining - (charge[kind] ?? 0);
        if (after < 0) { fits = false; break; }
        share = Math.min(share, after / s.limit);
      }
      if (fits && (!best || share > best.share)) best = { key: target.key, share };
    }
    return best ? { kind: 'send', target: best.key, handle: best.key } : { kind: 'reject' };
  }
  report(): ReportVerdict { return REPLY; }
}

export const oracleStrategy: Strategy = {
  id: 'oracle',
  label: 'Oracle (pooled, perfect knowledge)',
  source: 'reference: reads the emulated buckets directly',
  instances: (world, count) => Array.from({ length: count }, () => new Oracle(world)),
};
