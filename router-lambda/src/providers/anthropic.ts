/**
 * The Anthropic Messages API: POST {baseUrl}/v1/messages, `x-api-key`, `anthropic-version: 2023-06-01`.
 * https://docs.anthropic.com/en/api/messages, https://docs.anthropic.com/en/api/versioning
 * The front door's body goes as is, with `model` replaced by the target's upstream model.
 */
import type { RouterTarget } from '@headroom/plan/runtime';
import { apiKeyHeader, HttpAdapter, upstreamJson, upstreamUrl, type TransportDeps, type WireSpec } from './http-adapter';
import type { SecretSource } from './secrets';
import type { ProviderAdapter, UpstreamCall } from './types';

export const ANTHROPIC_API_VERSION = '2023-06-01';

export function anthropicBody(target: RouterTarget, call: UpstreamCall): Record<string, unknown> {
  return { ...call.body, model: target.upstreamModel };
}

export interface AnthropicAdapterDeps extends TransportDeps {
  readonly secrets: SecretSource;
}

export function anthropicAdapter(deps: AnthropicAdapterDeps): ProviderAdapter {
  const spec: WireSpec = {
    provider: 'anthropic',
    api: 'anthropic',
    framing: 'sse',
    secrets: () => deps.secrets.known(),
    async prepare(target, call) {
      return {
        url: upstreamUrl(target, '/messages'),
        headers: {
          ...(await apiKeyHeader(target, deps.secrets)),
          'anthropic-version': ANTHROPIC_API_VERSION,
          'content-type': 'application/json',
          accept: call.stream ? 'text/event-stream' : 'application/json',
        },
        body: upstreamJson(target, call, anthropicBody(target, call)),
      };
    },
  };
  return new HttpAdapter(spec, deps);
}
