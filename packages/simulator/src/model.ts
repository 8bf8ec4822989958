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

/** A strategy's answer for one attempt. */
export type RouteDecision =
  | { readonly kind: 'send'; readonly target: string; readonly handle: unknown }
  /** The router answers the client itself: 429 (with a retry hint when it has one). */
  | { readonly kind: 'reject'; readonly retryAfterMs?: number };

/**
 * One router instance (own state). The engine calls `begin` once per client call, then `route`
 * for every attempt and `report` when that attempt's outcome is known (a 429 at once, a success
 * when the response ends).
 */
export interface RoutingInstance {
  /** Per-call preparation (e.g. read the shared store); returns the latency it adds in ms. */
  begin(request: SimRequest, now: number): Promise<number> | number;
  route(request: SimRequest, now: number, tried: ReadonlySet<string>): RouteDecision;
  /** Returns true when the router may fail this call over to another target. */
  report(handle: unknown, result: UpstreamResult, now: number): boolean;
}

/** What a strategy may look at when it builds its instances. */
export interface World {
  readonly config: RouterConfig;
  readonly family: string;
  /** The family's targets in plan order. */
  readonly targets: readonly RouterTarget[];
  /** The emulated endpoints: only the oracle may read them. */
  readonly upstreams: ReadonlyMap<string, Upstream>;
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
  instances(world: World, count: number): RoutingInstance[];
}
