import { compileRouterConfig, definePlan, type RouterTarget } from '@headroom/plan';
import { ManualClock } from '@headroom/emulator';
import { Router } from '@headroom/router-lambda';
import { runSimulation } from './engine';
import { runAtMultiple } from './measure';
import type { Strategy, World } from './model';
import { chatbotPlan, scenarios } from './scenarios';
import { headroomStrategy } from './strategies/headroom';
import { oracleStrategy, oracleWithHorizon } from './strategies/oracle';
import { Random } from './random';
import { TrafficStream } from './traffic';
import type { ProviderTruth } from './truth';
import { Upstream } from './upstream';

const config = compileRouterConfig(definePlan(chatbotPlan()));
const US = 'chatbot/bedrock-us-east-1';
const usEast: RouterTarget = config.targets[US]!;
// Bedrock reserves prompt + max_tokens at admission (docs.aws.amazon.com/bedrock/latest/userguide/quotas-token-burndown.html):
// each of these requests takes 1,000 + 1,000 = 2,000 of the declared 30,000 TPM, so 15 fit at once as declared.
const REQUEST = { inputTokens: 1_000, maxTokens: 1_000 };

/** How many REQUESTs the endpoint admits back to back at the clock's instant. */
function admitAtOnce(upstream: Upstream): number {
  let admitted = 0;
  while (upstream.admit(REQUEST).admitted) admitted++;
  return admitted;
}

function endpoint(truth?: ProviderTruth, at = 0): { upstream: Upstream; clock: ManualClock } {
  const clock = new ManualClock(at);
  return { upstream: new Upstream(usEast, clock, undefined, undefined, truth), clock };
}

describe('ProviderTruth: what the emulated provider admits', () => {
  it('as declared without a truth: 30,000 / 2,000 = 15 at once', () => {
    expect(admitAtOnce(endpoint().upstream)).toBe(15);
  });

  it('quotaFactor 0.5 admits floor(15,000 / 2,000) = 7; 1.4 admits 42,000 / 2,000 = 21', () => {
    expect(admitAtOnce(endpoint({ quotaFactor: 0.5 }).upstream)).toBe(7);
    expect(admitAtOnce(endpoint({ quotaFactor: 1.4 }).upstream)).toBe(21);
  });

  it('a per-kind quotaFactor applies to that limit only: rpm 1,000 x 0.005 = 5 requests', () => {
    expect(admitAtOnce(endpoint({ quotaFactor: { rpm: 0.005 } }).upstream)).toBe(5);
  });

  it('a 30 s burst holds 15,000: 7 at once, and still 7 after resting a minute', () => {
    const { upstream, clock } = endpoint({ burstMs: 30_000 });
    expect(admitAtOnce(upstream)).toBe(7);
    clock.advance(60_000);
    expect(admitAtOnce(upstream)).toBe(7);
  });

  it('a fixed window admits 15 at 0:59 and 15 more at 1:00; a sliding window admits none at 1:00', () => {
    const fixed = endpoint({ refill: 'fixed-window' }, 59_000);
    const sliding = endpoint({ refill: 'sliding-window' }, 59_000);
    expect(admitAtOnce(fixed.upstream)).toBe(15);
    expect(admitAtOnce(sliding.upstream)).toBe(15);
    fixed.clock.advance(1_000);
    sliding.clock.advance(1_000);
    expect(admitAtOnce(fixed.upstream)).toBe(15);
    expect(admitAtOnce(sliding.upstream)).toBe(0);
  });

  it("tokenizerRatio 1.2 charges 1,200 + 1,000 per request (13 fit) and reports the provider's count", () => {
    const { upstream } = endpoint({ tokenizerRatio: 1.2 });
    expect(admitAtOnce(upstream)).toBe(13);
    const fresh = endpoint({ tokenizerRatio: 1.2 }).upstream;
    const admission = fresh.admit(REQUEST);
    if (!admission.admitted) throw new Error('expected admission');
    const settled = fresh.settle(admission.quota, admission.ticket, { inputTokens: 1_000, outputTokens: 100 });
    expect(settled.usage).toEqual({ inputTokens: 1_200, outputTokens: 100 });
    // Settled at 1,200 + 100 x 5 (Bedrock's output burn for Claude) = 1,700 of 30,000.
    expect(fresh.quota().charged()).toEqual({ rpm: 1, tpm: 1_700 });
  });

  it('canAdmit agrees with admit and charges nothing', () => {
    const { upstream } = endpoint({ quotaFactor: 0.5 });
    for (let i = 0; i < 7; i++) {
      expect(upstream.canAdmit(REQUEST)).toBe(true);
      upstream.admit(REQUEST);
    }
    expect(upstream.canAdmit(REQUEST)).toBe(false);
    expect(upstream.quota().charged()).toEqual({ rpm: 7, tpm: 14_000 });
  });
});

