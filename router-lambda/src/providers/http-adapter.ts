/**
 * The exchange every adapter shares: POST a prepared request with Node's fetch (undici, HTTP/1.1), read
 * the rate-limit headers, then return a translated body, a front-door stream, or a classified failure.
 * Only the headers a provider spec builds go upstream: client headers (auth included) never do, and no
 * hop-by-hop header is ever set.
 */
import { ROUTING_DEFAULTS, type Api, type Provider, type ResolvedTimeouts, type RouterTarget, type UpstreamAuth } from '@headroom/plan/runtime';
import { FrontDoorError } from '../front-doors/errors';
import { bedrockItems } from './bedrock-event-stream';
import { DEFAULT_BODY_LIMITS, readBounded, type BodyLimits } from './bounded-body';
import { AttemptDeadline } from './deadline';
import { classifyStatus, classifyThrown, failureReply, parseUpstreamError } from './outcomes';
import { HEADER_PARSERS, headerBag, loggableHeaders } from './rate-limit-headers';
import { SecretLedger } from './redaction';
import type { SecretSource } from './secrets';
import { anthropicUsage, bodyBytes, frontDoorStream, openAiUsage, sseItems } from './streaming';
import { realTimers, type Timers } from './timers';
import { ProviderConfigError, RequestBuildError, type FailureOutcome, type FrontDoorReply, type ProviderAdapter, type UpstreamCall, type UpstreamResult } from './types';

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
  /** Secret values this adapter has used beyond the shared ledger's, scrubbed from anything it returns. */
  secrets(): readonly string[];
}

export interface TransportDeps {
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** Epoch ms for observations. @default Date.now */
  readonly now?: () => number;
  /** What the attempt deadlines (`routing.timeouts`) run on. @default realTimers */
  readonly timers?: Timers;
  /** Caps on what the router holds whole. @default DEFAULT_BODY_LIMITS (10 MiB replies, 64 KiB error bodies) */
  readonly bodyLimits?: BodyLimits;
  /** Credentials used or minted, redacted from every upstream error. @default one ledger per adapter */
  readonly ledger?: SecretLedger;
}

