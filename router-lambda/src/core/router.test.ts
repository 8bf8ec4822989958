import { compileRouterConfig, definePlan, testing } from '@headroom/plan';
import { MissingLimitError, TicketError, UnknownFamilyError } from './errors';
import { exampleConfig } from './fixtures';
import { seededRng } from './rng';
import { Router, type Placement } from './router';

const config = exampleConfig();
const small = { inputTokens: 1_000, maxTokens: 2_000 };

function placed(p: Placement) {
  if (p.kind !== 'placed') throw new Error(`expected placed, got ${JSON.stringify(p)}`);
  return p;
}

describe('Router', () => {
  it('refuses a config with a missing limit at construction', () => {
    const broken = { ...config, targets: { ...config.targets, 'claude/anthropic': { ...config.targets['claude/anthropic']!, limits: { rpm: 10, itpm: 10 } } } };
    expect(() => new Router(broken, { rng: seededRng(1) })).toThrow(MissingLimitError);
  });

  it('places within the family, charges by the cost model and returns what to share', () => {
    const router = new Router(config, { rng: seededRng(1) });
    const p = placed(router.place({ family: 'claude', estimate: small, residency: 'us' }, 0));
    expect(p.target.key).toBe('claude/bedrock-us-east-1');
    expect(p.ticket).toMatchObject({ target: 'claude/bedrock-us-east-1', charged: { rpm: 1, tpm: 3_000 }, placedAt: 0, probe: false, retry: false });
    expect(router.status(0).families.find((f) => f.family === 'claude')!.retryBudget).toMatchObject({ activeRequests: 1, activeRetries: 0 });
    const done = router.complete(p.ticket, { kind: 'success', usage: { inputTokens: 1_000, outputTokens: 100 }, observations: [] }, 500);
    expect(done).toEqual({ target: 'claude/bedrock-us-east-1', failover: false, shared: { charge: { tpm: -1_500 } }, breaker: 'closed' });
    const status = router.status(500).targets.find((t) => t.key === 'claude/bedrock-us-east-1')!;
    // 27,000 left + 250 refilled in 0.5 s + 1,500 refunded.
    expect(status.buckets.tpm).toEqual({ limit: 30_000, remaining: 28_750, own: 28_750 });
    expect(router.status(500).families.find((f) => f.family === 'claude')!.retryBudget).toMatchObject({ activeRequests: 0, activeRetries: 0 });
  });

  it('throws on an unknown family and on completing a ticket twice', () => {
    const router = new Router(config, { rng: seededRng(1) });
    expect(() => router.place({ family: 'nope', estimate: small }, 0)).toThrow(UnknownFamilyError);
    const p = placed(router.place({ family: 'claude', estimate: small }, 0));
    router.complete(p.ticket, { kind: 'timeout' }, 10);
    expect(() => router.complete(p.ticket, { kind: 'timeout' }, 20)).toThrow(TicketError);
  });

  it('fails over: a throttled target cools (derived when no retry-after), is excluded, and shares its cooldown', () => {
    const router = new Router(config, { rng: seededRng(2) });
    const first = placed(router.place({ family: 'claude', estimate: small, residency: 'eu' }, 0));
    const done = router.complete(first.ticket, { kind: 'throttled', observations: [] }, 100);
    expect(done.failover).toBe(true);
    expect(done.shared.charge).toEqual(first.ticket.target.includes('bedrock') ? { rpm: -1, tpm: -3_000 } : { rpm: -1, itpm: -1_000, otpm: -2_000 });
    expect(done.shared.cooldownUntil).toBeGreaterThan(100);
    expect(router.mayRetry(first.target.key, 100).allowed).toBe(true);
    const second = placed(router.place({ family: 'claude', estimate: small, residency: 'eu' }, 100, undefined, new Set([first.target.key])));
    expect(second.target.key).not.toBe(first.target.key);
    const third = router.place({ family: 'claude', estimate: small, residency: 'eu' }, 100, undefined, new Set([first.target.key, second.target.key]));
    expect(third).toMatchObject({ kind: 'exhausted', reason: 'all-excluded' });
    // Without exclusions the cooled target is still skipped.
    for (let i = 0; i < 2; i++) expect(placed(router.place({ family: 'claude', estimate: small, residency: 'eu' }, 200)).target.key).toBe(second.target.key);
  });

  it('honours shared snapshots: their cooldowns and usage', () => {
    const router = new Router(config, { rng: seededRng(3) });
    const shared = {
      'claude/bedrock-eu-west-1': { windows: [], used: {}, cooldownUntil: 10_000, readAt: 0 },
      'claude/vertex-europe-west1': { windows: [{ start: 0, charge: { otpm: 7_000 } }], used: { otpm: 7_000 }, readAt: 0 },
    };
    const p = router.place({ family: 'claude', estimate: small, residency: 'eu' }, 0, shared);
    expect(p).toMatchObject({ kind: 'exhausted', reason: 'no-headroom' });
    // vertex frees 1000 otpm more (2000 needed) at 8000 per minute = 7.5 s; bedrock-eu cools until 10 s.
    expect(p.kind === 'exhausted' && p.retryAfterMs).toBe(7_500);
  });

  it('exhausted retry-after is exact at a bucket boundary', () => {
    // Refusing on belief alone: with capacity probes the first refusal would be a probe (next test).
    const router = new Router(config, { rng: seededRng(4), capacityProbe: false });
    const big = { inputTokens: 4_000, maxTokens: 6_000 }; // 10000 tpm on bedrock-us
    for (let i = 0; i < 3; i++) placed(router.place({ family: 'claude', estimate: big, residency: 'us' }, 1_234 + i * 2_000));
    const refused = router.place({ family: 'claude', estimate: big, residency: 'us' }, 6_000);
    // 30,000 - 3 x 10,000 + refill at 500/s since: 2,383 left at 6 s; 7,617 more takes 15,234 ms.
    expect(refused).toEqual({ kind: 'exhausted', retryAfterMs: 15_234, retryAt: 21_234, reason: 'no-headroom' });
    expect(router.place({ family: 'claude', estimate: big, residency: 'us' }, 21_233).kind).toBe('exhausted');
    expect(router.place({ family: 'claude', estimate: big, residency: 'us' }, 21_234).kind).toBe('placed');
  });

  it('probes before refusing: one request goes to a target with no 429 for a minute, the next within 10 s is refused', () => {
    const router = new Router(config, { rng: seededRng(4) });
    const big = { inputTokens: 4_000, maxTokens: 6_000 };
    for (let i = 0; i < 3; i++) placed(router.place({ family: 'claude', estimate: big, residency: 'us' }, 1_234 + i * 2_000));
    const probe = placed(router.place({ family: 'claude', estimate: big, residency: 'us' }, 6_000));
    expect(probe.ticket).toMatchObject({ capacityProbe: true, probe: false, target: 'claude/bedrock-us-east-1' });
    // The provider refuses it: our belief (no room) stands, no zeroing, the next probe waits 20 s (doubled).
    router.complete(probe.ticket, { kind: 'throttled', observations: [] }, 6_040);
    expect(router.place({ family: 'claude', estimate: big, residency: 'us' }, 7_000)).toMatchObject({ kind: 'exhausted', reason: 'no-headroom', retryAt: 21_234 });
    expect(router.place({ family: 'claude', estimate: big, residency: 'us' }, 21_234).kind).toBe('placed');
  });

  it('says when retrying can never help', () => {
    const router = new Router(config, { rng: seededRng(5) });
    expect(router.place({ family: 'claude', estimate: { inputTokens: 1, maxTokens: 40_000 } }, 0)).toEqual({ kind: 'unservable', reason: 'exceeds-every-limit' });
    expect(router.place({ family: 'gpt', estimate: small, residency: 'apac' }, 0)).toEqual({ kind: 'unservable', reason: 'no-target-serves-pin' });
  });

  it('opens the breaker after repeated failures and probes it again later', () => {
    const router = new Router(config, { rng: seededRng(6), breaker: { consecutiveFailures: 2, halfOpenAfterMs: 1_000 } });
    const pin = { family: 'claude', estimate: small, residency: 'us' } as const;
    for (let i = 0; i < 2; i++) router.complete(placed(router.place(pin, 0)).ticket, { kind: 'server-error', status: 503 }, 10);
    expect(router.place(pin, 20)).toMatchObject({ kind: 'exhausted', retryAt: 1_010 });
    const probe = placed(router.place(pin, 1_010));
    expect(probe.ticket.probe).toBe(true);
    expect(router.place(pin, 1_011).kind).toBe('exhausted'); // one probe at a time
    expect(router.complete(probe.ticket, { kind: 'success', usage: { inputTokens: 1_000, outputTokens: 10 }, observations: [] }, 1_500).breaker).toBe('closed');
  });

  it('caps concurrent retries per family with the retry budget and counts denials', () => {
    const router = new Router(config, { rng: seededRng(7) });
    const request = { family: 'claude', estimate: { inputTokens: 10, maxTokens: 10 } };
    // Three retries in flight: the minimum concurrency (3) is spent while the family has few active requests.
    const retries = Array.from({ length: 3 }, () => {
      expect(router.mayRetry('claude/anthropic', 0).allowed).toBe(true);
      return placed(router.place(request, 0, undefined, new Set(['claude/anthropic']))).ticket;
    });
    expect(retries.every((t) => t.retry)).toBe(true);
    expect(router.mayRetry('claude/bedrock-us-east-1', 0)).toEqual({ allowed: false, denials: 1 });
    // The other family's budget is its own.
    expect(router.mayRetry('gpt/openai', 0).allowed).toBe(true);
    // A retry that ends frees its slot.
    router.complete(retries[0]!, { kind: 'success', usage: { inputTokens: 10, outputTokens: 1 }, observations: [] }, 1);
    expect(router.mayRetry('claude/anthropic', 1).allowed).toBe(true);
    expect(router.status(1).families.find((f) => f.family === 'claude')!.retryBudget).toEqual({ activeRequests: 2, activeRetries: 2, allowance: 3, denials: 1 });
  });

  it('one failing target never denies failover to healthy ones (the budget is the family\'s, not the target\'s)', () => {
    // Before the breaker opens (5 consecutive failures), every failure on the one bad target may fail over.
    const router = new Router(config, { rng: seededRng(9), strategy: { name: 'anthropic-first', choose: (c) => c.find((x) => x.key === 'claude/anthropic') ?? c[0]! } });
    const request = { family: 'claude', estimate: { inputTokens: 100, maxTokens: 100 } };
    for (let i = 0; i < 5; i++) {
      const first = placed(router.place(request, i * 100));
      expect(first.target.key).toBe('claude/anthropic');
      expect(router.complete(first.ticket, { kind: 'server-error', status: 500 }, i * 100 + 10).failover).toBe(true);
      expect(router.mayRetry(first.target.key, i * 100 + 10).allowed).toBe(true);
      const retry = placed(router.place(request, i * 100 + 10, undefined, new Set([first.target.key])));
      router.complete(retry.ticket, { kind: 'success', usage: { inputTokens: 100, outputTokens: 10 }, observations: [] }, i * 100 + 20);
    }
    expect(router.status(500).families.find((f) => f.family === 'claude')!.retryBudget.denials).toBe(0);
  });

  it('releases a ticket that was never sent: reservation returned, no breaker, cooldown or budget effect', () => {
    const router = new Router(config, { rng: seededRng(10), breaker: { consecutiveFailures: 1 } });
    const pin = { family: 'claude', estimate: small, residency: 'us' } as const;
    const before = router.status(0).targets.find((t) => t.key === 'claude/bedrock-us-east-1')!;
    for (let i = 0; i < 20; i++) {
      const p = placed(router.place(pin, 0));
      expect(router.release(p.ticket, 0)).toEqual({ target: 'claude/bedrock-us-east-1', failover: false, shared: { charge: { rpm: -1, tpm: -3_000 } }, breaker: 'closed' });
      expect(() => router.release(p.ticket, 0)).toThrow(TicketError);
    }
    const after = router.status(0);
    expect(after.targets.find((t) => t.key === 'claude/bedrock-us-east-1')).toEqual(before);
    expect(after.families.find((f) => f.family === 'claude')!.retryBudget.activeRequests).toBe(0);
  });

  it('releasing a half-open probe frees the probe slot without closing or reopening the breaker', () => {
    const router = new Router(config, { rng: seededRng(11), breaker: { consecutiveFailures: 1, halfOpenAfterMs: 1_000 } });
    const pin = { family: 'claude', estimate: small, residency: 'us' } as const;
    router.complete(placed(router.place(pin, 0)).ticket, { kind: 'timeout' }, 0);
    const probe = placed(router.place(pin, 1_000));
    expect(probe.ticket.probe).toBe(true);
    expect(router.release(probe.ticket, 1_000).breaker).toBe('half-open');
    expect(placed(router.place(pin, 1_001)).ticket.probe).toBe(true);
  });

  it('caps cooldowns at routing.maxCooldownMs, ignores implausible shared ones and tells clients no more', () => {
    const capped = { ...config, routing: { ...config.routing, maxCooldownMs: 120_000 } };
    const router = new Router(capped, { rng: seededRng(12) });
    const pin = { family: 'claude', estimate: small, residency: 'us' } as const;
    const p = placed(router.place(pin, 0));
    const done = router.complete(p.ticket, { kind: 'throttled', retryAfterMs: 31_536_000_000, observations: [] }, 0);
    expect(done.shared.cooldownUntil).toBe(120_000);
    expect(router.place(pin, 1_000)).toMatchObject({ kind: 'exhausted', retryAt: 120_000 });
    expect(router.nextAvailableMs(pin, 1_000)).toBe(119_000);
    expect(router.clientRetryAfter(31_536_000_000).seconds).toBeLessThanOrEqual(120);
    // A shared item from before the cap (a year out) is not honoured; one within the cap is.
    const fresh = new Router(capped, { rng: seededRng(13) });
    const year = { 'claude/bedrock-us-east-1': { windows: [], used: {}, cooldownUntil: 31_536_000_000, readAt: 0 } };
    expect(fresh.place(pin, 0, year).kind).toBe('placed');
    const soon = { 'claude/bedrock-us-east-1': { windows: [], used: {}, cooldownUntil: 60_000, readAt: 0 } };
    expect(fresh.place(pin, 0, soon)).toMatchObject({ kind: 'exhausted', retryAt: 60_000 });
  });

  it('applies header observations: a target that reports little remaining is avoided', () => {
    const router = new Router(compileRouterConfig(definePlan(testing.examplePlanInput())), { rng: seededRng(8) });
    const p = placed(router.place({ family: 'claude', estimate: small }, 0, undefined, new Set(['claude/bedrock-us-east-1', 'claude/bedrock-eu-west-1', 'claude/vertex-europe-west1'])));
    router.complete(p.ticket, { kind: 'success', usage: { inputTokens: 1_000, outputTokens: 10 }, observations: [{ kind: 'remaining', bucket: 'otpm', remaining: 100, observedAt: 50 }] }, 50);
    const status = router.status(50);
    expect(status.strategy).toBe('argmax-when-fresh');
    expect(status.targets.find((t) => t.key === 'claude/anthropic')!.buckets.otpm?.header).toBe(100);
    for (let i = 0; i < 20; i++) expect(placed(router.place({ family: 'claude', estimate: small }, 60)).target.key).not.toBe('claude/anthropic');
    expect(JSON.parse(JSON.stringify(status))).toEqual(status);
  });
});
