import { compileRouterConfig, definePlan, testing } from '@headroom/plan';
import { FrontDoorError } from './errors';
import { MAX_JSON_DEPTH } from './json-depth';
import { parseFrontDoor } from './parse';

const { examplePlanInput } = testing;

const config = compileRouterConfig(definePlan(examplePlanInput()));
const anthropic = (body: unknown, headers: Record<string, string> = {}) => parseFrontDoor('anthropic', JSON.stringify(body), headers, config);
const valid = { model: 'claude-sonnet-4-6', max_tokens: 300, messages: [{ role: 'user', content: 'x'.repeat(400) }] };

function errorOf(run: () => unknown): FrontDoorError {
  try {
    run();
  } catch (error) {
    if (error instanceof FrontDoorError) return error;
    throw error;
  }
  throw new Error('expected a FrontDoorError');
}

describe('parseFrontDoor', () => {
  it('resolves the family by alias and estimates the request', () => {
    const request = anthropic({ ...valid, stream: true }, { 'x-headroom-residency': 'EU' });
    expect(request).toMatchObject({ api: 'anthropic', family: 'claude', stream: true, residency: 'eu', estimate: { maxTokens: 300 } });
    expect(request.estimate.inputTokens).toBeGreaterThan(100);
  });

  it('uses max_completion_tokens or a default for OpenAI', () => {
    const body = { model: 'gpt-5.1', messages: [{ role: 'user', content: 'hi' }], max_completion_tokens: 77 };
    expect(parseFrontDoor('openai', JSON.stringify(body), {}, config).estimate.maxTokens).toBe(77);
    const { max_completion_tokens: _omit, ...bare } = body;
    expect(parseFrontDoor('openai', JSON.stringify(bare), {}, config).estimate.maxTokens).toBe(4096);
  });

  it('takes null where OpenAI documents it (max_tokens, max_completion_tokens, stream) as absent', () => {
    const body = { model: 'gpt-5.1', messages: [{ role: 'user', content: 'hi' }], max_tokens: null, max_completion_tokens: null, stream: null };
    expect(parseFrontDoor('openai', JSON.stringify(body), {}, config)).toMatchObject({ stream: false, estimate: { maxTokens: 4096 } });
    expect(() => anthropic({ ...valid, max_tokens: null })).toThrow(FrontDoorError);
  });

  it('admits the larger of max_tokens and max_completion_tokens when an OpenAI request sends both', () => {
    const body = (max_tokens: number, max_completion_tokens: number) => JSON.stringify({ model: 'gpt-5.1', messages: [{ role: 'user', content: 'hi' }], max_tokens, max_completion_tokens });
    expect(parseFrontDoor('openai', body(16, 900), {}, config).estimate.maxTokens).toBe(900);
    expect(parseFrontDoor('openai', body(900, 16), {}, config).estimate.maxTokens).toBe(900);
  });

  it.each([
    ['not JSON', '{"model":', 'invalid_request', /not valid JSON/],
    ['missing max_tokens', JSON.stringify({ ...valid, max_tokens: undefined }), 'invalid_request', /max_tokens/],
    ['empty messages', JSON.stringify({ ...valid, messages: [] }), 'invalid_request', /messages/],
    ['unknown model', JSON.stringify({ ...valid, model: 'claude-9' }), 'not_found', /model 'claude-9' is not served here; models: claude-sonnet-4-6/],
    ['a GPT alias on the Anthropic door', JSON.stringify({ ...valid, model: 'gpt-5.1' }), 'not_found', /not served here/],
  ])('rejects %s in the API\'s own format', (_name, raw, kind, message) => {
    const error = errorOf(() => parseFrontDoor('anthropic', raw, {}, config));
    expect(error.kind).toBe(kind);
    expect(error.message).toMatch(message);
    expect(error.body('anthropic')).toEqual({ type: 'error', error: { type: expect.stringMatching(/_error$/), message: error.message } });
  });

  it('rejects an unknown residency pin', () => {
    const error = errorOf(() => anthropic(valid, { 'x-headroom-residency': 'mars' }));
    expect(error.body('openai')).toEqual({ error: { message: expect.stringContaining("'mars' is not a geography"), type: 'invalid_request_error', param: 'x-headroom-residency', code: null } });
  });

  it('renders 429s with retry-after in both formats', () => {
    const error = new FrontDoorError('rate_limit', 'every target is exhausted', 7);
    expect(error.headers()).toEqual({ 'retry-after': '7' });
    expect(error.body('anthropic')).toEqual({ type: 'error', error: { type: 'rate_limit_error', message: 'every target is exhausted' } });
    expect(error.body('openai')).toMatchObject({ error: { type: 'rate_limit_error', code: 'rate_limit_exceeded' } });
  });
});

describe('parseFrontDoor nesting limit', () => {
  const deep = (depth: number) => JSON.parse('['.repeat(depth) + ']'.repeat(depth)) as unknown;
  const hostile = (depth: number) => '{"model":"claude-sonnet-4-6","max_tokens":10,"messages":[{"role":"user","content":"hi"}],"metadata":{"user_id":' +
    '['.repeat(depth) + ']'.repeat(depth) + '}}';

  it('refuses a body nested deeper than MAX_JSON_DEPTH as the client\'s 400, wherever the nesting is', () => {
    for (const raw of [hostile(20_000), hostile(MAX_JSON_DEPTH)]) {
      const error = errorOf(() => parseFrontDoor('anthropic', raw, {}, config));
      expect(error.kind).toBe('invalid_request');
      expect(error.statusFor('anthropic')).toBe(400);
      expect(error.message).toMatch(`deeper than ${MAX_JSON_DEPTH} levels`);
    }
    const inMessages = JSON.stringify({ model: 'gpt-5.1', messages: [{ role: 'user', content: [{ type: 'text', text: 'x' }] }] }).replace('"x"', '['.repeat(20_000) + ']'.repeat(20_000));
    expect(errorOf(() => parseFrontDoor('openai', inMessages, {}, config)).statusFor('openai')).toBe(400);
  });

  it('accepts ordinary nesting such as tool schemas', () => {
    const tools = [{ name: 't', input_schema: { type: 'object', properties: { a: { type: 'array', items: deep(20) } } } }];
    expect(anthropic({ ...valid, tools }).family).toBe('claude');
  });
});
