import { compileRouterConfig, definePlan, loadPlanFileOrThrow } from '@headroom/plan';
import { resolve } from 'node:path';
import { largestThreshold, MAX_HOLDS_PER_CALL, runSimulation } from './engine';
import { headroomOnStream } from './bench/spread';
import { bisect } from './measure';
import { simulatePlanMultiplier } from './plan-simulate';
import { chatbotPlan } from './scenarios';
import { headroomStrategy } from './strategies/headroom';
import { liteLlmStrategy } from './strategies/litellm';
import { oracleStrategy } from './strategies/oracle';
import { directStrategy, portkeyStrategy, roundRobinStrategy } from './strategies/stateless';
import type { ReportVerdict, RouteDecision, SimRequest, Strategy, UpstreamResult } from './model';
import type { ProviderTruth } from './truth';
import { TrafficStream } from './traffic';
import { synthesizeHeaders } from './upstream';

const config = compileRouterConfig(definePlan(chatbotPlan()));
const stream = new TrafficStream({}, 20 * 60_000, 7);
const base = { config, family: 'chatbot', stream, warmupMs: 60_000 } as const;

describe('traffic', () => {
  it('replays the same requests at any rate (common random numbers), arrivals stretched', () => {
    const slow = stream.at(10);
    const fast = stream.at(20);
    expect(fast.length).toBeGreaterThan(slow.length * 1.8);
    expect(fast[0]!.request).toEqual(slow[0]!.request);
    expect(fast[0]!.t).toBeCloseTo(slow[0]!.t / 2, 6);
  });
});

describe('runSimulation', () => {
  it('is deterministic under a seed', async () => {
    const a = await runSimulation({ ...base, ratePerMin: 30, strategy: headroomStrategy() });
    const b = await runSimulation({ ...base, ratePerMin: 30, strategy: headroomStrategy() });
    expect(a).toEqual(b);
  });

  it('the oracle never sees an upstream 429; a single region overloaded does', async () => {
    const oracle = await runSimulation({ ...base, ratePerMin: 40, strategy: oracleStrategy });
    expect(oracle.upstream429).toBe(0);
    const single = await runSimulation({ ...base, ratePerMin: 40, strategy: directStrategy('chatbot/bedrock-us-east-1') });
    expect(single.client429Rate).toBeGreaterThan(0.3);
  });

  it('Headroom (the real core) keeps client 429s near zero below the pooled quota, unlike weighted random', async () => {
    const headroom = await runSimulation({ ...base, ratePerMin: 28, strategy: headroomStrategy() });
    const portkey = await runSimulation({ ...base, ratePerMin: 28, strategy: portkeyStrategy });
    expect(headroom.client429Rate).toBeLessThan(0.01);
    expect(headroom.client429Rate).toBeLessThanOrEqual(portkey.client429Rate);
  });

  it('runs 100 instances over a lagged shared store and LiteLLM pods with per-pod counters', async () => {
    const headroom = await runSimulation({ ...base, ratePerMin: 25, strategy: headroomStrategy(), instances: 100, store: { visibilityLagMs: 1000 } });
    const litellm = await runSimulation({ ...base, ratePerMin: 25, strategy: liteLlmStrategy(), instances: 100 });
    expect(headroom.clientCalls).toBe(litellm.clientCalls);
    expect(headroom.addedLatencyP50Ms).toBeGreaterThanOrEqual(4);
  });
});

