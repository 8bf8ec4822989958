const MS_PER_MINUTE = 60_000;

/**
 * One per-minute limit as a continuously refilling bucket: capacity = the declared limit,
 * refill = limit / 60 s. The level may go below zero when a settlement costs more than was
 * reserved (Bedrock's output burn), which delays the next admission as the provider would.
 */
export class TokenBucket {
  private level: number;
  private updatedAt: number;

  constructor(
    readonly limitPerMinute: number,
    now: number,
  ) {
    if (!(limitPerMinute > 0) || !Number.isFinite(limitPerMinute)) {
      throw new RangeError(`a bucket's per-minute limit must be a finite number > 0; received ${limitPerMinute}`);
    }
    this.level = limitPerMinute;
    this.updatedAt = now;
  }

  private get refillPerMs(): number {
    return this.limitPerMinute / MS_PER_MINUTE;
  }

  /** The level at `now` (fractional; can be negative while in debt). */
  levelAt(now: number): number {
    const elapsed = Math.max(0, now - this.updatedAt);
    return Math.min(this.limitPerMinute, this.level + elapsed * this.refillPerMs);
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
    if (amount > this.limitPerMinute) return Infinity;
    const missing = amount - this.levelAt(now);
    return missing <= 1e-9 ? 0 : Math.ceil(missing / this.refillPerMs);
  }

  /** Milliseconds until the bucket is full again: the provider's "reset". */
  msUntilFull(now: number): number {
    const missing = this.limitPerMinute - this.levelAt(now);
    return missing <= 1e-9 ? 0 : Math.ceil(missing / this.refillPerMs);
  }

  /** Take `amount` (negative gives back). Callers check availability first. */
  take(amount: number, now: number): void {
    this.sync(now);
    this.level = Math.min(this.limitPerMinute, this.level - amount);
  }
}
