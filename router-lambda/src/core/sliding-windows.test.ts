import { sumTrailing, trailingWindows } from './sliding-windows';

describe('trailing windows', () => {
  it('covers exactly the trailing minute, weighting the oldest partial window', () => {
    const windows = trailingWindows(125_000);
    expect(windows.map((w) => w.start)).toEqual([60_000, 70_000, 80_000, 90_000, 100_000, 110_000, 120_000]);
    expect(windows[0]!.weight).toBeCloseTo(0.5);
    expect(windows.slice(1).every((w) => w.weight === 1)).toBe(true);
  });

  it('sums counts by their overlap with the trailing minute, never the wall-clock minute', () => {
    const counts = new Map([[60_000, { rpm: 10 }], [120_000, { rpm: 4, tpm: 100 }], [50_000, { rpm: 1000 }]]);
    expect(sumTrailing(125_000, (s) => counts.get(s))).toEqual({ rpm: 10 * 0.5 + 4, tpm: 100 });
  });

  it('at a sub-window boundary the current window is empty and still counted', () => {
    const windows = trailingWindows(120_000);
    expect(windows[windows.length - 1]).toEqual({ start: 120_000, weight: 1 });
    expect(windows[0]).toEqual({ start: 60_000, weight: 1 });
  });
});
