/**
 * The replies the router makes itself, and the headers every reply carries. Each is in the front
 * door's own format (front-doors/errors.ts), says how many upstream attempts were made and, when a
 * target was involved, which one; every 429 and 503/529 says when to come back.
 */
import type { Api, RouterTarget } from '@headroom/plan/runtime';
import type { ClientRetryAfter } from './core/client-retry-after';
import { FrontDoorError } from './front-doors/errors';
import { json, type RouterHttpResponse } from './http/types';
import type { FrontDoorReply } from './providers/types';

/** Statuses a client retries on: each carries `retry-after` (and `retry-after-ms`, which both official SDKs read first). */
export const RETRY_STATUSES: ReadonlySet<number> = new Set([429, 503, 529]);

/** What the x-headroom-* headers say about a request. */
export interface ReplyTags {
  /** Upstream attempts made (0 when none was). */
  readonly attempts: number;
  /** The target that served or last failed, if any. */
  readonly target?: RouterTarget;
}

/** `x-headroom-attempts` always; `x-headroom-target` and `x-headroom-region` when a target was involved. */
export function tagHeaders(tags: ReplyTags): Record<string, string> {
  return {
    'x-headroom-attempts': String(tags.attempts),
    ...(tags.target ? { 'x-headroom-target': tags.target.key, 'x-headroom-region': tags.target.region } : {}),
  };
}

export function retryAfterHeaders(retryAfter: ClientRetryAfter): Record<string, string> {
  return { 'retry-after': String(retryAfter.seconds), 'retry-after-ms': String(retryAfter.ms) };
}

/** A router-made error in the API's format. */
export function errorReply(api: Api, error: FrontDoorError, tags: ReplyTags, retryAfter?: ClientRetryAfter): RouterHttpResponse {
  return json(error.statusFor(api), error.body(api), { ...tagHeaders(tags), ...(retryAfter ? retryAfterHeaders(retryAfter) : {}) });
}

/**
 * An upstream attempt's reply, translated by its adapter. The upstream's own `retry-after` is never
 * echoed (it may be absurd, and it speaks for one target): a retryable status gets the router's.
 */
export function upstreamReply(reply: FrontDoorReply, tags: ReplyTags, retryAfter: () => ClientRetryAfter): RouterHttpResponse {
  return json(reply.status, reply.body, { ...tagHeaders(tags), ...(RETRY_STATUSES.has(reply.status) ? retryAfterHeaders(retryAfter()) : {}) });
}

/** Any method but `allowed` on a known path (RFC 9110 section 15.5.6: 405 names the allowed methods). */
export function methodNotAllowed(api: Api, method: string, path: string, allowed: string): RouterHttpResponse {
  const response = errorReply(api, new FrontDoorError('method_not_allowed', `${method} is not allowed on ${path}; use ${allowed}`), { attempts: 0 });
  return { ...response, headers: { ...response.headers, allow: allowed } };
}

/** Paths only OpenAI's API has; the rest (and Anthropic's) get Anthropic's error shape. */
const OPENAI_PREFIXES = ['/v1/chat/', '/v1/completions', '/v1/embeddings', '/v1/responses', '/v1/images', '/v1/audio', '/v1/moderations', '/v1/assistants', '/v1/threads', '/v1/fine_tuning', '/v1/vector_stores', '/v1/realtime'];

/** Which API's format an unknown path is answered in: by OpenAI-only path prefixes, else Anthropic's. */
export function apiForUnknownPath(path: string): Api {
  return OPENAI_PREFIXES.some((prefix) => path.startsWith(prefix)) ? 'openai' : 'anthropic';
}

export function unknownRoute(method: string, path: string, routes: readonly string[]): RouterHttpResponse {
  const error = new FrontDoorError('unknown_route', `no route ${method} ${path}; routes: ${routes.join(', ')}`);
  return errorReply(apiForUnknownPath(path), error, { attempts: 0 });
}
