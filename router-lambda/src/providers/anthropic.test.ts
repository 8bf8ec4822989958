import { anthropicAdapter } from './anthropic';
import { StaticSecretSource } from './secrets';
import { claudeCall, drain, expectKind, KEYS, never, sse, startCapture, startFixture, type EmulatorFixture } from './testing.test-helpers';

const CANARY = 'sk-ant-CANARY-7f3e9a1b2c';
let fixture: EmulatorFixture;
const secrets = new StaticSecretSource({ 'emulator-fidelity/anthropic-api-key': CANARY });
const adapter = anthropicAdapter({ secrets, now: () => fixture.clock.now() });

beforeEach(async () => { fixture = await startFixture(); });
afterEach(() => fixture.emulator.close());

describe('anthropic adapter against the emulated Messages API', () => {
  it('completes a call with usage and anthropic-ratelimit-* evidence', async () => {
    const result = expectKind(await adapter.send(fixture.target(KEYS.anthropic), claudeCall('hello'), never()), 'complete');
    const body = result.reply.body as { type: string; content: Array<{ text: string }>; usage: { input_tokens: number; output_tokens: number } };
    expect(body.type).toBe('message');
    expect(result.outcome.usage).toEqual({ inputTokens: body.usage.input_tokens, outputTokens: body.usage.output_tokens });
    const buckets = result.outcome.observations.filter((o) => o.kind === 'remaining').map((o) => o.kind === 'remaining' && o.bucket);
    expect(buckets.sort()).toEqual(['itpm', 'otpm', 'rpm']);
    expect(result.logHeaders).toHaveProperty('anthropic-ratelimit-requests-remaining', '999');
  });

  it('passes the SSE stream through and settles with the streamed usage', async () => {
    const plain = expectKind(await adapter.send(fixture.target(KEYS.anthropic), claudeCall('same prompt'), never()), 'complete');
    const result = expectKind(await adapter.send(fixture.target(KEYS.anthropic), claudeCall('same prompt', { stream: true }), never()), 'stream');
    const events = sse(await drain(result.events));
    expect(events[0]).toMatchObject({ event: 'message_start' });
    expect(events.at(-1)).toMatchObject({ event: 'message_stop' });
    const text = events.filter((e) => e.event === 'content_block_delta').map((e) => (e.data as { delta: { text: string } }).delta.text).join('');
    expect(text).toBe((plain.reply.body as { content: Array<{ text: string }> }).content[0]!.text);
    await expect(result.settled).resolves.toEqual({ kind: 'success', usage: plain.outcome.usage, observations: result.observations });
  });

  it('maps a 429 to throttled with the retry-after the upstream sent', async () => {
    const result = expectKind(await adapter.send(fixture.target(KEYS.anthropic), claudeCall('too big', { max_tokens: 5000 }), never()), 'failed');
    expect(result.outcome).toMatchObject({ kind: 'throttled', retryAfterMs: 60_000 });
    expect(result.reply).toMatchObject({ status: 429, headers: { 'retry-after': '60' }, body: { type: 'error', error: { type: 'rate_limit_error' } } });
  });

  it('maps a 400 to client-error with the upstream message in Anthropic format', async () => {
    const result = expectKind(await adapter.send(fixture.target(KEYS.anthropic), claudeCall('x', { max_tokens: 0 }), never()), 'failed');
    expect(result.outcome).toEqual({ kind: 'client-error', status: 400 });
    expect(result.reply).toEqual({
      status: 400, headers: { 'content-type': 'application/json' },
      body: { type: 'error', error: { type: 'invalid_request_error', message: 'max_tokens: Input should be a valid integer greater than or equal to 1' } },
    });
  });

  it('maps 529 to overloaded, a dropped connection to connection-error, a client abort to 499 and a caller deadline to timeout', async () => {
    fixture.emulator.setFaults({ [KEYS.anthropic]: [{ kind: 'error', status: 529, times: 1 }, { kind: 'reset' }] });
    const overloaded = expectKind(await adapter.send(fixture.target(KEYS.anthropic), claudeCall('a'), never()), 'failed');
    expect(overloaded.outcome).toEqual({ kind: 'overloaded', status: 529 });
    const reset = expectKind(await adapter.send(fixture.target(KEYS.anthropic), claudeCall('b'), never()), 'failed');
    expect(reset.outcome.kind).toBe('connection-error');
    const aborted = expectKind(await adapter.send(fixture.target(KEYS.anthropic), claudeCall('c'), AbortSignal.abort()), 'failed');
    expect(aborted).toMatchObject({ outcome: { kind: 'client-error', status: 499 }, resendable: false });
    const deadline = new AbortController();
    deadline.abort(new DOMException('deadline', 'TimeoutError'));
    const timedOut = expectKind(await adapter.send(fixture.target(KEYS.anthropic), claudeCall('d'), deadline.signal), 'failed');
    expect(timedOut.outcome).toEqual({ kind: 'timeout' });
    expect(timedOut.resendable).toBe(false);
  });

  it('settles a cut stream as a connection error after telling the client in-band', async () => {
    fixture.emulator.setFaults({ [KEYS.anthropic]: [{ kind: 'truncate-stream', afterTokens: 2 }] });
    const result = expectKind(await adapter.send(fixture.target(KEYS.anthropic), claudeCall('cut', { stream: true }), never()), 'stream');
    const events = sse(await drain(result.events));
    expect(events.at(-1)).toMatchObject({ event: 'error', data: { type: 'error', error: { type: 'api_error' } } });
    await expect(result.settled).resolves.toMatchObject({ kind: 'connection-error' });
  });
});

