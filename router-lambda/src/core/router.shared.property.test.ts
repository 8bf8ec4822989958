import fc from 'fast-check';
import { ManualClock, TargetQuota, type QuotaTicket } from '@headroom/emulator';
import type { Charge, LimitKind } from '@headroom/plan';
import type { SharedStore } from './contracts';
import { exampleConfig } from './fixtures';
import { InMemorySharedStore } from './in-memory-store';
import { seededRng } from './rng';
import { Router, type Ticket } from './router';
import { powerOfTwoChoices } from './selection';

/**
 * The router with the shared store (what the benchmark's stale-100 scenario runs): the store's
 * evidence must be neither too conservative (one instance with a store = one instance alone) nor
 * too optimistic (N instances together stay within one provider bucket).
 */
const config = exampleConfig();
const KINDS: readonly LimitKind[] = ['rpm', 'tpm', 'itpm', 'otpm'];

const step = fc.record({
  dt: fc.integer({ min: 0, max: 3_000 }),
  inputTokens: fc.integer({ min: 0, max: 6_000 }),
  maxTokens: fc.integer({ min: 1, max: 6_000 }),
  residency: fc.constantFrom(undefined, undefined, 'eu' as const),
  outcome: fc.constantFrom('success', 'success', 'throttled', 'timeout', 'open'),
  output: fc.double({ min: 0, max: 1, noNaN: true }),
  delay: fc.integer({ min: 0, max: 6 }),
  instance: fc.nat(),
});
type Step = typeof step extends fc.Arbitrary<infer T> ? T : never;

interface Pending { due: number; router: Router; ticket: Ticket; s: Step; quotaTicket?: QuotaTicket }

/** Drive one router (optionally through the store, as pipeline.ts does); returns every decision. */
async function decisions(steps: readonly Step[], seed: number, store?: SharedStore): Promise<string[]> {
  // A fixed strategy: this is about the store's evidence. (The default blends in p2c while a snapshot
  // holds no charge at all, which one instance cannot tell from the first of many: freshness.ts.)
  const router = new Router(config, { rng: seededRng(seed), strategy: powerOfTwoChoices });
  const keys = config.families.claude!.targets;
  const pending: Pending[] = [];
  const out: string[] = [];
  let now = 0;
  for (const [i, s] of steps.entries()) {
    now += s.dt;
    for (const p of pending.filter((p) => p.due <= i)) {
      pending.splice(pending.indexOf(p), 1);
      const usage = { inputTokens: p.ticket.estimate.inputTokens, outputTokens: Math.floor(p.s.output * p.ticket.estimate.maxTokens) };
      const outcome = p.s.outcome === 'success' ? { kind: 'success' as const, usage, observations: [] } : p.s.outcome === 'throttled' ? { kind: 'throttled' as const, observations: [] } : { kind: 'timeout' as const };
      const done = router.complete(p.ticket, outcome, now);
      if (done.shared.charge) await store?.add(p.ticket.target, done.shared.charge, now);
      if (done.shared.cooldownUntil !== undefined) await store?.cooldown(p.ticket.target, done.shared.cooldownUntil, now);
    }
    const shared = store ? await store.read(keys, now) : undefined;
    const placement = router.place({ family: 'claude', estimate: { inputTokens: s.inputTokens, maxTokens: s.maxTokens }, ...(s.residency ? { residency: s.residency } : {}) }, now, shared);
    out.push(placement.kind === 'placed' ? placement.target.key : placement.kind === 'exhausted' ? `retry@${placement.retryAt}` : placement.reason);
    if (placement.kind !== 'placed') continue;
    await store?.add(placement.target.key, placement.ticket.charged, now);
    if (s.outcome !== 'open') pending.push({ due: i + 1 + s.delay, router, ticket: placement.ticket, s });
  }
  return out;
}

describe('Router with the shared store', () => {
  it('one instance with the store (lag 0) admits exactly what one instance alone admits', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 150 }), fc.integer(), async (steps, seed) => {
        expect(await decisions(steps, seed, new InMemorySharedStore())).toEqual(await decisions(steps, seed));
      }),
      { numRuns: 100 },
    );
  });

  it('N instances sharing the store never admit what one provider bucket refuses, beyond what concurrency explains', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 200 }), fc.integer(), fc.integer({ min: 2, max: 8 }), async (steps, seed, n) => {
        const store = new InMemorySharedStore();
        const routers = Array.from({ length: n }, (_, i) => new Router(config, { rng: seededRng(seed + i) }));
        const clock = new ManualClock(0);
        const quotas = new Map(Object.values(config.targets).map((t) => [t.key, new TargetQuota(t.key, t.limits, t.cost, clock)]));
        const keys = config.families.claude!.targets;
        const pending: Pending[] = [];
        // Refunds (negative settlements) per target: the store keeps 10-s sums, so it cannot tell
        // whether a refund came before or after the provider's bucket was full again.
        const refunds: { target: string; at: number; router: Router; amount: Charge }[] = [];
        let now = 0;
        for (const [i, s] of steps.entries()) {
          now += s.dt;
          clock.advance(s.dt);
          for (const p of pending.filter((p) => p.due <= i)) {
            pending.splice(pending.indexOf(p), 1);
            const usage = { inputTokens: p.ticket.estimate.inputTokens, outputTokens: Math.floor(p.s.output * p.ticket.estimate.maxTokens) };
            const done = p.router.complete(p.ticket, { kind: 'success', usage, observations: [] }, now);
            quotas.get(p.ticket.target)!.settle(p.quotaTicket!, usage);
            if (done.shared.charge) await store.add(p.ticket.target, done.shared.charge, now);
            refunds.push({ target: p.ticket.target, at: now, router: p.router, amount: done.shared.charge ?? {} });
          }
          const router = routers[s.instance % n]!;
          const estimate = { inputTokens: s.inputTokens, maxTokens: s.maxTokens };
          const placement = router.place({ family: 'claude', estimate, ...(s.residency ? { residency: s.residency } : {}) }, now, await store.read(keys, now));
          if (placement.kind !== 'placed') continue;
          await store.add(placement.target.key, placement.ticket.charged, now);
          const quota = quotas.get(placement.target.key)!;
          const before = quota.snapshot();
          const admitted = quota.tryAdmit(estimate);
          if (!admitted.admitted) {
            // The only slack: other instances' refunds on this target within the last two sub-windows.
            for (const kind of KINDS) {
              const over = (placement.ticket.charged[kind] ?? 0) - (before[kind]?.remaining ?? Number.POSITIVE_INFINITY);
              const slack = refunds
                .filter((r) => r.target === placement.target.key && r.router !== router && r.at > now - 20_000)
                .reduce((sum, r) => sum - Math.min(0, r.amount[kind] ?? 0), 0);
              // + 1: the provider's snapshot floors `remaining` to whole tokens, so a refusal the
              // router missed by a fraction of a token (float arithmetic in the replay) reads as 1.
              expect(over).toBeLessThanOrEqual(slack + 1);
            }
            continue;
          }
          if (s.outcome === 'success') pending.push({ due: i + 1 + s.delay, router, ticket: placement.ticket, s, quotaTicket: admitted.ticket });
        }
      }),
      { numRuns: 150 },
    );
  });
});
