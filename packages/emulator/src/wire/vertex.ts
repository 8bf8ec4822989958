/**
 * Claude on Vertex AI (Anthropic publisher models).
 * Paths, Bearer auth, anthropic_version "vertex-2023-10-16", model in the URL:
 *   https://docs.anthropic.com/en/api/claude-on-vertex-ai
 *   https://cloud.google.com/vertex-ai/generative-ai/docs/partner-models/use-claude (:rawPredict, :streamRawPredict)
 * Google error envelope {error:{code,message,status}}: https://cloud.google.com/apis/design/errors
 * 429 RESOURCE_EXHAUSTED, no retry-after, no remaining-quota headers:
 *   https://cloud.google.com/vertex-ai/generative-ai/docs/error-code-429
 */
import type { LimitKind } from '@headroom/plan';
import { claudeError, claudeMessage, claudeStreamEvents, parseClaudeBody } from './claude-messages';
import { headerValue, jsonReply, sseEvent } from './headers';
import type { ProviderWire, Reply, ServerErrorStatus, WireContext } from './types';

export const VERTEX_ANTHROPIC_VERSION = 'vertex-2023-10-16';

// https://cloud.google.com/vertex-ai/generative-ai/docs/partner-models/claude/quotas (per base model quota metrics)
const QUOTA_METRICS: Record<LimitKind, string> = {
  rpm: 'online_prediction_requests_per_base_model',
  itpm: 'online_prediction_input_tokens_per_minute_per_base_model',
  otpm: 'online_prediction_output_tokens_per_minute_per_base_model',
  tpm: 'online_prediction_tokens_per_minute_per_base_model',
};

const SERVER_ERRORS: Record<Exclude<ServerErrorStatus, 529>, string> = { 500: 'INTERNAL', 502: 'UNAVAILABLE', 503: 'UNAVAILABLE', 504: 'DEADLINE_EXCEEDED' };

/**
 * Docs name `vertex-2023-10-16`; @anthropic-ai/vertex-sdk 1.x copies the Anthropic API's dated
 * `anthropic-version` header (e.g. 2026-10-21) into the body instead (src/client.ts #adaptRequest), so both count.
 */
export function acceptedVertexVersion(version: string | undefined): boolean {
  return version === VERTEX_ANTHROPIC_VERSION || (version !== undefined && /^\d{4}-\d{2}-\d{2}$/.test(version));
}

export function googleError(code: number, status: string, message: string): Reply {
  return jsonReply(code, { error: { code, message, status } });
}

export function vertexWire(context: WireContext): ProviderWire {
  const { target } = context;
  const modelPath = target.endpoint.path;

  return {
    parse(request) {
      const path = decodeURIComponent(request.path);
      const specifier = path.startsWith(`${modelPath}:`) ? path.slice(modelPath.length + 1) : undefined;
      if (specifier !== 'rawPredict' && specifier !== 'streamRawPredict') {
        return { ok: false, reply: googleError(404, 'NOT_FOUND', `Publisher Model \`${path.replace(/^\/v1\//, '').replace(/:.*$/, '')}\` not found.`) };
      }
      if (request.method !== 'POST') return { ok: false, reply: googleError(405, 'METHOD_NOT_ALLOWED', `Method ${request.method} not allowed.`) };
      const authorization = headerValue(request.headers.authorization) ?? '';
      if (!/^Bearer \S+$/.test(authorization)) {
        const message = 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. ' +
          'See https://developers.google.com/identity/sign-in/web/devconsole-project.';
        return { ok: false, reply: googleError(401, 'UNAUTHENTICATED', message) };
      }
      // Body errors come from the model itself, so they keep Claude's envelope.
      const parsed = parseClaudeBody(request.body, { requireModel: false });
      if (!parsed.ok) return { ok: false, reply: jsonReply(400, claudeError('invalid_request_error', parsed.message)) };
      if (!acceptedVertexVersion(parsed.body.anthropicVersion)) {
        return { ok: false, reply: jsonReply(400, claudeError('invalid_request_error', `anthropic_version: Input should be '${VERTEX_ANTHROPIC_VERSION}'`)) };
      }
      const { maxTokens, prompt } = parsed.body;
      return { ok: true, call: { stream: specifier === 'streamRawPredict', prompt, maxTokens, model: target.upstreamModel, includeUsage: true } };
    },

    quotaHeaders: () => ({}),

    throttled(refusal) {
      const message = `Quota exceeded for aiplatform.googleapis.com/${QUOTA_METRICS[refusal.limitedBy]} with base model: anthropic-${target.upstreamModel}. ` +
        'Please submit a quota increase request. https://cloud.google.com/vertex-ai/docs/generative-ai/quotas-genai.';
      return googleError(429, 'RESOURCE_EXHAUSTED', message);
    },

    serverError(status) {
      if (status === 529) return jsonReply(529, claudeError('overloaded_error', 'Overloaded'));
      return googleError(status, SERVER_ERRORS[status], 'Internal error encountered.');
    },

    complete(call, generated) {
      return jsonReply(200, claudeMessage(call.model, generated));
    },

    stream(call, generated) {
      const events = claudeStreamEvents(call.model, generated);
      const frame = (event: Record<string, unknown>) => sseEvent(JSON.stringify(event), event.type as string);
      return {
        headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' },
        head: events.head.map(frame),
        perToken: events.perToken.map(frame),
        tail: events.tail.map(frame),
      };
    },
  };
}