describe('client answers', () => {
  /** A router that refuses every call itself with `status`, and records when each call reached it. */
  const refuser = (status: number, retryAfterMs?: number) => {
    const seen = new Map<number, number[]>();
    const strategy: Strategy = {
      id: 'refuser', label: 'refuser', source: 'test',
      instances: (_world, count) => Array.from({ length: count }, () => ({
        begin: () => 0,
        route: (request: SimRequest, now: number): RouteDecision => {
          seen.set(request.logical, [...(seen.get(request.logical) ?? []), now]);
          return { kind: 'reject', status, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
        },
        report: (): ReportVerdict => ({ kind: 'reply' }),
      })),
    };
    return { strategy, seen };
  };

  it('a 529 outage answer is counted apart from 429s, in the refusal rate, and retried after the router\'s retry-after', async () => {
    const { strategy, seen } = refuser(529, 5_000);
    const run = await runSimulation({ ...base, ratePerMin: 10, strategy, clientRetries: { attempts: 2 } });
    expect(run.client429).toBe(0);
    expect(run.clientOutage).toBe(run.clientCalls);
    expect(run.clientCalls).toBe(3 * run.logicalRequests);
    expect(run.clientRefusedRate).toBe(1);
    expect(run.failedRequests).toBe(run.logicalRequests);
    for (const times of seen.values()) expect(times.slice(1).map((t, i) => t - times[i]!)).toEqual([5_000, 5_000]);
  });

  it('a 400 is neither a 429 nor a refusal, and is not retried', async () => {
    const { strategy } = refuser(400);
    const run = await runSimulation({ ...base, ratePerMin: 10, strategy, clientRetries: { attempts: 2 } });
    expect(run.clientInvalid).toBe(run.clientCalls);
    expect(run.clientCalls).toBe(run.logicalRequests);
    expect(run.clientRefusedRate).toBe(0);
  });

  it('every region dark: Headroom answers outages (529), never quota 429s; peers pass the 5xx through', async () => {
    const failing = config.families.chatbot!.targets.map((target) => ({ target, fromMs: 0, toMs: 20 * 60_000, status: 500 }));
    const headroom = await runSimulation({ ...base, ratePerMin: 10, strategy: headroomStrategy(), failing });
    expect(headroom.successes).toBe(0);
    expect(headroom.client429).toBe(0);
    expect(headroom.clientOutage).toBe(headroom.clientCalls);
    expect(headroom.upstream429).toBe(0);
    const roundRobin = await runSimulation({ ...base, ratePerMin: 10, strategy: roundRobinStrategy, failing });
    expect(roundRobin.client429).toBe(0);
    expect(roundRobin.clientOutage).toBe(roundRobin.clientCalls);
  });

  it('one region dark: Headroom fails its calls over to the healthy two', async () => {
    const failing = [{ target: 'chatbot/bedrock-us-east-1', fromMs: 0, toMs: 20 * 60_000, status: 529 }];
    const run = await runSimulation({ ...base, ratePerMin: 10, strategy: headroomStrategy(), failing });
    expect(run.clientOutage).toBe(0);
    expect(run.client429).toBe(0);
    expect(run.successes).toBe(run.logicalRequests);
  });

  it('rejects a failing target outside the family', async () => {
    await expect(runSimulation({ ...base, ratePerMin: 10, strategy: headroomStrategy(), failing: [{ target: 'nope', fromMs: 0, toMs: 1, status: 500 }] })).rejects.toThrow(/not in family chatbot/);
  });
});

describe('headroomOnStream (bench/spread.ts)', () => {
  // The router draws from its rng only on stale evidence (argmax when fresh): 10 instances over a store seen 1 s late.
  const stale = { ...base, ratePerMin: 34, instances: 10, store: { visibilityLagMs: 1000 } };
  it('stream 0 is the benchmark\'s Headroom; another stream is another deterministic run of the same traffic', async () => {
    const benchmark = await runSimulation({ ...stale, strategy: headroomStrategy() });
    expect(await runSimulation({ ...stale, strategy: headroomOnStream(0) })).toEqual(benchmark);
    const other = await runSimulation({ ...stale, strategy: headroomOnStream(3) });
    expect(await runSimulation({ ...stale, strategy: headroomOnStream(3) })).toEqual(other);
    expect(other.clientCalls).toBe(benchmark.clientCalls);
    expect(other.byTarget).not.toEqual(benchmark.byTarget);
  });
});

describe('bisect', () => {
  it('finds the highest rate within the tolerance', async () => {
    const fake = async (rate: number) => ({ ratePerMin: rate, clientRefusedRate: rate > 10 ? 1 : 0 }) as Awaited<ReturnType<typeof runSimulation>>;
    const result = await bisect(fake, { tolerance: 0.001, hi: 16, iterations: 10 });
    expect(result.ratePerMin).toBeGreaterThan(9.9);
    expect(result.ratePerMin).toBeLessThanOrEqual(10);
  });
});

describe('synthesizeHeaders', () => {
  it('speaks each dialect; Bedrock sends nothing', () => {
    const snapshot = { rpm: { limit: 300, remaining: 299, resetMs: 200 }, tpm: { limit: 30_000, remaining: 1_000, resetMs: 58_000 } };
    expect(synthesizeHeaders('none', snapshot, 0, 500)).toEqual({});
    expect(synthesizeHeaders('azure-openai', snapshot, 0, 1500)).toMatchObject({ 'x-ratelimit-remaining-tokens': '1000', 'retry-after': '2', 'retry-after-ms': '1500' });
  });
});

describe('simulatePlanMultiplier', () => {
  // How fast it runs is a benchmark's business (npm run bench), not a test's.
  it("predicts the example plan's chatbot family above the 2.7x planning rule's 2.5x floor", async () => {
    const { plan } = loadPlanFileOrThrow(resolve(__dirname, '../../../infra/headroom.yaml'));
    const result = await simulatePlanMultiplier(plan, { family: 'chatbot', durationMin: 30, iterations: 6 });
    expect(result.oracleMultiplier).toBeGreaterThan(2.5);
    expect(result.multiplier).toBeGreaterThan(2.5);
    expect(result.ruleOfThumb).toBeCloseTo(2.7, 6);
  });

  it('names the families when the family is unknown', async () => {
    const { plan } = loadPlanFileOrThrow(resolve(__dirname, '../../../infra/headroom.yaml'));
    await expect(simulatePlanMultiplier(plan, { family: 'nope' })).rejects.toThrow(/families: chatbot/);
  });
});

/** A hand-built stream: exactly these arrivals (ms from the start), whatever the rate. */
class FixedStream extends TrafficStream {
  constructor(private readonly arrivals: readonly { t: number; request: { inputTokens: number; maxTokens: number; outputTokens: number } }[], durationMs: number) {
    super({}, durationMs, 1);
  }
  override at(): { t: number; request: { inputTokens: number; maxTokens: number; outputTokens: number } }[] {
    return this.arrivals.map((a) => ({ ...a }));
  }
}

/** A strategy whose route is given; report replies (no failover) unless `failover` says so. */
function scripted(route: (request: SimRequest, now: number, tried: ReadonlySet<string>, failed: readonly string[]) => RouteDecision, failover = false): Strategy {
  return {
    id: 'scripted', label: 'scripted', source: 'test',
    instances: (_world, count) => Array.from({ length: count }, () => ({
      begin: () => 0,
      route,
      report: (_handle: unknown, result: UpstreamResult): ReportVerdict => (failover && result.kind !== 'success' ? { kind: 'failover' } : { kind: 'reply' }),
    })),
  };
}

const US_EAST = 'chatbot/bedrock-us-east-1';
const AP = 'chatbot/bedrock-ap-southeast-1';
const roomy = compileRouterConfig(definePlan(chatbotPlan([10_000_000, 10_000_000, 10_000_000], [], 100_000)));

describe('failure rates by request and by size', () => {
  // One warm-up request (t < 60 s: not measured), then 20 measured: prompt 100 x (j + 1) for j = 0..17,
  // and 2,000 for j = 18 and 19 (a tie at the top); 50 output tokens, max_tokens 100 each.
  const measured = Array.from({ length: 20 }, (_, j) => ({ t: 120_000 + j * 1_000, request: { inputTokens: j >= 18 ? 2_000 : 100 * (j + 1), maxTokens: 100, outputTokens: 50 } }));
  const arrivals = [{ t: 1_000, request: { inputTokens: 5_000, maxTokens: 100, outputTokens: 50 } }, ...measured];
  const failing = new Set([0, 1, 6, 20]); // logical ids: the warm-up one, and measured j = 0, 5, 19

  it('failureRate, tokenWeightedFailureRate and largestFailureRate match a hand count', async () => {
    const strategy = scripted((request) => (failing.has(request.logical) ? { kind: 'reject' } : { kind: 'send', target: US_EAST, handle: null }));
    const run = await runSimulation({ config: roomy, family: 'chatbot', stream: new FixedStream(arrivals, 10 * 60_000), ratePerMin: 1, strategy, warmupMs: 60_000 });
    expect(run.logicalRequests).toBe(20);
    expect(run.failedRequests).toBe(3);
    expect(run.failureRate).toBeCloseTo(3 / 20, 12);
    // All: prompts 100 + ... + 1,800 = 17,100, plus 2 x 2,000, plus 20 x 50 output = 22,100.
    // Failed: (100 + 50) + (600 + 50) + (2,000 + 50) = 2,850.
    expect(run.tokenWeightedFailureRate).toBeCloseTo(2_850 / 22_100, 12);
    // Top 5% of 20 is one request, and j = 18 ties with j = 19 at 2,100: two requests, one failed.
    expect(run.largestFailureRate).toBe(0.5);
    expect(run.holds).toBe(0);
  });

  it('largestThreshold: the smallest size in the top 5%, ties with it included', () => {
    const sizes = (xs: number[]) => xs.map((inputTokens) => ({ inputTokens, maxTokens: 0 }));
    expect(largestThreshold(sizes(Array.from({ length: 100 }, (_, i) => i + 1)))).toBe(96);
    expect(largestThreshold(sizes([5, 1, 3]))).toBe(5);
    expect(largestThreshold([])).toBe(Infinity);
  });
});

describe('hold decisions', () => {
  const one = (t: number) => [{ t, request: { inputTokens: 100, maxTokens: 100, outputTokens: 10 } }];
  const spec = (strategy: Strategy, arrivals = one(120_000)) => ({ config: roomy, family: 'chatbot', stream: new FixedStream(arrivals, 10 * 60_000), ratePerMin: 1, strategy, warmupMs: 60_000 });

  it('the router places a held call again after waitMs: no client refusal, the wait is added latency', async () => {
    const routedAt: number[] = [];
    const strategy = scripted((_request, now) => {
      routedAt.push(now);
      return routedAt.length <= 3 ? { kind: 'hold', waitMs: 1_000 } : { kind: 'send', target: US_EAST, handle: null };
    });
    const start = Date.UTC(2026, 0, 1);
    const run = await runSimulation(spec(strategy));
    expect(routedAt.map((t) => t - start)).toEqual([120_000, 121_000, 122_000, 123_000]);
    expect(run.holds).toBe(3);
    expect(run.successes).toBe(1);
    expect(run.clientCalls).toBe(1);
    expect(run.client429).toBe(0);
    // 3 holds of 1 s and four decisions of 0.05 ms each (the engine's default decisionMs).
    expect(run.addedLatencyP50Ms).toBeCloseTo(3_000 + 4 * 0.05, 9);
  });

  it('keeps the call\'s tried and failed sets across a hold', async () => {
    const seen: string[] = [];
    let holds = 0;
    const strategy = scripted((_request, _now, tried, failed) => {
      seen.push(`${[...tried].join(',')}|${failed.join(',')}`);
      if (tried.size === 0) return { kind: 'send', target: US_EAST, handle: null };
      if (holds++ === 0) return { kind: 'hold', waitMs: 500 };
      return { kind: 'send', target: AP, handle: null };
    }, true);
    const failing = [{ target: US_EAST, fromMs: 0, toMs: 10 * 60_000, status: 500 }];
    const run = await runSimulation({ ...spec(strategy), failing });
    expect(seen).toEqual(['|', `${US_EAST}|error`, `${US_EAST}|error`]);
    expect(run.successes).toBe(1);
    expect(run.holds).toBe(1);
  });

  it('answers a 429 after MAX_HOLDS_PER_CALL holds', async () => {
    let routes = 0;
    const strategy = scripted(() => { routes++; return { kind: 'hold', waitMs: 100 }; });
    const run = await runSimulation(spec(strategy));
    expect(MAX_HOLDS_PER_CALL).toBe(10);
    expect(routes).toBe(11);
    expect(run.holds).toBe(10);
    expect(run.client429).toBe(1);
    expect(run.failedRequests).toBe(1);
  });
});

describe('latency truth', () => {
  it('rttMs is added to every attempt\'s round trip: a refused attempt on a far region comes back after 40 + 250 ms', async () => {
    const routedAt: number[] = [];
    const strategy = scripted((_request, now, tried) => {
      routedAt.push(now - Date.UTC(2026, 0, 1));
      return tried.size === 0 ? { kind: 'send', target: AP, handle: null } : { kind: 'reject' };
    }, true);
    const arrivals = [{ t: 120_000, request: { inputTokens: 100, maxTokens: 100, outputTokens: 10 } }];
    const run = await runSimulation({
      config: roomy, family: 'chatbot', stream: new FixedStream(arrivals, 10 * 60_000), ratePerMin: 1, strategy, warmupMs: 60_000,
      failing: [{ target: AP, fromMs: 0, toMs: 10 * 60_000, status: 500 }], truth: { [AP]: { rttMs: 250 } },
    });
    // The engine's refused round trip is 40 ms (LatencyModel.rejectRttMs); the far region adds 250.
    expect(routedAt).toEqual([120_000, 120_290]);
    expect(run.clientOutage).toBe(1);
  });

  it('ttftFactor 2 doubles the time to first token; rttMs adds to the response time', async () => {
    const doneAt = async (truth?: ProviderTruth) => {
      let at = 0;
      const strategy: Strategy = {
        id: 'timer', label: 'timer', source: 'test',
        instances: () => [{ begin: () => 0, route: () => ({ kind: 'send', target: AP, handle: null }), report: (_h: unknown, _r: UpstreamResult, now: number) => { at = now; return { kind: 'reply' }; } }],
      };
      const arrivals = [{ t: 120_000, request: { inputTokens: 100, maxTokens: 100, outputTokens: 80 } }];
      await runSimulation({ config: roomy, family: 'chatbot', stream: new FixedStream(arrivals, 10 * 60_000), ratePerMin: 1, strategy, warmupMs: 60_000, ...(truth ? { truth: { [AP]: truth } } : {}) });
      return at - Date.UTC(2026, 0, 1) - 120_000;
    };
    // Response time = TTFT (lognormal, same draw in both runs) + 80 tokens at 80 tokens/s (1,000 ms) + rtt.
    const plain = await doneAt();
    const far = await doneAt({ ttftFactor: 2, rttMs: 250 });
    expect(far - 1_000 - 250).toBeCloseTo(2 * (plain - 1_000), 2); // epoch-ms floats: ~2^-12 ms resolution
  });
});
