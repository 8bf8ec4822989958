import type { Limiter } from './limiter';

const MS_PER_MINUTE = 60_000;
const EPSILON = 1e-9;

function checkLimit(limitPerMinute: number, windowMs: number): void {
  if (!(limitPerMinute > 0) || !Number.isFinite(limitPerMinute)) throw new RangeError(`a per-minute limit must be a finite number > 0; received ${limitPerMinute}`);
  if (!(windowMs > 0) || !Number.isFinite(windowMs)) throw new RangeError(`a window must be a finite number of ms > 0; received ${windowMs}`);
}

/**
 * A counter per clock-aligned window (default the clock minute) that resets at the boundary. A
 * window of `windowMs` allows limit x windowMs / 60 s (Azure's "evaluated over 1 or 10 seconds").
 * So a full minute's limit fits at 0:59 and again at 1:00. A refund (settlement below the
 * reservation) only counts while the reservation's window is still open.
 */
export class FixedWindowCounter implements Limiter {
  /** What one window allows. */
  readonly allowance: number;
  private windowStart: number;
  private used = 0;
  /** Charges of the current window by id, so a refund gives back at most what its charge took. */
  private readonly charges = new Map<number, number>();
  private nextId = 1;

  constructor(readonly limitPerMinute: number, now: number, readonly windowMs = MS_PER_MINUTE) {
    checkLimit(limitPerMinute, windowMs);
    this.allowance = windowMs === MS_PER_MINUTE ? limitPerMinute : (limitPerMinute * windowMs) / MS_PER_MINUTE;
    this.windowStart = this.startOf(now);
  }

  private startOf(now: number): number {
    return Math.floor(now / this.windowMs) * this.windowMs;
  }

  private usedAt(now: number): number {
    return this.startOf(now) === this.windowStart ? this.used : 0;
  }

  private roll(now: number): void {
    const start = this.startOf(now);
    if (start === this.windowStart) return;
    this.windowStart = start;
    this.used = 0;
    this.charges.clear();
  }

  remaining(now: number): number {
    return Math.max(0, Math.floor(this.allowance - this.usedAt(now) + EPSILON));
  }

  msUntilAvailable(amount: number, now: number): number {
    if (amount > this.allowance) return Infinity;
    if (this.usedAt(now) + amount <= this.allowance + EPSILON) return 0;
    return this.startOf(now) + this.windowMs - now;
  }

  msUntilFull(now: number): number {
    return this.usedAt(now) > EPSILON ? this.startOf(now) + this.windowMs - now : 0;
  }

  /** A charge made in a window that has closed by `at` no longer counts. */
  remainingAfter(amount: number, now: number, at: number): number {
    return this.startOf(at) === this.startOf(now) ? this.allowance - this.usedAt(now) - amount : this.allowance;
  }

  charge(amount: number, now: number): number {
    this.roll(now);
    this.used += amount;
    const id = this.nextId++;
    this.charges.set(id, amount);
    return id;
  }

  adjust(charge: number, delta: number, now: number): void {
    this.roll(now);
    if (delta >= 0) {
      this.used += delta;
      return;
    }
    const counted = this.charges.get(charge);
    if (counted === undefined) return; // its window has closed: nothing to give back
    const back = Math.min(-delta, counted);
    this.used -= back;
    this.charges.set(charge, counted - back);
  }
}

interface Entry { readonly id: number; readonly t: number; amount: number }

/**
 * The sum of the charges of the trailing 60 s must stay within the limit: a charge stops counting
 * 60 s after it was made. So a full limit at 0:59 refuses more at 1:00, unlike a fixed window. A
 * settlement above the reservation is a new charge now; a refund lowers its reservation while that
 * still counts.
 */
export class SlidingWindowCounter implements Limiter {
  /** Charges oldest first; entries before `head` have expired. */
  private entries: Entry[] = [];
  private head = 0;
  private sum = 0;
  private nextId = 1;

  /** Always a minute: the limit is per minute (a shorter window would need the limit scaled, as FixedWindowCounter does). */
  private readonly windowMs = MS_PER_MINUTE;

  constructor(readonly limitPerMinute: number, _now: number) {
    checkLimit(limitPerMinute, MS_PER_MINUTE);
  }

  private expired(entry: Entry, now: number): boolean {
    return entry.t + this.windowMs <= now;
  }

  /** The counted sum at `now`, without mutating. */
  private sumAt(now: number): number {
    let sum = this.sum;
    for (let i = this.head; i < this.entries.length && this.expired(this.entries[i]!, now); i++) sum -= this.entries[i]!.amount;
    return sum;
  }

  private prune(now: number): void {
    while (this.head < this.entries.length && this.expired(this.entries[this.head]!, now)) this.sum -= this.entries[this.head++]!.amount;
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }

  remaining(now: number): number {
    return Math.max(0, Math.floor(this.limitPerMinute - this.sumAt(now) + EPSILON));
  }

  msUntilAvailable(amount: number, now: number): number {
    if (amount > this.limitPerMinute) return Infinity;
    let excess = this.sumAt(now) + amount - this.limitPerMinute;
    if (excess <= EPSILON) return 0;
    for (let i = this.head; i < this.entries.length; i++) {
      const entry = this.entries[i]!;
      if (this.expired(entry, now)) continue;
      excess -= entry.amount;
      if (excess <= EPSILON) return entry.t + this.windowMs - now;
    }
    return this.windowMs;
  }

  /** The charge made now still counts at `at` (within 60 s); older ones may have expired by then. */
  remainingAfter(amount: number, now: number, at: number): number {
    return this.limitPerMinute - this.sumAt(Math.max(now, at)) - (at - now < this.windowMs ? amount : 0);
  }

  msUntilFull(now: number): number {
    for (let i = this.entries.length - 1; i >= this.head; i--) {
      const entry = this.entries[i]!;
      if (entry.amount > EPSILON) return this.expired(entry, now) ? 0 : entry.t + this.windowMs - now;
    }
    return 0;
  }

  charge(amount: number, now: number): number {
    this.prune(now);
    const id = this.nextId++;
    this.entries.push({ id, t: now, amount });
    this.sum += amount;
    return id;
  }

  adjust(charge: number, delta: number, now: number): void {
    this.prune(now);
    if (delta >= 0) {
      this.charge(delta, now);
      return;
    }
    const entry = this.find(charge);
    if (!entry) return; // expired: nothing to give back
    const back = Math.min(-delta, entry.amount);
    entry.amount -= back;
    this.sum -= back;
  }

  /** Ids grow with position, so a binary search finds a live charge. */
  private find(id: number): Entry | undefined {
    let lo = this.head;
    let hi = this.entries.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const entry = this.entries[mid]!;
      if (entry.id === id) return entry;
      if (entry.id < id) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  }
}
