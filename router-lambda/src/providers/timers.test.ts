import { scaledTimers, VirtualTimers } from './timers';

/** A 60x clock as packages/emulator's ScaledClock reports it: a quota minute per real second. */
const sixtyTimes = { realDelayMs: (emulatedMs: number) => emulatedMs / 60 };

describe('scaledTimers', () => {
  it('a wait in the clock\'s ms takes that divided by the scale in real ms: 2 s at 60x fires after 33.3 real ms', () => {
    const real = new VirtualTimers();
    const fired: number[] = [];
    scaledTimers(sixtyTimes, real).setTimeout(() => fired.push(real.now()), 2_000);
    real.advance(33);
    expect(fired).toEqual([]);
    real.advance(1);
    expect(fired).toHaveLength(1);
    expect(fired[0]).toBeCloseTo(2_000 / 60, 9);
  });

  it('clearTimeout cancels on the underlying timers, leaving none armed', () => {
    const real = new VirtualTimers();
    const timers = scaledTimers(sixtyTimes, real);
    let fired = false;
    const handle = timers.setTimeout(() => { fired = true; }, 60_000);
    expect(real.armed).toBe(1);
    timers.clearTimeout(handle);
    expect(real.armed).toBe(0);
    real.advance(10_000);
    expect(fired).toBe(false);
  });
});