/** The body as JSON for the upstream; a value JSON cannot encode (nested past the stack, too long) is the client's doing. */
export function upstreamJson(target: RouterTarget, call: UpstreamCall, value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch (error) {
    const why = error instanceof RangeError ? 'is nested too deeply or is too large' : 'cannot be encoded as JSON';
    throw new RequestBuildError(call.api, target.key, `the request body ${why} to forward; flatten deeply nested values such as metadata or user`, { cause: error });
  }
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

/** The client left before the upstream answered: nobody reads this reply, and nothing is the target's fault. */
const CLIENT_GONE = 499;

export class HttpAdapter implements ProviderAdapter {
  readonly provider: Provider;
  private readonly fetch: typeof fetch;
  private readonly now: () => number;
  private readonly timers: Timers;
  private readonly limits: BodyLimits;
  private readonly ledger: SecretLedger;

  constructor(private readonly spec: WireSpec, deps: TransportDeps = {}) {
    this.provider = spec.provider;
    this.fetch = deps.fetch ?? globalThis.fetch;
    this.now = deps.now ?? Date.now;
    this.timers = deps.timers ?? realTimers;
    this.limits = deps.bodyLimits ?? DEFAULT_BODY_LIMITS;
    this.ledger = deps.ledger ?? new SecretLedger();
  }

  async send(target: RouterTarget, call: UpstreamCall, signal?: AbortSignal, timeouts: ResolvedTimeouts = ROUTING_DEFAULTS.timeouts): Promise<UpstreamResult> {
    if (target.provider !== this.spec.provider) throw new ProviderConfigError(target.key, 'provider', target.provider, this.spec.provider);
    if (call.api !== this.spec.api) throw new ProviderConfigError(target.key, 'front door api', call.api, this.spec.api);
    const prepared = await this.spec.prepare(target, call);
    const secrets = [...this.spec.secrets(), ...this.ledger.known()];
    const failed = (outcome: FailureOutcome, logHeaders: Record<string, string>, upstreamText?: string, headers: Record<string, string> = {}): Extract<UpstreamResult, { kind: 'failed' }> => ({
      kind: 'failed', outcome, logHeaders,
      reply: failureReply(call.api, outcome, upstreamText === undefined ? undefined : parseUpstreamError(upstreamText, headers, secrets), secrets),
    });

    const deadline = new AttemptDeadline(this.timers, timeouts, signal);
    deadline.arm('totalMs');
    // A non-streaming reply has no headers until it is generated: only totalMs bounds it.
    if (call.stream) deadline.arm('headersMs');
    // Once a non-streaming reply's headers arrived it was generated: sending it elsewhere would generate it twice.
    const ended = (error: unknown, logHeaders: Record<string, string>, generated: boolean): UpstreamResult => {
      deadline.dispose();
      if (deadline.reason === 'client') return { kind: 'failed', outcome: { kind: 'client-error', status: CLIENT_GONE }, logHeaders, reply: clientGone(call.api), resendable: false };
      const result = failed(deadline.reason ? { kind: 'timeout' } : classifyThrown(error, deadline.signal), logHeaders);
      return generated || (!call.stream && deadline.reason === 'totalMs') ? { ...result, resendable: false } : result;
    };

    let response: Response;
    try {
      response = await this.fetch(prepared.url, { method: 'POST', headers: withoutHopByHop(prepared.headers), body: prepared.body, signal: deadline.signal });
    } catch (error) {
      return ended(error, {}, false);
    }
    deadline.disarm('headersMs');
    const headers = headerBag(response.headers);
    const now = this.now();
    const observations = HEADER_PARSERS[target.rateLimitHeaders](headers, now);
    const logHeaders = loggableHeaders(headers);

    if (!response.ok) {
      let text: string | undefined;
      try {
        const read = await readBounded(response, this.limits.errorBytes);
        // Past the cap the status still classifies the failure; the upstream's words are dropped.
        if (read.kind === 'text') text = read.text;
      } catch {
        // The status alone classifies the failure.
      }
      deadline.dispose();
      if (deadline.reason === 'client') return ended(undefined, logHeaders, true);
      return failed(classifyStatus(response.status, headers, now, observations), logHeaders, text, headers);
    }

    if (call.stream) {
      deadline.arm('idleMs');
      const bytes = watchedBytes(response.body, deadline);
      const items = this.spec.framing === 'sse' ? sseItems(bytes, this.limits.bodyBytes) : bedrockItems(bytes, this.limits.bodyBytes);
      const stream = frontDoorStream(items, { api: call.api, stripUsage: prepared.stripUsage === true, observations, secrets, timeouts, endReason: () => deadline.reason });
      return { kind: 'stream', observations, logHeaders, ...stream };
    }

    let body: Record<string, unknown>;
    try {
      const read = await readBounded(response, this.limits.bodyBytes);
      deadline.dispose();
      if (read.kind === 'too-large') {
        const error = new FrontDoorError('upstream', `the upstream reply exceeded ${read.limit} bytes`);
        return { kind: 'failed', outcome: { kind: 'server-error', status: 502 }, logHeaders, reply: { status: 502, headers: { 'content-type': 'application/json' }, body: error.body(call.api) }, resendable: false };
      }
      body = JSON.parse(read.text) as Record<string, unknown>;
    } catch (error) {
      if (error instanceof SyntaxError) return { ...failed({ kind: 'server-error', status: 502 }, logHeaders), resendable: false };
      return ended(error, logHeaders, true);
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

function clientGone(api: Api): FrontDoorReply {
  return { status: CLIENT_GONE, headers: { 'content-type': 'application/json' }, body: new FrontDoorError('invalid_request', 'the client closed the request').body(api) };
}

/** Upstream bytes that restart the idle deadline as each chunk arrives; the attempt's timers end with them. */
async function* watchedBytes(body: ReadableStream<Uint8Array> | null, deadline: AttemptDeadline): AsyncGenerator<Uint8Array> {
  try {
    for await (const chunk of bodyBytes(body)) {
      deadline.arm('idleMs');
      yield chunk;
    }
  } finally {
    deadline.dispose();
  }
}
