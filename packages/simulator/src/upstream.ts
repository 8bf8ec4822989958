import type { LimitKind, RouterTarget, Usage } from '@headroom/plan';
import { TargetQuota, type ManualClock, type QuotaOptions, type QuotaSnapshot, type QuotaTicket } from '@headroom/emulator';
import type { HeaderBag } from '@headroom/router-lambda';
import { providerInputTokens, trueLimits, type ProviderTruth } from './truth';

/** A window in which a target's real capacity is lower than declared (e.g. a dynamic shared quota shrinking). */
export interface Degradation {
  readonly fromMs: number;
  readonly toMs: number;
  /** Share of the declared limits the target really has in the window (0..1]. */
  readonly factor: number;
}

/** A window in which a target answers every call with an error status (a region dark: 500, 503, 529). */
export interface Failure {
  readonly fromMs: number;
  readonly toMs: number;
  readonly status: number;
}

const ANTHROPIC_NAMES: Readonly<Record<LimitKind, string>> = { rpm: 'requests', tpm: 'tokens', itpm: 'input-tokens', otpm: 'output-tokens' };
const OPENAI_NAMES: Partial<Record<LimitKind, string>> = { rpm: 'requests', tpm: 'tokens' };

/** Go duration as OpenAI writes resets ("1s", "250ms"). */
function goDuration(ms: number): string {
  return ms >= 1000 ? `${Math.ceil(ms / 1000)}s` : `${Math.max(0, Math.ceil(ms))}ms`;
}

/**
 * The rate-limit headers a provider of this dialect sends, synthesized from the emulated quota's
 * snapshot (the same numbers the emulator's HTTP server reports). Bedrock and Vertex send none.
 */
export function synthesizeHeaders(dialect: RouterTarget['rateLimitHeaders'], snapshot: QuotaSnapshot, now: number, retryAfterMs?: number): Record<string, string> {
  const headers: Record<string, string> = {};
  const entries = Object.entries(snapshot) as [LimitKind, NonNullable<QuotaSnapshot[LimitKind]>][];
  switch (dialect) {
    case 'none':
      return headers;
    case 'anthropic':
      for (const [kind, s] of entries) {
        const name = ANTHROPIC_NAMES[kind];
        headers[`anthropic-ratelimit-${name}-limit`] = String(s.limit);
        headers[`anthropic-ratelimit-${name}-remaining`] = String(s.remaining);
        headers[`anthropic-ratelimit-${name}-reset`] = new Date(now + s.resetMs).toISOString();
      }
      if (retryAfterMs !== undefined) headers['retry-after'] = String(Math.max(1, Math.ceil(retryAfterMs / 1000)));
      return headers;
    case 'openai':
    case 'azure-openai':
      for (const [kind, s] of entries) {
        const name = OPENAI_NAMES[kind];
        if (!name) continue;
        headers[`x-ratelimit-remaining-${name}`] = String(s.remaining);
        if (dialect === 'openai') {
          headers[`x-ratelimit-limit-${name}`] = String(s.limit);
          headers[`x-ratelimit-reset-${name}`] = goDuration(s.resetMs);
        }
      }
      if (retryAfterMs !== undefined) {
        headers['retry-after'] = String(Math.max(1, Math.ceil(retryAfterMs / 1000)));
        headers['retry-after-ms'] = String(Math.ceil(retryAfterMs));
      }
      return headers;
  }
}

export type Admission =
  | { readonly admitted: true; readonly ticket: QuotaTicket; readonly quota: TargetQuota }
  /** A 429 from the quota. */
  | { readonly admitted: false; readonly retryAfterMs: number; readonly headers: HeaderBag }
  /** An error status in a failure window; the quota is not touched. */
  | { readonly admitted: false; readonly errorStatus: number };

