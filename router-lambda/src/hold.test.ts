import { compileRouterConfig, definePlan, testing, type PlanInput, type RouterTarget } from '@headroom/plan';
import { InMemorySharedStore } from './core/in-memory-store';
import { seededRng } from './core/rng';
import { Router } from './core/router';
import { CLIENT_LEFT_STATUS, clientMaxWaitMs, holdAllowanceMs, holdTimers, holdWaitMs, MAX_HOLDS_PER_REQUEST, MAX_WAIT_HEADER, waitHeld } from './hold';
import type { RouterHttpResponse } from './http/types';
import { createRouterHandler } from './pipeline';
import { failureReply } from './providers/outcomes';
import { HEADER_PARSERS } from './providers/rate-limit-headers';
import { realTimers, VirtualTimers } from './providers/timers';
import type { ProviderAdapter, UpstreamResult } from './providers/types';
import type { RouterTelemetry } from './telemetry';

/**
 * Holding a request refused for quota (routing.hold), through the real pipeline and core on virtual
 * timers: the router's clock is the timers' clock, and nothing waits on the wall clock.
 *
 * The family is one OpenAI target at 60 RPM (and more tokens than the tests use). OpenAI counts one
 * request against RPM, and a token bucket refills its 60 requests over a minute, so once 60 are
 * served at t = 0 the next one fits at t = 60,000 / 60 = 1,000 ms, and each further one 1,000 ms later.
 */
const RPM = 60;
const ONE_REFILL_MS = 60_000 / RPM;

/**
 * The provider as the tests' truth: a token bucket of `rpm` requests refilled continuously over a
 * minute, answering with OpenAI's x-ratelimit-*-requests headers (remaining, limit, and reset = time
 * until full; https://platform.openai.com/docs/guides/rate-limits#rate-limits-in-headers), or 429.
 */
class ProviderRpm {
  private level: number;
  private at = 0;

  constructor(private readonly rpm: number) {
    this.level = rpm;
  }

  /** Take one request at `now`: whether it fitted, and the headers the reply carries. */
  take(now: number): { admitted: boolean; headers: Record<string, string> } {
    this.level = Math.min(this.rpm, this.level + ((now - this.at) * this.rpm) / 60_000);
    this.at = now;
    const admitted = this.level >= 1;
    if (admitted) this.level -= 1;
    const untilFullMs = Math.ceil(((this.rpm - this.level) * 60_000) / this.rpm);
    return { admitted, headers: { 'x-ratelimit-limit-requests': String(this.rpm), 'x-ratelimit-remaining-requests': String(Math.floor(this.level)), 'x-ratelimit-reset-requests': `${untilFullMs}ms` } };
  }
}

function planWith(routing: NonNullable<PlanInput['routing']>, rpm = RPM): PlanInput {
  return {
    ...testing.examplePlanInput(),
    families: { gpt: { api: 'openai', aliases: ['gpt-5.1'], targets: { openai: { provider: 'openai', model: 'gpt-5.1', limits: { rpm, tpm: 10_000_000 } } } } },
    routing,
  };
}

type Upstream = 'ok' | 'error';

function holdPipeline(routing: NonNullable<PlanInput['routing']> = {}, rpm = RPM) {
  const config = compileRouterConfig(definePlan(planWith(routing, rpm)));
  const timers = new VirtualTimers();
  const now = () => timers.now();
  const router = new Router(config, { rng: seededRng(7) });
  const store = new InMemorySharedStore({ maxCooldownMs: config.routing.maxCooldownMs });
  const calls: number[] = [];
  const records: Record<string, unknown>[] = [];
  let upstream: Upstream = 'ok';
  const provider = new ProviderRpm(rpm);
  const throttled: number[] = [];
  const adapter: ProviderAdapter = {
    provider: 'openai',
    async send(_target: RouterTarget, call): Promise<UpstreamResult> {
      calls.push(now());
      if (upstream === 'error') {
        const outcome = { kind: 'server-error', status: 500 } as const;
        return { kind: 'failed', outcome, reply: failureReply(call.api, outcome, undefined, []), logHeaders: {} };
      }
      const { admitted, headers } = provider.take(now());
      const observations = HEADER_PARSERS.openai(headers, now());
      if (!admitted) {
        throttled.push(now());
        const outcome = { kind: 'throttled', observations } as const;
        return { kind: 'failed', outcome, reply: failureReply(call.api, outcome, undefined, []), logHeaders: headers };
      }
      const body = { id: 'chatcmpl-1', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }] };
      return { kind: 'complete', outcome: { kind: 'success', usage: { inputTokens: 10, outputTokens: 2 }, observations }, reply: { status: 200, headers: {}, body }, logHeaders: headers };
    },
  };
  const telemetry = { record: (r: Record<string, unknown>) => { records.push(r); } } as unknown as RouterTelemetry;
  const handler = createRouterHandler({
    config, router, store, now, timers, telemetry,
    adapters: { anthropic: adapter, bedrock: adapter, vertex: adapter, 'azure-openai': adapter, openai: adapter },
  });
  const send = (init: { stream?: boolean; headers?: Record<string, string>; signal?: AbortSignal } = {}): Promise<RouterHttpResponse> => handler({
    method: 'POST', path: '/v1/chat/completions', headers: init.headers ?? {},
    body: JSON.stringify({ model: 'gpt-5.1', max_tokens: 32, stream: init.stream ?? false, messages: [{ role: 'user', content: 'hi' }] }),
    ...(init.signal ? { signal: init.signal } : {}),
  });
  return {
    config, router, store, timers, calls, records, send, throttled,
    fail: (kind: Upstream) => { upstream = kind; },
    /** Serve RPM requests at the current time: the target's RPM is then spent. */
    async exhaust(): Promise<void> {
      for (let i = 0; i < rpm; i++) expect((await send({ headers: { [MAX_WAIT_HEADER]: '0' } })).status).toBe(200);
      calls.length = 0;
      records.length = 0;
    },
  };
}

