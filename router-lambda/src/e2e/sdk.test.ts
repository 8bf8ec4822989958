import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { startHarness, type Harness } from './harness';

const CANARY_CLIENT_KEY = 'sk-client-canary-7f3a9';
const ask = { model: 'claude-sonnet-4-6', max_tokens: 64, messages: [{ role: 'user' as const, content: 'Say something about quotas.' }] };

let h: Harness;
let anthropic: Anthropic;
let openai: OpenAI;

beforeEach(async () => {
  h = await startHarness();
  anthropic = new Anthropic({ baseURL: h.url, apiKey: CANARY_CLIENT_KEY, maxRetries: 0 });
  openai = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: CANARY_CLIENT_KEY, maxRetries: 0 });
});
afterEach(() => h.close());

/** Use up a target's quota from outside the router, as another workload sharing it would. */
function exhaust(key: string): void {
  const quota = h.emulator.quota(key);
  for (let i = 0; i < 10_000; i++) if (!quota.tryAdmit({ inputTokens: 10, maxTokens: 10 }).admitted) return;
  throw new Error(`could not exhaust ${key}`);
}

describe('official SDKs through the router to emulated regions', () => {
  it('Anthropic: a plain call and a streamed call, each tagged with its region', async () => {
    const { data, response } = await anthropic.messages.create(ask).withResponse();
    expect(data.content[0]).toMatchObject({ type: 'text' });
    expect(data.usage.output_tokens).toBeGreaterThan(0);
    expect(response.headers.get('x-headroom-region')).toMatch(/^(us-east-1|eu-west-1|europe-west1|global)$/);
    const stream = anthropic.messages.stream(ask);
    const final = await stream.finalMessage();
    expect(final.content[0]).toMatchObject({ type: 'text' });
    expect((final.content[0] as { text: string }).text.length).toBeGreaterThan(0);
  });

  it('OpenAI: a plain call and a streamed call', async () => {
    const completion = await openai.chat.completions.create({ model: 'gpt-5.1', max_tokens: 64, messages: [{ role: 'user', content: 'hello' }] });
    expect(completion.choices[0]!.message.content!.length).toBeGreaterThan(0);
    let text = '';
    for await (const chunk of await openai.chat.completions.create({ model: 'gpt-5.1', max_tokens: 64, stream: true, messages: [{ role: 'user', content: 'hello' }] })) {
      text += chunk.choices[0]?.delta?.content ?? '';
    }
    expect(text.length).toBeGreaterThan(0);
  });

  it('fails over when a region answers 429, and the client never sees it', async () => {
    for (const key of ['claude/bedrock-us-east-1', 'claude/bedrock-eu-west-1', 'claude/anthropic']) exhaust(key);
    const regions = new Set<string>();
    let failovers = 0;
    for (let i = 0; i < 8; i++) {
      const { response } = await anthropic.messages.create(ask).withResponse();
      regions.add(response.headers.get('x-headroom-target')!);
      if (Number(response.headers.get('x-headroom-attempts')) > 1) failovers++;
    }
    expect([...regions]).toEqual(['claude/vertex-europe-west1']);
    expect(failovers).toBeGreaterThan(0);
    expect(h.upstreamRequests.length).toBeGreaterThan(8);
  });

  it('keeps EU-pinned requests on EU-processing targets', async () => {
    const pinned = new Anthropic({ baseURL: h.url, apiKey: CANARY_CLIENT_KEY, maxRetries: 0, defaultHeaders: { 'x-headroom-residency': 'eu' } });
    for (let i = 0; i < 12; i++) {
      const { response } = await pinned.messages.create(ask).withResponse();
      expect(['claude/bedrock-eu-west-1', 'claude/vertex-europe-west1']).toContain(response.headers.get('x-headroom-target'));
    }
  });

  it('when every target is exhausted the SDK raises its rate-limit error with a truthful retry-after', async () => {
    for (const key of ['claude/bedrock-us-east-1', 'claude/bedrock-eu-west-1', 'claude/anthropic', 'claude/vertex-europe-west1']) exhaust(key);
    let error: unknown;
    for (let i = 0; i < 10 && !error; i++) {
      try {
        await anthropic.messages.create(ask);
      } catch (e) {
        error = e;
      }
    }
    expect(error).toBeInstanceOf(Anthropic.RateLimitError);
    const rateLimit = error as InstanceType<typeof Anthropic.RateLimitError>;
    const retryAfter = Number(rateLimit.headers?.get('retry-after'));
    expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60).toBe(true);
    expect((rateLimit.error as { error: { type: string } }).error.type).toBe('rate_limit_error');
  });

  it('answers bad requests in the API format without calling upstream', async () => {
    await expect(anthropic.messages.create({ ...ask, model: 'claude-9' })).rejects.toBeInstanceOf(Anthropic.NotFoundError);
    await expect(openai.chat.completions.create({ model: 'gpt-5.1', messages: [] })).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    expect(h.upstreamRequests).toEqual([]);
  });

  it('never forwards the client credential upstream, nor echoes it', async () => {
    const { response } = await anthropic.messages.create(ask).withResponse();
    await openai.chat.completions.create({ model: 'gpt-5.1', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] });
    expect(JSON.stringify(h.upstreamRequests)).not.toContain(CANARY_CLIENT_KEY);
    expect(JSON.stringify([...response.headers])).not.toContain(CANARY_CLIENT_KEY);
  });
});
