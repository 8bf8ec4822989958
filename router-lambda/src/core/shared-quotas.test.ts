import fc from 'fast-check';
import { compileRouterConfig, definePlan } from '@headroom/plan';
import { InMemorySharedStore } from './in-memory-store';
import { seededRng } from './rng';
import { Router } from './router';
import { config, FAMILIES, providerRefusals, step, type Step } from './shared-quotas.test-helpers';

const steps = fc.array(step, { minLength: 1, maxLength: 120 });

describe('a provider quota shared by two families', () => {
  it('is in the RouterConfig once, and each target names it', () => {
    expect(config.quotas['sonnet-us-east-1']).toMatchObject({ limits: { rpm: 1000, tpm: 30000 }, targets: ['search/bedrock-us-east-1', 'support/bedrock-us-east-1'] });
    expect(config.targets['support/bedrock-us-east-1']!.quota).toBe('sonnet-us-east-1');
  });

  it('one process: the two families together never take more than the quota', async () => {
    await fc.assert(fc.asyncProperty(steps, async (s) => {
      expect((await providerRefusals(config, s, 1)).refused).toBe(0);
    }), { numRuns: 60 });
  });

  it('two router instances sharing a store: never more than the quota together', async () => {
    await fc.assert(fc.asyncProperty(steps, async (s) => {
      expect((await providerRefusals(config, s, 2, new InMemorySharedStore())).refused).toBe(0);
    }), { numRuns: 60 });
  });

  // The control: the same traffic with each family charging only its own target overruns the quota.
  it('without the shared bucket, the two families would each take all of it', async () => {
    const burst: Step[] = Array.from({ length: 40 }, (_, i) => ({ dt: 0, family: FAMILIES[i % 2]!, instance: 0, inputTokens: 1_000, maxTokens: 200, output: 1, delay: 100 }));
    const unshared = { ...config, quotas: {} };
    expect((await providerRefusals(unshared, burst, 1)).refused).toBeGreaterThan(0);
    const sharedRun = await providerRefusals(config, burst, 1);
    expect(sharedRun).toMatchObject({ refused: 0 });
    expect(sharedRun.admitted).toBeGreaterThan(0);
  });
});

describe('status of targets on a shared quota', () => {
  it('reports the quota\'s headroom for a target whose own buckets are untouched, once the other family drained the quota', () => {
    const router = new Router(config, { rng: seededRng(1) });
    let placed = 0;
    while (router.place({ family: 'support', estimate: { inputTokens: 2_000, maxTokens: 1_000 } }, 0).kind === 'placed') placed++;
    expect(placed).toBeGreaterThan(0);
    const status = router.status(0);
    const search = status.targets.find((t) => t.key === 'search/bedrock-us-east-1')!;
    expect(search.buckets.tpm!.remaining).toBe(30_000);
    expect(search.sharedQuota).toBe('sonnet-us-east-1');
    expect(search.headroomPct).toBeLessThan(10);
    expect(status.quotas.map((q) => q.quota)).toEqual(['sonnet-us-east-1']);
    expect(router.place({ family: 'search', estimate: { inputTokens: 2_000, maxTokens: 1_000 } }, 0).kind).toBe('exhausted');
  });
});

describe('rate-limit headers on a shared Anthropic organization quota', () => {
  // Sonnet 4.5 and 4.6 count against one "Sonnet 4.x" limit per organization (Anthropic rate-limits docs).
  const limits = { rpm: 1000, itpm: 30000, otpm: 8000 };
  const anthropicConfig = compileRouterConfig(definePlan({
    version: 1, name: 'two-apps', aws: { account: '111122223333', region: 'us-east-1' },
    quotas: { 'org-sonnet': { limits } },
    families: {
      support: { api: 'anthropic', aliases: ['support-sonnet'], targets: { anthropic: { provider: 'anthropic', model: 'claude-sonnet-4-6', quota: 'org-sonnet', limits } } },
      search: { api: 'anthropic', aliases: ['search-sonnet'], targets: { anthropic: { provider: 'anthropic', model: 'claude-sonnet-4-5', quota: 'org-sonnet', limits } } },
    },
  }));

  it('one family\'s response saying the organization has no input tokens left stops the other family too', () => {
    const router = new Router(anthropicConfig, { rng: seededRng(1) });
    const estimate = { inputTokens: 1_000, maxTokens: 100 };
    const placed = router.place({ family: 'support', estimate }, 0);
    if (placed.kind !== 'placed') throw new Error('expected a placement');
    router.complete(placed.ticket, {
      kind: 'success', usage: { inputTokens: 1_000, outputTokens: 50 },
      observations: [{ kind: 'remaining', bucket: 'itpm', remaining: 0, limit: 30000, observedAt: 0 }],
    }, 0);
    expect(router.place({ family: 'search', estimate }, 0).kind).toBe('exhausted');
  });
});
