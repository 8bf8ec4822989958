import { FixedWindowCounter, SlidingWindowCounter } from './window-counter';

// Minute boundaries of the clock: t = 59 s is 0:59, t = 60 s is 1:00.
const AT_0_59 = 59_000;
const AT_1_00 = 60_000;

describe('FixedWindowCounter', () => {
  it('admits a full limit at 0:59 and again at 1:00 (the counter resets at the clock minute)', () => {
    const counter = new FixedWindowCounter(100, 0);
    expect(counter.msUntilAvailable(100, AT_0_59)).toBe(0);
    counter.charge(100, AT_0_59);
    expect(counter.remaining(AT_0_59)).toBe(0);
    expect(counter.msUntilAvailable(1, AT_0_59)).toBe(1_000);
    expect(counter.msUntilAvailable(100, AT_1_00)).toBe(0);
    counter.charge(100, AT_1_00);
    // 200 in one second: twice the per-minute limit, which a fixed window allows.
    expect(counter.remaining(AT_1_00)).toBe(0);
    expect(counter.msUntilFull(AT_1_00 + 15_000)).toBe(45_000);
  });

  it('aligns windows to the clock, not to the first charge', () => {
    const counter = new FixedWindowCounter(10, 0);
    counter.charge(10, 30_000);
    // A window opened by a charge at 0:30 still ends at 1:00.
    expect(counter.msUntilAvailable(1, 30_000)).toBe(30_000);
    expect(counter.remaining(59_999)).toBe(0);
    expect(counter.remaining(60_000)).toBe(10);
  });

  it('evaluates a short window at the per-minute rate (Azure: 600 RPM over 1 s = 10 per second)', () => {
    const counter = new FixedWindowCounter(600, 0, 1_000);
    expect(counter.allowance).toBe(10);
    for (let i = 0; i < 10; i++) counter.charge(1, 500);
    expect(counter.msUntilAvailable(1, 500)).toBe(500);
    expect(counter.msUntilAvailable(11, 500)).toBe(Infinity);
  });

  it('gives a refund back within its window only, never more than the charge', () => {
    const counter = new FixedWindowCounter(100, 0);
    const id = counter.charge(80, 10_000);
    counter.adjust(id, -30, 20_000);
    expect(counter.remaining(20_000)).toBe(50);
    counter.adjust(id, -1_000, 20_000);
    expect(counter.remaining(20_000)).toBe(100);
    const late = counter.charge(40, 50_000);
    counter.adjust(late, -40, 70_000); // its window closed at 1:00: nothing to give back
    expect(counter.remaining(70_000)).toBe(100);
    counter.adjust(late, 25, 70_000); // an overrun settles into the current window
    expect(counter.remaining(70_000)).toBe(75);
  });

  it('does not change its state when asked (reads are pure)', () => {
    const counter = new FixedWindowCounter(100, 0);
    counter.charge(60, 10_000);
    expect(counter.remaining(70_000)).toBe(100);
    expect(counter.remaining(20_000)).toBe(40);
  });
});

describe('SlidingWindowCounter', () => {
  it('refuses at 1:00 a limit already used at 0:59 (unlike a fixed window), and frees it at 1:59', () => {
    const counter = new SlidingWindowCounter(100, 0);
    counter.charge(100, AT_0_59);
    expect(counter.msUntilAvailable(1, AT_1_00)).toBe(59_000);
    expect(counter.remaining(AT_0_59 + 59_999)).toBe(0);
    expect(counter.remaining(AT_0_59 + 60_000)).toBe(100);
  });

  it('frees each charge 60 s after it was made, oldest first', () => {
    const counter = new SlidingWindowCounter(100, 0);
    counter.charge(30, 0);
    counter.charge(50, 20_000);
    counter.charge(20, 40_000);
    // At 45 s: 100 counted. 40 more fit once the 30 (at 60 s) and the 50 (at 80 s) expire: 30 < 40 <= 80.
    expect(counter.msUntilAvailable(40, 45_000)).toBe(80_000 - 45_000);
    expect(counter.msUntilAvailable(30, 45_000)).toBe(60_000 - 45_000);
    expect(counter.remaining(60_000)).toBe(30);
    expect(counter.msUntilFull(45_000)).toBe(100_000 - 45_000);
  });

  it('admits at most the limit in any 60 s, however the charges are spread', () => {
    // Greedy: at each second take all that fits; over 0..119 s the total is 2 x the limit, never more in any 60 s span.
    const counter = new SlidingWindowCounter(600, 0);
    const taken: number[] = [];
    for (let t = 0; t < 120_000; t += 1_000) {
      const amount = counter.remaining(t);
      if (amount > 0) counter.charge(amount, t);
      taken.push(amount);
    }
    for (let start = 0; start + 60 <= taken.length; start++) expect(taken.slice(start, start + 60).reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(600);
    expect(taken.reduce((a, b) => a + b, 0)).toBe(1_200);
  });

  it('gives a refund back while its charge still counts; an overrun is a new charge', () => {
    const counter = new SlidingWindowCounter(100, 0);
    const id = counter.charge(80, 0);
    counter.adjust(id, -50, 10_000);
    expect(counter.remaining(10_000)).toBe(70);
    counter.adjust(id, 40, 30_000);
    expect(counter.remaining(30_000)).toBe(30);
    // The 30 left of the first charge expire at 60 s, the 40 overrun at 90 s.
    expect(counter.remaining(60_000)).toBe(60);
    expect(counter.remaining(90_000)).toBe(100);
    counter.adjust(id, -30, 90_000); // expired: nothing to give back
    expect(counter.remaining(90_000)).toBe(100);
  });
});

describe('remainingAfter: what a charge now leaves at a later time', () => {
  it('fixed window: the charge counts until the window closes, then the allowance is whole', () => {
    const counter = new FixedWindowCounter(100, 0);
    counter.charge(80, 50_000);
    expect(counter.remainingAfter(10, 50_000, 55_000)).toBe(10);
    expect(counter.remainingAfter(10, 50_000, 61_000)).toBe(100);
  });

  it('sliding window: older charges expire by then, the new one still counts', () => {
    const counter = new SlidingWindowCounter(100, 0);
    counter.charge(30, 0);
    counter.charge(50, 20_000);
    // At 65 s the 30 (made at 0) has expired, the 50 (at 20 s) and the new 10 (at 45 s) still count.
    expect(counter.remainingAfter(10, 45_000, 65_000)).toBe(40);
    expect(counter.remainingAfter(10, 45_000, 45_000)).toBe(10);
  });
});
