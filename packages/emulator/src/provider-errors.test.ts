import { ManualClock } from './clock';
import { startEmulator, type Emulator } from './emulator';
import { FIDELITY_TARGETS, fidelityPlan } from './testing/fidelity-plan';
import { postJson, sigV4ShapedHeaders } from './testing/raw-requests';

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ plan: fidelityPlan(), clock: new ManualClock() });
});
afterAll(() => emulator.close());

const url = (key: string, path: string) => `${emulator.targets[key]!.baseUrl}${path}`;
const claude = { max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] };
const chat = { model: 'gpt-5.1', messages: [{ role: 'user', content: 'hi' }] };

describe('bad requests get each provider\'s own error shape', () => {
  it('Anthropic: 401 authentication_error, 400 invalid_request_error, 404 not_found_error', async () => {
    const messages = url(FIDELITY_TARGETS.anthropic, '/v1/messages');
    const version = { 'anthropic-version': '2023-06-01' };
    expect(await postJson(messages, version, { model: 'claude-sonnet-4-6', ...claude })).toMatchObject({ status: 401, json: { type: 'error', error: { type: 'authentication_error' } } });
    expect(await postJson(messages, { ...version, 'x-api-key': 'k' }, { model: 'claude-sonnet-4-6', messages: [] })).toMatchObject({ status: 400, json: { error: { type: 'invalid_request_error', message: 'max_tokens: Field required' } } });
    expect(await postJson(messages, { 'x-api-key': 'k' }, { model: 'claude-sonnet-4-6', ...claude })).toMatchObject({ status: 400, json: { error: { message: 'anthropic-version: header is required' } } });
    expect(await postJson(url(FIDELITY_TARGETS.anthropic, '/v1/nope'), { 'x-api-key': 'k' }, {})).toMatchObject({ status: 404, json: { error: { type: 'not_found_error' } } });
  });

  it('Bedrock: 403 MissingAuthenticationTokenException, 400 ValidationException, 404 UnknownOperationException', async () => {
    const invoke = url(FIDELITY_TARGETS.bedrock, `${emulator.targets[FIDELITY_TARGETS.bedrock]!.endpoint.path}/invoke`);
    const missing = await postJson(invoke, {}, claude);
    expect(missing).toMatchObject({ status: 403, json: { message: 'Missing Authentication Token' } });
    expect(missing.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
    const noVersion = await postJson(invoke, sigV4ShapedHeaders('us-east-1'), claude);
    expect(noVersion.status).toBe(400);
    expect(noVersion.headers.get('x-amzn-errortype')).toBe('ValidationException');
    const withModel = await postJson(invoke, sigV4ShapedHeaders('us-east-1'), { ...claude, anthropic_version: 'bedrock-2023-05-31', model: 'x' });
    expect(withModel.json).toMatchObject({ message: expect.stringContaining('extraneous key [model]') });
    const unknown = await postJson(url(FIDELITY_TARGETS.bedrock, '/models'), sigV4ShapedHeaders('us-east-1'), claude);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('x-amzn-errortype')).toBe('UnknownOperationException');
  });

  it('Vertex: 404 NOT_FOUND for another model, 400 for a missing anthropic_version', async () => {
    const base = emulator.targets[FIDELITY_TARGETS.vertex]!.endpoint.path.replace(/\/[^/]+$/, '');
    const bearer = { authorization: 'Bearer ya29.token' };
    expect(await postJson(url(FIDELITY_TARGETS.vertex, `${base}/claude-opus-9:rawPredict`), bearer, claude)).toMatchObject({ status: 404, json: { error: { code: 404, status: 'NOT_FOUND' } } });
    expect(await postJson(url(FIDELITY_TARGETS.vertex, `${base}/claude-sonnet-4-6:rawPredict`), bearer, claude)).toMatchObject({ status: 400, json: { error: { type: 'invalid_request_error' } } });
    const ok = await postJson(url(FIDELITY_TARGETS.vertex, `${base}/claude-sonnet-4-6:rawPredict`), bearer, { ...claude, anthropic_version: 'vertex-2023-10-16' });
    expect(ok).toMatchObject({ status: 200, json: { type: 'message' } });
  });

  it('Azure OpenAI: 401 without a key, 404 without api-version, 400 invalid_request_error', async () => {
    const path = `${emulator.targets[FIDELITY_TARGETS.azure]!.endpoint.path}/chat/completions`;
    expect(await postJson(url(FIDELITY_TARGETS.azure, `${path}?api-version=2024-10-21`), {}, chat)).toMatchObject({ status: 401, json: { error: { code: '401' } } });
    expect(await postJson(url(FIDELITY_TARGETS.azure, path), { 'api-key': 'k' }, chat)).toMatchObject({ status: 404, json: { error: { code: '404', message: 'Resource not found' } } });
    expect(await postJson(url(FIDELITY_TARGETS.azure, `${path}?api-version=2024-10-21`), { 'api-key': 'k' }, { messages: [] })).toMatchObject({ status: 400, json: { error: { type: 'invalid_request_error', param: 'messages' } } });
  });

  it('OpenAI: 401 without a key, 404 for an unknown path, 400 for malformed JSON', async () => {
    expect(await postJson(url(FIDELITY_TARGETS.openai, '/v1/chat/completions'), {}, chat)).toMatchObject({ status: 401, json: { error: { type: 'invalid_request_error' } } });
    expect(await postJson(url(FIDELITY_TARGETS.openai, '/v1/completions'), { authorization: 'Bearer k' }, chat)).toMatchObject({ status: 404, json: { error: { message: 'Invalid URL (POST /v1/completions)' } } });
    expect(await postJson(url(FIDELITY_TARGETS.openai, '/v1/chat/completions'), { authorization: 'Bearer k' }, '{oops')).toMatchObject({ status: 400, json: { error: { type: 'invalid_request_error' } } });
  });

  it('counts bad requests as rejected, not admitted', () => {
    expect(emulator.stats()[FIDELITY_TARGETS.openai]).toMatchObject({ rejected: 3, admitted: 0 });
  });
});
