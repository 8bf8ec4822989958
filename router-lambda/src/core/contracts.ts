import type { Geo, LimitKind, RequestEstimate, Usage } from '@headroom/plan/runtime';

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

/** Every instance's charges on a target in one 10-s sub-window starting at `start` (see sliding-windows.ts). */
export interface SharedWindow {
  readonly start: number;
  /** Net charge per limit: reservations and overruns minus refunds. */
  readonly charge: Readonly<Partial<Record<LimitKind, number>>>;
  /**
   * Per limit, the sum over positive charges of charge x ms since `start`: divided by the positive
   * charge (net + refund) it is their charge-weighted mean time. Absent: taken at the window's end.
   */
  readonly chargeMs?: Readonly<Partial<Record<LimitKind, number>>>;
  /** Per limit, the refunds (negative charges) summed as a positive amount. Absent: none. */
  readonly refund?: Readonly<Partial<Record<LimitKind, number>>>;
}

/** What all router instances together have spent on one target recently. */
export interface SharedUsage {
  /**
   * The sub-windows of the last three minutes (sliding-windows.ts REPLAY_MS), oldest first. The core
   * replays the provider's token bucket from them (a bucket refills continuously, so its level is
   * not `limit - used`).
   */
  readonly windows: readonly SharedWindow[];
  /** Charges summed over the trailing 60 s (sliding, weighted): for display only, not a bucket level. */
  readonly used: Readonly<Partial<Record<LimitKind, number>>>;
  /** No instance should send to the target before this time. */
  readonly cooldownUntil?: number;
  /** When this snapshot was read; the core ages it like any other evidence. */
  readonly readAt: number;
}

/**
 * Cross-instance state (a Lambda instance serves one request at a time, so in-process counters
 * see almost nothing). Implementations: in-memory for one process, DynamoDB for the Lambda.
 */
export interface SharedStore {
  /** Every listed target in one round trip. */
  read(targets: readonly string[], now: number): Promise<Readonly<Record<string, SharedUsage>>>;
  /** Atomically add a charge (negative amounts return a reservation) to the target's current sub-window. */
  add(target: string, charge: Readonly<Partial<Record<LimitKind, number>>>, now: number): Promise<void>;
  /** Extend the target's cooldown to at least `until`; never shortens it. */
  cooldown(target: string, until: number, now: number): Promise<void>;
}