describe('the truth is hidden from routers and peers', () => {
  const scenario = scenarios(20).find((s) => s.id === 'truth-us-east-half')!;
  const capture = (inner: Strategy) => {
    const worlds: World[] = [];
    const strategy: Strategy = { ...inner, instances: (world, count) => { worlds.push(world); return inner.instances(world, count); } };
    return { strategy, worlds };
  };

  it('Headroom gets the plan (us-east-1 at its declared 30k TPM) and no endpoints; the oracle gets the endpoints', async () => {
    const headroom = capture(headroomStrategy());
    await runAtMultiple(scenario, headroom.strategy, 1, 1);
    const world = headroom.worlds[0]!;
    expect(world.upstreams).toBeUndefined();
    expect(world.config.targets[US]!.limits.tpm).toBe(30_000);
    expect(JSON.stringify({ ...world, random: undefined })).not.toMatch(/quotaFactor|truth/);
    // A router built from that world believes the declared figure.
    const router = new Router(world.config, { rng: () => 0.5 });
    expect(router.status(0).targets.find((t) => t.key === US)!.buckets.tpm!.limit).toBe(30_000);

    const oracle = capture(oracleStrategy);
    await runAtMultiple(scenario, oracle.strategy, 1, 1);
    expect(oracle.worlds[0]!.upstreams!.get(US)!.quota().limits.tpm).toBe(15_000);
  });

  it('the oracle reads the truth (true limits, burst, refill, token count): overloaded at 3.2x, it still never meets an upstream 429', async () => {
    for (const id of ['truth-us-east-half', 'truth-burst-30s', 'truth-fixed-window', 'truth-sliding-window', 'truth-tokenizer', 'truth-mixed']) {
      const s = scenarios(20).find((x) => x.id === id)!;
      const run = await runAtMultiple(s, oracleStrategy, 1, 3.2);
      expect({ id, upstream429: run.upstream429 }).toEqual({ id, upstream429: 0 });
    }
  });

  it('the oracle steers around a dark region: no outage answers while us-east-1 answers 503', async () => {
    const s = scenarios(30).find((x) => x.id === 'region-dark')!;
    const run = await runAtMultiple(s, oracleStrategy, 1, 1.5);
    expect(run.clientOutage).toBe(0);
    expect(run.byTarget[US]!.attempts).toBeGreaterThan(0);
  });
});

describe('the oracle holds as long as the truth says, within the plan\'s hold allowance', () => {
  // Every region counts per clock minute and is full: the first admits again at the next minute.
  const oracleAt = (at: number) => {
    const clock = new ManualClock(at);
    const targets = config.families.chatbot!.targets.map((key) => config.targets[key]!);
    const upstreams = new Map(targets.map((t) => [t.key, new Upstream(t, clock, undefined, undefined, { refill: 'fixed-window' })]));
    for (const upstream of upstreams.values()) while (upstream.admit(REQUEST).admitted);
    const world: World = { config, family: 'chatbot', targets, upstreams, random: new Random(1) };
    const oracle = oracleStrategy.instances(world, 1)[0]!;
    const request = { ...REQUEST, logical: 0, family: 'chatbot', outputTokens: 10 };
    oracle.begin(request, at);
    return oracle.route(request, at, new Set(), []);
  };

  it('holds 1,500 ms at 0:58.5 (the windows reset at 1:00, within the default 2 s hold)', () => {
    expect(config.routing.hold.maxMs).toBe(2_000);
    expect(oracleAt(58_500)).toEqual({ kind: 'hold', waitMs: 1_500 });
  });

  it('refuses at 0:50, when the wait (10 s) is beyond the hold allowance', () => {
    expect(oracleAt(50_000)).toEqual({ kind: 'reject' });
  });
});

describe('the oracle uses a window about to reset before a bucket', () => {
  // At 0:55: us-east-1 counts per clock minute and has 12,000 of 30,000 left (reset in 5 s);
  // eu-west-1 is a bucket with 18,000 left; ap-southeast-1 is empty.
  const choose = (strategy: Strategy) => {
    const clock = new ManualClock(55_000);
    const targets = config.families.chatbot!.targets.map((key) => config.targets[key]!);
    const truth: Record<string, ProviderTruth> = { [US]: { refill: 'fixed-window' } };
    const upstreams = new Map(targets.map((t) => [t.key, new Upstream(t, clock, undefined, undefined, truth[t.key])]));
    const fill = (key: string, times: number) => { for (let i = 0; i < times; i++) upstreams.get(key)!.admit(REQUEST); };
    fill(US, 9);
    fill('chatbot/bedrock-eu-west-1', 6);
    fill('chatbot/bedrock-ap-southeast-1', 15);
    const world: World = { config, family: 'chatbot', targets, upstreams, random: new Random(1) };
    const oracle = strategy.instances(world, 1)[0]!;
    const request = { ...REQUEST, logical: 0, family: 'chatbot', outputTokens: 10 };
    oracle.begin(request, 55_000);
    return oracle.route(request, 55_000, new Set(), []);
  };

  it('right after admission eu-west-1 has the larger share (16,000 vs 10,000 of 30,000)', () => {
    expect(choose(oracleWithHorizon(0))).toMatchObject({ kind: 'send', target: 'chatbot/bedrock-eu-west-1' });
  });

  it('30 s on, us-east-1 has reset to its whole 30,000: the oracle uses it first', () => {
    expect(choose(oracleStrategy)).toMatchObject({ kind: 'send', target: US });
  });
});

describe('truth in the engine', () => {
  const stream = new TrafficStream({}, 20 * 60_000, 3);
  it('rejects a truth for a target outside the family', async () => {
    await expect(runSimulation({ config, family: 'chatbot', stream, ratePerMin: 5, strategy: oracleStrategy, truth: { nope: { quotaFactor: 2 } } })).rejects.toThrow(/truth for "nope"/);
  });
});
