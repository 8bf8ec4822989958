/**
 * Issue #1, adapter half: a request the adapter cannot re-encode is the client's 400 (`RequestBuildError`),
 * never a target failure; a misconfigured target is still a `ProviderConfigError`.
 */
import { anthropicAdapter } from './anthropic';
import { azureOpenAiAdapter } from './azure-openai';
import { bedrockAdapter } from './bedrock';
import { openAiAdapter } from './openai';
import { fidelityTarget, scriptedFetch } from './scripted-upstream.test-helpers';
import { StaticSecretSource } from './secrets';
import { chatCall, claudeCall, KEYS } from './testing.test-helpers';
import { ProviderConfigError, RequestBuildError, type ProviderAdapter, type UpstreamCall } from './types';
import { vertexAdapter } from './vertex';

/** The repro: JSON nested 20,000 deep in a field the router passes through. */
function nested(depth: number): unknown {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

const secrets = new StaticSecretSource({ 'emulator-fidelity/anthropic-api-key': 'sk-ant-build-test-1234', 'emulator-fidelity/openai-api-key': 'sk-openai-build-test-1234' });
const upstream = scriptedFetch();
const ADAPTERS: Array<[string, string, ProviderAdapter, (extra: Record<string, unknown>) => UpstreamCall]> = [
  ['anthropic', KEYS.anthropic, anthropicAdapter({ secrets, fetch: upstream.fetch }), (extra) => claudeCall('x', extra)],
  ['bedrock', KEYS.bedrock, bedrockAdapter({ credentials: { accessKeyId: 'AKIABUILDTEST0000000', secretAccessKey: 'build-test-secret' }, fetch: upstream.fetch }), (extra) => claudeCall('x', extra)],
  ['vertex', KEYS.vertex, vertexAdapter({ tokens: () => ({ getAccessToken: async () => 'ya29.build-test-token' }), fetch: upstream.fetch }), (extra) => claudeCall('x', extra)],
  ['openai', KEYS.openai, openAiAdapter({ secrets, fetch: upstream.fetch }), (extra) => chatCall('x', extra)],
  ['azure-openai', KEYS.azure, azureOpenAiAdapter({ credential: () => ({ getToken: async () => ({ token: 'eyJ.build.test', expiresOnTimestamp: 0 }) }), fetch: upstream.fetch }), (extra) => chatCall('x', extra)],
];

describe.each(ADAPTERS)('%s adapter', (_name, key, adapter, call) => {
  it.each(['metadata', 'user'])('a body nested 20,000 deep in %s is a RequestBuildError with the client\'s 400, and nothing is sent', async (field) => {
    const before = upstream.calls.length;
    const sending = adapter.send(fidelityTarget(key), call({ [field]: nested(20_000) }));
    await expect(sending).rejects.toBeInstanceOf(RequestBuildError);
    const error = await sending.then(() => { throw new Error('expected a RequestBuildError'); }, (e: RequestBuildError) => e);
    expect(error).toMatchObject({ name: 'RequestBuildError', target: key });
    const reply = error.reply();
    expect(reply.status).toBe(400);
    if (error.api === 'anthropic') expect(reply.body).toMatchObject({ type: 'error', error: { type: 'invalid_request_error', message: expect.stringMatching(/nested too deeply/) } });
    else expect(reply.body).toMatchObject({ error: { type: 'invalid_request_error', message: expect.stringMatching(/nested too deeply/) } });
    expect(upstream.calls.length).toBe(before);
  });

  it('a misconfigured target is still a ProviderConfigError, not a RequestBuildError', async () => {
    const target = fidelityTarget(key);
    await expect(adapter.send({ ...target, endpoint: { ...target.endpoint, baseUrl: 'ftp://nowhere' } }, call({}))).rejects.toBeInstanceOf(ProviderConfigError);
  });
});
