import type { Api, Provider, ResolvedTimeouts, RouterTarget } from '@headroom/plan/runtime';
import type { AttemptOutcome, Observation } from '../core/contracts';
import { FrontDoorError } from '../front-doors/errors';

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
  | (ResultBase & {
      readonly kind: 'failed';
      readonly outcome: FailureOutcome;
      readonly reply: FrontDoorReply;
      /**
       * `false`: do not send this request to another target, whatever the outcome says. The upstream may
       * have generated (and billed) it: a non-streaming call that ran out of `totalMs`, or a reply too
       * large to hold. Or the client went away (outcome `client-error` 499). Absent: the core decides.
       */
      readonly resendable?: false;
    });

/**
 * One provider's wire format. `send` never throws for upstream trouble (HTTP errors, resets, timeouts):
 * those come back as `failed`. It throws only for a request it cannot re-encode (`RequestBuildError`: the
 * client's 400, no target's fault), a misconfigured target (`ProviderConfigError`) or a credential source
 * that cannot produce credentials (`CredentialError`).
 *
 * `signal` is the client's: aborting it cancels the upstream (an `AbortSignal.timeout()` counts as the
 * total timeout instead). `timeouts` (`config.routing.timeouts`, default `ROUTING_DEFAULTS.timeouts`):
 * - `headersMs` bounds connecting and the response headers of a streamed call: past it, a `timeout`
 *   failure before any byte reached the client, which may fail over;
 * - `idleMs` bounds each gap between stream chunks and `totalMs` the whole response: past either
 *   mid-stream, the stream ends with an error event in the front door's format and `settled` is `timeout`;
 * - a non-streaming call has no headers until it is generated, so only `totalMs` bounds it, and when it
 *   runs out the failure is `resendable: false`.
 */
export interface ProviderAdapter {
  readonly provider: Provider;
  send(target: RouterTarget, call: UpstreamCall, signal?: AbortSignal, timeouts?: ResolvedTimeouts): Promise<UpstreamResult>;
}

/**
 * The adapter cannot build the upstream call from this request (e.g. JSON nested too deeply to
 * re-encode). The client's fault, not the target's: answer `reply()` (a 400 in the client's API format)
 * and charge, fail over or break nothing.
 */
export class RequestBuildError extends Error {
  override readonly name = 'RequestBuildError';
  constructor(readonly api: Api, readonly target: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }

  reply(): FrontDoorReply {
    const error = new FrontDoorError('invalid_request', this.message);
    return { status: error.statusFor(this.api), headers: { 'content-type': 'application/json' }, body: error.body(this.api) };
  }
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
