import type { IncomingHttpHeaders } from 'node:http';
import type { LimitKind, RouterTarget } from '@headroom/plan';
import type { Clock } from '../clock';
import type { Completion } from '../completion';
import type { QuotaSnapshot } from '../target-quota';

/** One HTTP request as it arrived, body fully read. */
export interface EmulatedRequest {
  readonly method: string;
  /** Raw (still percent-encoded) path, without the query. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** A complete HTTP answer. */
export interface Reply {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** What the emulator needs from a valid model call, whatever the provider. */
export interface ModelCall {
  readonly stream: boolean;
  /** Every prompt text concatenated: seeds the completion and estimates input tokens. */
  readonly prompt: string;
  readonly maxTokens: number;
  /** The model as named on the wire (body, path or deployment). */
  readonly model: string;
  /** OpenAI `stream_options.include_usage`. */
  readonly includeUsage: boolean;
}

export type ParseResult = { readonly ok: true; readonly call: ModelCall } | { readonly ok: false; readonly reply: Reply };

/** A generated answer with its ids, ready to be put on the wire. */
export interface Generated {
  readonly id: string;
  readonly completion: Completion;
  readonly inputTokens: number;
  /** Emulated epoch seconds. */
  readonly createdSeconds: number;
  /** Emulated ms from arrival to the first token and to the end (Bedrock reports these). */
  readonly firstByteLatencyMs: number;
  readonly latencyMs: number;
}

export interface Refusal {
  readonly limitedBy: LimitKind;
  readonly retryAfterMs: number;
}

/** Bytes of a stream: SSE text or binary event-stream messages. */
export type Frame = string | Uint8Array;

export interface StreamPlan {
  readonly headers: Record<string, string>;
  /** Sent after the time to first token. */
  readonly head: readonly Frame[];
  /** One frame per output token, paced by the latency model. */
  readonly perToken: readonly Frame[];
  readonly tail: readonly Frame[];
}

export type ServerErrorStatus = 500 | 502 | 503 | 504 | 529;

/** One provider's wire format: paths, auth, bodies, streaming, errors and rate-limit headers. */
export interface ProviderWire {
  /** Match the path, check auth and validate the body; or answer with the provider's own error. */
  parse(request: EmulatedRequest): ParseResult;
  /** Rate-limit headers sent with every answer (empty where the provider sends none). */
  quotaHeaders(snapshot: QuotaSnapshot, now: number): Record<string, string>;
  throttled(refusal: Refusal, snapshot: QuotaSnapshot, now: number): Reply;
  serverError(status: ServerErrorStatus): Reply;
  complete(call: ModelCall, generated: Generated): Reply;
  stream(call: ModelCall, generated: Generated): StreamPlan;
}

export interface WireContext {
  readonly target: RouterTarget;
  readonly clock: Clock;
  /** A fresh request id per call, deterministic per target. */
  nextRequestId(): string;
}
