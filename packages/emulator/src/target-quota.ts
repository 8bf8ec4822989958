import { admissionCharge, settledCharge, type Charge, type CostModel, type LimitKind, type Limits, type RequestEstimate, type Usage } from '@headroom/plan';
import type { Clock } from './clock';
import type { Limiter, RefillAlgorithm } from './limiter';
import { TokenBucket } from './token-bucket';
import { FixedWindowCounter, SlidingWindowCounter } from './window-counter';

/** What one limit looks like right now, as a provider's rate-limit headers report it. */
export interface LimitSnapshot {
  readonly limit: number;
  readonly remaining: number;
  /** Milliseconds until the bucket is full again. */
  readonly resetMs: number;
}

export type QuotaSnapshot = Partial<Record<LimitKind, LimitSnapshot>>;

/** A reservation taken at admission; settle it once usage is known. */
export interface QuotaTicket {
  readonly request: RequestEstimate;
  readonly charged: Charge;
  /** Each limit's charge id, to settle against the charge the algorithm remembers. */
  readonly chargeIds: Partial<Record<LimitKind, number>>;
  settled: boolean;
}

/** How the provider refills its limits (see limiter.ts for what each provider documents). */
export interface QuotaOptions {
  /** Token bucket capacity in ms of refill (30 000 = half a minute's limit at once). @default 60 000 */
  readonly burstMs?: number;
  /** @default 'token-bucket' */
  readonly refill?: RefillAlgorithm;
  /** Window of a fixed-window counter (Azure: 1 s or 10 s for RPM). @default 60 000 */
  readonly windowMs?: number;
}

export type AdmissionDecision =
  | { readonly admitted: true; readonly ticket: QuotaTicket }
  | {
      readonly admitted: false;
      /** The limit that refused, the one that frees up last. */
      readonly limitedBy: LimitKind;
      /** Emulated ms until the request would fit; Infinity if it exceeds the limit itself. */
      readonly retryAfterMs: number;
      readonly requested: Charge;
    };

export class QuotaConfigError extends Error {
  override readonly name = 'QuotaConfigError';
  constructor(readonly target: string, message: string) {
    super(`${target}: ${message}`);
  }
}

const KINDS: readonly LimitKind[] = ['rpm', 'tpm', 'itpm', 'otpm'];

function limiterFor(limit: number, now: number, options: QuotaOptions): Limiter {
  switch (options.refill ?? 'token-bucket') {
    case 'token-bucket': return new TokenBucket(limit, now, options.burstMs);
    case 'fixed-window': return new FixedWindowCounter(limit, now, options.windowMs);
    case 'sliding-window': return new SlidingWindowCounter(limit, now);
  }
}

/**
 * A target's quota: one limiter per declared limit (a token bucket unless the options say
 * otherwise), charged through the plan's cost model (the same functions the router and the
 * simulator use). Pure apart from the injected clock.
 */
export class TargetQuota {
  private readonly buckets = new Map<LimitKind, Limiter>();
  private readonly totals: Record<LimitKind, number> = { rpm: 0, tpm: 0, itpm: 0, otpm: 0 };

  constructor(
    readonly target: string,
    readonly limits: Limits,
    readonly cost: CostModel,
    private readonly clock: Clock,
    readonly options: QuotaOptions = {},
  ) {
    if (limits.rpm === undefined) throw new QuotaConfigError(target, 'no rpm limit declared; a missing limit is never treated as unlimited');
    for (const kind of KINDS) {
      const limit = limits[kind];
      if (limit !== undefined) this.buckets.set(kind, limiterFor(limit, clock.now(), options));
    }
  }

