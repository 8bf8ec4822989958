/**
 * Keeps the demo's offered schedule honest when the host cannot keep up with a compressed clock.
 *
 * A request sent more than `LAG_TOLERANCE_MS` late pushes the rest of the schedule back by its
 * lateness, and that gap is left out of the measured interval: otherwise the summary divides by
 * emulated time in which nothing was offered. Lag that eats a fifth of an emulated minute lowers
 * the time scale. Quotas still refill during the excluded gaps, so when they add up to more than
 * `RELIABLE_EXCLUDED_SHARE` of the run the numbers are marked unreliable.
 */

/** A few seconds of a 60 s quota window: late enough to matter, rare enough on a busy host. */
export const LAG_TOLERANCE_MS = 5_000;
const MINUTE_MS = 60_000;
/** Slow the clock when lag took this share of the trailing emulated minute. */
const SLOW_DOWN_SHARE = 0.2;
/** Quotas refill during excluded gaps; past this share of the run the multiplier overstates by as much. */
export const RELIABLE_EXCLUDED_SHARE = 0.05;

export interface Slowdown {
  /** Offered emulated ms at which the scale changed. */
  readonly atOfferedMs: number;
  readonly from: number;
  readonly to: number;
}

export interface PacingReport {
  readonly clock: 'real' | 'virtual';
  readonly startTimeScale: number;
  readonly offeredMinutes: number;
  readonly lateSends: number;
  readonly maxLateMs: number;
  readonly excludedMs: number;
  readonly excludedShare: number;
  readonly slowdowns: readonly Slowdown[];
  readonly reliable: boolean;
}

export class SchedulePacer {
  private shiftMs = 0;
  private timeScale: number;
  private recentLag: { atMs: number; lateMs: number }[] = [];
  private readonly slowdowns: Slowdown[] = [];
  private lateSends = 0;
  private maxLateMs = 0;

  constructor(
    private readonly startMs: number,
    private readonly startTimeScale: number,
    private readonly clock: 'real' | 'virtual',
    /** The scale is never lowered below this. */
    private readonly minTimeScale = 1,
  ) {
    this.timeScale = startTimeScale;
  }

  /** Emulated time at which the request scheduled `offsetMs` after the start is due. */
  dueAt(offsetMs: number): number {
    return this.startMs + offsetMs + this.shiftMs;
  }

  /** Emulated ms of the schedule offered by `nowMs`, excluded gaps left out. */
  offeredMs(nowMs: number): number {
    return Math.max(0, nowMs - this.startMs - this.shiftMs);
  }

  /**
   * Record that the request scheduled at `offsetMs` went out at `nowMs`.
   * @returns the lower time scale to switch to, when lag has become sustained
   */
  sent(offsetMs: number, nowMs: number): number | undefined {
    const lateMs = nowMs - this.dueAt(offsetMs);
    this.maxLateMs = Math.max(this.maxLateMs, lateMs);
    if (lateMs <= LAG_TOLERANCE_MS) return undefined;
    this.lateSends++;
    this.shiftMs += lateMs;
    this.recentLag = [...this.recentLag.filter((e) => e.atMs > nowMs - MINUTE_MS), { atMs: nowMs, lateMs }];
    const lost = this.recentLag.reduce((sum, e) => sum + e.lateMs, 0);
    if (lost < SLOW_DOWN_SHARE * MINUTE_MS || this.timeScale <= this.minTimeScale) return undefined;
    const to = Math.max(this.minTimeScale, this.timeScale / 2);
    this.slowdowns.push({ atOfferedMs: this.offeredMs(nowMs), from: this.timeScale, to });
    this.timeScale = to;
    this.recentLag = [];
    return to;
  }

  report(offeredMs: number): PacingReport {
    const excludedMs = this.shiftMs;
    const excludedShare = offeredMs > 0 ? excludedMs / offeredMs : 0;
    return {
      clock: this.clock,
      startTimeScale: this.startTimeScale,
      offeredMinutes: offeredMs / MINUTE_MS,
      lateSends: this.lateSends,
      maxLateMs: Math.max(0, this.maxLateMs),
      excludedMs,
      excludedShare,
      slowdowns: [...this.slowdowns],
      reliable: excludedShare <= RELIABLE_EXCLUDED_SHARE,
    };
  }
}
