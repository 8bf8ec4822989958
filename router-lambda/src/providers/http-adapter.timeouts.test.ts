/**
 * routing.timeouts in the transport, on VirtualTimers: nothing here waits on the wall clock, and no
 * assertion is about how long anything took in real time.
 */
import { ROUTING_DEFAULTS } from '@headroom/plan/runtime';
import { anthropicAdapter } from './anthropic';
import { openAiAdapter } from './openai';
import { anthropicEvents, chatChunks, fidelityTarget, scriptedFetch, settle } from './scripted-upstream.test-helpers';
import { StaticSecretSource } from './secrets';
import { chatCall, claudeCall, drain, expectKind, KEYS, sse } from './testing.test-helpers';
import { VirtualTimers } from './timers';
import type { UpstreamResult } from './types';

const SECONDS = 1000;
const MINUTES = 60 * SECONDS;
const TIMEOUTS = ROUTING_DEFAULTS.timeouts; // headers 10 s, idle 60 s, total 10 min
const secrets = new StaticSecretSource({ 'emulator-fidelity/anthropic-api-key': 'sk-ant-test-key-1234', 'emulator-fidelity/openai-api-key': 'sk-openai-test-key-1234' });

function setup() {
  const timers = new VirtualTimers();
  const upstream = scriptedFetch();
  const claude = anthropicAdapter({ secrets, fetch: upstream.fetch, timers });
  const gpt = openAiAdapter({ secrets, fetch: upstream.fetch, timers });
  return { timers, upstream, claude, gpt };
}

/** Resolve the pending send once it has settled, or say it is still waiting. */
async function state(pending: Promise<UpstreamResult>): Promise<UpstreamResult | 'pending'> {
  await settle();
  return Promise.race([pending, Promise.resolve('pending' as const)]);
}

describe('headers timeout: the failover trigger for streamed calls', () => {
  it('a streamed call whose upstream sends no headers fails as a timeout at headersMs, before any byte reached the client', async () => {
    const { timers, upstream, claude } = setup();
    const pending = claude.send(fidelityTarget(KEYS.anthropic), claudeCall('hi', { stream: true }), undefined, TIMEOUTS);
    await settle();
    timers.advance(TIMEOUTS.headersMs - 1);
    expect(await state(pending)).toBe('pending');
    timers.advance(1);
    const failed = expectKind(await pending, 'failed');
    expect(failed.outcome).toEqual({ kind: 'timeout' });
    expect(failed.resendable).toBeUndefined();
    expect(failed.reply).toMatchObject({ status: 504, body: { type: 'error' } });
    expect(upstream.calls[0]!.signal.aborted).toBe(true);
    expect(timers.armed).toBe(0);
  });

  it('a non-streaming call is not cut at headersMs: its headers come only once it is generated', async () => {
    const { timers, upstream, claude } = setup();
    const pending = claude.send(fidelityTarget(KEYS.anthropic), claudeCall('write a long essay'), undefined, TIMEOUTS);
    await settle();
    timers.advance(5 * MINUTES);
    expect(await state(pending)).toBe('pending');
    const body = upstream.calls[0]!.respond(200, { 'content-type': 'application/json' });
    body.push(JSON.stringify({ type: 'message', content: [{ type: 'text', text: 'essay' }], usage: { input_tokens: 10, output_tokens: 4000 } }));
    body.end();
    const complete = expectKind(await pending, 'complete');
    expect(complete.outcome.usage).toEqual({ inputTokens: 10, outputTokens: 4000 });
    expect(timers.armed).toBe(0);
  });

  it('a non-streaming call that outlives totalMs times out and must not be re-sent: it may have been generated', async () => {
    const { timers, upstream, claude } = setup();
    const pending = claude.send(fidelityTarget(KEYS.anthropic), claudeCall('never answered'), undefined, TIMEOUTS);
    await settle();
    timers.advance(TIMEOUTS.totalMs - 1);
    expect(await state(pending)).toBe('pending');
    timers.advance(1);
    const failed = expectKind(await pending, 'failed');
    expect(failed).toMatchObject({ outcome: { kind: 'timeout' }, resendable: false, reply: { status: 504 } });
    expect(upstream.calls[0]!.signal.aborted).toBe(true);
  });
});

