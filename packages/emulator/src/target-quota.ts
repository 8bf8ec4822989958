import { admissionCharge, settledCharge, type Charge, type CostModel, type LimitKind, type Limits, type RequestEstimate, type Usage } from '@headroom/plan';
import type { Clock } from './clock';
import { TokenBucket } from './token-bucket';

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
  settled: boolean;
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

/**
 * A target's quota: one token bucket per declared limit, charged through the plan's cost model
 * (the same functions the router and the simulator use). Pure apart from the injected clock.
 */
export class TargetQuota {
  private readonly buckets = new Map<LimitKind, TokenBucket>();
  private readonly totals: Record<LimitKind, number> = { rpm: 0, tpm: 0, itpm: 0, otpm: 0 };

  constructor(
    readonly target: string,
    readonly limits: Limits,
    readonly cost: CostModel,
    private readonly clock: Clock,
  ) {
    if (limits.rpm === undefined) throw new QuotaConfigError(target, 'no rpm limit declared; a missing limit is never treated as unlimited');
    for (const kind of KINDS) {
      const limit = limits[kind];
      if (limit !== undefined) this.buckets.set(kind, new TokenBucket(limit, clock.now()));
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
    for (const [kind, amount] of this.charges(charge)) {
      this.buckets.get(kind)!.take(amount, now);
      this.totals[kind] += amount;
    }
    return { admitted: true, ticket: { request, charged: charge, settled: false } };
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
        bucket.take(delta, now);
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
