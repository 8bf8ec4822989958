import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Anthropic from '@anthropic-ai/sdk';
import type { FaultInput } from '@headroom/emulator';
import OpenAI from 'openai';
import { AFTER_TIMEOUT_SHARE } from '../route';
import { startHarness, type Harness } from './harness';
import { until } from './wait.test-helpers';

/**
 * The fault matrix: the router in front of the emulator on one injected clock, the official SDKs as
 * clients where the error format matters. Timeouts fire when a test advances the clock, never on the
 * wall clock; every number reported is on that clock.
 */
const CLAUDE = ['claude/anthropic', 'claude/bedrock-eu-west-1', 'claude/bedrock-us-east-1', 'claude/vertex-europe-west1'];
const GPT = ['gpt/azure-eastus2', 'gpt/openai'];
const ask = (stream: boolean, extra: Record<string, unknown> = {}) => JSON.stringify({ model: 'claude-sonnet-4-6', max_tokens: 32, stream, messages: [{ role: 'user', content: 'hi' }], ...extra });

interface Answer { status: number; headers: Headers; text: string }

async function send(h: Harness, stream: boolean, extra: Record<string, unknown> = {}): Promise<Answer> {
  const response = await fetch(`${h.url}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: ask(stream, extra), signal: AbortSignal.timeout(20_000) });
  return { status: response.status, headers: response.headers, text: await response.text().catch(() => '<stream cut>') };
}

/** A retryable reply the router made: the API's format, with when to come back. */
function expectRetryable(answer: Answer): void {
  expect([429, 529]).toContain(answer.status);
  expect(JSON.parse(answer.text)).toMatchObject({ type: 'error', error: { type: answer.status === 429 ? 'rate_limit_error' : 'overloaded_error' } });
  expect(Number(answer.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  expect(answer.headers.get('x-headroom-attempts')).toMatch(/^\d+$/);
}

const faultAll = (h: Harness, keys: readonly string[], fault: FaultInput) => h.emulator.setFaults(Object.fromEntries(keys.map((k) => [k, [fault]])));

/** Until the upstream has seen `count` requests: the router is then waiting on them. */
const upstreamSaw = (h: Harness, count: number) => until(() => h.upstreamRequests.length >= count, `${count} upstream requests`);

let h: Harness;
afterEach(() => h.close());

describe('fault matrix: three of four targets failing, 20 concurrent requests', () => {
  it.each<[string, FaultInput]>([
    ['500', { kind: 'error', status: 500 }],
    ['503', { kind: 'error', status: 503 }],
    ['529 overloaded', { kind: 'error', status: 529 }],
    ['connection reset', { kind: 'reset' }],
    ['region dark', { kind: 'dark' }],
    ['malformed headers', { kind: 'malformed-headers' }],
  ])('%s: each request gets one answer; failures are retryable in the API\'s format', async (_name, fault) => {
    h = await startHarness();
    faultAll(h, CLAUDE.filter((k) => k !== 'claude/vertex-europe-west1'), fault);
    const requests = 20;
    const results = await Promise.all(Array.from({ length: requests }, (_, i) => send(h, i % 2 === 0)));
    for (const r of results) if (r.status !== 200) expectRetryable(r);
    const served = results.filter((r) => r.status === 200).length;
    expect(served).toBeGreaterThan(0);
    // Envoy's budget bounds concurrent retries (max(3, 20% of active)), and breakers stop first attempts at failing targets.
    expect(h.upstreamRequests.length).toBeLessThanOrEqual(2 * requests);
    // eslint-disable-next-line no-console
    console.log(`${_name} on 3 of 4 targets, ${requests} simultaneous requests: ${served} served, ${requests - served} told to retry, ${h.upstreamRequests.length} upstream attempts`);
  });
});

describe('fault matrix: one failing region (#5)', () => {
  it('never denies failover to the healthy targets: every request is served', async () => {
    h = await startHarness();
    h.emulator.setFaults({ 'claude/bedrock-us-east-1': [{ kind: 'error', status: 500 }] });
    for (let i = 0; i < 40; i++) {
      expect((await send(h, i % 2 === 0)).status).toBe(200);
      h.advance(250);
    }
    expect(h.router.status(h.clock.now()).families.find((f) => f.family === 'claude')!.retryBudget.denials).toBe(0);
  });
});

describe('fault matrix: total outage (#6, #7)', () => {
  it('all dark: the SDKs raise their overloaded / unavailable errors with retry-after, and the router sheds', async () => {
    h = await startHarness();
    faultAll(h, [...CLAUDE, ...GPT], { kind: 'dark' });
    const anthropic = new Anthropic({ baseURL: h.url, apiKey: 'sk-client', maxRetries: 0 });
    const openai = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: 'sk-client', maxRetries: 0 });
    const requests = 100;
    for (let i = 0; i < requests; i++) {
      const claude = await anthropic.messages.create({ model: 'claude-sonnet-4-6', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
      expect(claude).toBeInstanceOf(Anthropic.OverloadedError);
      const overloaded = claude as InstanceType<typeof Anthropic.OverloadedError>;
      expect(overloaded.status).toBe(529);
      expect(overloaded.type).toBe('overloaded_error');
      expect(Number(overloaded.headers?.get('retry-after'))).toBeGreaterThanOrEqual(1);
      const gpt = await openai.chat.completions.create({ model: 'gpt-5.1', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
      expect(gpt).toBeInstanceOf(OpenAI.InternalServerError);
      const unavailable = gpt as InstanceType<typeof OpenAI.InternalServerError>;
      expect(unavailable.status).toBe(503);
      expect(unavailable.type).toBe('server_error');
      expect(Number(unavailable.headers?.get('retry-after'))).toBeGreaterThanOrEqual(1);
      h.advance(1_000);
    }
    const attempts = h.upstreamRequests.length;
    const amplification = attempts / (2 * requests);
    expect(amplification).toBeLessThan(0.5);
    // eslint-disable-next-line no-console
    console.log(`all dark: ${2 * requests} client requests 1 s apart (injected clock), ${attempts} upstream attempts: amplification ${amplification.toFixed(2)}x`);
  });

  it('all hanging: a streamed request is answered after one headers timeout and a quarter, whatever the number of targets (#3)', async () => {
    h = await startHarness();
    faultAll(h, CLAUDE, { kind: 'timeout' });
    const { headersMs } = h.plan.routing?.timeouts?.headersMs !== undefined ? { headersMs: h.plan.routing.timeouts.headersMs } : { headersMs: 10_000 };
    const started = h.clock.now();
    const answer = send(h, true);
    await upstreamSaw(h, 1);
    h.advance(headersMs);
    await upstreamSaw(h, 2);
    h.advance(headersMs * AFTER_TIMEOUT_SHARE);
    const reply = await answer;
    const waited = h.clock.now() - started;
    expectRetryable(reply);
    expect(reply.status).toBe(529);
    expect(waited).toBeLessThanOrEqual(headersMs * (1 + AFTER_TIMEOUT_SHARE));
    // eslint-disable-next-line no-console
    console.log(`all hanging: the client waited ${waited} ms on the injected clock (headers timeout ${headersMs} ms), ${h.upstreamRequests.length} attempts`);
    // Every target that timed out counted toward its breaker at once.
    const hung = h.router.status(h.clock.now()).targets.filter((t) => t.breaker.kind === 'closed' && t.breaker.consecutiveFailures === 1);
    expect(hung.length).toBe(h.upstreamRequests.length);
  });

  it('one region hanging: the request moves on after the headers timeout and is served', async () => {
    h = await startHarness(undefined, { seed: 4 });
    // Every region would hang, so the first attempt hangs wherever selection sends it; then only that
    // region keeps its fault (the emulator decides a fault when a request arrives).
    faultAll(h, CLAUDE, { kind: 'timeout' });
    const answer = send(h, true, { max_tokens: 8 });
    await upstreamSaw(h, 1);
    const baseUrls = Object.entries(h.emulator.routerConfig.targets).map(([key, t]) => [key, t.endpoint.baseUrl] as const);
    const hung = baseUrls.find(([, url]) => h.upstreamRequests[0]!.url.startsWith(url))![0];
    faultAll(h, [hung], { kind: 'timeout' });
    h.advance(10_000);
    const reply = await answer;
    expect(reply.status).toBe(200);
    expect(h.upstreamRequests).toHaveLength(2);
    expect(reply.headers.get('x-headroom-target')).not.toBe(hung);
    expect(CLAUDE).toContain(reply.headers.get('x-headroom-target'));
  });
});

describe('fault matrix: streams', () => {
  it('a stream cut mid-way reaches the client as a cut stream, once, with no failover after bytes flowed', async () => {
    h = await startHarness();
    faultAll(h, CLAUDE, { kind: 'truncate-stream', afterTokens: 2 });
    const result = await send(h, true);
    expect(result.status).toBe(200);
    expect(h.upstreamRequests).toHaveLength(1);
    expect(result.text).toMatch(/event: (error|message_start)/);
  });
});

/** An Anthropic-shaped upstream that starts a stream, sends one event and then says nothing more. */
async function stallingUpstream(): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const message = { type: 'message_start', message: { id: 'msg_stall', type: 'message', role: 'assistant', model: 'claude-sonnet-4-6', content: [], usage: { input_tokens: 5, output_tokens: 1 } } };
    res.write(`event: message_start\ndata: ${JSON.stringify(message)}\n\n`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

describe('fault matrix: a stream that stalls mid-way', () => {
  it('ends at the idle timeout with an error event in the API\'s format, once, and counts toward the breaker', async () => {
    const stub = await stallingUpstream();
    try {
      h = await startHarness(undefined, { upstreams: { 'claude/anthropic': stub.url } });
      faultAll(h, CLAUDE.filter((k) => k !== 'claude/anthropic'), { kind: 'dark' });
      const response = await fetch(`${h.url}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: ask(true), signal: AbortSignal.timeout(20_000) });
      expect(response.status).toBe(200);
      expect(response.headers.get('x-headroom-target')).toBe('claude/anthropic');
      const text = response.text();
      h.advance(60_000); // ROUTING_DEFAULTS.timeouts.idleMs
      const body = await text;
      expect(body).toMatch(/^event: message_start/);
      expect(body).toMatch(/event: error\ndata: \{"type":"error","error":\{"type":"api_error","message":"[^"]+"\}\}\n\n$/);
      expect(h.upstreamRequests.filter((r) => r.url.startsWith(stub.url))).toHaveLength(1);
      const anthropic = h.router.status(h.clock.now()).targets.find((t) => t.key === 'claude/anthropic')!;
      expect(anthropic.breaker).toEqual({ kind: 'closed', consecutiveFailures: 1 });
    } finally {
      await stub.close();
    }
  });
});

