import { compileRouterConfig, definePlan, testing, type ResolvedHold, type RouterConfig } from '@headroom/plan';
import { ManualClock } from '@headroom/emulator';
import { headroomWeighted, InMemorySharedStore, MAX_HOLDS_PER_REQUEST, Router, seededRng } from '@headroom/router-lambda';
import { MAX_HOLDS_PER_CALL } from '../engine';
import type { RouteDecision, RoutingInstance, SimRequest, UpstreamResult, World } from '../model';
import { Random } from '../random';
import { azurePlan, chatbotPlan } from '../scenarios';
import { SimSharedStore } from '../shared-store';
import { Upstream } from '../upstream';
import { headroomStrategy } from './headroom';

const chatbot = compileRouterConfig(definePlan(chatbotPlan()));
const azure = compileRouterConfig(definePlan(azurePlan()));

function instanceFor(config: RouterConfig, family: string, store?: SimSharedStore, hold?: ResolvedHold): RoutingInstance {
  const targets = config.families[family]!.targets.map((key) => config.targets[key]!);
  const clock = new ManualClock(0);
  const world: World = { config, family, targets, upstreams: new Map(targets.map((t) => [t.key, new Upstream(t, clock)])), random: new Random(1), ...(store ? { store } : {}) };
  return headroomStrategy(undefined, 'headroom', 'Headroom', hold ? { hold } : {}).instances(world, 1)[0]!;
}

/**
 * One OpenAI target at 60 RPM (tokens to spare): OpenAI counts a request once against RPM, and the
 * bucket refills 60 requests a minute, so after 60 at t = 0 the next fits at 60,000 / 60 = 1,000 ms.
 */
const ONE_REFILL_MS = 1_000;
const sixtyRpm = compileRouterConfig(definePlan({
  ...testing.examplePlanInput(),
  families: { gpt: { api: 'openai', aliases: ['gpt-5.1'], targets: { openai: { provider: 'openai', model: 'gpt-5.1', limits: { rpm: 60, tpm: 10_000_000 } } } } },
}));

/**
 * A 60-RPM instance whose RPM was spent at t = 0 by 60 served calls, each reply carrying OpenAI's
 * x-ratelimit-*-requests headers as the provider would (https://platform.openai.com/docs/guides/rate-limits#rate-limits-in-headers):
 * with fresh provider evidence that the bucket is empty, the core's probe-before-refuse stays out.
 */
async function spentAtZero(hold?: ResolvedHold): Promise<RoutingInstance> {
  const store = new SimSharedStore({ visibilityLagMs: 0 });
  const instance = instanceFor(sixtyRpm, 'gpt', store, hold);
  for (let i = 0; i < 60; i++) {
    const r = request('gpt');
    await instance.begin(r, 0);
    const left = 60 - (i + 1);
    const headers = { 'x-ratelimit-limit-requests': '60', 'x-ratelimit-remaining-requests': String(left), 'x-ratelimit-reset-requests': `${(60 - left) * 1_000}ms` };
    instance.report(sent(instance.route(r, 0, new Set(), [])).handle, { kind: 'success', usage: { inputTokens: 800, outputTokens: 300 }, headers }, 0);
    await store.flush(0);
  }
  return instance;
}

let logical = 0;
function request(family = 'chatbot'): SimRequest {
  return { logical: logical++, family, inputTokens: 800, maxTokens: 1024, outputTokens: 300 };
}

const error500: UpstreamResult = { kind: 'error', status: 500 };
const throttled: UpstreamResult = { kind: 'throttled', headers: {} };

function sent(decision: RouteDecision): Extract<RouteDecision, { kind: 'send' }> {
  if (decision.kind !== 'send') throw new Error(`expected a placement, got ${JSON.stringify(decision)}`);
  return decision;
}

/** One call through route/report until the router answers the client; every attempt ends with `result`. */
function failEverywhere(instance: RoutingInstance, r: SimRequest, result: UpstreamResult, now: number): RouteDecision {
  const tried = new Set<string>();
  const failed: ('throttled' | 'error')[] = [];
  for (;;) {
    const decision = instance.route(r, now, tried, failed);
    if (decision.kind !== 'send') return decision;
    const verdict = instance.report(decision.handle, result, now);
    if (verdict.kind !== 'failover') throw new Error(`expected a failover, got ${JSON.stringify(verdict)}`);
    tried.add(decision.target);
    failed.push(result.kind === 'success' ? 'error' : result.kind);
  }
}

