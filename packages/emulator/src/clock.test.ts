import { InvalidTimeScaleError, ManualClock, ScaledClock } from './clock';

describe('ScaledClock', () => {
  it('compresses time: at 60x a real second is an emulated minute', () => {
    let real = 1_000;
    const clock = new ScaledClock(60, () => real, 0);
    real += 1_000;
    expect(clock.now()).toBe(60_000);
    expect(clock.realDelayMs(60_000)).toBe(1_000);
  });

  it('refuses a non-positive scale', () => {
    expect(() => new ScaledClock(0)).toThrow(InvalidTimeScaleError);
    expect(() => new ScaledClock(60).setTimeScale(-1)).toThrow(InvalidTimeScaleError);
  });

  it('slows down mid-run without a jump in emulated time', () => {
    let real = 0;
    const clock = new ScaledClock(60, () => real, 0);
    real += 500;
    expect(clock.now()).toBe(30_000);
    clock.setTimeScale(30);
    expect(clock.now()).toBe(30_000);
    real += 1_000;
    expect(clock.now()).toBe(60_000);
    expect(clock.timeScale).toBe(30);
    expect(clock.realDelayMs(30_000)).toBe(1_000);
  });
});

describe('ManualClock', () => {
  it('moves only when advanced and never makes anyone wait', () => {
    const clock = new ManualClock(5);
    clock.advance(10);
    expect(clock.now()).toBe(15);
    expect(clock.realDelayMs()).toBe(0);
    expect(() => clock.advance(-1)).toThrow(RangeError);
  });
});