/** Let the pipeline's promises run (no time passes). */
const settle = () => new Promise((resolve) => setImmediate(resolve));

/** A request in flight, and whether it has been answered yet. */
function track(response: Promise<RouterHttpResponse>) {
  const state: { reply?: RouterHttpResponse } = {};
  void response.then((reply) => { state.reply = reply; });
  return state;
}

describe('a request refused for quota is held while the wait is known and short', () => {
  it('held until the target frees (60,000 / RPM ms), then served; counted in the request record', async () => {
    const p = holdPipeline();
    await p.exhaust();
    const held = track(p.send());
    await settle();
    expect(held.reply).toBeUndefined();
    expect(p.timers.armed).toBe(1);
    p.timers.advance(ONE_REFILL_MS - 1);
    await settle();
    expect(held.reply).toBeUndefined();
    expect(p.calls).toEqual([]);
    p.timers.advance(1);
    await settle();
    expect(held.reply?.status).toBe(200);
    expect(p.calls).toEqual([ONE_REFILL_MS]);
    expect(p.timers.armed).toBe(0);
    expect(p.records).toEqual([expect.objectContaining({ clientStatus: 200, holds: 1, heldMs: ONE_REFILL_MS, latencyMs: ONE_REFILL_MS })]);
    // The provider was never asked before it had room.
    expect(p.throttled).toEqual([]);
  });

  it('two requests held for one freed slot: the second is held again for the next one, within its allowance', async () => {
    const p = holdPipeline({ hold: { maxMs: 2 * ONE_REFILL_MS } });
    await p.exhaust();
    const first = track(p.send());
    const second = track(p.send());
    await settle();
    p.timers.advance(ONE_REFILL_MS);
    await settle();
    expect([first.reply?.status, second.reply?.status]).toEqual([200, undefined]);
    p.timers.advance(ONE_REFILL_MS);
    await settle();
    expect(second.reply?.status).toBe(200);
    expect(p.calls).toEqual([ONE_REFILL_MS, 2 * ONE_REFILL_MS]);
    expect(p.records.map((r) => r['holds'])).toEqual([1, 2]);
    expect(p.throttled).toEqual([]);
  });

  it('a wait longer than maxMs is a 429 at once, with the router\'s retry-after and no timer left armed', async () => {
    const p = holdPipeline({ hold: { maxMs: ONE_REFILL_MS - 1 } });
    await p.exhaust();
    const reply = await p.send();
    expect(reply.status).toBe(429);
    expect(Number(reply.headers['retry-after-ms'])).toBeGreaterThanOrEqual(ONE_REFILL_MS);
    expect(p.timers.armed).toBe(0);
    expect(p.timers.now()).toBe(0);
    expect(p.records).toEqual([expect.objectContaining({ clientStatus: 429, holds: 0 })]);
  });

  it('maxMs 0 turns holding off', async () => {
    const p = holdPipeline({ hold: { maxMs: 0 } });
    await p.exhaust();
    expect((await p.send()).status).toBe(429);
    expect(p.timers.armed).toBe(0);
  });

  it('a streamed request is not held by default (a fast 429), and is with hold.streaming', async () => {
    const fast = holdPipeline();
    await fast.exhaust();
    expect((await fast.send({ stream: true })).status).toBe(429);
    expect(fast.timers.armed).toBe(0);

    const patient = holdPipeline({ hold: { streaming: true } });
    await patient.exhaust();
    const held = track(patient.send({ stream: true }));
    await settle();
    expect(held.reply).toBeUndefined();
    patient.timers.advance(ONE_REFILL_MS);
    await settle();
    expect(held.reply?.status).toBe(200);
  });

  it('x-headroom-max-wait-ms lowers the hold (0: never held) and never lengthens it past the plan\'s', async () => {
    const p = holdPipeline({ hold: { maxMs: 5_000 } });
    await p.exhaust();
    expect((await p.send({ headers: { [MAX_WAIT_HEADER]: '0' } })).status).toBe(429);
    expect((await p.send({ headers: { [MAX_WAIT_HEADER]: String(ONE_REFILL_MS - 1) } })).status).toBe(429);
    expect(p.timers.armed).toBe(0);
    const held = track(p.send({ headers: { [MAX_WAIT_HEADER]: String(ONE_REFILL_MS) } }));
    await settle();
    expect(p.timers.armed).toBe(1);
    p.timers.advance(ONE_REFILL_MS);
    await settle();
    expect(held.reply?.status).toBe(200);

    const strict = holdPipeline({ hold: { maxMs: ONE_REFILL_MS - 1 } });
    await strict.exhaust();
    expect((await strict.send({ headers: { [MAX_WAIT_HEADER]: '60000' } })).status).toBe(429);
  });

  it('a malformed x-headroom-max-wait-ms is the client\'s 400 naming the header, before any placement', async () => {
    const p = holdPipeline();
    const reply = await p.send({ headers: { [MAX_WAIT_HEADER]: '2s' } });
    expect(reply.status).toBe(400);
    expect(JSON.parse(reply.body as string)).toMatchObject({ error: { type: 'invalid_request_error', param: MAX_WAIT_HEADER, message: expect.stringContaining(MAX_WAIT_HEADER) } });
    expect(p.calls).toEqual([]);
  });

  it('the hold never outlasts routing.timeouts.totalMs, whatever maxMs says', async () => {
    // 30 RPM: the next request fits 2,000 ms after the last; a 1,000 ms total timeout cannot wait that long.
    const short = holdPipeline({ hold: { maxMs: 5_000 }, timeouts: { totalMs: 1_000 } }, 30);
    await short.exhaust();
    expect((await short.send()).status).toBe(429);
    expect(short.timers.armed).toBe(0);

    const long = holdPipeline({ hold: { maxMs: 5_000 }, timeouts: { totalMs: 2_000 } }, 30);
    await long.exhaust();
    const held = track(long.send());
    await settle();
    long.timers.advance(2_000);
    await settle();
    expect(held.reply?.status).toBe(200);
  });

  it('an outage is never held: every breaker open is a 503 at once, even when it reopens within maxMs', async () => {
    // The breaker reopens 5 s after it opened (core/circuit-breaker.ts): well inside a 60 s hold.
    const p = holdPipeline({ hold: { maxMs: 60_000 } });
    p.fail('error');
    // Five consecutive failures open the breaker (core/circuit-breaker.ts).
    for (let i = 0; i < 5; i++) expect((await p.send()).status).toBe(503);
    expect((await p.send()).status).toBe(503);
    expect(p.timers.armed).toBe(0);
  });

  it('a client that leaves while held: answered 499, the timer cleared, nothing placed, no target charged or blamed', async () => {
    const p = holdPipeline();
    await p.exhaust();
    const targets = ['gpt/openai'];
    const sharedBefore = await p.store.read(targets, 0);
    const statusBefore = p.router.status(0);
    const client = new AbortController();
    const held = track(p.send({ signal: client.signal }));
    await settle();
    expect(p.timers.armed).toBe(1);
    p.timers.advance(ONE_REFILL_MS / 2);
    client.abort();
    await settle();
    expect(held.reply?.status).toBe(CLIENT_LEFT_STATUS);
    expect(p.timers.armed).toBe(0);
    expect(p.calls).toEqual([]);
    expect(await p.store.read(targets, 0)).toEqual(sharedBefore);
    expect(p.router.status(0)).toEqual(statusBefore);
    expect(p.records).toEqual([expect.objectContaining({ clientStatus: CLIENT_LEFT_STATUS, holds: 1, heldMs: ONE_REFILL_MS / 2 })]);
    // The freed slot goes to the next client, not to the one that left.
    p.timers.advance(ONE_REFILL_MS);
    expect((await p.send()).status).toBe(200);
    expect(p.calls).toEqual([ONE_REFILL_MS * 1.5]);
  });
});

