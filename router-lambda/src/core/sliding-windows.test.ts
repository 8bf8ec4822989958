import { sharedWindowOf, sumTrailing, trailingWindows, windowIncrements } from './sliding-windows';

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

describe('sub-window attributes (what both stores ADD per write)', () => {
  it('a write adds its net charge, charge x ms into its window when positive, and the refund apart when negative', () => {
    expect(windowIncrements({ rpm: 1, tpm: 500, otpm: -40, itpm: 0 }, 123_456)).toEqual({ rpm: 1, rpm_chargeMs: 3_456, tpm: 500, tpm_chargeMs: 500 * 3_456, otpm: -40, otpm_refund: 40 });
    expect(windowIncrements({ tpm: Number.NaN, rpm: Number.POSITIVE_INFINITY }, 0)).toEqual({});
  });

  it('reads the attributes back per limit; an item an older router wrote (net only) reads without times or refunds', () => {
    expect(sharedWindowOf(120_000, { rpm: 2, rpm_chargeMs: 10, tpm: 460, tpm_chargeMs: 9_000, tpm_refund: 40, expiresAt: 9, pk: 'x' })).toEqual({
      start: 120_000, charge: { rpm: 2, tpm: 460 }, chargeMs: { rpm: 10, tpm: 9_000 }, refund: { tpm: 40 },
    });
    expect(sharedWindowOf(120_000, { tpm: 460 })).toEqual({ start: 120_000, charge: { tpm: 460 } });
    expect(sharedWindowOf(120_000, { expiresAt: 9 })).toBeUndefined();
    expect(sharedWindowOf(120_000, undefined)).toBeUndefined();
  });
});