describe('a healthy long stream', () => {
  it('a 5-minute stream with a chunk every 30 s completes, whole, in virtual time', async () => {
    const { timers, upstream, claude } = setup();
    const pending = claude.send(fidelityTarget(KEYS.anthropic), claudeCall('long', { stream: true }), undefined, TIMEOUTS);
    await settle();
    const body = upstream.calls[0]!.respond(200, { 'content-type': 'text/event-stream' });
    const result = expectKind(await pending, 'stream');
    const text = drain(result.events);
    body.push(anthropicEvents.start(12));
    for (let i = 0; i < 10; i++) {
      await settle();
      timers.advance(30 * SECONDS);
      body.push(anthropicEvents.delta(`part${i} `));
    }
    body.push(anthropicEvents.stop(500));
    body.end();
    const events = sse(await text);
    expect(timers.now()).toBe(5 * MINUTES);
    expect(events.filter((e) => e.event === 'content_block_delta')).toHaveLength(10);
    expect(events.at(-1)).toMatchObject({ event: 'message_stop' });
    expect(events.some((e) => e.event === 'error')).toBe(false);
    await expect(result.settled).resolves.toMatchObject({ kind: 'success', usage: { inputTokens: 12, outputTokens: 500 } });
    expect(timers.armed).toBe(0);
  });
});

describe('idle and total timeouts mid-stream', () => {
  it('a stream that stalls ends at idleMs with an Anthropic error event and settles as a timeout', async () => {
    const { timers, upstream, claude } = setup();
    const pending = claude.send(fidelityTarget(KEYS.anthropic), claudeCall('stall', { stream: true }), undefined, TIMEOUTS);
    await settle();
    const body = upstream.calls[0]!.respond(200, { 'content-type': 'text/event-stream' });
    const result = expectKind(await pending, 'stream');
    const text = drain(result.events);
    body.push(anthropicEvents.start(5) + anthropicEvents.delta('so far'));
    await settle();
    timers.advance(TIMEOUTS.idleMs - 1);
    await settle();
    expect(body.cancelled).toBe(false);
    timers.advance(1);
    const events = sse(await text);
    expect(events.at(-1)).toMatchObject({ event: 'error', data: { type: 'error', error: { message: expect.stringContaining(`${TIMEOUTS.idleMs} ms`) } } });
    expect(events.filter((e) => e.event === 'content_block_delta')).toHaveLength(1);
    await expect(result.settled).resolves.toEqual({ kind: 'timeout' });
    expect(body.cancelled).toBe(true);
    expect(timers.armed).toBe(0);
  });

  it('a stream that keeps trickling past totalMs ends there with an OpenAI error chunk', async () => {
    const { timers, upstream, gpt } = setup();
    const timeouts = { headersMs: 10 * SECONDS, idleMs: 60 * SECONDS, totalMs: 2 * MINUTES };
    const pending = gpt.send(fidelityTarget(KEYS.openai), chatCall('trickle', { stream: true }), undefined, timeouts);
    await settle();
    const body = upstream.calls[0]!.respond(200, { 'content-type': 'text/event-stream' });
    const result = expectKind(await pending, 'stream');
    const text = drain(result.events);
    for (let i = 0; i < 5; i++) {
      body.push(chatChunks.delta(`t${i}`));
      await settle();
      timers.advance(30 * SECONDS);
    }
    const events = sse(await text);
    expect(timers.now()).toBe(2.5 * MINUTES);
    // openai-node raises an APIError for a data chunk carrying `error`.
    expect(events.at(-1)).toMatchObject({ data: { error: { type: 'server_error', code: 'timeout', message: expect.stringContaining('routing.timeouts.totalMs') } } });
    expect(events.filter((e) => typeof e.data === 'object' && e.data !== null && 'choices' in e.data)).toHaveLength(4);
    await expect(result.settled).resolves.toEqual({ kind: 'timeout' });
  });
});

describe('the client goes away', () => {
  it('before the headers: the upstream is cancelled and the attempt is nobody\'s failure (499, not re-sent)', async () => {
    const { upstream, claude } = setup();
    const client = new AbortController();
    const pending = claude.send(fidelityTarget(KEYS.anthropic), claudeCall('bye', { stream: true }), client.signal, TIMEOUTS);
    await settle();
    client.abort();
    const failed = expectKind(await pending, 'failed');
    expect(failed).toMatchObject({ outcome: { kind: 'client-error', status: 499 }, resendable: false });
    expect(upstream.calls[0]!.signal.aborted).toBe(true);
  });

  it('mid-stream: the upstream read is cancelled, no error event is invented, usage so far settles', async () => {
    const { timers, upstream, claude } = setup();
    const client = new AbortController();
    const pending = claude.send(fidelityTarget(KEYS.anthropic), claudeCall('bye', { stream: true }), client.signal, TIMEOUTS);
    await settle();
    const body = upstream.calls[0]!.respond(200, { 'content-type': 'text/event-stream' });
    const result = expectKind(await pending, 'stream');
    const text = drain(result.events);
    body.push(anthropicEvents.start(7) + anthropicEvents.delta('half'));
    await settle();
    client.abort();
    const events = sse(await text);
    expect(events.some((e) => e.event === 'error')).toBe(false);
    expect(body.cancelled).toBe(true);
    await expect(result.settled).resolves.toMatchObject({ kind: 'success', usage: { inputTokens: 7 } });
    expect(timers.armed).toBe(0);
  });
});
