import { compileRouterConfig, definePlan, type RouterConfig } from '@headroom/plan';
import { ManualClock } from '@headroom/emulator';
import { InMemorySharedStore, Router } from '@headroom/router-lambda';
import type { RouteDecision, RoutingInstance, SimRequest, UpstreamResult, World } from '../model';
import { Random } from '../random';
import { azurePlan, chatbotPlan } from '../scenarios';
import type { SimSharedStore } from '../shared-store';
import { Upstream } from '../upstream';
import { headroomStrategy } from './headroom';

const chatbot = compileRouterConfig(definePlan(chatbotPlan()));
const azure = compileRouterConfig(definePlan(azurePlan()));

function instanceFor(config: RouterConfig, family: string, store?: SimSharedStore): RoutingInstance {
  const targets = config.families[family]!.targets.map((key) => config.targets[key]!);
  const clock = new ManualClock(0);
  const world: World = { config, family, targets, upstreams: new Map(targets.map((t) => [t.key, new Upstream(t, clock)])), random: new Random(1), ...(store ? { store } : {}) };
  return headroomStrategy().instances(world, 1)[0]!;
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
