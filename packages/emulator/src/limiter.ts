/**
 * How a provider refills one per-minute limit. The emulator implements each as a Limiter:
 * - 'token-bucket' (TokenBucket): continuous refill at limit/min up to a capacity (Anthropic
 *   documents it, https://docs.anthropic.com/en/api/rate-limits; Amazon Bedrock's token quotas
 *   behave as one, https://docs.aws.amazon.com/bedrock/latest/userguide/quotas-token-burndown.html).
 * - 'fixed-window' (FixedWindowCounter): a counter per clock-aligned window that resets at the
 *   boundary (LiteLLM's per-`HH-MM` counters, BerriAI/litellm router_strategy/lowest_tpm_rpm_v2.py;
 *   Azure OpenAI evaluates RPM "over small periods of time (for example 1 or 10 seconds)",
 *   https://learn.microsoft.com/azure/ai-services/openai/how-to/quota).
 * - 'sliding-window' (SlidingWindowCounter): the sum of the charges of the trailing 60 s.
 */
export type RefillAlgorithm = 'token-bucket' | 'fixed-window' | 'sliding-window';

export const REFILL_ALGORITHMS: readonly RefillAlgorithm[] = ['token-bucket', 'fixed-window', 'sliding-window'];

/** One per-minute limit as a provider enforces it. Pure apart from the `now` passed in. */
export interface Limiter {
  readonly limitPerMinute: number;
  /** Whole units available now, never negative: what a remaining header reports. Does not mutate. */
  remaining(now: number): number;
  /** Milliseconds until `amount` fits; 0 if it fits now; Infinity if it never can. Does not mutate. */
  msUntilAvailable(amount: number, now: number): number;
  /** Milliseconds until nothing is counted against the limit any more: the provider's "reset". */
  msUntilFull(now: number): number;
  /**
   * What would be left (fractional, may be negative) at `at` >= `now` if `amount` were charged at
   * `now`: refill, window resets and expiries up to `at` included. Does not mutate.
   */
  remainingAfter(amount: number, now: number, at: number): number;
  /** Charge `amount` now; returns an id to adjust this charge at settlement. */
  charge(amount: number, now: number): number;
  /** Settle a charge by `delta` (negative gives back, where the algorithm still counts the charge). */
  adjust(charge: number, delta: number, now: number): void;
}
