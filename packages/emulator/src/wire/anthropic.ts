/**
 * The Anthropic Messages API.
 * Paths and headers: https://docs.anthropic.com/en/api/messages (POST /v1/messages, x-api-key, anthropic-version)
 * Errors: https://docs.anthropic.com/en/api/errors ({type:"error",error:{type,message}}; 529 overloaded_error)
 * Rate limits: https://docs.anthropic.com/en/api/rate-limits (anthropic-ratelimit-*, RFC 3339 resets, retry-after)
 */
import type { LimitKind } from '@headroom/plan';
import type { QuotaSnapshot } from '../target-quota';
import { claudeError, claudeMessage, claudeStreamEvents, parseClaudeBody } from './claude-messages';
import { headerValue, jsonReply, retryAfterSeconds, rfc3339, sseEvent } from './headers';
import type { Generated, ModelCall, ProviderWire, Refusal, Reply, ServerErrorStatus, StreamPlan, WireContext } from './types';

// https://docs.anthropic.com/en/api/rate-limits#response-headers
const HEADER_NAMES: Partial<Record<LimitKind, string>> = { rpm: 'requests', itpm: 'input-tokens', otpm: 'output-tokens', tpm: 'tokens' };
const LIMIT_WORDS: Record<LimitKind, string> = { rpm: 'requests', itpm: 'input tokens', otpm: 'output tokens', tpm: 'tokens' };

/** anthropic-ratelimit-{requests,input-tokens,output-tokens}-{limit,remaining,reset}. Shared with nothing else. */
export function anthropicQuotaHeaders(snapshot: QuotaSnapshot, now: number): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [kind, limit] of Object.entries(snapshot) as Array<[LimitKind, NonNullable<QuotaSnapshot[LimitKind]>]>) {
    const name = HEADER_NAMES[kind];
    if (!name) continue;
    headers[`anthropic-ratelimit-${name}-limit`] = String(limit.limit);
    headers[`anthropic-ratelimit-${name}-remaining`] = String(limit.remaining);
    headers[`anthropic-ratelimit-${name}-reset`] = rfc3339(now + limit.resetMs);
  }
  return headers;
}

const SERVER_ERRORS: Record<ServerErrorStatus, [number, string, string]> = {
  500: [500, 'api_error', 'Internal server error'],
  502: [502, 'api_error', 'Bad gateway'],
  503: [503, 'api_error', 'Service unavailable'],
  504: [504, 'timeout_error', 'Request timed out'],
  529: [529, 'overloaded_error', 'Overloaded'],
};

export function anthropicWire(context: WireContext): ProviderWire {
  const { target } = context;
  const error = (status: number, type: string, message: string, headers: Record<string, string> = {}): Reply =>
    jsonReply(status, claudeError(type, message), { 'request-id': context.nextRequestId(), ...headers });

  return {
    parse(request) {
      if (request.path !== '/v1/messages') return { ok: false, reply: error(404, 'not_found_error', 'Not Found') };
      if (request.method !== 'POST') return { ok: false, reply: error(405, 'invalid_request_error', `Method ${request.method} not allowed`) };
      // Docs name x-api-key; @anthropic-ai/sdk 1.x sends the key as `Authorization: Bearer` (client.js apiKeyAuth), so both count.
      const bearer = /^Bearer \S+$/.test(headerValue(request.headers.authorization) ?? '');
      if (!headerValue(request.headers['x-api-key']) && !bearer) return { ok: false, reply: error(401, 'authentication_error', 'x-api-key header is required') };
      if (!headerValue(request.headers['anthropic-version'])) return { ok: false, reply: error(400, 'invalid_request_error', 'anthropic-version: header is required') };
      const parsed = parseClaudeBody(request.body, { requireModel: true });
      if (!parsed.ok) return { ok: false, reply: error(400, 'invalid_request_error', parsed.message) };
      if (parsed.body.model !== target.upstreamModel) return { ok: false, reply: error(404, 'not_found_error', `model: ${parsed.body.model}`) };
      const { maxTokens, stream, prompt } = parsed.body;
      return { ok: true, call: { stream, prompt, maxTokens, model: target.upstreamModel, includeUsage: true } };
    },

    quotaHeaders: anthropicQuotaHeaders,

    throttled(refusal: Refusal, snapshot: QuotaSnapshot, now: number): Reply {
      const limit = snapshot[refusal.limitedBy]?.limit;
      const message = `This request would exceed the rate limit for your organization of ${limit} ${LIMIT_WORDS[refusal.limitedBy]} per minute. ` +
        'For details, refer to: https://docs.claude.com/en/api/rate-limits.';
      return error(429, 'rate_limit_error', message, { ...anthropicQuotaHeaders(snapshot, now), 'retry-after': String(retryAfterSeconds(refusal.retryAfterMs)) });
    },

    serverError(status) {
      const [code, type, message] = SERVER_ERRORS[status];
      return error(code, type, message);
    },

    complete(call: ModelCall, generated: Generated): Reply {
      return jsonReply(200, claudeMessage(call.model, generated), { 'request-id': context.nextRequestId() });
    },

    stream(call: ModelCall, generated: Generated): StreamPlan {
      const events = claudeStreamEvents(call.model, generated);
      const frame = (event: Record<string, unknown>) => sseEvent(JSON.stringify(event), event.type as string);
      return {
        headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'request-id': context.nextRequestId() },
        head: events.head.map(frame),
        perToken: events.perToken.map(frame),
        tail: events.tail.map(frame),
      };
    },
  };
}
