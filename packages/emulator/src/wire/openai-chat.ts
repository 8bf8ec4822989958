/**
 * The Chat Completions body, shared by OpenAI and Azure OpenAI.
 * https://platform.openai.com/docs/api-reference/chat/create
 * https://platform.openai.com/docs/api-reference/chat-streaming (chunks, stream_options.include_usage, data: [DONE])
 */
import { jsonReply, sseEvent } from './headers';
import type { Generated, ModelCall, Reply, StreamPlan } from './types';

/** Quota estimate when a request names no max_tokens (the cost models need a number). */
export const DEFAULT_CHAT_MAX_TOKENS = 1024;

export type ChatParse =
  | { readonly ok: true; readonly model?: string; readonly call: Omit<ModelCall, 'model'> }
  | { readonly ok: false; readonly message: string; readonly param: string | null };

function contentText(content: unknown): string | undefined {
  if (typeof content === 'string') return content;
  if (content === null) return '';
  if (!Array.isArray(content)) return undefined;
  const parts: string[] = [];
  for (const part of content) {
    const { type, text } = (part ?? {}) as { type?: unknown; text?: unknown };
    if (typeof type !== 'string') return undefined;
    parts.push(type === 'text' && typeof text === 'string' ? text : JSON.stringify(part));
  }
  return parts.join('\n');
}

export function parseChatBody(raw: Buffer, options: { readonly requireModel: boolean }): ChatParse {
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch {
    return { ok: false, message: "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly.)", param: null };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return { ok: false, message: 'The request body must be a JSON object.', param: null };
  const body = json as Record<string, unknown>;
  if (options.requireModel && typeof body.model !== 'string') return { ok: false, message: 'you must provide a model parameter', param: null };
  if (!Array.isArray(body.messages) || body.messages.length === 0) return { ok: false, message: "Invalid 'messages': empty array. Expected an array with minimum length 1.", param: 'messages' };
  const texts: string[] = [];
  for (const [index, message] of (body.messages as unknown[]).entries()) {
    const { role, content } = (message ?? {}) as { role?: unknown; content?: unknown };
    if (typeof role !== 'string' || !['system', 'developer', 'user', 'assistant', 'tool'].includes(role)) {
      return { ok: false, message: `Invalid value for 'messages[${index}].role'.`, param: `messages[${index}].role` };
    }
    const text = contentText(content);
    if (text === undefined) return { ok: false, message: `Invalid type for 'messages[${index}].content'.`, param: `messages[${index}].content` };
    texts.push(text);
  }
  const limit = body.max_completion_tokens ?? body.max_tokens;
  if (limit !== undefined && limit !== null && (!Number.isInteger(limit) || (limit as number) < 1)) {
    return { ok: false, message: "Invalid 'max_tokens': integer below minimum value. Expected a value >= 1.", param: body.max_completion_tokens !== undefined ? 'max_completion_tokens' : 'max_tokens' };
  }
  const streamOptions = body.stream_options as { include_usage?: unknown } | undefined;
  return {
    ok: true,
    ...(typeof body.model === 'string' ? { model: body.model } : {}),
    call: {
      stream: body.stream === true,
      prompt: texts.join('\n'),
      maxTokens: typeof limit === 'number' ? limit : DEFAULT_CHAT_MAX_TOKENS,
      includeUsage: streamOptions?.include_usage === true,
    },
  };
}

/** OpenAI's error envelope. */
export function openAiError(status: number, message: string, type: string, code: string | null, param: string | null = null, headers: Record<string, string> = {}): Reply {
  return jsonReply(status, { error: { message, type, param, code } }, headers);
}

function finishReason(generated: Generated): 'stop' | 'length' {
  return generated.completion.truncated ? 'length' : 'stop';
}

function usage(generated: Generated) {
  const completion = generated.completion.outputTokens;
  return { prompt_tokens: generated.inputTokens, completion_tokens: completion, total_tokens: generated.inputTokens + completion };
}

export function chatCompletion(call: ModelCall, generated: Generated, headers: Record<string, string>): Reply {
  return jsonReply(200, {
    id: generated.id,
    object: 'chat.completion',
    created: generated.createdSeconds,
    model: call.model,
    choices: [{ index: 0, message: { role: 'assistant', content: generated.completion.text, refusal: null }, logprobs: null, finish_reason: finishReason(generated) }],
    usage: usage(generated),
    system_fingerprint: 'fp_headroom_emulator',
  }, headers);
}

export function chatStream(call: ModelCall, generated: Generated, headers: Record<string, string>): StreamPlan {
  const chunk = (delta: Record<string, unknown>, finish: string | null) => sseEvent(JSON.stringify({
    id: generated.id,
    object: 'chat.completion.chunk',
    created: generated.createdSeconds,
    model: call.model,
    system_fingerprint: 'fp_headroom_emulator',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    ...(call.includeUsage ? { usage: null } : {}),
  }));
  const usageChunk = sseEvent(JSON.stringify({
    id: generated.id, object: 'chat.completion.chunk', created: generated.createdSeconds, model: call.model,
    system_fingerprint: 'fp_headroom_emulator', choices: [], usage: usage(generated),
  }));
  return {
    headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', ...headers },
    head: [chunk({ role: 'assistant', content: '', refusal: null }, null)],
    perToken: generated.completion.pieces.map((content) => chunk({ content }, null)),
    tail: [chunk({}, finishReason(generated)), ...(call.includeUsage ? [usageChunk] : []), sseEvent('[DONE]')],
  };
}
