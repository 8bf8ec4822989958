import fc from 'fast-check';
import { ManualClock, TargetQuota, type QuotaTicket } from '@headroom/emulator';
import { compileRouterConfig, definePlan, type PlanInput, type RouterConfig } from '@headroom/plan';
import type { SharedStore } from './contracts';
import { seededRng } from './rng';
import { Router, type Ticket } from './router';

/** Two apps (families) on one Bedrock quota: same account, source region, model and profile. Each may take all of it alone. */
function twoAppsOnOneQuota(): PlanInput {
  const target = { provider: 'bedrock', region: 'us-east-1', model: 'anthropic.claude-sonnet-4-6', profile: 'us', quota: 'sonnet-us-east-1', limits: { rpm: 1000, tpm: 30000 } } as const;
  return {
    version: 1, name: 'two-apps', aws: { account: '111122223333', region: 'us-east-1' },
    quotas: { 'sonnet-us-east-1': { limits: { rpm: 1000, tpm: 30000 } } },
    families: {
      support: { api: 'anthropic', aliases: ['support-sonnet'], targets: { 'bedrock-us-east-1': target } },
      search: { api: 'anthropic', aliases: ['search-sonnet'], targets: { 'bedrock-us-east-1': target } },
    },
  };
}

export const config = compileRouterConfig(definePlan(twoAppsOnOneQuota()));
export const FAMILIES = ['support', 'search'] as const;

export const step = fc.record({
  dt: fc.integer({ min: 0, max: 400 }),
  family: fc.constantFrom(...FAMILIES),
  instance: fc.constantFrom(0, 1),
  inputTokens: fc.integer({ min: 500, max: 6_000 }),
  maxTokens: fc.integer({ min: 1, max: 2_000 }),
  output: fc.double({ min: 0, max: 1, noNaN: true }),
  delay: fc.integer({ min: 0, max: 5 }),
});
export type Step = typeof step extends fc.Arbitrary<infer T> ? T : never;

/**
 * Drive routers as route.ts does (read the store under storeKeys, charge each key) against the
 * provider's own bucket for the one shared quota (the emulator). Returns how often the provider
 * would have refused what a router admitted.
 */
export async function providerRefusals(cfg: RouterConfig, steps: readonly Step[], instances: number, store?: SharedStore, start = 0): Promise<{ refused: number; admitted: number }> {
  const clock = new ManualClock(start);
  const quota = cfg.quotas['sonnet-us-east-1'] ?? config.quotas['sonnet-us-east-1']!;
  const provider = new TargetQuota(quota.id, quota.limits, config.targets['support/bedrock-us-east-1']!.cost, clock);
  const routers = Array.from({ length: instances }, (_, i) => new Router(cfg, { rng: seededRng(i + 1) }));
  const pending: { due: number; router: Router; ticket: Ticket; usage: { inputTokens: number; outputTokens: number }; quotaTicket?: QuotaTicket }[] = [];
  let refused = 0;
  let admitted = 0;
  for (const [i, s] of steps.entries()) {
    clock.advance(s.dt);
    const now = clock.now();
    for (const p of pending.filter((q) => q.due <= i)) {
      pending.splice(pending.indexOf(p), 1);
      const completion = p.router.complete(p.ticket, { kind: 'success', usage: p.usage, observations: [] }, now);
      if (p.quotaTicket) provider.settle(p.quotaTicket, p.usage);
      if (completion.shared.charge) for (const key of p.router.storeKeys([p.ticket.target])) await store?.add(key, completion.shared.charge, now);
    }
    const router = routers[s.instance % instances]!;
    const targets = cfg.families[s.family]!.targets;
    const shared = store ? await store.read(router.storeKeys(targets), now) : undefined;
    const estimate = { inputTokens: s.inputTokens, maxTokens: s.maxTokens };
    const placement = router.place({ family: s.family, estimate }, now, shared);
    if (placement.kind !== 'placed') continue;
    admitted++;
    for (const key of router.storeKeys([placement.target.key])) await store?.add(key, placement.ticket.charged, now);
    const decision = provider.tryAdmit(estimate);
    if (!decision.admitted) refused++;
    const usage = { inputTokens: s.inputTokens, outputTokens: Math.floor(s.output * s.maxTokens) };
    pending.push({ due: i + 1 + s.delay, router, ticket: placement.ticket, usage, ...(decision.admitted ? { quotaTicket: decision.ticket } : {}) });
  }
  return { refused, admitted };
}

