/**
 * The OpenAI Chat Completions API: POST {baseUrl}/v1/chat/completions, `Authorization: Bearer <key>`.
 * https://platform.openai.com/docs/api-reference/chat/create
 * Streams ask for usage (`stream_options.include_usage`, https://platform.openai.com/docs/api-reference/chat/create#chat-create-stream_options)
 * so settlement sees real tokens; the extra chunk is stripped again if the client did not ask for it.
 */
import type { RouterTarget } from '@headroom/plan/runtime';
import { apiKeyHeader, HttpAdapter, upstreamJson, upstreamUrl, type TransportDeps, type WireSpec } from './http-adapter';
import type { SecretSource } from './secrets';
import type { ProviderAdapter, UpstreamCall } from './types';

/** A Chat Completions body with usage requested on streams; `stripUsage` when the client did not request it. */
export function chatBody(call: UpstreamCall, model: string | undefined): { body: Record<string, unknown>; stripUsage: boolean } {
  const { model: _clientModel, ...rest } = call.body;
  const body: Record<string, unknown> = model === undefined ? { ...rest } : { ...rest, model };
  if (!call.stream) return { body, stripUsage: false };
  const options = (typeof rest.stream_options === 'object' && rest.stream_options !== null ? rest.stream_options : {}) as Record<string, unknown>;
  const clientAsked = options.include_usage === true;
  return { body: { ...body, stream_options: { ...options, include_usage: true } }, stripUsage: !clientAsked };
}

export function openAiBody(target: RouterTarget, call: UpstreamCall) {
  return chatBody(call, target.upstreamModel);
}

export interface OpenAiAdapterDeps extends TransportDeps {
  readonly secrets: SecretSource;
}

export function openAiAdapter(deps: OpenAiAdapterDeps): ProviderAdapter {
  const spec: WireSpec = {
    provider: 'openai',
    api: 'openai',
    framing: 'sse',
    secrets: () => deps.secrets.known(),
    async prepare(target, call) {
      const { body, stripUsage } = openAiBody(target, call);
      return {
        url: upstreamUrl(target, '/chat/completions'),
        headers: {
          ...(await apiKeyHeader(target, deps.secrets)),
          'content-type': 'application/json',
          accept: call.stream ? 'text/event-stream' : 'application/json',
        },
        body: upstreamJson(target, call, body),
        stripUsage,
      };
    },
  };
  return new HttpAdapter(spec, deps);
}
