import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { ManualClock } from './clock';
import { startEmulator, type Emulator } from './emulator';
import { FIDELITY_TARGETS, fidelityPlan } from './testing/fidelity-plan';
import { postJson, sigV4ShapedHeaders } from './testing/raw-requests';
import { MALFORMED_HEADER_VALUE } from './wire/headers';

let clock: ManualClock;
let emulator: Emulator;

beforeEach(async () => {
  clock = new ManualClock();
  emulator = await startEmulator({ plan: fidelityPlan(), clock });
});
afterEach(() => emulator.close());

const anthropic = () => new Anthropic({ apiKey: 'k', baseURL: emulator.targets[FIDELITY_TARGETS.anthropic]!.baseUrl, maxRetries: 0 });
const openai = (timeout?: number) => new OpenAI({ apiKey: 'k', baseURL: `${emulator.targets[FIDELITY_TARGETS.openai]!.baseUrl}/v1`, maxRetries: 0, ...(timeout ? { timeout } : {}) });
const claudeRequest = { model: 'claude-sonnet-4-6', max_tokens: 100, messages: [{ role: 'user' as const, content: 'faults?' }] };
const chatRequest = { model: 'gpt-5.1', max_completion_tokens: 100, messages: [{ role: 'user' as const, content: 'faults?' }] };

describe('scripted faults as clients see them', () => {
  it('a connection reset is a connection error, and costs no quota', async () => {
    emulator.setFaults({ [FIDELITY_TARGETS.openai]: [{ kind: 'reset', times: 1 }] });
    await expect(openai().chat.completions.create(chatRequest)).rejects.toBeInstanceOf(OpenAI.APIConnectionError);
    expect(emulator.stats()[FIDELITY_TARGETS.openai]).toMatchObject({ faulted: 1, admitted: 0 });
    expect(emulator.quota(FIDELITY_TARGETS.openai).snapshot().rpm?.remaining).toBe(1000);
    await expect(openai().chat.completions.create(chatRequest)).resolves.toMatchObject({ object: 'chat.completion' });
  });

  it('a timeout holds the request until the client gives up', async () => {
    emulator.setFaults({ [FIDELITY_TARGETS.openai]: [{ kind: 'timeout' }] });
    // The SDK aborts after its 100 ms timeout; under jest the abort surfaces as its parent class.
    await expect(openai(100).chat.completions.create(chatRequest)).rejects.toBeInstanceOf(OpenAI.APIConnectionError);
    expect(emulator.stats()[FIDELITY_TARGETS.openai]).toMatchObject({ requests: 1, faulted: 1, admitted: 0 });
  });

  it('a truncated stream ends after the scripted tokens and settles only what was sent', async () => {
    emulator.setFaults({ [FIDELITY_TARGETS.anthropic]: [{ kind: 'truncate-stream', afterTokens: 2 }] });
    const deltas: string[] = [];
    const stream = anthropic().messages.stream(claudeRequest);
    stream.on('text', (text) => deltas.push(text));
    await expect(stream.finalMessage()).rejects.toThrow();
    expect(deltas).toHaveLength(2);
    expect(emulator.stats()[FIDELITY_TARGETS.anthropic]).toMatchObject({ faulted: 1, outputTokens: 2 });
    expect(emulator.quota(FIDELITY_TARGETS.anthropic).snapshot().otpm?.remaining).toBe(4000 - 2);
  });

  it('a region goes dark for its window only', async () => {
    emulator.setFaults({ [FIDELITY_TARGETS.anthropic]: [{ kind: 'dark', startMs: 1_000, durationMs: 30_000 }] });
    await expect(anthropic().messages.create(claudeRequest)).resolves.toMatchObject({ type: 'message' });
    clock.advance(1_000);
    await expect(anthropic().messages.create(claudeRequest)).rejects.toBeInstanceOf(Anthropic.APIConnectionError);
    clock.advance(30_000);
    await expect(anthropic().messages.create(claudeRequest)).resolves.toMatchObject({ type: 'message' });
  });

  it('scripted 5xx answers carry the provider error shape', async () => {
    emulator.setFaults({ [FIDELITY_TARGETS.openai]: [{ kind: 'error', status: 503, times: 1 }] });
    const error = await openai().chat.completions.create(chatRequest).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    expect((error as InstanceType<typeof OpenAI.APIError>).type).toBe('server_error');
  });

  it('malformed headers replace rate-limit values with garbage', async () => {
    emulator.setFaults({ [FIDELITY_TARGETS.openai]: [{ kind: 'malformed-headers', times: 1 }] });
    const { response } = await openai().chat.completions.create(chatRequest).withResponse();
    expect(response.headers.get('x-ratelimit-remaining-requests')).toBe(MALFORMED_HEADER_VALUE);
    expect(response.headers.get('retry-after')).toBe(MALFORMED_HEADER_VALUE);
  });

  it('a slow fault stretches the latency the provider reports', async () => {
    const bedrock = emulator.targets[FIDELITY_TARGETS.bedrock]!;
    const url = `${bedrock.baseUrl}${bedrock.endpoint.path}/invoke`;
    const body = { anthropic_version: 'bedrock-2023-05-31', max_tokens: 100, messages: [{ role: 'user', content: 'slow?' }] };
    const latency = async () => Number((await postJson(url, sigV4ShapedHeaders('us-east-1'), body)).headers.get('x-amzn-bedrock-invocation-latency'));
    const normal = await latency();
    emulator.setFaults({ [FIDELITY_TARGETS.bedrock]: [{ kind: 'slow', factor: 50 }] });
    expect(await latency()).toBe(normal * 50);
  });
});