describe('hold policy', () => {
  const exhausted = (retryAfterMs: number, reason: 'no-headroom' | 'all-excluded' | 'breakers-open' = 'no-headroom') => ({ kind: 'exhausted' as const, retryAfterMs, retryAt: retryAfterMs, reason });
  const fresh = { arrivedAt: 0, allowanceMs: 2_000, holds: 0 };

  it('holds only for quota, only for a known positive wait ending within the allowance from arrival, at most 10 times', () => {
    expect(holdWaitMs(exhausted(2_000), fresh, 0)).toBe(2_000);
    expect(holdWaitMs(exhausted(2_001), fresh, 0)).toBeUndefined();
    expect(holdWaitMs(exhausted(1_000), fresh, 1_000)).toBe(1_000);
    expect(holdWaitMs(exhausted(1_000), fresh, 1_001)).toBeUndefined();
    expect(holdWaitMs(exhausted(500, 'breakers-open'), fresh, 0)).toBeUndefined();
    expect(holdWaitMs(exhausted(500, 'all-excluded'), fresh, 0)).toBeUndefined();
    expect(holdWaitMs(exhausted(Number.POSITIVE_INFINITY), fresh, 0)).toBeUndefined();
    expect(holdWaitMs(exhausted(0), fresh, 0)).toBeUndefined();
    expect(MAX_HOLDS_PER_REQUEST).toBe(10);
    expect(holdWaitMs(exhausted(1), { ...fresh, holds: 9 }, 0)).toBe(1);
    expect(holdWaitMs(exhausted(1), { ...fresh, holds: 10 }, 0)).toBeUndefined();
  });

  it('the allowance: the plan\'s maxMs, 0 for streams unless held, lowered by the client, capped by totalMs', () => {
    const hold = { maxMs: 2_000, streaming: false };
    expect(holdAllowanceMs(hold, { stream: false }, 600_000)).toBe(2_000);
    expect(holdAllowanceMs(hold, { stream: true }, 600_000)).toBe(0);
    expect(holdAllowanceMs({ ...hold, streaming: true }, { stream: true }, 600_000)).toBe(2_000);
    expect(holdAllowanceMs(hold, { stream: false, clientMaxWaitMs: 300 }, 600_000)).toBe(300);
    expect(holdAllowanceMs(hold, { stream: false, clientMaxWaitMs: 9_000 }, 600_000)).toBe(2_000);
    expect(holdAllowanceMs(hold, { stream: false }, 1_500)).toBe(1_500);
    expect(holdAllowanceMs({ maxMs: 0, streaming: true }, { stream: false }, 600_000)).toBe(0);
    // A RouterConfig compiled before routing.hold existed: off, as it was.
    expect(holdAllowanceMs(undefined, { stream: false }, 600_000)).toBe(0);
  });

  it('reads x-headroom-max-wait-ms as whole milliseconds, and refuses anything else', () => {
    expect(clientMaxWaitMs({})).toBeUndefined();
    expect(clientMaxWaitMs({ [MAX_WAIT_HEADER]: '0' })).toBe(0);
    expect(clientMaxWaitMs({ [MAX_WAIT_HEADER]: ' 1500 ' })).toBe(1_500);
    for (const bad of ['', '-1', '1.5', '2s', '1e3', 'abc', '9999999999']) expect(() => clientMaxWaitMs({ [MAX_WAIT_HEADER]: bad })).toThrow(MAX_WAIT_HEADER);
  });

  it('waits on the router\'s clock: real timers only when now is Date.now itself, else only timers given', () => {
    const virtual = new VirtualTimers();
    expect(holdTimers({ now: Date.now })).toBe(realTimers);
    expect(holdTimers({ now: () => Date.now() })).toBeUndefined();
    expect(holdTimers({ now: () => virtual.now(), timers: virtual })).toBe(virtual);
  });

  it('waitHeld resolves when its timer fires, or at once when the client leaves, and leaves no timer armed', async () => {
    const timers = new VirtualTimers();
    const elapsed = waitHeld(timers, 100, undefined);
    timers.advance(100);
    await expect(elapsed).resolves.toBe('elapsed');
    const client = new AbortController();
    const left = waitHeld(timers, 100, client.signal);
    client.abort();
    await expect(left).resolves.toBe('client-left');
    expect(timers.armed).toBe(0);
    await expect(waitHeld(timers, 100, AbortSignal.abort())).resolves.toBe('client-left');
    expect(timers.armed).toBe(0);
  });
});
