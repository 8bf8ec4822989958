import { GetWebIdentityTokenCommand } from '@aws-sdk/client-sts';
import type { TokenCredential } from '@azure/identity';
import { awsWebIdentityAssertion, azureBody, azureOpenAiAdapter, entraCredential } from './azure-openai';
import { StaticSecretSource } from './secrets';
import { ProviderConfigError } from './types';
import { chatCall, drain, expectKind, KEYS, never, sse, startCapture, startFixture, type EmulatorFixture } from './testing.test-helpers';

let fixture: EmulatorFixture;
const scopes: string[] = [];
const credential: TokenCredential = { getToken: async (scope) => { scopes.push(String(scope)); return { token: 'entra-token', expiresOnTimestamp: Date.now() + 3_600_000 }; } };
const adapter = azureOpenAiAdapter({ now: () => fixture.clock.now(), credential: () => credential });

beforeEach(async () => { fixture = await startFixture(); });
afterEach(() => fixture.emulator.close());

describe('azureBody', () => {
  it('drops the model (the deployment is in the URL) and asks for stream usage', () => {
    expect(azureBody(chatCall('hi', { stream: true }))).toEqual({
      body: { max_tokens: 200, messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } }, stripUsage: true,
    });
    expect(azureBody(chatCall('hi', { stream: true, stream_options: { include_usage: true } })).stripUsage).toBe(false);
  });
});

describe('azure-openai adapter against the emulated deployment', () => {
  it('completes with an Entra token for the target scope, usage and x-ratelimit-remaining evidence', async () => {
    const result = expectKind(await adapter.send(fixture.target(KEYS.azure), chatCall('hello'), never()), 'complete');
    const body = result.reply.body as { usage: { prompt_tokens: number; completion_tokens: number } };
    expect(result.outcome.usage).toEqual({ inputTokens: body.usage.prompt_tokens, outputTokens: body.usage.completion_tokens });
    expect(result.outcome.observations.map((o) => o.kind === 'remaining' && o.bucket).sort()).toEqual(['rpm', 'tpm']);
    expect(scopes).toContain('https://cognitiveservices.azure.com/.default');
  });

  it('streams with the usage chunk stripped for a client that did not ask, yet settles with real usage', async () => {
    const plain = expectKind(await adapter.send(fixture.target(KEYS.azure), chatCall('same'), never()), 'complete');
    const result = expectKind(await adapter.send(fixture.target(KEYS.azure), chatCall('same', { stream: true }), never()), 'stream');
    const text = await drain(result.events);
    const chunks = sse(text);
    expect(chunks.at(-1)).toEqual({ data: '[DONE]' });
    expect(text).not.toContain('"usage"');
    const content = chunks.slice(0, -1).map((c) => (c.data as { choices: Array<{ delta: { content?: string } }> }).choices[0]?.delta.content ?? '').join('');
    expect(content).toBe((plain.reply.body as { choices: Array<{ message: { content: string } }> }).choices[0]!.message.content);
    await expect(result.settled).resolves.toMatchObject({ kind: 'success', usage: plain.outcome.usage });
  });

  it('keeps the usage chunk for a client that asked for it', async () => {
    const result = expectKind(await adapter.send(fixture.target(KEYS.azure), chatCall('u', { stream: true, stream_options: { include_usage: true } }), never()), 'stream');
    const chunks = sse(await drain(result.events));
    expect(chunks.at(-2)).toMatchObject({ data: { choices: [], usage: { prompt_tokens: expect.any(Number) } } });
  });

  it('maps a 429 to throttled with retry-after-ms, and a 400 to client-error in the OpenAI format', async () => {
    const throttled = expectKind(await adapter.send(fixture.target(KEYS.azure), chatCall('big', { max_tokens: 70_000 }), never()), 'failed');
    expect(throttled.outcome).toMatchObject({ kind: 'throttled', retryAfterMs: 60_000 });
    expect(throttled.reply).toMatchObject({ status: 429, headers: { 'retry-after': '60' }, body: { error: { type: 'rate_limit_error', code: 'rate_limit_exceeded' } } });
    const rejected = expectKind(await adapter.send(fixture.target(KEYS.azure), chatCall('x', { messages: [] }), never()), 'failed');
    expect(rejected.outcome).toEqual({ kind: 'client-error', status: 400 });
    expect(rejected.reply.body).toEqual({ error: { message: "Invalid 'messages': empty array. Expected an array with minimum length 1.", type: 'invalid_request_error', param: 'messages', code: null } });
  });
});

describe('azure-openai auth', () => {
  it('api-key mode sends the key from the secret source in the api-key header, and never a Bearer', async () => {
    const capture = await startCapture(() => ({ status: 200, body: JSON.stringify({ choices: [], usage: { prompt_tokens: 1, completion_tokens: 2 } }) }));
    try {
      const keyed = azureOpenAiAdapter({ secrets: new StaticSecretSource({ 'azure/key': 'azure-CANARY-key' }) });
      const target = capture.retarget({ ...fixture.target(KEYS.azure), auth: { mode: 'api-key', header: 'api-key', secret: 'azure/key' } });
      await keyed.send(target, chatCall('k'), never());
      const [request] = capture.requests;
      expect(request!.path).toBe(`${target.endpoint.path}/chat/completions?api-version=2024-10-21`);
      expect(request!.headers['api-key']).toBe('azure-CANARY-key');
      expect(request!.headers.authorization).toBeUndefined();
    } finally {
      await capture.close();
    }
  });

  it('asserts with an AWS outbound-identity JWT from STS GetWebIdentityToken for api://AzureADTokenExchange', async () => {
    const sent: unknown[] = [];
    const sts = { send: async (command: unknown) => { sent.push(command); return { WebIdentityToken: 'eyJ.aws.jwt' }; } };
    await expect(awsWebIdentityAssertion(sts as never)()).resolves.toBe('eyJ.aws.jwt');
    expect(sent[0]).toBeInstanceOf(GetWebIdentityTokenCommand);
    expect((sent[0] as GetWebIdentityTokenCommand).input).toEqual({ Audience: ['api://AzureADTokenExchange'], SigningAlgorithm: 'RS256', DurationSeconds: 300 });
    const failing = { send: async () => { throw Object.assign(new Error('denied'), { name: 'OutboundWebIdentityFederationDisabledException' }); } };
    await expect(awsWebIdentityAssertion(failing as never)()).rejects.toThrow(/GetWebIdentityToken: failed \(OutboundWebIdentityFederationDisabledException\)/);
  });

  it('builds a ClientAssertionCredential for tenant and client, and refuses a target without a client id', () => {
    const target = fixture.target(KEYS.azure);
    const auth = target.auth as Extract<typeof target.auth, { mode: 'entra-federated' }>;
    expect(auth).toMatchObject({ tenant: '00000000-0000-4000-8000-000000000002', clientId: '00000000-0000-4000-8000-000000000003' });
    expect(typeof entraCredential(target, auth, { send: async () => ({}) } as never).getToken).toBe('function');
    const { clientId: _c, ...withoutClient } = auth;
    expect(() => entraCredential(target, withoutClient, { send: async () => ({}) } as never)).toThrow(ProviderConfigError);
  });
});
