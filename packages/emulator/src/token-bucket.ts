import type { Limiter } from './limiter';

const MS_PER_MINUTE = 60_000;

/**
 * One per-minute limit as a continuously refilling bucket: refill = limit / 60 s, capacity = the
 * refill of `burstMs` (default 60 s: the declared limit). The level may go below zero when a
 * settlement costs more than was reserved (Bedrock's output burn), which delays the next admission
 * as the provider would. Anthropic documents this algorithm ("continuously replenished up to your
 * maximum limit", https://docs.anthropic.com/en/api/rate-limits).
 */
export class TokenBucket implements Limiter {
  private level: number;
  private updatedAt: number;
  /** The most the bucket holds: a burst admits at most this much at once. */
  readonly capacity: number;

  constructor(
    readonly limitPerMinute: number,
    now: number,
    burstMs = MS_PER_MINUTE,
  ) {
    if (!(limitPerMinute > 0) || !Number.isFinite(limitPerMinute)) {
      throw new RangeError(`a bucket's per-minute limit must be a finite number > 0; received ${limitPerMinute}`);
    }
    if (!(burstMs > 0) || !Number.isFinite(burstMs)) throw new RangeError(`a bucket's burst must be a finite number of ms > 0; received ${burstMs}`);
    // Exactly the limit for the default burst, so a 60 s bucket is bit-identical to before.
    this.capacity = burstMs === MS_PER_MINUTE ? limitPerMinute : (limitPerMinute * burstMs) / MS_PER_MINUTE;
    this.level = this.capacity;
    this.updatedAt = now;
  }

  private get refillPerMs(): number {
    return this.limitPerMinute / MS_PER_MINUTE;
  }

  /** The level at `now` (fractional; can be negative while in debt). */
  levelAt(now: number): number {
    const elapsed = Math.max(0, now - this.updatedAt);
    return Math.min(this.capacity, this.level + elapsed * this.refillPerMs);
  }

  private sync(now: number): void {
    this.level = this.levelAt(now);
    this.updatedAt = Math.max(this.updatedAt, now);
  }

  /** Whole units available now, never negative: what a remaining header reports. */
  remaining(now: number): number {
    return Math.max(0, Math.floor(this.levelAt(now) + 1e-9));
  }

  /** Milliseconds until `amount` fits; 0 if it fits now; Infinity if it can never fit. */
  msUntilAvailable(amount: number, now: number): number {
    if (amount > this.capacity) return Infinity;
    const missing = amount - this.levelAt(now);
    return missing <= 1e-9 ? 0 : Math.ceil(missing / this.refillPerMs);
  }

  remainingAfter(amount: number, now: number, at: number): number {
    return Math.min(this.capacity, this.levelAt(now) - amount + Math.max(0, at - now) * this.refillPerMs);
  }

  /** Milliseconds until the bucket is full again: the provider's "reset". */
  msUntilFull(now: number): number {
    const missing = this.capacity - this.levelAt(now);
    return missing <= 1e-9 ? 0 : Math.ceil(missing / this.refillPerMs);
  }

  /** Take `amount` (negative gives back). Callers check availability first. */
  take(amount: number, now: number): void {
    this.sync(now);
    this.level = Math.min(this.capacity, this.level - amount);
  }

  charge(amount: number, now: number): number {
    this.take(amount, now);
    return 0;
  }

  /** A bucket does not remember charges: a settlement's delta is taken (or given back) now. */
  adjust(_charge: number, delta: number, now: number): void {
    this.take(delta, now);
  }
}
