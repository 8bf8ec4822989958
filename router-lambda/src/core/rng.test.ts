import { draw, seededRng } from './rng';

describe('seededRng', () => {
  it('is reproducible per seed and differs across seeds', () => {
    const a = seededRng(42);
    const b = seededRng(42);
    const c = seededRng(43);
    const xs = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c())).not.toEqual(xs);
  });

  it('stays in [0, 1) and is roughly uniform', () => {
    const rng = seededRng(7);
    const bins = [0, 0, 0, 0];
    for (let i = 0; i < 20_000; i++) {
      const x = rng();
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
      bins[Math.floor(x * 4)]! += 1;
    }
    for (const count of bins) expect(Math.abs(count - 5000)).toBeLessThan(300);
  });
});

describe('draw', () => {
  it('clamps a misbehaving source into [0, 1)', () => {
    expect(draw(() => Number.NaN)).toBe(0);
    expect(draw(() => -0.5)).toBe(0);
    expect(draw(() => 1)).toBeLessThan(1);
    expect(draw(() => 0.25)).toBe(0.25);
  });
});
