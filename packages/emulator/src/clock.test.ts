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
