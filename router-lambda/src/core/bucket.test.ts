import { bucketAdjust, bucketFits, bucketMsUntilFits, bucketObserveRemaining, bucketObserveShared, bucketRemaining, bucketReserve, bucketView, createBucket } from './bucket';

describe('bucket', () => {
  const fresh = () => createBucket('tpm', 6_000);

  it('own accounting is a token bucket like the provider\'s: full at the start, refilled over a minute', () => {
    let b = bucketReserve(fresh(), 4_000, 0);
    expect(bucketRemaining(b, 0)).toBe(2_000);
    expect(bucketFits(b, 2_000, 0)).toBe(true);
    expect(bucketFits(b, 2_001, 0)).toBe(false);
    b = bucketReserve(b, 2_000, 0);
    expect(bucketMsUntilFits(b, 100, 0)).toBe(1_000); // 6,000 per minute = 100 per second
    expect(bucketRemaining(b, 30_000)).toBeCloseTo(3_000);
    expect(bucketRemaining(b, 61_000)).toBe(6_000);
  });

  it('a charge larger than the limit never fits', () => {
    expect(bucketMsUntilFits(fresh(), 6_001, 0)).toBe(Number.POSITIVE_INFINITY);
  });

  it('a refund goes back into the bucket up to its capacity; an overrun is taken at settlement', () => {
    let b = bucketReserve(fresh(), 3_000, 0);
    b = bucketAdjust(b, -2_000, 10_000);
    expect(bucketRemaining(b, 10_000)).toBeCloseTo(6_000); // 3,000 left + 1,000 refilled + 2,000 refunded
    b = bucketAdjust(b, 2_500, 10_000);
    expect(bucketRemaining(b, 10_000)).toBeCloseTo(3_500);
    b = bucketAdjust(b, -9_000, 10_000);
    expect(bucketRemaining(b, 10_000)).toBe(6_000);
  });

  it('header evidence lowers the remaining, ages by refill and is charged by later bookings', () => {
    let b = bucketObserveRemaining(fresh(), 1_000, 0);
    expect(bucketRemaining(b, 0)).toBe(1_000);
    expect(bucketRemaining(b, 10_000)).toBeCloseTo(2_000); // +6000/min
    b = bucketReserve(b, 500, 10_000);
    expect(bucketRemaining(b, 10_000)).toBeCloseTo(1_500);
    expect(bucketMsUntilFits(b, 2_500, 10_000)).toBe(10_000);
  });

  it('freshest header wins; older ones and unknown (-1) values are ignored', () => {
    let b = bucketObserveRemaining(fresh(), 1_000, 5_000);
    b = bucketObserveRemaining(b, 100, 4_000);
    expect(bucketView(b, 5_000).header).toBe(1_000);
    b = bucketObserveRemaining(b, -1, 6_000);
    expect(bucketView(b, 5_000).header).toBe(1_000);
    b = bucketObserveRemaining(b, 200, 6_000, 3_000);
    expect(b.header?.capacity).toBe(3_000);
    expect(bucketRemaining(b, 6_000)).toBe(200);
  });

  it('shared evidence: the provider bucket replayed from every instance\'s sub-windows, aged; freshest wins', () => {
    // 5,400 by other instances in the current sub-window: taken as if all at the read (the safe side).
    let b = bucketObserveShared(fresh(), [{ start: 0, amount: 5_400 }], 1_000);
    expect(bucketRemaining(b, 1_000)).toBeCloseTo(600);
    expect(bucketRemaining(b, 2_000)).toBeCloseTo(700);
    b = bucketObserveShared(b, [], 500);
    expect(bucketRemaining(b, 1_000)).toBeCloseTo(600);
    b = bucketObserveShared(b, [], 2_000);
    expect(bucketRemaining(b, 2_000)).toBe(6_000);
  });

  it('shared usage from 50 s ago is mostly refilled: the level is not limit - used in the last minute', () => {
    // 6,000 in [0 s, 10 s), taken at 10 s at the latest: 50 s of refill (100/s) is back by 60 s.
    const b = bucketObserveShared(fresh(), [{ start: 0, amount: 6_000 }], 60_000);
    expect(bucketRemaining(b, 60_000)).toBeCloseTo(5_000); // limit - used-in-the-last-minute said 0
  });

  it('our own bookings are counted once: in the snapshot or after it, never both', () => {
    let b = bucketObserveShared(fresh(), [], 0);
    b = bucketReserve(b, 3_000, 0);
    expect(bucketRemaining(b, 0)).toBe(3_000);
    // The store now holds our 3,000 (and nobody else's): the next snapshot must not add it again.
    b = bucketObserveShared(b, [{ start: 0, amount: 3_000 }], 1);
    expect(bucketView(b, 1).shared).toBe(bucketView(b, 1).own);
    // The same snapshot again changes nothing; our booking after it is charged once.
    b = bucketReserve(b, 1_000, 2);
    b = bucketObserveShared(b, [{ start: 0, amount: 3_000 }], 1);
    expect(bucketRemaining(b, 2)).toBeCloseTo(2_000.2); // 2 ms of refill at 100/s
    expect(bucketView(b, 2).shared).toBe(bucketView(b, 2).own);
  });

  it('the lowest source decides, and the wait covers every source', () => {
    let b = bucketReserve(fresh(), 5_000, 0);
    b = bucketObserveRemaining(b, 3_000, 0);
    expect(bucketRemaining(b, 0)).toBe(1_000);
    b = bucketObserveRemaining(b, 500, 1);
    expect(bucketRemaining(b, 1)).toBeCloseTo(500);
    expect(bucketMsUntilFits(b, 2_000, 1)).toBe(15_000); // the header's 500 needs 1,500 more at 100/s
    b = bucketObserveRemaining(b, 3_000, 2);
    expect(bucketView(b, 0)).toEqual({ limit: 6_000, remaining: 1_000, own: 1_000, header: 3_000 });
  });
});
