import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { openAiAdapter, openAiBody } from './openai';
import { SecretsManagerSource, StaticSecretSource } from './secrets';
import { CredentialError } from './types';
import { chatCall, drain, expectKind, KEYS, never, sse, startCapture, startFixture, type EmulatorFixture } from './testing.test-helpers';

const CANARY = 'sk-proj-CANARY-0e1d2c3b';
let fixture: EmulatorFixture;
const adapter = openAiAdapter({ secrets: new StaticSecretSource({ 'emulator-fidelity/openai-api-key': CANARY }), now: () => fixture.clock.now() });

beforeEach(async () => { fixture = await startFixture(); });
afterEach(() => fixture.emulator.close());

describe('openai adapter against the emulated Chat Completions API', () => {
  it('replaces the model and reads x-ratelimit-* with Go-duration resets', async () => {
    expect(openAiBody(fixture.target(KEYS.openai), chatCall('hi')).body).toMatchObject({ model: 'gpt-5.1' });
    const result = expectKind(await adapter.send(fixture.target(KEYS.openai), chatCall('hello'), never()), 'complete');
    const rpm = result.outcome.observations.find((o) => o.kind === 'remaining' && o.bucket === 'rpm');
    expect(rpm).toMatchObject({ remaining: 999, limit: 1000, observedAt: fixture.clock.now() });
    expect(rpm && rpm.kind === 'remaining' && rpm.resetAt).toBeGreaterThan(fixture.clock.now());
  });

  it('streams, strips the usage it asked for, and settles with that usage', async () => {
    const result = expectKind(await adapter.send(fixture.target(KEYS.openai), chatCall('s', { stream: true }), never()), 'stream');
    const text = await drain(result.events);
    expect(text).not.toContain('usage');
    expect(sse(text).at(-1)).toEqual({ data: '[DONE]' });
    const settled = await result.settled;
    expect(settled.kind === 'success' && settled.usage.outputTokens).toBeGreaterThan(0);
  });

  it('maps a 429 to throttled and a 404 model to a target fault (not the client\'s)', async () => {
    const throttled = expectKind(await adapter.send(fixture.target(KEYS.openai), chatCall('big', { max_tokens: 70_000 }), never()), 'failed');
    expect(throttled.outcome.kind).toBe('throttled');
    const wrong = expectKind(await adapter.send({ ...fixture.target(KEYS.openai), upstreamModel: 'gpt-0' }, chatCall('x'), never()), 'failed');
    expect(wrong.outcome).toEqual({ kind: 'server-error', status: 404 });
    expect(wrong.reply.status).toBe(502);
  });

  it('sends the key only as a Bearer token', async () => {
    const capture = await startCapture(() => ({ status: 200, body: JSON.stringify({ choices: [], usage: { prompt_tokens: 1, completion_tokens: 1 } }) }));
    try {
      await adapter.send(capture.retarget(fixture.target(KEYS.openai)), chatCall('k'), never());
      expect(capture.requests[0]!.headers.authorization).toBe(`Bearer ${CANARY}`);
      expect(capture.requests[0]!.path).toBe('/v1/chat/completions');
    } finally {
      await capture.close();
    }
  });
});

describe('SecretsManagerSource', () => {
  it('fetches once per TTL, reads a one-field JSON secret, and names no value in its errors', async () => {
    let clock = 0;
    const calls: string[] = [];
    const client = {
      send: async (command: GetSecretValueCommand) => {
        calls.push(command.input.SecretId!);
        if (command.input.SecretId === 'missing') throw Object.assign(new Error(`no secret; last value ${CANARY}`), { name: 'ResourceNotFoundException' });
        return { SecretString: JSON.stringify({ apiKey: CANARY }) };
      },
    };
    const source = new SecretsManagerSource({ client: client as never, ttlMs: 1000, now: () => clock });
    await expect(source.get('k')).resolves.toBe(CANARY);
    await expect(source.get('k')).resolves.toBe(CANARY);
    clock = 1000;
    await source.get('k');
    expect(calls).toEqual(['k', 'k']);
    expect(source.known()).toEqual([CANARY]);
    const error = await source.get('missing').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CredentialError);
    expect((error as Error).message).toBe('secret missing: GetSecretValue failed (ResourceNotFoundException)');
    expect((error as Error).message).not.toContain(CANARY);
  });
});
