import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { verifySigV4 } from '../http/sigv4-verify';
import { bedrockAdapter, bedrockBody, signRequest } from './bedrock';
import { claudeCall, drain, expectKind, KEYS, never, sse, startCapture, startFixture, type EmulatorFixture } from './testing.test-helpers';

const credentials = { accessKeyId: 'AKIAROUTERTESTEXAMPLE', secretAccessKey: 'router-test-secret-CANARY' };
let fixture: EmulatorFixture;
const adapter = bedrockAdapter({ credentials, now: () => fixture.clock.now() });

beforeEach(async () => { fixture = await startFixture(); });
afterEach(() => fixture.emulator.close());

describe('bedrockBody', () => {
  it('moves the model to the URL, drops stream and sets the Bedrock anthropic_version', () => {
    expect(bedrockBody(claudeCall('hi', { stream: true, system: 's', anthropic_version: 'x' }))).toEqual({
      anthropic_version: 'bedrock-2023-05-31', max_tokens: 200, messages: [{ role: 'user', content: 'hi' }], system: 's',
    });
  });
});

describe('bedrock adapter against the emulated Bedrock runtime', () => {
  it('invokes with a SigV4 signature and reports usage, with no quota evidence and the x-amzn-bedrock-* headers logged', async () => {
    const result = expectKind(await adapter.send(fixture.target(KEYS.bedrock), claudeCall('plan the regions'), never()), 'complete');
    const body = result.reply.body as { type: string; usage: { input_tokens: number; output_tokens: number } };
    expect(body.type).toBe('message');
    expect(result.outcome).toEqual({ kind: 'success', usage: { inputTokens: body.usage.input_tokens, outputTokens: body.usage.output_tokens }, observations: [] });
    expect(result.logHeaders).toMatchObject({ 'x-amzn-bedrock-input-token-count': String(body.usage.input_tokens), 'x-amzn-bedrock-output-token-count': String(body.usage.output_tokens) });
  });

  it('decodes the event stream into Anthropic SSE that reassembles to the plain answer', async () => {
    const plain = expectKind(await adapter.send(fixture.target(KEYS.bedrock), claudeCall('same'), never()), 'complete');
    const result = expectKind(await adapter.send(fixture.target(KEYS.bedrock), claudeCall('same', { stream: true }), never()), 'stream');
    const text = await drain(result.events);
    const events = sse(text);
    expect(events.map((e) => e.event).slice(0, 2)).toEqual(['message_start', 'content_block_start']);
    expect(events.at(-1)).toEqual({ event: 'message_stop', data: { type: 'message_stop' } });
    for (const e of events) expect((e.data as { type: string }).type).toBe(e.event);
    const streamed = events.filter((e) => e.event === 'content_block_delta').map((e) => (e.data as { delta: { text: string } }).delta.text).join('');
    expect(streamed).toBe((plain.reply.body as { content: Array<{ text: string }> }).content[0]!.text);
    expect(text).not.toContain('amazon-bedrock-invocationMetrics');
    await expect(result.settled).resolves.toEqual({ kind: 'success', usage: plain.outcome.usage, observations: [] });
  });

  it('maps ThrottlingException to throttled with no retry hint (Bedrock sends none)', async () => {
    const result = expectKind(await adapter.send(fixture.target(KEYS.bedrock), claudeCall('big', { max_tokens: 30_000 }), never()), 'failed');
    expect(result.outcome).toEqual({ kind: 'throttled', observations: [] });
    expect(result.reply).toMatchObject({ status: 429, body: { type: 'error', error: { type: 'rate_limit_error' } } });
    expect(result.reply.headers['retry-after']).toBeUndefined();
  });

  it('maps ValidationException to client-error in the Anthropic format', async () => {
    const result = expectKind(await adapter.send(fixture.target(KEYS.bedrock), claudeCall('x', { max_tokens: 0 }), never()), 'failed');
    expect(result.outcome).toEqual({ kind: 'client-error', status: 400 });
    expect(result.reply.body).toEqual({
      type: 'error',
      error: { type: 'invalid_request_error', message: 'Malformed input request: max_tokens: Input should be a valid integer greater than or equal to 1, please reformat your input and try again.' },
    });
  });

  it('maps ServiceUnavailableException to overloaded, and a signature for another region to a target fault', async () => {
    fixture.emulator.setFaults({ [KEYS.bedrock]: [{ kind: 'error', status: 503, times: 1 }] });
    const unavailable = expectKind(await adapter.send(fixture.target(KEYS.bedrock), claudeCall('a'), never()), 'failed');
    expect(unavailable.outcome).toEqual({ kind: 'overloaded', status: 503 });
    const target = fixture.target(KEYS.bedrock);
    const misrouted = await adapter.send({ ...target, auth: { mode: 'sigv4', service: 'bedrock', region: 'eu-west-1' } }, claudeCall('b'), never());
    expect(misrouted).toMatchObject({ kind: 'failed', outcome: { kind: 'server-error', status: 403 } });
  });

  it('ends a cut event stream with an Anthropic error event and a connection-error settlement', async () => {
    fixture.emulator.setFaults({ [KEYS.bedrock]: [{ kind: 'truncate-stream', afterTokens: 2 }] });
    const result = expectKind(await adapter.send(fixture.target(KEYS.bedrock), claudeCall('cut', { stream: true }), never()), 'stream');
    const events = sse(await drain(result.events));
    expect(events.filter((e) => e.event === 'content_block_delta')).toHaveLength(2);
    expect(events.at(-1)).toMatchObject({ event: 'error', data: { type: 'error', error: { type: 'api_error' } } });
    await expect(result.settled).resolves.toMatchObject({ kind: 'connection-error' });
  });
});

