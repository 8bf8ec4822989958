import {
  BedrockRuntimeClient, InvokeModelCommand, InvokeModelWithResponseStreamCommand, ThrottlingException, ValidationException,
} from '@aws-sdk/client-bedrock-runtime';
import type { Emulator } from './emulator';
import { FIDELITY_TARGETS } from './testing/fidelity-plan';
import { fidelityEmulatorPerTest } from './testing/per-test';

const KEY = FIDELITY_TARGETS.bedrock;
const MODEL_ID = 'us.anthropic.claude-sonnet-4-6';
const emulated = fidelityEmulatorPerTest(3);
const clients: BedrockRuntimeClient[] = [];
afterEach(() => clients.splice(0).forEach((client) => client.destroy()));

const credentials = { accessKeyId: 'AKIAEMULATOREXAMPLE1', secretAccessKey: 'emulator-secret' };
function bedrockClient(emulator: Emulator, region: string): BedrockRuntimeClient {
  const client = new BedrockRuntimeClient({ region, endpoint: emulator.targets[KEY]!.baseUrl, credentials, maxAttempts: 1 });
  clients.push(client);
  return client;
}

async function setup(options: { rpm?: number } = {}) {
  const { clock, emulator } = await emulated(options);
  return { clock, emulator, client: bedrockClient(emulator, 'us-east-1') };
}

const body = (content: string, maxTokens = 200) => JSON.stringify({ anthropic_version: 'bedrock-2023-05-31', max_tokens: maxTokens, messages: [{ role: 'user', content }] });
const invoke = (content: string, maxTokens?: number) =>
  new InvokeModelCommand({ modelId: MODEL_ID, contentType: 'application/json', accept: 'application/json', body: body(content, maxTokens) });

interface ClaudeMessage { content: Array<{ text: string }>; usage: { input_tokens: number; output_tokens: number }; stop_reason: string }
const decode = (bytes: Uint8Array | undefined) => JSON.parse(Buffer.from(bytes ?? []).toString('utf8')) as Record<string, unknown>;

describe('@aws-sdk/client-bedrock-runtime against the emulated Bedrock runtime', () => {
  it('completes InvokeModel and reassembles InvokeModelWithResponseStream to the same message', async () => {
    const { client } = await setup();
    const response = await client.send(invoke('Plan the regions'));
    const message = decode(response.body) as unknown as ClaudeMessage;
    expect(message.stop_reason).toBe('end_turn');
    const stream = await client.send(new InvokeModelWithResponseStreamCommand({ modelId: MODEL_ID, contentType: 'application/json', body: body('Plan the regions') }));
    const events: Array<Record<string, unknown>> = [];
    for await (const part of stream.body!) events.push(decode(part.chunk?.bytes));
    const text = events.filter((e) => e.type === 'content_block_delta').map((e) => (e.delta as { text: string }).text).join('');
    expect(text).toBe(message.content[0]!.text);
    expect(events.map((e) => e.type).slice(0, 2)).toEqual(['message_start', 'content_block_start']);
    const stop = events.at(-1)!;
    expect(stop.type).toBe('message_stop');
    expect(stop['amazon-bedrock-invocationMetrics']).toMatchObject({ inputTokenCount: message.usage.input_tokens, outputTokenCount: message.usage.output_tokens });
  });

  it('reports token counts in x-amzn-bedrock-* headers', async () => {
    const { client } = await setup();
    const seen: Record<string, string> = {};
    client.middlewareStack.add((next) => async (args) => {
      const result = await next(args);
      Object.assign(seen, (result.response as { headers: Record<string, string> }).headers);
      return result;
    }, { step: 'deserialize' });
    const response = await client.send(invoke('count me'));
    const message = decode(response.body) as unknown as ClaudeMessage;
    expect(seen['x-amzn-bedrock-input-token-count']).toBe(String(message.usage.input_tokens));
    expect(seen['x-amzn-bedrock-output-token-count']).toBe(String(message.usage.output_tokens));
  });

  it('reserves max_tokens, burns output x5, and throttles exactly at the declared TPM', async () => {
    const { client, emulator } = await setup();
    const prompt = 'a'.repeat(400); // 100 tokens
    const first = decode((await client.send(invoke(prompt, 1900))).body) as unknown as ClaudeMessage;
    const remaining = 20000 - (100 + first.usage.output_tokens * 5);
    expect(emulator.quota(KEY).snapshot().tpm?.remaining).toBe(remaining);
    const error = await client.send(invoke(prompt, remaining - 100 + 1)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ThrottlingException);
    expect((error as ThrottlingException).$metadata.httpStatusCode).toBe(429);
    expect((error as ThrottlingException).message).toBe('Too many tokens, please wait before trying again.');
    await expect(client.send(invoke(prompt, remaining - 100))).resolves.toMatchObject({ contentType: 'application/json' });
    expect(emulator.stats()[KEY]).toMatchObject({ admitted: 2, throttled: 1 });
  });

  it('throws ThrottlingException on the 11th request of a minute at 10 RPM', async () => {
    const { client, clock } = await setup({ rpm: 10 });
    for (let i = 0; i < 10; i++) await client.send(invoke('x', 1));
    await expect(client.send(invoke('x', 1))).rejects.toThrow(ThrottlingException);
    // Bedrock gives no retry-after; one request refills every 6 s at 10 RPM.
    clock.advance(5_999);
    await expect(client.send(invoke('x', 1))).rejects.toThrow(ThrottlingException);
    clock.advance(1);
    await expect(client.send(invoke('x', 1))).resolves.toMatchObject({ contentType: 'application/json' });
  });

  it('fails the SDK stream when the event stream is cut mid-way', async () => {
    const { client, emulator } = await setup();
    emulator.setFaults({ [KEY]: [{ kind: 'truncate-stream', afterTokens: 2 }] });
    const stream = await client.send(new InvokeModelWithResponseStreamCommand({ modelId: MODEL_ID, contentType: 'application/json', body: body('cut me') }));
    const events: Array<Record<string, unknown>> = [];
    const drain = async () => {
      for await (const part of stream.body!) events.push(decode(part.chunk?.bytes));
    };
    await expect(drain()).rejects.toThrow();
    expect(events.filter((e) => e.type === 'content_block_delta')).toHaveLength(2);
    expect(events.some((e) => e.type === 'message_stop')).toBe(false);
  });

  it('rejects a signature scoped to another region, and an unknown model', async () => {
    const { client, emulator } = await setup();
    const elsewhere = bedrockClient(emulator, 'eu-west-1');
    await expect(elsewhere.send(invoke('hi'))).rejects.toMatchObject({ name: 'InvalidSignatureException', $metadata: { httpStatusCode: 403 } });
    await expect(client.send(new InvokeModelCommand({ modelId: 'anthropic.claude-v9', contentType: 'application/json', body: body('hi') }))).rejects.toThrow(ValidationException);
  });
});
