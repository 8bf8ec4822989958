/**
 * Azure OpenAI (data plane, Chat Completions on a deployment).
 * Path, api-version, `api-key` or Entra Bearer auth:
 *   https://learn.microsoft.com/azure/ai-foundry/openai/reference#chat-completions
 * 429 with retry-after / retry-after-ms; x-ratelimit-remaining-{requests,tokens} on responses:
 *   https://learn.microsoft.com/azure/ai-foundry/openai/how-to/quota
 * Error envelope {error:{code,message}}: https://learn.microsoft.com/azure/ai-foundry/openai/reference#error
 */
import type { QuotaSnapshot } from '../target-quota';
import { chatCompletion, chatStream, openAiError, parseChatBody } from './openai-chat';
import { headerValue, jsonReply, retryAfterSeconds } from './headers';
import type { ProviderWire, Reply, ServerErrorStatus, WireContext } from './types';

export function azureQuotaHeaders(snapshot: QuotaSnapshot): Record<string, string> {
  const headers: Record<string, string> = {};
  if (snapshot.rpm) headers['x-ratelimit-remaining-requests'] = String(snapshot.rpm.remaining);
  if (snapshot.tpm) headers['x-ratelimit-remaining-tokens'] = String(snapshot.tpm.remaining);
  return headers;
}

function azureError(status: number, code: string, message: string, headers: Record<string, string> = {}): Reply {
  return jsonReply(status, { error: { code, message } }, headers);
}

const SERVER_ERRORS: Record<ServerErrorStatus, number> = { 500: 500, 502: 502, 503: 503, 504: 504, 529: 503 };

export function azureOpenAiWire(context: WireContext): ProviderWire {
  const { target } = context;
  const operation = `${target.endpoint.path}/chat/completions`;
  const apiVersion = target.endpoint.apiVersion ?? '2024-10-21';
  const ids = () => ({ 'apim-request-id': context.nextRequestId() });

  return {
    parse(request) {
      const deployment = /^\/openai\/deployments\/([^/]+)\/chat\/completions$/.exec(request.path);
      if (!deployment || request.method !== 'POST' || !request.query.get('api-version')) {
        return { ok: false, reply: azureError(404, '404', 'Resource not found', ids()) };
      }
      if (request.path !== operation) {
        const message = 'The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.';
        return { ok: false, reply: azureError(404, 'DeploymentNotFound', message, ids()) };
      }
      const hasKey = !!headerValue(request.headers['api-key']);
      const hasBearer = /^Bearer \S+$/.test(headerValue(request.headers.authorization) ?? '');
      if (!hasKey && !hasBearer) {
        const message = 'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.';
        return { ok: false, reply: azureError(401, '401', message, ids()) };
      }
      const parsed = parseChatBody(request.body, { requireModel: false });
      if (!parsed.ok) return { ok: false, reply: openAiError(400, parsed.message, 'invalid_request_error', null, parsed.param, ids()) };
      return { ok: true, call: { ...parsed.call, model: target.upstreamModel } };
    },

    quotaHeaders: (snapshot) => azureQuotaHeaders(snapshot),

    throttled(refusal, snapshot) {
      const seconds = retryAfterSeconds(refusal.retryAfterMs);
      const kind = refusal.limitedBy === 'rpm' ? 'call rate limit' : 'token rate limit';
      const message = `Requests to the ChatCompletions_Create Operation under Azure OpenAI API version ${apiVersion} have exceeded ${kind} of your current AIServices S0 pricing tier. ` +
        `Please retry after ${seconds} seconds. Please go here: https://aka.ms/oai/quotaincrease if you would like to further increase the default rate limit.`;
      const retryMs = Number.isFinite(refusal.retryAfterMs) ? Math.max(1, Math.ceil(refusal.retryAfterMs)) : seconds * 1000;
      return azureError(429, '429', message, {
        ...azureQuotaHeaders(snapshot),
        'retry-after': String(seconds),
        'retry-after-ms': String(retryMs),
        'x-ms-retry-after-ms': String(retryMs),
        ...ids(),
      });
    },

    serverError(status) {
      return openAiError(SERVER_ERRORS[status], 'The server had an error while processing your request. Sorry about that!', 'server_error', null, null, ids());
    },

    complete: (call, generated) => chatCompletion(call, generated, ids()),
    stream: (call, generated) => chatStream(call, generated, ids()),
  };
}
