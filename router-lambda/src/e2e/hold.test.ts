import { request as httpRequest } from 'node:http';
import OpenAI from 'openai';
import { definePlan, testing, type PlanInput } from '@headroom/plan';
import { ManualClock, startEmulator, type Emulator } from '@headroom/emulator';
import { InMemorySharedStore } from '../core/in-memory-store';
import { seededRng } from '../core/rng';
import { Router } from '../core/router';
import { MAX_WAIT_HEADER } from '../hold';
import { startNodeServer } from '../http/node-server';
import { emulatorAdapterDeps } from '../local';
import { createRouterHandler } from '../pipeline';
import { createAdapters, VirtualTimers } from '../providers';
import { until } from './wait.test-helpers';

/**
 * routing.hold over real sockets: the emulator enforces the same 60 RPM the plan declares for one
 * OpenAI target, the router holds on virtual timers, and the client is the official SDK or a raw
 * socket. The emulator, the router and the timers share one hand-moved clock; waits on the socket
 * are bounded polls of events, never timing claims.
 *
 * After 60 requests at one instant, a token bucket of 60 requests per minute has room for the next
 * one 60,000 / 60 = 1,000 ms later (OpenAI counts each request once against RPM).
 */
const ONE_REFILL_MS = 1_000;

function planInput(): PlanInput {
  return {
    ...testing.examplePlanInput(),
    families: { gpt: { api: 'openai', aliases: ['gpt-5.1'], targets: { openai: { provider: 'openai', model: 'gpt-5.1', limits: { rpm: 60, tpm: 10_000_000 } } } } },
  };
}

interface Setup {
  readonly url: string;
  readonly emulator: Emulator;
  readonly router: Router;
  readonly timers: VirtualTimers;
  readonly clock: ManualClock;
  /** Upstream requests the router made. */
  readonly upstream: string[];
  advance(ms: number): void;
  close(): Promise<void>;
}

async function start(): Promise<Setup> {
  const plan = definePlan(planInput());
  const clock = new ManualClock();
  const emulator = await startEmulator({ plan, clock, seed: 3 });
  const config = emulator.routerConfig;
  const now = () => clock.now();
  const timers = new VirtualTimers();
  const upstream: string[] = [];
  const recordingFetch: typeof fetch = async (url, init) => {
    upstream.push(String(url));
    return fetch(url, init);
  };
  const router = new Router(config, { rng: seededRng(11) });
  const handler = createRouterHandler({
    config, router, now, timers, store: new InMemorySharedStore({ maxCooldownMs: config.routing.maxCooldownMs }),
    adapters: createAdapters({ ...emulatorAdapterDeps(config, now), fetch: recordingFetch, timers }),
  });
  const server = await startNodeServer(handler);
  return {
    url: server.url, emulator, router, timers, clock, upstream,
    advance: (ms) => { clock.advance(ms); timers.advance(ms); },
    close: async () => { await server.close(); await emulator.close(); },
  };
}

let s: Setup;
let openai: OpenAI;
beforeEach(async () => {
  s = await start();
  openai = new OpenAI({ baseURL: `${s.url}/v1`, apiKey: 'sk-headroom-hold-test', maxRetries: 0 });
});
afterEach(async () => { await s.close(); });

const ask = { model: 'gpt-5.1', max_tokens: 16, messages: [{ role: 'user' as const, content: 'hi' }] };

/** 60 requests served at one instant, each refusing to be held: the target's RPM is spent, in the router's books and the emulator's. */
async function spendRpm(): Promise<void> {
  for (let i = 0; i < 60; i++) await openai.chat.completions.create(ask, { headers: { [MAX_WAIT_HEADER]: '0' } });
  s.upstream.length = 0;
}

describe('routing.hold end to end', () => {
  it('the official SDK (no retries) is held while the quota frees, then served by the emulated provider with no upstream 429', async () => {
    await spendRpm();
    const refused = await openai.chat.completions.create(ask, { headers: { [MAX_WAIT_HEADER]: '0' } }).then(() => undefined, (error: unknown) => error);
    expect(refused).toBeInstanceOf(OpenAI.RateLimitError);

    let answered = false;
    const held = openai.chat.completions.create(ask).finally(() => { answered = true; });
    await until(() => s.timers.armed === 1, 'the router holds the request');
    s.advance(ONE_REFILL_MS - 1);
    // Still held: its timer has not fired, nothing went upstream, no answer.
    expect(s.timers.armed).toBe(1);
    expect(answered).toBe(false);
    expect(s.upstream).toEqual([]);
    s.advance(1);
    const completion = await held;
    expect(completion.choices[0]?.message.role).toBe('assistant');
    expect(s.upstream).toHaveLength(1);
  });

  it('a client that disconnects while held: the hold ends, nothing is sent upstream or charged, and the freed slot serves the next client', async () => {
    await spendRpm();
    const client = httpRequest(`${s.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' } });
    client.on('error', () => undefined); // destroyed on purpose below
    client.end(JSON.stringify(ask));
    await until(() => s.timers.armed === 1, 'the router holds the request');
    const statusBefore = s.router.status(s.clock.now());
    client.destroy();
    await until(() => s.timers.armed === 0, 'the hold ended when the client left');

    expect(s.upstream).toEqual([]);
    expect(s.router.status(s.clock.now())).toEqual(statusBefore);
    s.advance(ONE_REFILL_MS);
    expect(s.upstream).toEqual([]);
    await openai.chat.completions.create(ask);
    expect(s.upstream).toHaveLength(1);
    for (const target of s.router.status(s.clock.now()).targets) {
      expect(target.breaker).toEqual({ kind: 'closed', consecutiveFailures: 0 });
      expect(target.cooldown).toBeUndefined();
    }
  });
});
