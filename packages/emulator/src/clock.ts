/**
 * Emulated time. Quotas, reset headers and the latency model all read this clock, never Date.now(),
 * so tests drive time by hand and demos can compress a quota minute into a real second.
 */
export interface Clock {
  /** Emulated epoch milliseconds. */
  now(): number;
  /** Real milliseconds to wait for `emulatedMs` of emulated time (0 when a test drives time by hand). */
  realDelayMs(emulatedMs: number): number;
}

export class InvalidTimeScaleError extends Error {
  override readonly name = 'InvalidTimeScaleError';
  constructor(readonly received: number) {
    super(`timeScale must be a finite number > 0 (e.g. 60 makes a quota minute pass in one real second); received ${received}`);
  }
}

/**
 * Real time, optionally compressed: with timeScale 60, one real second is one emulated minute.
 * The scale can be lowered mid-run (a demo whose host falls behind); emulated time stays continuous.
 */
export class ScaledClock implements Clock {
  private realStart: number;
  private emulatedStart: number;
  private scale: number;

  constructor(
    timeScale = 1,
    private readonly realNow: () => number = Date.now,
    emulatedStart?: number,
  ) {
    if (!Number.isFinite(timeScale) || timeScale <= 0) throw new InvalidTimeScaleError(timeScale);
    this.scale = timeScale;
    this.realStart = realNow();
    this.emulatedStart = emulatedStart ?? this.realStart;
  }

  get timeScale(): number {
    return this.scale;
  }

  now(): number {
    return this.emulatedStart + (this.realNow() - this.realStart) * this.scale;
  }

  realDelayMs(emulatedMs: number): number {
    return Math.max(0, emulatedMs / this.scale);
  }

  /** Change the scale from now on, without a jump in emulated time. */
  setTimeScale(timeScale: number): void {
    if (!Number.isFinite(timeScale) || timeScale <= 0) throw new InvalidTimeScaleError(timeScale);
    this.emulatedStart = this.now();
    this.realStart = this.realNow();
    this.scale = timeScale;
  }
}

/** A clock that moves only when told to: quota windows pass without sleeping. */
export class ManualClock implements Clock {
  private current: number;

  /** @param start emulated epoch ms; default 2026-01-01T00:00:00Z so RFC 3339 resets look real. */
  constructor(start = Date.UTC(2026, 0, 1)) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`ManualClock.advance takes a duration >= 0 ms; received ${ms}`);
    this.current += ms;
  }

  /** Latency is skipped: nothing would advance the clock while a response waits. */
  realDelayMs(): number {
    return 0;
  }
}
