/**
 * Provider adapters: each speaks one provider's wire format against `target.endpoint.baseUrl` (the real
 * endpoint in production, the emulator in tests).
 *
 * The interface (see ./types):
 *
 *   interface ProviderAdapter {
 *     readonly provider: Provider;
 *     send(target: RouterTarget, call: UpstreamCall, signal: AbortSignal): Promise<UpstreamResult>;
 *   }
 *   UpstreamCall   = { api: 'anthropic' | 'openai'; body: parsed client JSON; stream: boolean }
 *   UpstreamResult =
 *     | { kind: 'complete'; outcome: success (usage + header observations); reply: front-door status/headers/body; logHeaders }
 *     | { kind: 'stream'; observations; events: AsyncIterable<Uint8Array> (front-door SSE); settled: Promise<AttemptOutcome>; logHeaders }
 *     | { kind: 'failed'; outcome: throttled | overloaded | server-error | timeout | connection-error | client-error;
 *         reply: the client's view in the front door's format; logHeaders }
 *
 * `send` never throws for upstream trouble; it throws `ProviderConfigError` for a target it cannot serve
 * and `CredentialError` when a credential source fails. Time is injected (`now`), as is every credential
 * source (secrets, AWS credentials, Google token source, Entra credential / STS client) and `fetch`.
 *
 * Pure helpers the core and telemetry may use directly: `HEADER_PARSERS[dialect](headers, now)` →
 * `Observation[]`, `loggableHeaders(headers)`, `classifyStatus(status, headers, now, observations)`.
 */
import type { Provider } from '@headroom/plan/runtime';
import { anthropicAdapter } from './anthropic';
import { azureOpenAiAdapter, type AzureOpenAiAdapterDeps } from './azure-openai';
import { bedrockAdapter, type BedrockAdapterDeps } from './bedrock';
import type { TransportDeps } from './http-adapter';
import { openAiAdapter } from './openai';
import { SecretsManagerSource, type SecretSource } from './secrets';
import type { ProviderAdapter } from './types';
import { vertexAdapter, type VertexAdapterDeps } from './vertex';

export * from './types';
export { HEADER_PARSERS, loggableHeaders, parseAnthropicHeaders, parseAzureOpenAiHeaders, parseNoHeaders, parseOpenAiHeaders, retryAfterMs, type HeaderBag, type HeaderDialect } from './rate-limit-headers';
export { classifyStatus, classifyThrown, failureReply } from './outcomes';
export { SecretsManagerSource, StaticSecretSource, type SecretSource } from './secrets';
export { anthropicAdapter, anthropicBody, ANTHROPIC_API_VERSION } from './anthropic';
export { bedrockAdapter, bedrockBody, BEDROCK_ANTHROPIC_VERSION } from './bedrock';
export { vertexAdapter, vertexBody, vertexExternalAccount, workloadIdentityAudience, VERTEX_ANTHROPIC_VERSION, type GoogleTokenSource } from './vertex';
export { azureOpenAiAdapter, awsWebIdentityAssertion, ENTRA_TOKEN_EXCHANGE_AUDIENCE } from './azure-openai';
export { openAiAdapter, chatBody } from './openai';

export interface AdapterDeps extends TransportDeps {
  /** @default new SecretsManagerSource() */
  readonly secrets?: SecretSource;
  readonly bedrock?: Omit<BedrockAdapterDeps, keyof TransportDeps>;
  readonly vertex?: Omit<VertexAdapterDeps, keyof TransportDeps>;
  readonly azure?: Omit<AzureOpenAiAdapterDeps, keyof TransportDeps | 'secrets'>;
}

/** One adapter per provider, sharing the transport, the clock and the secret cache. */
export function createAdapters(deps: AdapterDeps = {}): Readonly<Record<Provider, ProviderAdapter>> {
  const transport: TransportDeps = { ...(deps.fetch ? { fetch: deps.fetch } : {}), ...(deps.now ? { now: deps.now } : {}) };
  const secrets = deps.secrets ?? new SecretsManagerSource();
  return {
    anthropic: anthropicAdapter({ ...transport, secrets }),
    openai: openAiAdapter({ ...transport, secrets }),
    bedrock: bedrockAdapter({ ...transport, ...deps.bedrock }),
    vertex: vertexAdapter({ ...transport, ...deps.vertex }),
    'azure-openai': azureOpenAiAdapter({ ...transport, ...deps.azure, secrets }),
  };
}
