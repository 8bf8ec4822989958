/**
 * Upstream streams in, front-door SSE out, with the usage settlement needs read on the way.
 * SSE: https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
 * Anthropic events: https://docs.anthropic.com/en/docs/build-with-claude/streaming (message_start usage,
 *   cumulative message_delta usage, message_stop, `event: error` mid-stream).
 * OpenAI chunks: https://platform.openai.com/docs/api-reference/chat-streaming (`data: [DONE]`; with
 *   stream_options.include_usage a last chunk with `choices: []` and `usage`, and `usage: null` on all others).
 */
import type { Api, ResolvedTimeouts, Usage } from '@headroom/plan/runtime';
import type { AttemptOutcome, Observation } from '../core/contracts';
import { FrontDoorError, type RouterErrorKind } from '../front-doors/errors';
import { MAX_UPSTREAM_BODY_BYTES, UpstreamItemTooLargeError } from './bounded-body';
import type { EndReason } from './deadline';
import { classifyStatus } from './outcomes';
import { redact, redactJsonText } from './redaction';
import type { FailureOutcome } from './types';

/** One decoded upstream item: an SSE event, or an in-band exception (Bedrock's `:message-type: exception`). */
export type StreamItem =
  | { readonly kind: 'event'; readonly event?: string; readonly data: string }
  | { readonly kind: 'exception'; readonly status: number; readonly message: string };

/** The bytes of a fetch body; leaving the loop early cancels the upstream. */
export async function* bodyBytes(body: ReadableStream<Uint8Array> | null): AsyncGenerator<Uint8Array> {
  if (!body) return;
  const reader = body.getReader();
  let done = false;
  try {
    for (;;) {
      const next = await reader.read();
      if (next.done) { done = true; return; }
      yield next.value;
    }
  } finally {
    if (!done) await reader.cancel().catch(() => undefined);
  }
}

/**
 * Parse an SSE byte stream into events (`event:` and `data:` fields; comments and ids dropped). One event
 * longer than `maxEventChars` throws `UpstreamItemTooLargeError` rather than growing without bound.
 */
export async function* sseItems(bytes: AsyncIterable<Uint8Array>, maxEventChars = MAX_UPSTREAM_BODY_BYTES): AsyncGenerator<StreamItem> {
  const decoder = new TextDecoder();
  let buffer = '';
  let event: string | undefined;
  let data: string[] = [];
  let held = 0;
  function* lines(text: string, flush: boolean): Generator<StreamItem> {
    buffer += text;
    // No line ends in this chunk: nothing to split (a long line arrives in many chunks).
    if (!flush && !/[\r\n]/.test(text)) {
      if (held + buffer.length > maxEventChars) throw new UpstreamItemTooLargeError(maxEventChars);
      return;
    }
    const parts = buffer.split(/\r\n|\r|\n/);
    buffer = flush ? '' : parts.pop() ?? '';
    if (held + buffer.length > maxEventChars) throw new UpstreamItemTooLargeError(maxEventChars);
    for (const line of parts) {
      if (line === '') {
        if (data.length > 0) yield { kind: 'event', ...(event ? { event } : {}), data: data.join('\n') };
        event = undefined;
        data = [];
        held = 0;
        continue;
      }
      held += line.length;
      if (held > maxEventChars) throw new UpstreamItemTooLargeError(maxEventChars);
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
    }
  }
  for await (const chunk of bytes) yield* lines(decoder.decode(chunk, { stream: true }), false);
  // A last event without its blank line was never dispatched (per the spec it is dropped).
  yield* lines(decoder.decode(), true);
}

export function encodeSse(item: { readonly event?: string; readonly data: string }): Uint8Array {
  return Buffer.from(`${item.event ? `event: ${item.event}\n` : ''}data: ${item.data}\n\n`, 'utf8');
}

function parseJson(data: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(data);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined);

/**
 * Anthropic usage as quota counts it: input_tokens plus cache writes (cache reads do not count towards
 * ITPM on current models, https://docs.anthropic.com/en/api/rate-limits#cache-aware-itpm).
 */
