/**
 * The timer the transport's deadlines run on: the real one in production, `VirtualTimers` in tests, so a
 * five-minute stream or a hung upstream is tested without waiting on the wall clock.
 */
export type TimerHandle = unknown;

export interface Timers {
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export const realTimers: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** A clock that runs faster than the wall clock, such as @headroom/emulator's `ScaledClock`. */
export interface ScaledTime {
  /** Real ms that `emulatedMs` of the clock's time take at its current scale. */
  realDelayMs(emulatedMs: number): number;
}

/**
 * Timers whose waits are in the scaled clock's ms (packages/emulator/src/clock.ts `ScaledClock`): a
 * 2 s hold on a 60x clock waits 33 real ms. The scale is read when a timer is armed; a later
 * `setTimeScale` does not move it (a hold re-reads the clock when it wakes).
 */
export function scaledTimers(clock: ScaledTime, base: Timers = realTimers): Timers {
  return {
    setTimeout: (callback, ms) => base.setTimeout(callback, clock.realDelayMs(ms)),
    clearTimeout: (handle) => base.clearTimeout(handle),
  };
}

interface Pending {
  readonly id: number;
  readonly at: number;
  readonly callback: () => void;
}

/** Timers that fire only when `advance` moves virtual time past them, in due order. */
export class VirtualTimers implements Timers {
  private current = 0;
  private sequence = 0;
  private pending: Pending[] = [];

  now(): number {
    return this.current;
  }

  /** How many timers are armed: a test can check that a finished attempt left none behind. */
  get armed(): number {
    return this.pending.length;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const id = ++this.sequence;
    this.pending.push({ id, at: this.current + Math.max(0, ms), callback });
    return id;
  }

  clearTimeout(handle: TimerHandle): void {
    this.pending = this.pending.filter((p) => p.id !== handle);
  }

  /** Move time forward by `ms`, firing each timer due on the way at its own time. */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`VirtualTimers.advance takes a duration >= 0 ms; received ${ms}`);
    const until = this.current + ms;
    for (;;) {
      const next = this.pending.filter((p) => p.at <= until).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!next) break;
      this.pending = this.pending.filter((p) => p !== next);
      this.current = next.at;
      next.callback();
    }
    this.current = until;
  }
}
