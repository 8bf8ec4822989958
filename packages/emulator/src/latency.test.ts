import { ManualClock, ScaledClock } from './clock';
import { Pacer, perTokenMs, resolveLatency, InvalidLatencyError } from './latency';

describe('Pacer', () => {
  it('carries sub-millisecond waits until they add up', async () => {
    const slept: number[] = [];
    const pacer = new Pacer(new ScaledClock(4), async (ms) => slept.push(ms));
    for (let i = 0; i < 8; i++) await pacer.wait(1);
    expect(slept).toEqual([1, 1]);
  });

  it('never sleeps on a manual clock', async () => {
    const slept: number[] = [];
    const pacer = new Pacer(new ManualClock(), async (ms) => slept.push(ms));
    await pacer.wait(10_000);
    expect(slept).toEqual([]);
  });
});

describe('latency model', () => {
  it('derives per-token time from tokens per second, stretched by a slow factor', () => {
    expect(perTokenMs(resolveLatency({ tokensPerSecond: 50 }), 2)).toBe(40);
    expect(() => resolveLatency({ tokensPerSecond: 0 })).toThrow(InvalidLatencyError);
  });
});
