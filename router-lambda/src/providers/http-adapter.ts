/**
 * The exchange every adapter shares: POST a prepared request with Node's fetch (undici, HTTP/1.1), read
 * the rate-limit headers, then return a translated body, a front-door stream, or a classified failure.
 * Only the headers a provider spec builds go upstream: client headers (auth included) never do, and no
 * hop-by-hop header is ever set.
 */
import type { Api, Provider, RouterTarget, UpstreamAuth } from '@headroom/plan/runtime';
import { bedrockItems } from './bedrock-event-stream';
import { classifyStatus, classifyThrown, failureReply, parseUpstreamError } from './outcomes';
import { HEADER_PARSERS, headerBag, loggableHeaders } from './rate-limit-headers';
import type { SecretSource } from './secrets';
import { anthropicUsage, bodyBytes, frontDoorStream, openAiUsage, sseItems } from './streaming';
import { ProviderConfigError, type FailureOutcome, type ProviderAdapter, type UpstreamCall, type UpstreamResult } from './types';

export interface PreparedRequest {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** The router added `stream_options.include_usage`; the client did not ask for the usage chunk. */
  readonly stripUsage?: boolean;
}

/** What makes one provider different: how to build the request, and how its stream is framed. */
export interface WireSpec {
  readonly provider: Provider;
  /** The front door this provider serves (Claude providers: anthropic; GPT providers: openai). */
  readonly api: Api;
  readonly framing: 'sse' | 'aws-event-stream';
  prepare(target: RouterTarget, call: UpstreamCall): Promise<PreparedRequest>;
  /** Secret values this adapter has used, scrubbed from anything it returns. */
  secrets(): readonly string[];
}

export interface TransportDeps {
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** Epoch ms for observations. @default Date.now */
  readonly now?: () => number;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'proxy-connection', 'host']);

/** Drop anything connection-specific (RFC 9110 §7.6.1) and `host` (fetch sets it from the URL). */
export function withoutHopByHop(headers: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (!HOP_BY_HOP.has(name.toLowerCase())) out[name.toLowerCase()] = value;
  return out;
}

/** The request header an api-key auth block names, with the key from the secret source. */
export async function apiKeyHeader(target: RouterTarget, secrets: SecretSource): Promise<Record<string, string>> {
  const auth = target.auth;
  if (auth.mode !== 'api-key') throw new ProviderConfigError(target.key, 'auth.mode', auth.mode, 'api-key');
  const key = await secrets.get(auth.secret);
  return auth.header === 'authorization' ? { authorization: `Bearer ${key}` } : { [auth.header]: key };
}

export function expectAuth<M extends UpstreamAuth['mode']>(target: RouterTarget, modes: readonly M[]): Extract<UpstreamAuth, { mode: M }> {
  if (!(modes as readonly string[]).includes(target.auth.mode)) throw new ProviderConfigError(target.key, 'auth.mode', target.auth.mode, modes.join(' or '));
  return target.auth as Extract<UpstreamAuth, { mode: M }>;
}

/** `baseUrl` + `path` + operation, refusing anything but an http(s) origin as the base. */
export function upstreamUrl(target: RouterTarget, operation: string): string {
  const base = target.endpoint.baseUrl.replace(/\/+$/, '');
  if (!/^https?:\/\/[^/?#]+$/.test(base)) throw new ProviderConfigError(target.key, 'endpoint.baseUrl', target.endpoint.baseUrl, 'a scheme and host such as https://api.anthropic.com');
  return `${base}${target.endpoint.path}${operation}`;
}

export class HttpAdapter implements ProviderAdapter {
  readonly provider: Provider;
  private readonly fetch: typeof fetch;
  private readonly now: () => number;

  constructor(private readonly spec: WireSpec, deps: TransportDeps = {}) {
    this.provider = spec.provider;
    this.fetch = deps.fetch ?? globalThis.fetch;
    this.now = deps.now ?? Date.now;
  }

  async send(target: RouterTarget, call: UpstreamCall, signal: AbortSignal): Promise<UpstreamResult> {
    if (target.provider !== this.spec.provider) throw new ProviderConfigError(target.key, 'provider', target.provider, this.spec.provider);
    if (call.api !== this.spec.api) throw new ProviderConfigError(target.key, 'front door api', call.api, this.spec.api);
    const prepared = await this.spec.prepare(target, call);
    const failed = (outcome: FailureOutcome, logHeaders: Record<string, string>, upstreamText?: string, headers: Record<string, string> = {}): UpstreamResult => ({
      kind: 'failed', outcome, logHeaders,
      reply: failureReply(call.api, outcome, upstreamText === undefined ? undefined : parseUpstreamError(upstreamText, headers), this.spec.secrets()),
    });

    let response: Response;
    try {
      response = await this.fetch(prepared.url, { method: 'POST', headers: withoutHopByHop(prepared.headers), body: prepared.body, signal });
    } catch (error) {
      return failed(classifyThrown(error, signal), {});
    }
    const headers = headerBag(response.headers);
    const now = this.now();
    const observations = HEADER_PARSERS[target.rateLimitHeaders](headers, now);
    const logHeaders = loggableHeaders(headers);

    if (!response.ok) {
      let text = '';
      try {
        text = await response.text();
      } catch {
        // The status alone classifies the failure.
      }
      return failed(classifyStatus(response.status, headers, now, observations), logHeaders, text, headers);
    }

    if (call.stream) {
      const bytes = bodyBytes(response.body);
      const items = this.spec.framing === 'sse' ? sseItems(bytes) : bedrockItems(bytes);
      const stream = frontDoorStream(items, { api: call.api, stripUsage: prepared.stripUsage === true, observations, signal, secrets: this.spec.secrets() });
      return { kind: 'stream', observations, logHeaders, ...stream };
    }

    let body: Record<string, unknown>;
    try {
      body = JSON.parse(await response.text()) as Record<string, unknown>;
    } catch (error) {
      if (error instanceof SyntaxError) return failed({ kind: 'server-error', status: 502 }, logHeaders);
      return failed(classifyThrown(error, signal), logHeaders);
    }
    // Every Messages and Chat Completions response carries usage; a body without it settles as zero tokens.
    const usage = (call.api === 'anthropic' ? anthropicUsage(body.usage) : openAiUsage(body.usage)) ?? { inputTokens: 0, outputTokens: 0 };
    return {
      kind: 'complete', logHeaders,
      outcome: { kind: 'success', usage, observations },
      reply: { status: response.status, headers: { 'content-type': 'application/json' }, body },
    };
  }
}