describe('Headroom driven as route.ts drives the core', () => {
  it('a quota refusal is a 429 with the router\'s own retry-after: at least 1 s, jittered, within routing.maxCooldownMs', () => {
    const instance = instanceFor(chatbot, 'chatbot');
    const refusals: RouteDecision[] = [];
    for (let i = 0; i < 500 && refusals.length < 2; i++) {
      const decision = instance.route(request(), 0, new Set(), []);
      if (decision.kind === 'reject') refusals.push(decision);
    }
    expect(refusals).toHaveLength(2);
    for (const refusal of refusals) {
      expect(refusal).toMatchObject({ kind: 'reject', status: 429 });
      const ms = (refusal as { retryAfterMs: number }).retryAfterMs;
      expect(ms).toBeGreaterThanOrEqual(1_000);
      expect(ms).toBeLessThanOrEqual(chatbot.routing.maxCooldownMs);
    }
    // Same wait, two clients: the jitter tells them different times.
    expect((refusals[0] as { retryAfterMs: number }).retryAfterMs).not.toBe((refusals[1] as { retryAfterMs: number }).retryAfterMs);
  });

  it('every target failing with errors is an outage answer (Anthropic 529, OpenAI 503), not a 429', () => {
    const anthropic = failEverywhere(instanceFor(chatbot, 'chatbot'), request(), error500, 0);
    expect(anthropic).toMatchObject({ kind: 'reject', status: 529 });
    expect((anthropic as { retryAfterMs: number }).retryAfterMs).toBeGreaterThanOrEqual(1_000);
    expect(failEverywhere(instanceFor(azure, 'gpt'), request('gpt'), error500, 0)).toMatchObject({ kind: 'reject', status: 503 });
  });

  it('a call that met a 429 on the way is a quota 429 even when the rest failed with errors', () => {
    const instance = instanceFor(chatbot, 'chatbot');
    const r = request();
    const first = sent(instance.route(r, 0, new Set(), []));
    expect(instance.report(first.handle, throttled, 0)).toEqual({ kind: 'failover' });
    const tried = new Set([first.target]);
    const failed: ('throttled' | 'error')[] = ['throttled'];
    for (;;) {
      const decision = instance.route(r, 0, tried, failed);
      if (decision.kind !== 'send') {
        expect(decision).toMatchObject({ kind: 'reject', status: 429 });
        break;
      }
      expect(instance.report(decision.handle, error500, 0)).toEqual({ kind: 'failover' });
      tried.add(decision.target);
      failed.push('error');
    }
  });

  it('once every breaker is open (reason breakers-open), a fresh call gets the outage answer', () => {
    const instance = instanceFor(chatbot, 'chatbot');
    // Five calls each failing on all three targets: five consecutive failures open each breaker.
    for (let i = 0; i < 5; i++) failEverywhere(instance, request(), error500, i);
    expect(instance.route(request(), 10, new Set(), [])).toMatchObject({ kind: 'reject', status: 529 });
  });

  it('a failover the family\'s retry budget refuses: the 429 passes with the router\'s retry-after; an error becomes the outage answer', () => {
    const instance = instanceFor(chatbot, 'chatbot');
    // Three retries in flight (Envoy's min_retry_concurrency) use up the family's budget.
    for (let i = 0; i < 3; i++) {
      const r = request();
      const first = sent(instance.route(r, 0, new Set(), []));
      expect(instance.report(first.handle, error500, 0)).toEqual({ kind: 'failover' });
      sent(instance.route(r, 0, new Set([first.target]), ['error']));
    }
    const quota = sent(instance.route(request(), 0, new Set(), []));
    const denied = instance.report(quota.handle, throttled, 0);
    expect(denied).toMatchObject({ kind: 'reply', status: 429 });
    expect((denied as { retryAfterMs: number }).retryAfterMs).toBeGreaterThanOrEqual(1_000);
    const outage = sent(instance.route(request(), 0, new Set(), []));
    expect(instance.report(outage.handle, error500, 0)).toMatchObject({ kind: 'reply', status: 529 });
  });

  it('a success is the reply, with no retry-after', () => {
    const instance = instanceFor(chatbot, 'chatbot');
    const placed = sent(instance.route(request(), 0, new Set(), []));
    expect(instance.report(placed.handle, { kind: 'success', usage: { inputTokens: 800, outputTokens: 300 }, headers: {} }, 5_000)).toEqual({ kind: 'reply' });
  });

  it('each call\'s placements use the shared-store read made when that call began, not a later call\'s', async () => {
    const inner = new InMemorySharedStore();
    const reads: object[] = [];
    const store = {
      readLatencyMs: 4,
      read: async (targets: readonly string[], now: number) => { const read = await inner.read(targets, now); reads.push(read); return read; },
      add: async () => {},
      cooldown: async () => {},
    } as unknown as SimSharedStore;
    const instance = instanceFor(chatbot, 'chatbot', store);
    const place = jest.spyOn(Router.prototype, 'place');
    try {
      const a = request();
      const b = request();
      expect(await instance.begin(a, 0)).toBe(4);
      await instance.begin(b, 1);
      const first = sent(instance.route(a, 2, new Set(), []));
      instance.report(first.handle, error500, 3);
      instance.route(a, 3, new Set([first.target]), ['error']);
      expect(reads).toHaveLength(2);
      expect(reads[0]).not.toBe(reads[1]);
      expect(place.mock.calls.map((call) => call[2])).toEqual([reads[0], reads[0]]);
    } finally {
      place.mockRestore();
    }
  });
});