/**
 * One emulated regional endpoint: the emulator package's TargetQuota (the providers' cost models
 * and refill algorithms) on the simulation's manual clock, built from the provider's truth (true
 * limits, burst, refill, token counting, latency), optionally degraded or failing for a window.
 * Only the engine and the oracle read it; routers get the declared plan.
 */
export class Upstream {
  readonly normal: TargetQuota;
  private readonly degradedQuota?: TargetQuota;
  /** Extra round trip per attempt (ms). */
  readonly rttMs: number;
  /** Multiplies the time to first token. */
  readonly ttftFactor: number;

  constructor(readonly target: RouterTarget, private readonly clock: ManualClock, private readonly degradation?: Degradation, private readonly failure?: Failure, readonly truth?: ProviderTruth) {
    const limits = trueLimits(target.limits, truth);
    const options: QuotaOptions = { ...(truth?.burstMs !== undefined ? { burstMs: truth.burstMs } : {}), ...(truth?.refill ? { refill: truth.refill } : {}) };
    this.normal = new TargetQuota(target.key, limits, target.cost, clock, options);
    if (degradation) {
      const degraded = Object.fromEntries(Object.entries(limits).map(([k, v]) => [k, Math.max(1, (v ?? 0) * degradation.factor)]));
      this.degradedQuota = new TargetQuota(`${target.key} (degraded)`, degraded, target.cost, clock, options);
    }
    this.rttMs = truth?.rttMs ?? 0;
    this.ttftFactor = truth?.ttftFactor ?? 1;
  }

  /** The quota in force now (perfect knowledge: only the oracle and the engine read it). */
  quota(now = this.clock.now()): TargetQuota {
    const d = this.degradation;
    return d && this.degradedQuota && now >= d.fromMs && now < d.toMs ? this.degradedQuota : this.normal;
  }

  /** Whether the endpoint answers every call with an error status now. */
  failingNow(now = this.clock.now()): boolean {
    const f = this.failure;
    return f !== undefined && now >= f.fromMs && now < f.toMs;
  }

  /** The request as the provider counts it (its own tokenizer). */
  counted<R extends { inputTokens: number }>(request: R): R {
    const inputTokens = providerInputTokens(request.inputTokens, this.truth);
    return inputTokens === request.inputTokens ? request : { ...request, inputTokens };
  }

  /** Whether `admit` would admit the request now, without charging (for the oracle). */
  canAdmit(request: { inputTokens: number; maxTokens: number }): boolean {
    return !this.failingNow() && this.quota().canAdmit(this.counted(request));
  }

  /** Ms until the true quota in force now would admit the request (Infinity while failing, or never). */
  msUntilAdmit(request: { inputTokens: number; maxTokens: number }): number {
    return this.failingNow() ? Infinity : this.quota().msUntilAdmit(this.counted(request));
  }

  admit(request: { inputTokens: number; maxTokens: number }): Admission {
    const now = this.clock.now();
    const f = this.failure;
    if (f && now >= f.fromMs && now < f.toMs) return { admitted: false, errorStatus: f.status };
    const quota = this.quota();
    const decision = quota.tryAdmit(this.counted(request));
    if (decision.admitted) return { admitted: true, ticket: decision.ticket, quota };
    const retryAfterMs = Number.isFinite(decision.retryAfterMs) ? decision.retryAfterMs : 60_000;
    return { admitted: false, retryAfterMs, headers: synthesizeHeaders(this.target.rateLimitHeaders, quota.snapshot(), this.clock.now(), retryAfterMs) };
  }

  /**
   * Settle at the end of the response with the request's real usage. The provider charges and
   * reports the prompt with its own count; returns the headers and the usage the response carries.
   */
  settle(quota: TargetQuota, ticket: QuotaTicket, usage: Usage): { readonly headers: HeaderBag; readonly usage: Usage } {
    const reported = this.counted(usage);
    quota.settle(ticket, reported);
    return { headers: synthesizeHeaders(this.target.rateLimitHeaders, quota.snapshot(), this.clock.now()), usage: reported };
  }
}
