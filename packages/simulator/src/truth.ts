import type { LimitKind, Limits, RouterTarget } from '@headroom/plan';
import type { RefillAlgorithm } from '@headroom/emulator';

/**
 * How one emulated provider endpoint really behaves, where that differs from what the plan declares.
 * The harness and the oracle read it; the routers and the peers never do (they get the compiled
 * plan: what a user would write). Every field is optional; an empty truth is "declared = true".
 *
 * What the providers document about their limiters (why the knobs exist):
 * - Anthropic: "we use the token bucket algorithm ... your capacity is continuously replenished up
 *   to your maximum limit, rather than being reset at fixed intervals"
 *   (https://docs.anthropic.com/en/api/rate-limits).
 * - Azure OpenAI: "The rate limit expects that requests be evenly distributed over a one-minute
 *   period ... Azure OpenAI evaluates the rate of incoming requests over a small period of time,
 *   typically 1 or 10 seconds", and TPM is estimated at admission from the prompt and max_tokens
 *   (https://learn.microsoft.com/azure/ai-services/openai/how-to/quota, "Understanding rate
 *   limits"): FixedWindowCounter with windowMs 1 000 or 10 000.
 * - Amazon Bedrock: tokens per minute are a bucket that refills continuously; output tokens of
 *   Claude 3.7+ burn 5x against it, and max_tokens is reserved at the start
 *   (https://docs.aws.amazon.com/bedrock/latest/userguide/quotas-token-burndown.html). Its burst
 *   capacity is not documented as a figure; the 30 s burst here is a hypothesis to test against.
 * - OpenAI: limits are "quantized", enforced over shorter periods than the minute
 *   (https://platform.openai.com/docs/guides/rate-limits).
 * - LiteLLM's own usage-based routing counts per fixed UTC minute (`HH-MM` keys,
 *   BerriAI/litellm litellm/router_strategy/lowest_tpm_rpm_v2.py): a fixed window exists in the
 *   wild even where the upstream is a bucket.
 */
export interface ProviderTruth {
  /**
   * True limits = declared x factor (0.5 = half the declared quota, 1.4 = more than declared). A
   * number applies to every limit; a record sets it per limit kind (missing kinds: 1).
   * @default 1
   */
  readonly quotaFactor?: number | Readonly<Partial<Record<LimitKind, number>>>;
  /** Bucket capacity in ms of refill: capacity = limit x burstMs / 60 000; the rate stays limit/min. @default 60 000 */
  readonly burstMs?: number;
  /** @default 'token-bucket' */
  readonly refill?: RefillAlgorithm;
  /**
   * The provider counts a prompt as round(router's estimate x ratio) tokens: it charges AND reports
   * usage with its own count, so the router settles with the provider's number. @default 1
   */
  readonly tokenizerRatio?: number;
  /** Extra round trip per attempt (ms), refusals included. @default 0 */
  readonly rttMs?: number;
  /** Multiplies the time to first token. @default 1 */
  readonly ttftFactor?: number;
}

/** The factor one limit kind really has. */
export function quotaFactorOf(truth: ProviderTruth | undefined, kind: LimitKind): number {
  const factor = truth?.quotaFactor;
  if (factor === undefined) return 1;
  return typeof factor === 'number' ? factor : factor[kind] ?? 1;
}

/** The limits the provider really enforces: declared x factor, per kind (at least 1). */
export function trueLimits(declared: Limits, truth: ProviderTruth | undefined): Limits {
  if (truth?.quotaFactor === undefined) return declared;
  const out: Partial<Record<LimitKind, number>> = {};
  for (const [kind, value] of Object.entries(declared) as [LimitKind, number | undefined][]) {
    if (value !== undefined) out[kind] = Math.max(1, value * quotaFactorOf(truth, kind));
  }
  return out as Limits;
}

/** The prompt as the provider counts it. Ratio 1 is the identity (so matched scenarios are bit-identical). */
export function providerInputTokens(inputTokens: number, truth: ProviderTruth | undefined): number {
  const ratio = truth?.tokenizerRatio ?? 1;
  return ratio === 1 ? inputTokens : Math.max(1, Math.round(inputTokens * ratio));
}

/** The target as the provider really is (true limits), for the harness's bounds; never given to a router. */
export function trueTarget(target: RouterTarget, truth: ProviderTruth | undefined): RouterTarget {
  return truth?.quotaFactor === undefined ? target : { ...target, limits: trueLimits(target.limits, truth) };
}
