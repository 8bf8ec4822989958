import type { Geo, LimitKind, RequestEstimate, Usage } from '@headroom/plan';

/**
 * The seam between the pure core and the provider adapters. Adapters turn what an upstream said
 * into these values; the core turns them into state. Times are epoch milliseconds from the
 * injected clock, never read by the core itself.
 */

/** Evidence about a target's remaining quota. The freshest evidence wins; it ages by the bucket's refill. */
export type Observation =
  /** A rate-limit header: `remaining` of `limit` in a bucket, full again at `resetAt`. */
  | {
      readonly kind: 'remaining';
      readonly bucket: LimitKind;
      readonly remaining: number;
      /** The provider's own figure for the bucket size, when it sends one. */
      readonly limit?: number;
      readonly resetAt?: number;
      readonly observedAt: number;
    }
  /** The target told us to stay away until `until` (retry-after), or we derived it. */
  | { readonly kind: 'cooldown'; readonly until: number; readonly source: 'retry-after' | 'derived'; readonly observedAt: number };

/** How one upstream attempt ended, as the core needs to know it. */
export type AttemptOutcome =
  | { readonly kind: 'success'; readonly usage: Usage; readonly observations: readonly Observation[] }
  /** 429: quota. `retryAfterMs` only when the provider sent one (Bedrock and Vertex never do). */
  | { readonly kind: 'throttled'; readonly retryAfterMs?: number; readonly observations: readonly Observation[] }
  /** 529 / 503: capacity, not quota. */
  | { readonly kind: 'overloaded'; readonly status: number; readonly retryAfterMs?: number }
  | { readonly kind: 'server-error'; readonly status: number }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'connection-error'; readonly message: string }
  /** A 4xx caused by the client's request: never a failover trigger. */
  | { readonly kind: 'client-error'; readonly status: number };

/** What the core is asked to place. */
export interface RouteRequest {
  readonly family: string;
  readonly estimate: RequestEstimate;
  /** `x-headroom-residency`: only targets processing inside this geography. */
  readonly residency?: Geo;
}

export function isFailoverTrigger(outcome: AttemptOutcome): boolean {
  return outcome.kind !== 'success' && outcome.kind !== 'client-error';
}