describe('fault matrix: hostile requests (#1, #9)', () => {
  it('deep nesting is the client\'s 400 through both SDKs and raw, never a target failure', async () => {
    h = await startHarness();
    // As deep as the SDKs can serialise; far past the router's limit.
    const deep = JSON.parse('['.repeat(1_000) + ']'.repeat(1_000)) as unknown;
    const anthropic = new Anthropic({ baseURL: h.url, apiKey: 'sk-client', maxRetries: 0 });
    const openai = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: 'sk-client', maxRetries: 0 });
    for (let i = 0; i < 12; i++) {
      const claude = await anthropic.messages.create({ model: 'claude-sonnet-4-6', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }], metadata: { user_id: deep as string } }).catch((e: unknown) => e);
      expect(claude).toBeInstanceOf(Anthropic.BadRequestError);
      expect((claude as InstanceType<typeof Anthropic.BadRequestError>).headers?.get('x-headroom-attempts')).toBe('0');
      const gpt = await openai.chat.completions.create({ model: 'gpt-5.1', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }], user: deep as string }).catch((e: unknown) => e);
      expect(gpt).toBeInstanceOf(OpenAI.BadRequestError);
      expect((gpt as InstanceType<typeof OpenAI.BadRequestError>).type).toBe('invalid_request_error');
      // The repro: a 40 KB body nested 20,000 deep in a field passed through.
      const raw = ask(false).replace('"stream":false', `"stream":false,"metadata":{"user_id":${'['.repeat(20_000)}${']'.repeat(20_000)}}`);
      const direct = await fetch(`${h.url}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: raw });
      expect(direct.status).toBe(400);
      expect(await direct.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
    }
    expect(h.upstreamRequests).toEqual([]);
    for (const t of h.router.status(h.clock.now()).targets) expect(t.breaker).toEqual({ kind: 'closed', consecutiveFailures: 0 });
    // A well-behaved client is served as if nothing happened.
    expect((await send(h, false)).status).toBe(200);
  });

  it('unknown paths and wrong methods are answered in the API\'s format: the SDKs raise NotFound, 405 says allow', async () => {
    h = await startHarness();
    const anthropic = new Anthropic({ baseURL: h.url, apiKey: 'sk-client', maxRetries: 0 });
    const openai = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: 'sk-client', maxRetries: 0 });
    await expect(anthropic.models.list()).rejects.toBeInstanceOf(Anthropic.NotFoundError);
    await expect(openai.embeddings.create({ model: 'text-embedding-3-small', input: 'hi' })).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    const wrong = await fetch(`${h.url}/v1/messages`, { method: 'GET' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
    expect(wrong.headers.get('x-headroom-attempts')).toBe('0');
  });
});

describe('fault matrix: quota (#7)', () => {
  it('50 clients refused at once each get retry-after, not all the same', async () => {
    h = await startHarness();
    for (const key of CLAUDE) {
      const quota = h.emulator.quota(key);
      for (let i = 0; i < 10_000 && quota.tryAdmit({ inputTokens: 10, maxTokens: 10 }).admitted; i++);
    }
    const answers = await Promise.all(Array.from({ length: 50 }, () => send(h, false)));
    const refused = answers.filter((a) => a.status === 429);
    expect(refused.length).toBeGreaterThan(40);
    for (const a of refused) expectRetryable(a);
    expect(new Set(refused.map((a) => a.headers.get('retry-after'))).size).toBeGreaterThan(1);
    expect(new Set(refused.map((a) => a.headers.get('retry-after-ms'))).size).toBeGreaterThan(refused.length / 2);
  });
});
