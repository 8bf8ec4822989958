import type { Geo, RouterConfig, RouterTarget, Usage } from '@headroom/plan';
import type { HeaderBag } from '@headroom/router-lambda';
import type { Random } from './random';
import type { SimSharedStore } from './shared-store';
import type { Upstream } from './upstream';

/** One client call as the simulator generates it. `outputTokens` is what the model will produce. */
export interface SimRequest {
  /** The logical request; a client retry of a 429 keeps it. */
  readonly logical: number;
  readonly family: string;
  readonly inputTokens: number;
  readonly maxTokens: number;
  readonly outputTokens: number;
  readonly residency?: Geo;
}

/** How one upstream attempt ended, as the wire would show it. */
export type UpstreamResult =
  | { readonly kind: 'success'; readonly usage: Usage; readonly headers: HeaderBag }
  | { readonly kind: 'throttled'; readonly headers: HeaderBag }
  | { readonly kind: 'error'; readonly status: number };

/** How a failed attempt ended, as the wire showed it. */
export type FailedKind = Exclude<UpstreamResult['kind'], 'success'>;

/** A strategy's answer for one attempt. */
export type RouteDecision =
  | { readonly kind: 'send'; readonly target: string; readonly handle: unknown }
  /**
   * The router answers the client itself: `status` 429 (quota; the default), 529/503 (an outage
   * answer: Anthropic's overloaded_error, OpenAI's 503) or 400 (the request can never be served),
   * with the `retry-after-ms` it announces, when it announces one.
   */
  | { readonly kind: 'reject'; readonly status?: number; readonly retryAfterMs?: number }
  /**
   * The router keeps the call and places it again itself after `waitMs` (same tried/failed sets):
   * not a client refusal. The engine bounds it (MAX_HOLDS_PER_CALL, then a 429).
   */
  | { readonly kind: 'hold'; readonly waitMs: number };

/**
 * After an attempt's outcome: fail the call over to another target, or give the client the
 * attempt's reply (a success, or the failed attempt's 429/5xx passed through). `status` replaces
 * the passed-through status when the router answers in its own terms (a 529/503 outage answer);
 * `retryAfterMs` is the `retry-after-ms` the router puts on it (its own, never the upstream's).
 */
export type ReportVerdict =
  | { readonly kind: 'failover' }
  | { readonly kind: 'reply'; readonly status?: number; readonly retryAfterMs?: number };

/**
 * One router instance (own state). The engine calls `begin` once per client call, then `route`
 * for every attempt and `report` when that attempt's outcome is known (a 429 or 5xx one round
 * trip later, a success when the response ends).
 */
export interface RoutingInstance {
  /** Per-call preparation (e.g. read the shared store); returns the latency it adds in ms. */
  begin(request: SimRequest, now: number): Promise<number> | number;
  /**
   * `tried`: the targets this call already failed on (excluded); `failed`: how each of this call's
   * failed attempts ended, in order.
   */
  route(request: SimRequest, now: number, tried: ReadonlySet<string>, failed: readonly FailedKind[]): RouteDecision;
  report(handle: unknown, result: UpstreamResult, now: number): ReportVerdict;
}

export const FAILOVER: ReportVerdict = { kind: 'failover' };
export const REPLY: ReportVerdict = { kind: 'reply' };

/** What a strategy may look at when it builds its instances. */
export interface World {
  readonly config: RouterConfig;
  readonly family: string;
  /** The family's targets in plan order. */
  readonly targets: readonly RouterTarget[];
  /**
   * The emulated endpoints, with the provider's hidden truth: given only to strategies that declare
   * `readsTruth` (the oracle); every router and peer gets undefined here.
   */
  readonly upstreams?: ReadonlyMap<string, Upstream>;
  /** Shared store with modelled latency and staleness, when the scenario has one. */
  readonly store?: SimSharedStore;
  readonly random: Random;
}

/** A routing strategy: how to build N instances over a world. */
export interface Strategy {
  readonly id: string;
  readonly label: string;
  /** Where its documented behaviour comes from. */
  readonly source: string;
  /** Only the oracle: it is given the emulated endpoints (the truth) in `World.upstreams`. */
  readonly readsTruth?: boolean;
  instances(world: World, count: number): RoutingInstance[];
}
