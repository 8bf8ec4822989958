import { compileRouterConfig, definePlan, loadPlanFileOrThrow } from '@headroom/plan';
import { resolve } from 'node:path';
import { runSimulation } from './engine';
import { bisect } from './measure';
import { simulatePlanMultiplier } from './plan-simulate';
import { chatbotPlan } from './scenarios';
import { headroomStrategy } from './strategies/headroom';
import { liteLlmStrategy } from './strategies/litellm';
import { oracleStrategy } from './strategies/oracle';
import { directStrategy, portkeyStrategy } from './strategies/stateless';
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

describe('bisect', () => {
  it('finds the highest rate within the tolerance', async () => {
    const fake = async (rate: number) => ({ ratePerMin: rate, client429Rate: rate > 10 ? 1 : 0 }) as Awaited<ReturnType<typeof runSimulation>>;
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
