import fc from 'fast-check';
import { chargeEvidence, EPSILON, evidenceLevel, evidenceMsUntil, observedEvidence } from './evidence';

describe('evidence', () => {
  it('ages by the refill of capacity per minute, capped at capacity', () => {
    const e = observedEvidence(600, 0, 1_000);
    expect(evidenceLevel(e, 1_000)).toBe(0);
    expect(evidenceLevel(e, 2_000)).toBeCloseTo(10);
    expect(evidenceLevel(e, 1_000 + 60_000)).toBe(600);
    expect(evidenceLevel(e, 1_000 + 600_000)).toBe(600);
  });

  it('is charged by later bookings and given back up to capacity', () => {
    let e = observedEvidence(600, 300, 0);
    e = chargeEvidence(e, 100, 0);
    expect(evidenceLevel(e, 0)).toBe(200);
    e = chargeEvidence(e, -1_000, 0);
    expect(evidenceLevel(e, 0)).toBe(600);
  });

  it('says when an amount fits, Infinity above capacity', () => {
    const e = observedEvidence(600, 0, 0);
    expect(evidenceMsUntil(e, 10, 0)).toBe(1_000);
    expect(evidenceMsUntil(e, 0, 0)).toBe(0);
    expect(evidenceMsUntil(e, 601, 0)).toBe(Number.POSITIVE_INFINITY);
  });

  it('the wait is exact: the amount does not fit one ms earlier and fits then (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 0, max: 10_000 }), (capacity, l, a, now) => {
        const e = observedEvidence(capacity, capacity * l, 0);
        const amount = capacity * a;
        const wait = evidenceMsUntil(e, amount, now);
        expect(evidenceLevel(e, now + wait) + EPSILON).toBeGreaterThanOrEqual(amount);
        if (wait > 0) expect(evidenceLevel(e, now + wait - 1) + EPSILON).toBeLessThan(amount);
      }),
    );
  });
});
