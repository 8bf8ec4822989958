import { ROUTING_DEFAULTS } from '@headroom/plan/runtime';
import { InvalidOptionError } from './errors';

/**
 * Envoy's retry budget, kept per family. Envoy's `RetryBudget` "specifies the limit on concurrent
 * retries as a percentage of the sum of active requests and active pending requests" (default 20%),
 * and "the limit on the number of active retries may never go below" `min_retry_concurrency`
 * (default 3): https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/cluster/v3/circuit_breaker.proto
 * (CircuitBreakers.Thresholds.RetryBudget).
 *
 * Envoy budgets a cluster, and a family is our cluster: the budget counts the family's requests in
 * flight, so one failing target never spends what lets requests fail over to the healthy ones. It
 * bounds retry concurrency, not a retry rate; the breakers and cooldowns are what stop sending to a
 * target that keeps failing.
 */
export interface RetryBudgetOptions {
  /** Share of the family's active requests that may be retries at once. @default the config's routing.retryBudget (0.2) */
  readonly fraction: number;
  /** Active retries always allowed, whatever the traffic (Envoy's min_retry_concurrency). @default ROUTING_DEFAULTS.minRetryConcurrency */
  readonly minRetryConcurrency?: number;
}

export type ResolvedRetryBudgetOptions = Required<RetryBudgetOptions>;

export function resolveRetryBudget(options: RetryBudgetOptions): ResolvedRetryBudgetOptions {
  if (!(options.fraction >= 0 && options.fraction <= 1)) throw new InvalidOptionError({ option: 'retryBudget.fraction', received: options.fraction, allowed: 'a number in [0, 1]' });
  const minRetryConcurrency = options.minRetryConcurrency ?? ROUTING_DEFAULTS.minRetryConcurrency;
  if (!(Number.isInteger(minRetryConcurrency) && minRetryConcurrency >= 0)) {
    throw new InvalidOptionError({ option: 'retryBudget.minRetryConcurrency', received: minRetryConcurrency, allowed: 'an integer >= 0' });
  }
  return { fraction: options.fraction, minRetryConcurrency };
}

/** What is in flight in one family right now (attempts placed and not yet completed). */
export interface FamilyActivity {
  readonly activeRequests: number;
  /** Attempts placed as failover retries. */
  readonly activeRetries: number;
}

/** Active retries the family may have at once. */
export function retryAllowance(options: ResolvedRetryBudgetOptions, activeRequests: number): number {
  return Math.max(options.minRetryConcurrency, Math.floor(options.fraction * activeRequests + 1e-9));
}

/**
 * May one more retry start? `activity` counts the request asking among the active requests (its
 * failed attempt has just completed; its retry will be active).
 */
export function retryAllowed(options: ResolvedRetryBudgetOptions, activity: FamilyActivity): boolean {
  return activity.activeRetries + 1 <= retryAllowance(options, activity.activeRequests);
}

export interface RetryBudgetView extends FamilyActivity {
  /** Active retries allowed at this activity. */
  readonly allowance: number;
  /** Retries refused since the router started (a counter for metrics). */
  readonly denials: number;
}

export function retryBudgetView(options: ResolvedRetryBudgetOptions, activity: FamilyActivity, denials: number): RetryBudgetView {
  return { ...activity, allowance: retryAllowance(options, activity.activeRequests), denials };
}