export function anthropicUsage(usage: unknown): Usage | undefined {
  const u = (usage ?? {}) as Record<string, unknown>;
  const input = num(u.input_tokens);
  const output = num(u.output_tokens);
  if (input === undefined && output === undefined) return undefined;
  return { inputTokens: (input ?? 0) + (num(u.cache_creation_input_tokens) ?? 0), outputTokens: output ?? 0 };
}

export function openAiUsage(usage: unknown): Usage | undefined {
  const u = (usage ?? {}) as Record<string, unknown>;
  const input = num(u.prompt_tokens);
  const output = num(u.completion_tokens);
  if (input === undefined || output === undefined) return undefined;
  return { inputTokens: input, outputTokens: output };
}

interface Step {
  /** The item to send on, or undefined to drop it. */
  readonly forward?: { readonly event?: string; readonly data: string };
  readonly failure?: FailureOutcome;
  readonly done?: boolean;
}

/** Reads one front door's events: usage, the terminal event, in-band errors; strips what the client did not ask for. */
class UsageReader {
  input = 0;
  output = 0;
  constructor(private readonly api: Api, private readonly stripUsage: boolean, private readonly secrets: readonly string[]) {}

  step(item: { event?: string; data: string }): Step {
    return this.api === 'anthropic' ? this.anthropic(item) : this.openAi(item);
  }

  private anthropic(item: { event?: string; data: string }): Step {
    const json = parseJson(item.data);
    const type = json?.type ?? item.event;
    if (type === 'message_start') this.take(anthropicUsage((json?.message as Record<string, unknown> | undefined)?.usage), false);
    if (type === 'message_delta') this.take(anthropicUsage(json?.usage), true);
    if (type === 'error') {
      const errorType = (json?.error as { type?: unknown } | undefined)?.type;
      const status = errorType === 'overloaded_error' ? 529 : errorType === 'rate_limit_error' ? 429 : 500;
      return { forward: { event: 'error', data: redactJsonText(item.data, this.secrets) }, failure: classifyStatus(status, {}, 0, []) };
    }
    if (type === 'message_stop' && json && 'amazon-bedrock-invocationMetrics' in json) {
      // Bedrock's extra metrics on the last chunk are not part of the Anthropic event.
      const { ['amazon-bedrock-invocationMetrics']: _metrics, ...rest } = json;
      return { forward: { event: 'message_stop', data: JSON.stringify(rest) }, done: true };
    }
    return { forward: { event: typeof type === 'string' ? type : item.event, data: item.data }, done: type === 'message_stop' };
  }

  private openAi(item: { event?: string; data: string }): Step {
    if (item.data.trim() === '[DONE]') return { forward: item, done: true };
    const json = parseJson(item.data);
    if (json && typeof json.error === 'object' && json.error !== null) {
      return { forward: { ...(item.event ? { event: item.event } : {}), data: redactJsonText(item.data, this.secrets) }, failure: { kind: 'server-error', status: 500 } };
    }
    if (!json || !('usage' in json)) return { forward: item };
    const usage = openAiUsage(json.usage);
    if (usage) this.take(usage, true);
    if (!this.stripUsage) return { forward: item };
    if (usage && Array.isArray(json.choices) && json.choices.length === 0) return {};
    const { usage: _usage, ...rest } = json;
    return { forward: { ...(item.event ? { event: item.event } : {}), data: JSON.stringify(rest) } };
  }

  private take(usage: Usage | undefined, final: boolean): void {
    if (!usage) return;
    if (usage.inputTokens > 0 || !final) this.input = Math.max(this.input, usage.inputTokens);
    this.output = Math.max(this.output, usage.outputTokens);
  }

  usage(): Usage {
    return { inputTokens: this.input, outputTokens: this.output };
  }
}

const ERROR_KIND: Record<FailureOutcome['kind'], RouterErrorKind> = {
  'client-error': 'invalid_request', throttled: 'rate_limit', overloaded: 'overloaded', timeout: 'timeout', 'server-error': 'upstream', 'connection-error': 'upstream',
};

