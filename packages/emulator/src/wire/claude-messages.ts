/**
 * The Claude Messages body, shared by the Anthropic API, Bedrock and Vertex (all three carry the
 * same request and response JSON; only the envelope differs).
 * https://docs.anthropic.com/en/api/messages
 * https://docs.anthropic.com/en/docs/build-with-claude/streaming (event sequence)
 */
import type { Generated } from './types';

export interface ClaudeBody {
  readonly model?: string;
  readonly maxTokens: number;
  readonly stream: boolean;
  readonly prompt: string;
  readonly anthropicVersion?: string;
}

export type ClaudeParse = { readonly ok: true; readonly body: ClaudeBody } | { readonly ok: false; readonly message: string };

function textOf(content: unknown): string | undefined {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return undefined;
  const parts: string[] = [];
  for (const block of content) {
    if (typeof block !== 'object' || block === null) return undefined;
    const { type, text } = block as { type?: unknown; text?: unknown };
    if (typeof type !== 'string') return undefined;
    if (type === 'text' && typeof text === 'string') parts.push(text);
    else parts.push(JSON.stringify(block));
  }
  return parts.join('\n');
}

/** Validate like the Messages API does, with its messages for the common mistakes. */
export function parseClaudeBody(raw: Buffer, options: { readonly requireModel: boolean }): ClaudeParse {
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch {
    return { ok: false, message: 'There was an error parsing the body of your request. Please make sure it is valid JSON.' };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return { ok: false, message: 'The request body must be a JSON object.' };
  const body = json as Record<string, unknown>;
  if (options.requireModel && typeof body.model !== 'string') return { ok: false, message: 'model: Field required' };
  if (body.max_tokens === undefined) return { ok: false, message: 'max_tokens: Field required' };
  if (!Number.isInteger(body.max_tokens) || (body.max_tokens as number) < 1) return { ok: false, message: 'max_tokens: Input should be a valid integer greater than or equal to 1' };
  if (!Array.isArray(body.messages) || body.messages.length === 0) return { ok: false, message: 'messages: at least one message is required' };
  const texts: string[] = [];
  if (body.system !== undefined) {
    const system = textOf(body.system);
    if (system === undefined) return { ok: false, message: 'system: Input should be a valid string or a list of text blocks' };
    texts.push(system);
  }
  for (const [index, message] of (body.messages as unknown[]).entries()) {
    const { role, content } = (message ?? {}) as { role?: unknown; content?: unknown };
    if (role !== 'user' && role !== 'assistant') return { ok: false, message: `messages.${index}.role: Input should be 'user' or 'assistant'` };
    const text = textOf(content);
    if (text === undefined) return { ok: false, message: `messages.${index}.content: Input should be a valid string or a list of content blocks` };
    texts.push(text);
  }
  if (body.stream !== undefined && typeof body.stream !== 'boolean') return { ok: false, message: 'stream: Input should be a valid boolean' };
  return {
    ok: true,
    body: {
      ...(typeof body.model === 'string' ? { model: body.model } : {}),
      ...(typeof body.anthropic_version === 'string' ? { anthropicVersion: body.anthropic_version } : {}),
      maxTokens: body.max_tokens as number,
      stream: body.stream === true,
      prompt: texts.join('\n'),
    },
  };
}

function stopReason(generated: Generated): 'end_turn' | 'max_tokens' {
  return generated.completion.truncated ? 'max_tokens' : 'end_turn';
}

function usage(generated: Generated, outputTokens: number) {
  return { input_tokens: generated.inputTokens, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: outputTokens };
}

/** The non-streaming Message object. */
export function claudeMessage(model: string, generated: Generated): Record<string, unknown> {
  return {
    id: generated.id,
    type: 'message',
    role: 'assistant',
    model,
    content: [{ type: 'text', text: generated.completion.text }],
    stop_reason: stopReason(generated),
    stop_sequence: null,
    usage: usage(generated, generated.completion.outputTokens),
  };
}

export interface ClaudeStreamEvents {
  readonly head: ReadonlyArray<Record<string, unknown>>;
  readonly perToken: ReadonlyArray<Record<string, unknown>>;
  readonly tail: ReadonlyArray<Record<string, unknown>>;
}

/** message_start, content_block_start, ping, one text_delta per token, content_block_stop, message_delta, message_stop. */
export function claudeStreamEvents(model: string, generated: Generated): ClaudeStreamEvents {
  const start = { ...claudeMessage(model, generated), content: [], stop_reason: null, usage: usage(generated, 1) };
  return {
    head: [
      { type: 'message_start', message: start },
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      { type: 'ping' },
    ],
    perToken: generated.completion.pieces.map((text) => ({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } })),
    tail: [
      { type: 'content_block_stop', index: 0 },
      { type: 'message_delta', delta: { stop_reason: stopReason(generated), stop_sequence: null }, usage: { output_tokens: generated.completion.outputTokens } },
      { type: 'message_stop' },
    ],
  };
}

/** Claude's error envelope, used by the Anthropic API and passed through by Bedrock/Vertex for body errors. */
export function claudeError(type: string, message: string): Record<string, unknown> {
  return { type: 'error', error: { type, message } };
}
