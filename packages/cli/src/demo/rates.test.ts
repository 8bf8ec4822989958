import { TrailingRates } from './rates';

describe('TrailingRates', () => {
  it('is the charge over the trailing minute, not since the start', () => {
    const rates = new TrailingRates();
    // 100 requests a minute for two minutes, then none.
    for (let s = 0; s <= 180; s += 5) rates.record(s * 1_000, { t: { rpm: Math.min(s, 120) * (100 / 60) } });
    expect(rates.perMinute('t', 'rpm')).toBe(0);
  });

  it('extrapolates from the first sample before a minute has passed', () => {
    const rates = new TrailingRates();
    rates.record(0, { t: { tpm: 0 } });
    rates.record(30_000, { t: { tpm: 15_000 } });
    expect(rates.perMinute('t', 'tpm')).toBe(30_000);
    expect(rates.perMinute('other', 'tpm')).toBe(0);
  });

  it('reads a steady rate over a full minute', () => {
    const rates = new TrailingRates();
    for (let s = 0; s <= 300; s += 5) rates.record(s * 1_000, { t: { tpm: s * 500 } });
    expect(rates.perMinute('t', 'tpm')).toBeCloseTo(30_000);
  });
});
