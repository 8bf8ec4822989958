import fc from 'fast-check';
import { InvalidOptionError } from './errors';
import { emptyLedger, ledgerAdd, ledgerMsUntilAtMost, ledgerTotal, pruneLedger } from './sliding-ledger';

describe('sliding ledger', () => {
  const ledger = emptyLedger(60_000, 1_000);

  it('counts a booking for the whole trailing window plus the rest of its slot, then drops it', () => {
    const l = ledgerAdd(ledger, 10, 1_500); // slot [1000, 2000)
    expect(ledgerTotal(l, 1_500)).toBe(10);
    expect(ledgerTotal(l, 61_999)).toBe(10);
    expect(ledgerTotal(l, 62_000)).toBe(0);
    expect(pruneLedger(l, 62_000).slots).toEqual([]);
  });

  it('merges bookings in one slot and keeps slots sorted even when times arrive out of order', () => {
    let l = ledgerAdd(ledger, 5, 3_100);
    l = ledgerAdd(l, 5, 3_900);
    l = ledgerAdd(l, 2, 1_000);
    expect(l.slots).toEqual([{ start: 1_000, amount: 2 }, { start: 3_000, amount: 10 }]);
  });

  it('refunds into the original slot, never below zero, and ignores refunds for gone slots', () => {
    let l = ledgerAdd(ledger, 10, 0);
    l = ledgerAdd(l, -4, 500);
    expect(ledgerTotal(l, 500)).toBe(6);
    l = ledgerAdd(l, -100, 0);
    expect(l.slots).toEqual([]);
    expect(ledgerAdd(l, -3, 0)).toBe(l);
  });

  it('says exactly when enough bookings have left the window', () => {
    let l = ledgerAdd(ledger, 6, 0);
    l = ledgerAdd(l, 4, 10_000);
    expect(ledgerMsUntilAtMost(l, 10, 20_000)).toBe(0);
    expect(ledgerMsUntilAtMost(l, 5, 20_000)).toBe(61_000 - 20_000);
    expect(ledgerMsUntilAtMost(l, 3, 20_000)).toBe(71_000 - 20_000);
    expect(ledgerMsUntilAtMost(l, 0, 20_000)).toBe(71_000 - 20_000);
    expect(ledgerMsUntilAtMost(l, -1, 20_000)).toBe(Number.POSITIVE_INFINITY);
  });

  it('rejects a zero or negative slot size', () => {
    expect(() => emptyLedger(60_000, 0)).toThrow(InvalidOptionError);
  });

  it('never under-counts the exact trailing sum (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 200_000 }), fc.integer({ min: 1, max: 50 })), { maxLength: 40 }), fc.integer({ min: 0, max: 300_000 }), (bookings, now) => {
        let l = ledger;
        for (const [at, amount] of bookings) l = ledgerAdd(l, amount, at);
        const exact = bookings.filter(([at]) => at <= now && at > now - 60_000).reduce((s, [, a]) => s + a, 0);
        expect(ledgerTotal(l, now)).toBeGreaterThanOrEqual(exact);
      }),
    );
  });
});