/** An error event in the front door's own stream format; its SDK raises it (openai-node: a `data:` chunk carrying `error`). */
function errorEvent(api: Api, outcome: FailureOutcome, message: string): Uint8Array {
  const body = JSON.stringify(new FrontDoorError(ERROR_KIND[outcome.kind], message).body(api));
  return encodeSse(api === 'anthropic' ? { event: 'error', data: body } : { data: body });
}

export interface FrontDoorStream {
  readonly events: AsyncIterable<Uint8Array>;
  readonly settled: Promise<AttemptOutcome>;
}

export interface StreamOptions {
  readonly api: Api;
  /** Drop the OpenAI usage chunk (and the `usage: null` fields) the router asked for on the client's behalf. */
  readonly stripUsage: boolean;
  readonly observations: readonly Observation[];
  /** Credentials to redact from upstream error events and exceptions. */
  readonly secrets: readonly string[];
  /** What ended the attempt when the upstream read failed: a timeout, the client, or (undefined) the network. */
  readonly endReason?: () => EndReason | undefined;
  /** For the error event's message. @default none named */
  readonly timeouts?: ResolvedTimeouts;
}

/** Why the stream ended early, as the core counts it and the client reads it; undefined: the client left. */
function cutShort(error: unknown, options: StreamOptions): { outcome: FailureOutcome; message: string } | undefined {
  const reason = options.endReason?.();
  if (reason === 'client') return undefined;
  if (reason === 'idleMs' || reason === 'headersMs') {
    const ms = options.timeouts?.idleMs;
    return { outcome: { kind: 'timeout' }, message: `the upstream sent nothing for ${ms ?? 'too many'} ms; the response is incomplete` };
  }
  if (reason === 'totalMs') {
    return { outcome: { kind: 'timeout' }, message: `the response took longer than ${options.timeouts?.totalMs ?? 'the'} ms allowed (routing.timeouts.totalMs); it is incomplete` };
  }
  if (error instanceof UpstreamItemTooLargeError) return { outcome: { kind: 'server-error', status: 502 }, message: `the upstream sent an event over ${error.limit} bytes` };
  return { outcome: { kind: 'connection-error', message: error instanceof Error ? error.name : 'stream error' }, message: 'the upstream stream was interrupted' };
}

/**
 * Re-encode upstream items as the front door's SSE. `settled` resolves once: success with the streamed
 * usage, or the failure that ended the stream (after an error event is sent to the client). If the client
 * stops reading or goes away, the upstream is cancelled and settlement uses the usage seen so far.
 */
export function frontDoorStream(items: AsyncIterable<StreamItem>, options: StreamOptions): FrontDoorStream {
  let settle: (outcome: AttemptOutcome) => void = () => undefined;
  const settled = new Promise<AttemptOutcome>((resolve) => { settle = resolve; });
  const reader = new UsageReader(options.api, options.stripUsage, options.secrets);
  const success = (): AttemptOutcome => ({ kind: 'success', usage: reader.usage(), observations: options.observations });

  async function* run(): AsyncGenerator<Uint8Array> {
    let outcome: AttemptOutcome | undefined;
    try {
      let done = false;
      for await (const item of items) {
        if (item.kind === 'exception') {
          outcome = classifyStatus(item.status, {}, 0, []);
          yield errorEvent(options.api, outcome, redact(item.message, options.secrets));
          return;
        }
        const step = reader.step(item);
        if (step.forward) yield encodeSse(step.forward);
        if (step.failure) { outcome = step.failure; return; }
        if (step.done) done = true;
      }
      if (!done) {
        outcome = { kind: 'connection-error', message: 'the upstream stream ended before its last event' };
        yield errorEvent(options.api, outcome, 'the upstream stream ended early');
        return;
      }
      outcome = success();
    } catch (error) {
      const cut = cutShort(error, options);
      if (!cut) return;
      outcome = cut.outcome;
      yield errorEvent(options.api, cut.outcome, cut.message);
    } finally {
      settle(outcome ?? success());
    }
  }
  return { events: run(), settled };
}
