/**
 * Provider adapters: each speaks one provider's wire format against `target.endpoint.baseUrl` (the real
 * endpoint in production, the emulator in tests).
 *
 * The interface (see ./types):
 *
 *   interface ProviderAdapter {
 *     readonly provider: Provider;
 *     send(target: RouterTarget, call: UpstreamCall, signal?: AbortSignal, timeouts?: ResolvedTimeouts): Promise<UpstreamResult>;
 *   }
 *   signal   = the client's disconnect (an AbortSignal.timeout() counts as the total timeout)
 *   timeouts = config.routing.timeouts { headersMs, idleMs, totalMs }; see ProviderAdapter in ./types
 *   UpstreamCall   = { api: 'anthropic' | 'openai'; body: parsed client JSON; stream: boolean }
 *   UpstreamResult =
 *     | { kind: 'complete'; outcome: success (usage + header observations); reply: front-door status/headers/body; logHeaders }
 *     | { kind: 'stream'; observations; events: AsyncIterable<Uint8Array> (front-door SSE); settled: Promise<AttemptOutcome>; logHeaders }
 *     | { kind: 'failed'; outcome: throttled | overloaded | server-error | timeout | connection-error | client-error;
 *         reply: the client's view in the front door's format; logHeaders;
 *         resendable?: false (possibly generated upstream, or the client left: never fail over) }
 *
 * `send` never throws for upstream trouble; it throws `RequestBuildError` for a request it cannot
 * re-encode (the client's 400: `error.reply()`), `ProviderConfigError` for a target it cannot serve and
 * `CredentialError` when a credential source fails. Time is injected (`now`, `timers`), as is every
 * credential source (secrets, AWS credentials, Google token source, Entra credential / STS client) and
 * `fetch`. Every credential used is kept in one `SecretLedger` and redacted from upstream errors.
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
import { SecretLedger } from './redaction';
import { SecretsManagerSource, type SecretSource } from './secrets';
import type { ProviderAdapter } from './types';
import { vertexAdapter, type VertexAdapterDeps } from './vertex';

export * from './types';
export { HEADER_PARSERS, loggableHeaders, parseAnthropicHeaders, parseAzureOpenAiHeaders, parseNoHeaders, parseOpenAiHeaders, retryAfterMs, type HeaderBag, type HeaderDialect } from './rate-limit-headers';
export { classifyStatus, classifyThrown, failureReply } from './outcomes';
export { SecretsManagerSource, StaticSecretSource, type SecretSource } from './secrets';
export { SecretLedger, redact, redactDeep, redactJsonText } from './redaction';
export { MAX_UPSTREAM_BODY_BYTES, MAX_UPSTREAM_ERROR_BYTES, type BodyLimits } from './bounded-body';
export { realTimers, VirtualTimers, type Timers } from './timers';
export { DeadlineError, type EndReason } from './deadline';
export { MAX_PLAUSIBLE_RETRY_AFTER_MS } from './rate-limit-headers';
export { upstreamJson, type TransportDeps } from './http-adapter';
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
  // One ledger: every adapter redacts every credential any of them used.
  const transport: TransportDeps = {
    ...(deps.fetch ? { fetch: deps.fetch } : {}), ...(deps.now ? { now: deps.now } : {}), ...(deps.timers ? { timers: deps.timers } : {}),
    ...(deps.bodyLimits ? { bodyLimits: deps.bodyLimits } : {}), ledger: deps.ledger ?? new SecretLedger(),
  };
  const secrets = deps.secrets ?? new SecretsManagerSource();
  return {
    anthropic: anthropicAdapter({ ...transport, secrets }),
    openai: openAiAdapter({ ...transport, secrets }),
    bedrock: bedrockAdapter({ ...transport, ...deps.bedrock }),
    vertex: vertexAdapter({ ...transport, ...deps.vertex }),
    'azure-openai': azureOpenAiAdapter({ ...transport, ...deps.azure, secrets }),
  };
}
