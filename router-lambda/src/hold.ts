/**
 * Holding a request the router would refuse for quota (plan `routing.hold`): when every eligible
 * target is at its quota and the router knows the first one frees within the request's allowance,
 * it waits on the injected timers and places the request again instead of answering 429 at once.
 * Outages are never held (they get 529/503 at once), and a client that leaves ends the hold.
 */
import type { ResolvedHold } from '@headroom/plan/runtime';
import type { Placement } from './core/router';
import { FrontDoorError } from './front-doors/errors';
import { realTimers, type Timers } from './providers/timers';

/**
 * The header a client lowers its own hold with, in whole milliseconds; `0` turns holding off for
 * the request. It never lengthens a hold beyond the plan's `routing.hold.maxMs`.
 */
export const MAX_WAIT_HEADER = 'x-headroom-max-wait-ms';

/**
 * A request is held at most this many times, however short each wait (the simulator's engine has
 * the same bound), so a placement that keeps missing never spins.
 */
export const MAX_HOLDS_PER_REQUEST = 10;

/** The plan's setting when a RouterConfig compiled before `routing.hold` existed carries none: off, as it was. */
const HOLD_OFF: ResolvedHold = { maxMs: 0, streaming: false };

/** The client's `x-headroom-max-wait-ms`: undefined when absent; a client error (400) unless a whole number of ms >= 0. */
export function clientMaxWaitMs(headers: Readonly<Record<string, string | undefined>>): number | undefined {
  const value = headers[MAX_WAIT_HEADER];
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (!/^\d{1,9}$/.test(trimmed)) {
    throw new FrontDoorError('invalid_request', `${MAX_WAIT_HEADER} '${value}' is not a whole number of milliseconds; send 0 to never be held, or e.g. 500`, undefined, MAX_WAIT_HEADER);
  }
  return Number(trimmed);
}

/**
 * How long after its arrival this request may still be held, in ms: the plan's `maxMs` (0 for a
 * streamed request unless the plan holds streams), lowered by the client's header, and never past
 * the request's total timeout.
 */
export function holdAllowanceMs(hold: ResolvedHold | undefined, request: { readonly stream: boolean; readonly clientMaxWaitMs?: number | undefined }, totalMs: number): number {
  const { maxMs, streaming } = hold ?? HOLD_OFF;
  if (maxMs <= 0 || (request.stream && !streaming)) return 0;
  return Math.max(0, Math.min(maxMs, request.clientMaxWaitMs ?? maxMs, totalMs));
}

/** Where a request stands with its holds. */
export interface HoldState {
  /** When the request arrived (router time, ms). */
  readonly arrivedAt: number;
  /** `holdAllowanceMs` for this request. */
  readonly allowanceMs: number;
  /** Holds so far. */
  readonly holds: number;
}

/**
 * How long to hold an exhausted placement, or undefined to refuse now. Held only for quota
 * (`no-headroom`; never `breakers-open` or `all-excluded`), only when the wait is known, positive
 * (a zero wait means the free target is one this request already failed on) and ends within the
 * allowance counted from arrival, and at most MAX_HOLDS_PER_REQUEST times.
 */
export function holdWaitMs(placement: Extract<Placement, { kind: 'exhausted' }>, state: HoldState, now: number): number | undefined {
  if (placement.reason !== 'no-headroom' || state.holds >= MAX_HOLDS_PER_REQUEST) return undefined;
  const wait = placement.retryAfterMs;
  if (!Number.isFinite(wait) || wait <= 0) return undefined;
  return now + wait <= state.arrivedAt + state.allowanceMs ? wait : undefined;
}

/**
 * The timers a hold waits on: they must run on the router's clock. Given ones are; the real ones are
 * when `now` is `Date.now` itself (the Lambda). Any other clock (a test's manual clock, the demo's
 * 60x one) with no timers given: undefined, and the router never holds, since real timers would wait
 * the wrong time.
 */
export function holdTimers(deps: { readonly now: () => number; readonly timers?: Timers | undefined }): Timers | undefined {
  return deps.timers ?? (deps.now === Date.now ? realTimers : undefined);
}

/** Wait `ms` on `timers`, or less if the client leaves first; the timer and the listener are always removed. */
export function waitHeld(timers: Timers, ms: number, client: AbortSignal | undefined): Promise<'elapsed' | 'client-left'> {
  if (client?.aborted) return Promise.resolve('client-left');
  return new Promise((resolve) => {
    const onAbort = () => {
      timers.clearTimeout(handle);
      resolve('client-left');
    };
    const handle = timers.setTimeout(() => {
      client?.removeEventListener('abort', onAbort);
      resolve('elapsed');
    }, ms);
    client?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * What a request the client left while held is answered: nginx's 499 "client closed request", as
 * the adapters say for an upstream call the client cancelled (providers/http-adapter.ts CLIENT_GONE).
 * Nobody reads it; it keeps the request out of the client-throttle count.
 */
export const CLIENT_LEFT_STATUS = 499;
