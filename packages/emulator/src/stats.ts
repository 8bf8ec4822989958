import type { Charge } from '@headroom/plan';
import type { QuotaSnapshot } from './target-quota';

/** Per-target counters, readable over the admin endpoint and the library API. */
export interface TargetStats {
  /** Every HTTP request that reached the target. */
  requests: number;
  /** Passed quota and got a model answer (maybe cut short by a fault). */
  admitted: number;
  /** Refused with the provider's 429. */
  throttled: number;
  /** Refused with the provider's 400/401/403/404. */
  rejected: number;
  /** Hit by a scripted fault (5xx, timeout, reset, dark region, truncated stream). */
  faulted: number;
  inputTokens: number;
  outputTokens: number;
}

export interface TargetStatsView extends Readonly<TargetStats> {
  readonly quota: QuotaSnapshot;
  /** Cumulative charge per declared limit as the provider counts it (see TargetQuota.charged). */
  readonly charged: Charge;
}

export function emptyStats(): TargetStats {
  return { requests: 0, admitted: 0, throttled: 0, rejected: 0, faulted: 0, inputTokens: 0, outputTokens: 0 };
}
