import { compileRouterConfig, definePlan, loadPlanFileOrThrow } from '@headroom/plan';
import { resolve } from 'node:path';
import { runSimulation } from './engine';
import { headroomOnStream } from './bench/spread';
import { bisect } from './measure';
import { simulatePlanMultiplier } from './plan-simulate';
import { chatbotPlan } from './scenarios';
import { headroomStrategy } from './strategies/headroom';
import { liteLlmStrategy } from './strategies/litellm';
import { oracleStrategy } from './strategies/oracle';
import { directStrategy, portkeyStrategy, roundRobinStrategy } from './strategies/stateless';
import type { ReportVerdict, RouteDecision, SimRequest, Strategy } from './model';
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
  it('stream 0 is the benchmark\'s Headroom; another stream is another deterministic run of the same traffic', async () => {
    const benchmark = await runSimulation({ ...base, ratePerMin: 34, strategy: headroomStrategy() });
    expect(await runSimulation({ ...base, ratePerMin: 34, strategy: headroomOnStream(0) })).toEqual(benchmark);
    const other = await runSimulation({ ...base, ratePerMin: 34, strategy: headroomOnStream(3) });
    expect(await runSimulation({ ...base, ratePerMin: 34, strategy: headroomOnStream(3) })).toEqual(other);
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
