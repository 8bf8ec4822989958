/**
 * Turning what an upstream said (a status, headers, an error body, a thrown fetch error) into the core's
 * `AttemptOutcome`, and into a reply in the front door's own format. Pure.
 */
import type { Api } from '@headroom/plan/runtime';
import type { Observation } from '../core/contracts';
import { FrontDoorError, type RouterErrorKind } from '../front-doors/errors';
import { retryAfterMs, type HeaderBag } from './rate-limit-headers';
import { redact, redactDeep } from './redaction';
import type { FailureOutcome, FrontDoorReply } from './types';

/**
 * Upstream 401/403/404 mean the router's credentials or its target configuration are wrong (the client
 * named a model alias; the router chose the URL and the key). They are not the client's fault: another
 * target may serve the request, and the upstream's message (which may quote a key prefix) is not shown.
 */
const TARGET_FAULTS = new Set([401, 403, 404]);

export function classifyStatus(status: number, headers: HeaderBag, now: number, observations: readonly Observation[]): FailureOutcome {
  const wait = retryAfterMs(headers, now);
  const hint = wait === undefined ? {} : { retryAfterMs: wait };
  if (status === 429) return { kind: 'throttled', ...hint, observations };
  if (status === 529 || status === 503) return { kind: 'overloaded', status, ...hint };
  // Bedrock ModelTimeoutException is a 408: the model ran out of time, not the client.
  if (status === 408) return { kind: 'timeout' };
  if (status >= 500 || TARGET_FAULTS.has(status)) return { kind: 'server-error', status };
  if (status >= 400) return { kind: 'client-error', status };
  return { kind: 'server-error', status };
}

/** Why fetch threw: our own deadline/abort, or the network. The message carries no URL and no header. */
export function classifyThrown(error: unknown, signal: AbortSignal): FailureOutcome {
  if (signal.aborted || (error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError'))) return { kind: 'timeout' };
  return { kind: 'connection-error', message: networkMessage(error) };
}

function networkMessage(error: unknown): string {
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  if (cause && typeof cause.code === 'string') return cause.code;
  return error instanceof Error ? error.name : 'network error';
}

/** An upstream error body, whichever envelope it uses (Anthropic, OpenAI, Google, AWS restJson1). */
export interface UpstreamError {
  readonly message: string;
  readonly type?: string;
  readonly param?: string;
  readonly code?: string;
}

/**
 * The fields of an upstream error body, with every credential in `secrets` redacted from every string
 * of it (before anything is cut short, so no part of a secret survives).
 */
export function parseUpstreamError(text: string, headers: HeaderBag, secrets: readonly string[] = []): UpstreamError {
  let json: unknown;
  try {
    json = redactDeep(JSON.parse(text), secrets);
  } catch {
    return { message: redact(text, secrets).slice(0, 500) || 'upstream error' };
  }
  const root = (typeof json === 'object' && json !== null ? json : {}) as Record<string, unknown>;
  const inner = (typeof root.error === 'object' && root.error !== null ? root.error : root) as Record<string, unknown>;
  const message = [inner.message, root.message, root.Message].find((m): m is string => typeof m === 'string') ?? 'upstream error';
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  // AWS: x-amzn-errortype "ValidationException:http://internal.amazon.com/..." (restJson1).
  const awsType = headers['x-amzn-errortype']?.split(':')[0];
  const type = str(inner.type) ?? str(inner.status) ?? str(awsType);
  const param = str(inner.param);
  const code = str(inner.code) ?? (typeof inner.code === 'number' ? String(inner.code) : undefined);
  return { message, ...(type ? { type } : {}), ...(param ? { param } : {}), ...(code ? { code } : {}) };
}

export { redact };

const KIND_OF: Record<Exclude<FailureOutcome['kind'], 'client-error'>, RouterErrorKind> = {
  throttled: 'rate_limit', overloaded: 'overloaded', 'server-error': 'upstream', timeout: 'timeout', 'connection-error': 'upstream',
};

const MESSAGE_OF: Record<Exclude<FailureOutcome['kind'], 'client-error'>, string> = {
  throttled: 'the upstream target is rate limited',
  overloaded: 'the upstream target is overloaded',
  'server-error': 'the upstream target failed',
  timeout: 'the upstream target did not answer in time',
  'connection-error': 'the upstream target could not be reached',
};

/**
 * The client's view of a failed attempt. A client error keeps the upstream's status and message, in the
 * front door's envelope; everything else is the router's own error (the core may replace it with its own 429).
 */
export function failureReply(api: Api, outcome: FailureOutcome, upstream: UpstreamError | undefined, secrets: readonly string[]): FrontDoorReply {
  if (outcome.kind === 'client-error') {
    // Redacted again here: a caller may hand in an UpstreamError it built itself.
    const clean = upstream && (redactDeep(upstream, secrets) as UpstreamError);
    const message = clean?.message ?? 'the upstream rejected the request';
    const headers = { 'content-type': 'application/json' };
    if (api === 'anthropic') {
      // https://docs.anthropic.com/en/api/errors: {type:"error", error:{type, message}}
      const type = clean?.type && /_error$/.test(clean.type) ? clean.type : outcome.status === 413 ? 'request_too_large' : 'invalid_request_error';
      return { status: outcome.status, headers, body: { type: 'error', error: { type, message } } };
    }
    // https://platform.openai.com/docs/guides/error-codes: {error:{message,type,param,code}}
    const type = clean?.type && /_error$/.test(clean.type) ? clean.type : 'invalid_request_error';
    return { status: outcome.status, headers, body: { error: { message, type, param: clean?.param ?? null, code: clean?.code ?? null } } };
  }
  const retry = 'retryAfterMs' in outcome && outcome.retryAfterMs !== undefined ? Math.max(1, Math.ceil(outcome.retryAfterMs / 1000)) : undefined;
  const error = new FrontDoorError(KIND_OF[outcome.kind], MESSAGE_OF[outcome.kind], outcome.kind === 'throttled' ? retry : undefined);
  return { status: error.statusFor(api), headers: { 'content-type': 'application/json', ...error.headers() }, body: error.body(api) };
}
