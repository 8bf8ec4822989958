import { AnthropicVertex } from '@anthropic-ai/vertex-sdk';
import Anthropic from '@anthropic-ai/sdk';
import { OAuth2Client } from 'google-auth-library';
import { FIDELITY_TARGETS } from './testing/fidelity-plan';
import { fidelityEmulatorPerTest } from './testing/per-test';

const KEY = FIDELITY_TARGETS.vertex;
const emulated = fidelityEmulatorPerTest(11);

/** A real google-auth-library client holding an unexpired token, so it never calls Google. */
function stubAuthClient(): OAuth2Client {
  const auth = new OAuth2Client();
  auth.setCredentials({ access_token: 'ya29.emulator-token', expiry_date: Date.now() + 3_600_000 });
  return auth;
}

async function setup(options: { rpm?: number } = {}) {
  const { clock, emulator } = await emulated(options);
  const client = new AnthropicVertex({
    baseURL: `${emulator.targets[KEY]!.baseUrl}/v1`,
    region: 'europe-west1',
    projectId: 'acme-ml',
    authClient: stubAuthClient(),
    maxRetries: 0,
  });
  return { clock, emulator, client };
}

const request = { model: 'claude-sonnet-4-6', max_tokens: 300, messages: [{ role: 'user' as const, content: 'Vertex, are you there?' }] };

describe('@anthropic-ai/vertex-sdk against the emulated Vertex AI endpoint', () => {
  it('completes :rawPredict and reassembles :streamRawPredict to the same message', async () => {
    const { client, emulator } = await setup();
    const message = await client.messages.create(request);
    expect(message).toMatchObject({ type: 'message', model: 'claude-sonnet-4-6', stop_reason: 'end_turn' });
    const streamed = await client.messages.stream(request).finalMessage();
    expect(streamed.content).toEqual(message.content);
    expect(streamed.usage.output_tokens).toBe(message.usage.output_tokens);
    expect(emulator.stats()[KEY]).toMatchObject({ admitted: 2, outputTokens: 2 * message.usage.output_tokens });
  });

  it('raises RateLimitError on RESOURCE_EXHAUSTED at the 11th request at 10 RPM, with no retry-after', async () => {
    const { client, clock } = await setup({ rpm: 10 });
    const small = { ...request, max_tokens: 1, messages: [{ role: 'user' as const, content: 'hi' }] };
    for (let i = 0; i < 10; i++) await client.messages.create(small);
    const error = await client.messages.create(small).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Anthropic.RateLimitError);
    const rateLimit = error as InstanceType<typeof Anthropic.RateLimitError>;
    expect(rateLimit.error).toMatchObject({ error: { code: 429, status: 'RESOURCE_EXHAUSTED' } });
    expect(rateLimit.headers.get('retry-after')).toBeNull();
    clock.advance(5_999);
    await expect(client.messages.create(small)).rejects.toBeInstanceOf(Anthropic.RateLimitError);
    clock.advance(1);
    await expect(client.messages.create(small)).resolves.toMatchObject({ type: 'message' });
  });

  it('keeps input tokens apart and rejects at the declared input TPM', async () => {
    const { client, emulator } = await setup();
    const big = { ...request, max_tokens: 1, messages: [{ role: 'user' as const, content: 'a'.repeat(39_996) }] }; // 9,999 tokens
    await client.messages.create(big);
    await client.messages.create(big);
    expect(emulator.quota(KEY).snapshot().itpm?.remaining).toBe(2);
    await expect(client.messages.create({ ...big, messages: [{ role: 'user', content: 'a'.repeat(12) }] })).rejects.toBeInstanceOf(Anthropic.RateLimitError);
    await expect(client.messages.create({ ...big, messages: [{ role: 'user', content: 'a'.repeat(8) }] })).resolves.toMatchObject({ type: 'message' });
  });

  it('answers without a Bearer token with UNAUTHENTICATED', async () => {
    const { emulator } = await setup();
    const response = await fetch(`${emulator.targets[KEY]!.baseUrl}/v1/projects/acme-ml/locations/europe-west1/publishers/anthropic/models/claude-sonnet-4-6:rawPredict`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...request, anthropic_version: 'vertex-2023-10-16' }),
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { code: 401, status: 'UNAUTHENTICATED' } });
  });
});