describe('anthropic adapter on the wire', () => {
  it('sends exactly the key header, the API version and the body with the upstream model; nothing from the client', async () => {
    const capture = await startCapture(() => ({ status: 200, body: JSON.stringify({ type: 'message', content: [], usage: { input_tokens: 3, output_tokens: 4 } }) }));
    try {
      const target = capture.retarget({ ...fixtureTarget(), upstreamModel: 'claude-sonnet-4-6-20260101' });
      await adapter.send(target, claudeCall('hi', { system: 'be brief' }), never());
      const [request] = capture.requests;
      expect(request).toMatchObject({ method: 'POST', path: '/v1/messages' });
      expect(request!.headers).toMatchObject({ 'x-api-key': CANARY, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' });
      expect(request!.headers.authorization).toBeUndefined();
      expect(JSON.parse(request!.body)).toEqual({ model: 'claude-sonnet-4-6-20260101', max_tokens: 200, messages: [{ role: 'user', content: 'hi' }], system: 'be brief' });
    } finally {
      await capture.close();
    }
  });

  it('never returns the upstream secret, even when the upstream echoes it', async () => {
    const capture = await startCapture((request) => {
      const key = String(request.headers['x-api-key']);
      return request.body.includes('"unauthorized"')
        ? { status: 401, body: JSON.stringify({ type: 'error', error: { type: 'authentication_error', message: `invalid x-api-key ${key}` } }) }
        : { status: 400, body: JSON.stringify({ type: 'error', error: { type: 'invalid_request_error', message: `bad request for key ${key}` } }) };
    });
    try {
      const target = capture.retarget(fixtureTarget());
      const denied = await adapter.send(target, claudeCall('unauthorized'), never());
      const rejected = await adapter.send(target, claudeCall('other'), never());
      expect(denied).toMatchObject({ kind: 'failed', outcome: { kind: 'server-error', status: 401 } });
      expect(rejected).toMatchObject({ kind: 'failed', outcome: { kind: 'client-error', status: 400 } });
      expect(JSON.stringify([denied, rejected])).not.toContain(CANARY);
      expect(JSON.stringify(rejected)).toContain('[redacted]');
    } finally {
      await capture.close();
    }
  });
});

function fixtureTarget() {
  return fixture.target(KEYS.anthropic);
}