  /** Admit and reserve, or refuse with how long until it would fit. Never takes a partial charge. */
  tryAdmit(request: RequestEstimate): AdmissionDecision {
    const now = this.clock.now();
    const charge = admissionCharge(this.cost, request);
    let limitedBy: LimitKind | undefined;
    let retryAfterMs = 0;
    for (const [kind, amount] of this.charges(charge)) {
      const wait = this.buckets.get(kind)!.msUntilAvailable(amount, now);
      if (wait > 0 && wait >= retryAfterMs) {
        limitedBy = kind;
        retryAfterMs = wait;
      }
    }
    if (limitedBy !== undefined) return { admitted: false, limitedBy, retryAfterMs, requested: charge };
    const chargeIds: Partial<Record<LimitKind, number>> = {};
    for (const [kind, amount] of this.charges(charge)) {
      chargeIds[kind] = this.buckets.get(kind)!.charge(amount, now);
      this.totals[kind] += amount;
    }
    return { admitted: true, ticket: { request, charged: charge, chargeIds, settled: false } };
  }

  /** Whether `tryAdmit` would admit the request now, without charging anything. */
  canAdmit(request: RequestEstimate): boolean {
    return this.msUntilAdmit(request) === 0;
  }

  /**
   * The lowest share of its per-minute limit any limit would have left at now + `horizonMs` if the
   * request were admitted now (refill, resets and expiries by then included; may be negative).
   * At horizon 0 it is the remaining share right after admission. Does not mutate.
   */
  shareAfter(request: RequestEstimate, horizonMs: number): number {
    const now = this.clock.now();
    const charge = admissionCharge(this.cost, request);
    let share = Number.POSITIVE_INFINITY;
    for (const [kind, limiter] of this.buckets) {
      // A bucket's future is refill at the same rate whatever is chosen; a window's is its reset or expiries.
      const at = limiter instanceof TokenBucket ? now : now + horizonMs;
      share = Math.min(share, limiter.remainingAfter(charge[kind] ?? 0, now, at) / limiter.limitPerMinute);
    }
    return share;
  }

  /** Ms until `tryAdmit` would admit the request (0: now; Infinity: never), without charging anything. */
  msUntilAdmit(request: RequestEstimate): number {
    const now = this.clock.now();
    let wait = 0;
    for (const [kind, amount] of this.charges(admissionCharge(this.cost, request))) wait = Math.max(wait, this.buckets.get(kind)!.msUntilAvailable(amount, now));
    return wait;
  }

  /** Replace the admission charge with what the request finally cost. Idempotent per ticket. */
  settle(ticket: QuotaTicket, usage: Usage): Charge {
    const final = settledCharge(this.cost, ticket.request, usage);
    if (ticket.settled) return final;
    ticket.settled = true;
    const now = this.clock.now();
    for (const kind of KINDS) {
      const bucket = this.buckets.get(kind);
      const delta = (final[kind] ?? 0) - (ticket.charged[kind] ?? 0);
      if (bucket && delta !== 0) {
        bucket.adjust(ticket.chargeIds[kind] ?? 0, delta, now);
        this.totals[kind] += delta;
      }
    }
    return final;
  }

  /**
   * Everything charged so far per declared limit, as the provider counts it (reservations that were
   * never refunded included): what "quota used" means, unlike tokens served.
   */
  charged(): Charge {
    return Object.fromEntries([...this.buckets.keys()].map((kind) => [kind, this.totals[kind]]));
  }

  snapshot(): QuotaSnapshot {
    const now = this.clock.now();
    const out: QuotaSnapshot = {};
    for (const [kind, bucket] of this.buckets) {
      out[kind] = { limit: bucket.limitPerMinute, remaining: bucket.remaining(now), resetMs: bucket.msUntilFull(now) };
    }
    return out;
  }

  /** Charges on limits this target enforces; a charge on an undeclared limit is not a bucket. */
  private charges(charge: Charge): Array<[LimitKind, number]> {
    return KINDS.filter((kind) => this.buckets.has(kind) && (charge[kind] ?? 0) > 0).map((kind) => [kind, charge[kind]!]);
  }
}