describe('SigV4 signing', () => {
  it('signs with @smithy/signature-v4 and the injected credentials; the signature verifies over the bytes sent', async () => {
    const capture = await startCapture(() => ({ status: 200, body: JSON.stringify({ type: 'message', content: [], usage: { input_tokens: 1, output_tokens: 1 } }) }));
    try {
      const target = capture.retarget({ ...fixture.target(KEYS.bedrock), endpoint: { baseUrl: '', path: `/model/${encodeURIComponent('anthropic.claude-sonnet-4-5-20250929-v1:0')}` } });
      await adapter.send(target, claudeCall('sign me'), never());
      const [request] = capture.requests;
      expect(request!.path).toBe('/model/anthropic.claude-sonnet-4-5-20250929-v1%3A0/invoke');
      const authorization = String(request!.headers.authorization);
      expect(authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIAROUTERTESTEXAMPLE\/20260101\/us-east-1\/bedrock\/aws4_request, SignedHeaders=[a-z0-9;-]*host[a-z0-9;-]*, Signature=[0-9a-f]{64}$/);
      expect(authorization).not.toContain(credentials.secretAccessKey);
      const headers = Object.fromEntries(Object.entries(request!.headers).map(([k, v]) => [k, String(v)]));
      const verdict = await verifySigV4({ method: 'POST', path: request!.path, headers, body: request!.body }, { ...credentials, region: 'us-east-1', service: 'bedrock' }, fixture.clock.now());
      expect(verdict).toEqual({ ok: true });
      const tampered = await verifySigV4({ method: 'POST', path: request!.path, headers, body: request!.body.replace('sign me', 'signed') }, { ...credentials, region: 'us-east-1', service: 'bedrock' }, fixture.clock.now());
      expect(tampered.ok).toBe(false);
    } finally {
      await capture.close();
    }
  });

  it('signs the host with its port and leaves the host header for fetch', async () => {
    const signer = new SignatureV4({ service: 'bedrock', region: 'eu-west-1', credentials, sha256: Sha256 });
    const signed = await signRequest(signer, 'http://127.0.0.1:4566/model/m/invoke', { 'content-type': 'application/json' }, '{}', new Date(Date.UTC(2026, 4, 2)));
    expect(signed.headers.host).toBeUndefined();
    expect(signed.headers['x-amz-date']).toBe('20260502T000000Z');
    expect(signed.headers.authorization).toContain('/20260502/eu-west-1/bedrock/aws4_request');
  });
});
