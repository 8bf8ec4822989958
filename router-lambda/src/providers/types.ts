import type { Api, Provider, RouterTarget } from '@headroom/plan/runtime';
import type { AttemptOutcome, Observation } from '../core/contracts';

/** What the front door hands an adapter: the validated client body, never the client's headers. */
export interface UpstreamCall {
  readonly api: Api;
  readonly body: Readonly<Record<string, unknown>>;
  readonly stream: boolean;
}

/** A reply in the front door's own wire format, ready for the client. */
export interface FrontDoorReply {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
}

export type SuccessOutcome = Extract<AttemptOutcome, { kind: 'success' }>;
export type FailureOutcome = Exclude<AttemptOutcome, { kind: 'success' }>;

interface ResultBase {
  /** Raw rate-limit, retry and `x-amzn-bedrock-*` headers of the upstream response, for the log line. */
  readonly logHeaders: Readonly<Record<string, string>>;
}

export type UpstreamResult =
  /** A whole response, translated to the front door's body; `outcome` carries usage and header evidence. */
  | (ResultBase & { readonly kind: 'complete'; readonly outcome: SuccessOutcome; readonly reply: FrontDoorReply })
  /**
   * A 2xx stream, already in the front door's SSE. `settled` resolves (never rejects) once the stream ends:
   * success with the streamed usage, or the failure that cut it. Once bytes flow there is no failover.
   */
  | (ResultBase & {
      readonly kind: 'stream';
      readonly observations: readonly Observation[];
      readonly events: AsyncIterable<Uint8Array>;
      readonly settled: Promise<AttemptOutcome>;
    })
  /** The attempt failed; `reply` is what the client would see if the core stops here. */
  | (ResultBase & { readonly kind: 'failed'; readonly outcome: FailureOutcome; readonly reply: FrontDoorReply });

/**
 * One provider's wire format. `send` never throws for upstream trouble (HTTP errors, resets, aborts):
 * those come back as `failed`. It throws only for a misconfigured target (a `ProviderConfigError`) or a
 * credential source that cannot produce credentials (`CredentialError`).
 */
export interface ProviderAdapter {
  readonly provider: Provider;
  send(target: RouterTarget, call: UpstreamCall, signal: AbortSignal): Promise<UpstreamResult>;
}

/** The target cannot be served by this adapter as configured. */
export class ProviderConfigError extends Error {
  override readonly name = 'ProviderConfigError';
  constructor(readonly target: string, readonly field: string, readonly received: unknown, readonly expected: string) {
    super(`target ${target}: ${field} is ${JSON.stringify(received)}; expected ${expected}`);
  }
}

/** A credential source failed. The message names the source, never a secret value. */
export class CredentialError extends Error {
  override readonly name = 'CredentialError';
  constructor(readonly source: string, message: string, options?: { cause?: unknown }) {
    super(`${source}: ${message}`, options);
  }
}
