import OpenAI, { AzureOpenAI } from 'openai';
import type { Emulator } from './emulator';
import { FIDELITY_TARGETS } from './testing/fidelity-plan';
import { fidelityEmulatorPerTest } from './testing/per-test';

const emulated = fidelityEmulatorPerTest(7);

const ask = (content: string, maxTokens = 200) => ({ model: 'gpt-5.1', max_completion_tokens: maxTokens, messages: [{ role: 'user' as const, content }] });

async function reassemble(stream: AsyncIterable<OpenAI.Chat.Completions.ChatCompletionChunk>) {
  let text = '';
  let finish: string | null = null;
  let usage: OpenAI.CompletionUsage | null | undefined;
  for await (const chunk of stream) {
    text += chunk.choices[0]?.delta.content ?? '';
    finish = chunk.choices[0]?.finish_reason ?? finish;
    usage = chunk.usage ?? usage;
  }
  return { text, finish, usage };
}

describe('openai SDK against the emulated OpenAI API', () => {
  const openaiClient = (emulator: Emulator) => new OpenAI({ apiKey: 'sk-emulator', baseURL: `${emulator.targets[FIDELITY_TARGETS.openai]!.baseUrl}/v1`, maxRetries: 0 });
  async function setup(options: { rpm?: number } = {}) {
    const { clock, emulator } = await emulated(options);
    const client = openaiClient(emulator);
    return { clock, emulator, client: () => client };
  }

  it('completes a call and a stream that agree, with truthful x-ratelimit headers', async () => {
    const { client } = await setup();
    const { data, response } = await client().chat.completions.create(ask('What is headroom?')).withResponse();
    expect(data.choices[0]).toMatchObject({ finish_reason: 'stop', message: { role: 'assistant' } });
    expect(data.usage?.total_tokens).toBe(data.usage!.prompt_tokens + data.usage!.completion_tokens);
    expect(response.headers.get('x-ratelimit-limit-requests')).toBe('1000');
    expect(response.headers.get('x-ratelimit-remaining-requests')).toBe('999');
    // OpenAI charges max(prompt, max_tokens) = 200 at admission.
    expect(response.headers.get('x-ratelimit-remaining-tokens')).toBe('59800');
    expect(response.headers.get('x-ratelimit-reset-tokens')).toBe('200ms');
    const streamed = await reassemble(await client().chat.completions.create({ ...ask('What is headroom?'), stream: true, stream_options: { include_usage: true } }));
    expect(streamed.text).toBe(data.choices[0]!.message.content);
    expect(streamed.finish).toBe('stop');
    expect(streamed.usage).toEqual(data.usage);
  });

  it('raises RateLimitError on the 11th request of a minute at 10 RPM, with reset durations as the hint', async () => {
    const { client, clock } = await setup({ rpm: 10 });
    const openai = client();
    for (let i = 0; i < 10; i++) await openai.chat.completions.create(ask('hi', 1));
    const error = await openai.chat.completions.create(ask('hi', 1)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    const rateLimit = error as InstanceType<typeof OpenAI.RateLimitError>;
    expect(rateLimit.code).toBe('rate_limit_exceeded');
    expect(rateLimit.type).toBe('requests');
    expect(rateLimit.headers?.get('x-ratelimit-remaining-requests')).toBe('0');
    expect(rateLimit.headers?.get('x-ratelimit-reset-requests')).toBe('1m0s');
    clock.advance(5_999);
    await expect(openai.chat.completions.create(ask('hi', 1))).rejects.toBeInstanceOf(OpenAI.RateLimitError);
    clock.advance(1);
    await expect(openai.chat.completions.create(ask('hi', 1))).resolves.toMatchObject({ object: 'chat.completion' });
  });

  it('answers an unknown model with model_not_found', async () => {
    const { client } = await setup();
    const error = await client().chat.completions.create({ ...ask('hi'), model: 'gpt-9' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect((error as InstanceType<typeof OpenAI.NotFoundError>).code).toBe('model_not_found');
  });
});

describe('AzureOpenAI client against the emulated Azure OpenAI deployment', () => {
  async function setup() {
    const { clock, emulator } = await emulated();
    const target = () => emulator.routerConfig.targets[FIDELITY_TARGETS.azure]!;
    const client = (options: { maxRetries?: number; fetch?: typeof fetch } = {}) => new AzureOpenAI({
      endpoint: target().endpoint.baseUrl,
      apiKey: 'azure-key',
      apiVersion: target().endpoint.apiVersion!,
      deployment: target().endpoint.path.split('/').pop()!,
      maxRetries: options.maxRetries ?? 0,
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
    return { clock, target, client };
  }

  it('completes a call and a stream ending in [DONE], with remaining-requests/tokens headers', async () => {
    const { client } = await setup();
    const { data, response } = await client().chat.completions.create(ask('Azure?')).withResponse();
    expect(data.model).toBe('gpt-5.1');
    expect(response.headers.get('x-ratelimit-remaining-requests')).toBe('599');
    // Azure counts prompt + max_tokens at admission and refunds nothing.
    expect(response.headers.get('x-ratelimit-remaining-tokens')).toBe(String(60000 - data.usage!.prompt_tokens - 200));
    const streamed = await reassemble(await client().chat.completions.create({ ...ask('Azure?'), stream: true }));
    expect(streamed.text).toBe(data.choices[0]!.message.content);
  });

  it('rejects exactly at the declared TPM under prompt + max_tokens', async () => {
    const { client } = await setup();
    const prompt = 'a'.repeat(400); // 100 tokens
    const azure = client();
    for (let i = 0; i < 6; i++) await azure.chat.completions.create(ask(prompt, 9900));
    const error = await azure.chat.completions.create(ask('a', 1)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    const rateLimit = error as InstanceType<typeof OpenAI.RateLimitError>;
    expect(rateLimit.headers?.get('x-ratelimit-remaining-tokens')).toBe('0');
    // 2 tokens at 1,000 tokens a second.
    expect(rateLimit.headers?.get('retry-after-ms')).toBe('2');
    expect(rateLimit.headers?.get('retry-after')).toBe('1');
    expect(rateLimit.message).toMatch(/Please retry after 1 seconds/);
  });

  it('the SDK honours retry-after-ms, and the hint is enough', async () => {
    const { client, clock } = await setup();
    const seen: number[] = [];
    // Emulated time passes exactly as long as the client was told to wait.
    const advancingFetch: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      seen.push(response.status);
      if (response.status === 429) clock.advance(Number(response.headers.get('retry-after-ms')));
      return response;
    };
    const azure = client({ maxRetries: 1, fetch: advancingFetch });
    await azure.chat.completions.create(ask('a'.repeat(400), 59_880));
    await expect(azure.chat.completions.create(ask('b', 30))).resolves.toMatchObject({ object: 'chat.completion' });
    expect(seen).toEqual([200, 429, 200]);
  });

  it('answers an unknown deployment with DeploymentNotFound', async () => {
    const { target } = await setup();
    const wrong = new AzureOpenAI({ endpoint: target().endpoint.baseUrl, apiKey: 'k', apiVersion: '2024-10-21', deployment: 'nope', maxRetries: 0 });
    const error = await wrong.chat.completions.create(ask('hi')).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect((error as InstanceType<typeof OpenAI.NotFoundError>).code).toBe('DeploymentNotFound');
  });
});
