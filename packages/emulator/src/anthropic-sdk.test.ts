import Anthropic from '@anthropic-ai/sdk';
import { startEmulator } from './emulator';
import { FIDELITY_TARGETS, fidelityPlan } from './testing/fidelity-plan';
import { fidelityEmulatorPerTest } from './testing/per-test';

const KEY = FIDELITY_TARGETS.anthropic;
const emulated = fidelityEmulatorPerTest(42);

async function setup(options: { rpm?: number } = {}) {
  const { clock, emulator } = await emulated(options);
  return { clock, emulator, client: new Anthropic({ apiKey: 'sk-ant-emulator', baseURL: emulator.targets[KEY]!.baseUrl, maxRetries: 0 }) };
}

const request = { model: 'claude-sonnet-4-6', max_tokens: 200, messages: [{ role: 'user' as const, content: 'Where is the headroom today?' }] };

describe('@anthropic-ai/sdk against the emulated Anthropic API', () => {
  it('completes a call with usage that matches its text', async () => {
    const { client } = await setup();
    const { data: message, response } = await client.messages.create(request).withResponse();
    expect(message).toMatchObject({ type: 'message', role: 'assistant', model: 'claude-sonnet-4-6', stop_reason: 'end_turn' });
    const text = message.content.map((block) => (block.type === 'text' ? block.text : '')).join('');
    expect(text.length).toBeGreaterThan(0);
    expect(message.usage.input_tokens).toBe(Math.ceil('Where is the headroom today?'.length / 4));
    expect(response.headers.get('anthropic-ratelimit-requests-remaining')).toBe('999');
    expect(response.headers.get('anthropic-ratelimit-input-tokens-remaining')).toBe(String(20000 - message.usage.input_tokens));
    expect(response.headers.get('anthropic-ratelimit-output-tokens-remaining')).toBe(String(4000 - message.usage.output_tokens));
    expect(response.headers.get('anthropic-ratelimit-requests-reset')).toBe('2026-01-01T00:00:01Z');
  });

  it('streams the documented event sequence and reassembles the same message', async () => {
    const { client } = await setup();
    const whole = await client.messages.create(request);
    const events: string[] = [];
    const stream = client.messages.stream(request);
    stream.on('streamEvent', (event) => events.push(event.type));
    const streamed = await stream.finalMessage();
    expect(streamed.content).toEqual(whole.content);
    expect(streamed.usage.output_tokens).toBe(whole.usage.output_tokens);
    expect(streamed.stop_reason).toBe('end_turn');
    expect(events[0]).toBe('message_start');
    expect(events.slice(1, 2)).toEqual(['content_block_start']);
    expect(events.filter((type) => type === 'content_block_delta')).toHaveLength(whole.usage.output_tokens);
    expect(events.slice(-3)).toEqual(['content_block_stop', 'message_delta', 'message_stop']);
  });

  it('raises RateLimitError on the 11th request of a minute at 10 RPM, with a truthful retry-after', async () => {
    const { client, clock } = await setup({ rpm: 10 });
    const small = { ...request, max_tokens: 1, messages: [{ role: 'user' as const, content: 'hi' }] };
    for (let i = 0; i < 10; i++) await client.messages.create(small);
    const error = await client.messages.create(small).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Anthropic.RateLimitError);
    const rateLimit = error as InstanceType<typeof Anthropic.RateLimitError>;
    expect(rateLimit.error).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
    // One request refills every 6 s at 10 RPM.
    expect(rateLimit.headers.get('retry-after')).toBe('6');
    expect(rateLimit.headers.get('anthropic-ratelimit-requests-remaining')).toBe('0');
    expect(rateLimit.headers.get('anthropic-ratelimit-requests-reset')).toBe('2026-01-01T00:01:00Z');
    clock.advance(5_999);
    await expect(client.messages.create(small)).rejects.toBeInstanceOf(Anthropic.RateLimitError);
    clock.advance(1);
    await expect(client.messages.create(small)).resolves.toMatchObject({ type: 'message' });
  });

  it('keeps output tokens apart: max_tokens is reserved, then settled to the real output', async () => {
    const { client, emulator } = await setup();
    const first = await client.messages.create({ ...request, max_tokens: 4000 });
    const left = 4000 - first.usage.output_tokens;
    await expect(client.messages.create({ ...request, max_tokens: left + 1 })).rejects.toBeInstanceOf(Anthropic.RateLimitError);
    const second = await client.messages.create({ ...request, max_tokens: left });
    expect(second.type).toBe('message');
    expect(emulator.stats()[KEY]).toMatchObject({ admitted: 2, throttled: 1 });
  });

  it('raises the SDK overload error on a scripted 529', async () => {
    const { client, emulator } = await setup();
    emulator.setFaults({ [KEY]: [{ kind: 'error', status: 529, times: 1 }] });
    const error = await client.messages.create(request).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Anthropic.InternalServerError);
    expect((error as InstanceType<typeof Anthropic.APIError>).status).toBe(529);
    expect((error as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({ error: { type: 'overloaded_error' } });
    await expect(client.messages.create(request)).resolves.toMatchObject({ type: 'message' });
  });

  it('paces a stream on the default real-time clock (time to first token, then tokens per second)', async () => {
    const { client } = await setup();
    const realTime = await startEmulator({ plan: fidelityPlan(), seed: 42, latency: { timeToFirstTokenMs: 5, tokensPerSecond: 2000 } });
    try {
      const live = new Anthropic({ apiKey: 'k', baseURL: realTime.targets[KEY]!.baseUrl, maxRetries: 0 });
      const streamed = await live.messages.stream(request).finalMessage();
      const whole = await client.messages.create(request);
      expect(streamed.content).toEqual(whole.content);
    } finally {
      await realTime.close();
    }
  });

  it('answers an unknown model with not_found_error', async () => {
    const { client } = await setup();
    await expect(client.messages.create({ ...request, model: 'claude-opus-9' })).rejects.toBeInstanceOf(Anthropic.NotFoundError);
  });
});
