/**
 * A fetch whose upstream a test scripts step by step: when headers come, which chunks follow, whether it
 * ends. It obeys the request's AbortSignal the way Node's fetch does (the pending call rejects with the
 * signal's reason; an open body errors with it), so deadlines can be driven on VirtualTimers.
 */
import { compileRouterConfig } from '@headroom/plan';
import type { RouterTarget } from '@headroom/plan/runtime';
import { adapterPlan } from './testing.test-helpers';

export interface ScriptedBody {
  push(text: string | Uint8Array): void;
  end(): void;
  /** The router cancelled its read of the body (or aborted the request). */
  readonly cancelled: boolean;
}

export interface ScriptedCall {
  readonly url: string;
  readonly signal: AbortSignal;
  /** Answer with headers now; the body stays open until `end()`. */
  respond(status: number, headers?: Record<string, string>): ScriptedBody;
}

export function scriptedFetch(): { fetch: typeof fetch; calls: ScriptedCall[] } {
  const calls: ScriptedCall[] = [];
  const fake = (input: string | URL | Request, init?: RequestInit) => new Promise<Response>((resolve, reject) => {
    const signal = init!.signal!;
    const rejectOnAbort = () => reject(signal.reason);
    if (signal.aborted) return rejectOnAbort();
    signal.addEventListener('abort', rejectOnAbort, { once: true });
    calls.push({
      url: String(input),
      signal,
      respond(status, headers = {}) {
        signal.removeEventListener('abort', rejectOnAbort);
        let controller!: ReadableStreamDefaultController<Uint8Array>;
        let cancelled = false;
        const body = new ReadableStream<Uint8Array>({ start: (c) => { controller = c; }, cancel: () => { cancelled = true; } });
        signal.addEventListener('abort', () => {
          cancelled = true;
          try { controller.error(signal.reason); } catch { /* already closed */ }
        }, { once: true });
        resolve(new Response(body, { status, headers }));
        return {
          // Like a socket the reader hung up on: writes after the cancel go nowhere.
          push: (chunk) => { if (!cancelled) controller.enqueue(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk); },
          end: () => { if (!cancelled) controller.close(); },
          get cancelled() { return cancelled; },
        };
      },
    });
  });
  return { fetch: fake as typeof fetch, calls };
}

/** Let pending promise callbacks and stream reads run; no wall-clock wait. */
export const settle = async (turns = 5) => { for (let i = 0; i < turns; i++) await new Promise((r) => setImmediate(r)); };

export function fidelityTarget(key: string): RouterTarget {
  return compileRouterConfig(adapterPlan()).targets[key]!;
}

const sseBlock = (event: string, data: unknown) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

/** The Anthropic Messages stream, event by event (https://docs.anthropic.com/en/docs/build-with-claude/streaming). */
export const anthropicEvents = {
  start: (inputTokens: number) => sseBlock('message_start', { type: 'message_start', message: { id: 'msg_1', type: 'message', role: 'assistant', content: [], usage: { input_tokens: inputTokens, output_tokens: 1 } } })
    + sseBlock('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
  delta: (text: string) => sseBlock('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } }),
  stop: (outputTokens: number) => sseBlock('content_block_stop', { type: 'content_block_stop', index: 0 })
    + sseBlock('message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: outputTokens } })
    + sseBlock('message_stop', { type: 'message_stop' }),
};

/** Chat Completions chunks (https://platform.openai.com/docs/api-reference/chat-streaming). */
export const chatChunks = {
  delta: (text: string) => `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: text }, finish_reason: null }], usage: null })}\n\n`,
};