describe('Headroom holds a call refused for quota, as route.ts does (routing.hold)', () => {
  it('the plan\'s default (2 s) holds for the known wait; placed again after it, the call is sent', async () => {
    const instance = await spentAtZero();
    const r = request('gpt');
    await instance.begin(r, 0);
    expect(instance.route(r, 0, new Set(), [])).toEqual({ kind: 'hold', waitMs: ONE_REFILL_MS });
    expect(instance.route(r, ONE_REFILL_MS, new Set(), []).kind).toBe('send');
  });

  it('a wait beyond maxMs, or beyond maxMs from the call\'s start, is the 429 with retry-after; maxMs 0 never holds', async () => {
    const short = await spentAtZero({ maxMs: ONE_REFILL_MS - 1, streaming: false });
    const a = request('gpt');
    await short.begin(a, 0);
    expect(short.route(a, 0, new Set(), [])).toMatchObject({ kind: 'reject', status: 429 });

    const off = await spentAtZero({ maxMs: 0, streaming: false });
    const b = request('gpt');
    await off.begin(b, 0);
    expect(off.route(b, 0, new Set(), [])).toMatchObject({ kind: 'reject', status: 429 });

    // Started at 0 with a 2 s allowance: held once for the slot freeing at 1 s, which another call
    // takes; at 1.5 s the next slot (at 2 s) still fits the allowance, at 1.5 s + the 1 s after it would not.
    const late = await spentAtZero();
    const c = request('gpt');
    await late.begin(c, 0);
    expect(late.route(c, 0, new Set(), [])).toEqual({ kind: 'hold', waitMs: ONE_REFILL_MS });
    const other = request('gpt');
    await late.begin(other, ONE_REFILL_MS);
    sent(late.route(other, ONE_REFILL_MS, new Set(), []));
    expect(late.route(c, 1_500, new Set(), [])).toEqual({ kind: 'hold', waitMs: 500 });
    const another = request('gpt');
    await late.begin(another, 2 * ONE_REFILL_MS);
    sent(late.route(another, 2 * ONE_REFILL_MS, new Set(), []));
    expect(late.route(c, 2 * ONE_REFILL_MS, new Set(), [])).toMatchObject({ kind: 'reject', status: 429 });
  });

  it('at most as many holds per call as the engine allows, then the 429', async () => {
    const instance = await spentAtZero();
    const r = request('gpt');
    await instance.begin(r, 0);
    const decisions = Array.from({ length: MAX_HOLDS_PER_CALL + 1 }, () => instance.route(r, 0, new Set(), []).kind);
    expect(decisions).toEqual([...Array<string>(MAX_HOLDS_PER_CALL).fill('hold'), 'reject']);
  });

  it('the engine bounds holds per call as the router bounds them per request (router-lambda/src/hold.ts)', () => {
    // The driver takes the bound from hold.ts itself; the engine has its own, which must say the same.
    expect(MAX_HOLDS_PER_CALL).toBe(MAX_HOLDS_PER_REQUEST);
  });

  it('without a selection given, the instance runs the Router\'s own default; a given one is used', () => {
    const routerOf = (instance: RoutingInstance) => (instance as unknown as { router: Router }).router;
    const byDefault = new Router(sixtyRpm, { rng: seededRng(1) }).status(0).strategy;
    expect(routerOf(instanceFor(sixtyRpm, 'gpt')).status(0).strategy).toBe(byDefault);
    const world: World = { config: sixtyRpm, family: 'gpt', targets: [sixtyRpm.targets['gpt/openai']!], random: new Random(1) };
    expect(routerOf(headroomStrategy(headroomWeighted).instances(world, 1)[0]!).status(0).strategy).toBe(headroomWeighted.name);
  });
});
