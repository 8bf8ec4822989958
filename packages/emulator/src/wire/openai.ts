/**
 * The OpenAI API (Chat Completions).
 * Auth: https://platform.openai.com/docs/api-reference/authentication (Authorization: Bearer)
 * Errors: https://platform.openai.com/docs/guides/error-codes
 * Rate-limit headers: https://platform.openai.com/docs/guides/rate-limits
 *   (x-ratelimit-{limit,remaining,reset}-{requests,tokens}; resets as durations such as "6m0s")
 */
import type { QuotaSnapshot } from '../target-quota';
import { chatCompletion, chatStream, openAiError, parseChatBody } from './openai-chat';
import { goDuration, headerValue } from './headers';
import type { ProviderWire, ServerErrorStatus, WireContext } from './types';

export function openAiQuotaHeaders(snapshot: QuotaSnapshot): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [kind, name] of [['rpm', 'requests'], ['tpm', 'tokens']] as const) {
    const limit = snapshot[kind];
    if (!limit) continue;
    headers[`x-ratelimit-limit-${name}`] = String(limit.limit);
    headers[`x-ratelimit-remaining-${name}`] = String(limit.remaining);
    headers[`x-ratelimit-reset-${name}`] = goDuration(limit.resetMs);
  }
  return headers;
}

const SERVER_ERRORS: Record<ServerErrorStatus, [number, string]> = {
  500: [500, 'The server had an error while processing your request. Sorry about that!'],
  502: [502, 'Bad gateway.'],
  503: [503, 'The engine is currently overloaded, please try again later.'],
  504: [504, 'Gateway timeout.'],
  529: [503, 'The engine is currently overloaded, please try again later.'],
};

export function openAiWire(context: WireContext): ProviderWire {
  const { target } = context;
  const ids = () => ({ 'x-request-id': context.nextRequestId() });

  return {
    parse(request) {
      if (request.path !== '/v1/chat/completions' || request.method !== 'POST') {
        return { ok: false, reply: openAiError(404, `Invalid URL (${request.method} ${request.path})`, 'invalid_request_error', null, null, ids()) };
      }
      if (!/^Bearer \S+$/.test(headerValue(request.headers.authorization) ?? '')) {
        const message = "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), " +
          'or as the password field (with blank username) if you\'re accessing the API from your browser and are prompted for a username and password. You can obtain an API key from https://platform.openai.com/account/api-keys.';
        return { ok: false, reply: openAiError(401, message, 'invalid_request_error', null, null, ids()) };
      }
      const parsed = parseChatBody(request.body, { requireModel: true });
      if (!parsed.ok) return { ok: false, reply: openAiError(400, parsed.message, 'invalid_request_error', null, parsed.param, ids()) };
      if (parsed.model !== target.upstreamModel) {
        return { ok: false, reply: openAiError(404, `The model \`${parsed.model}\` does not exist or you do not have access to it.`, 'invalid_request_error', 'model_not_found', null, ids()) };
      }
      return { ok: true, call: { ...parsed.call, model: target.upstreamModel } };
    },

    quotaHeaders: (snapshot) => openAiQuotaHeaders(snapshot),

    throttled(refusal, snapshot) {
      const limit = snapshot[refusal.limitedBy];
      const unit = refusal.limitedBy === 'rpm' ? 'requests per min (RPM)' : 'tokens per min (TPM)';
      const wait = Number.isFinite(refusal.retryAfterMs) ? goDuration(refusal.retryAfterMs) : 'a minute';
      const message = `Rate limit reached for ${target.upstreamModel} in organization org-headroom-emulator on ${unit}: Limit ${limit?.limit}, ` +
        `Used ${(limit?.limit ?? 0) - (limit?.remaining ?? 0)}. Please try again in ${wait}. Visit https://platform.openai.com/account/rate-limits to learn more.`;
      return openAiError(429, message, refusal.limitedBy === 'rpm' ? 'requests' : 'tokens', 'rate_limit_exceeded', null, { ...openAiQuotaHeaders(snapshot), ...ids() });
    },

    serverError(status) {
      const [code, message] = SERVER_ERRORS[status];
      return openAiError(code, message, 'server_error', null, null, ids());
    },

    complete: (call, generated) => chatCompletion(call, generated, ids()),
    stream: (call, generated) => chatStream(call, generated, ids()),
  };
}
