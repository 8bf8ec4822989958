import { bucketObserveShared, bucketReserve, createBucket } from './bucket';
import { bucketStaleness } from './freshness';

describe('freshness', () => {
  it('own accounting alone is exact: staleness 0', () => {
    expect(bucketStaleness(bucketReserve(createBucket('tpm', 6_000), 1_000, 0), 5_000)).toBe(0);
  });

  it('a snapshot is as stale as the share of its charges other instances made, and more as it ages', () => {
    // We booked 2,000; the store holds 8,000 in the window: others made 6,000 of it, 3/4.
    let b = bucketObserveShared(createBucket('tpm', 6_000), [], 0);
    b = bucketReserve(b, 2_000, 1_000);
    b = bucketObserveShared(b, [{ start: 0, amount: 8_000 }], 2_000);
    expect(bucketStaleness(b, 2_000)).toBeCloseTo(0.75);
    // 30 s later (half the refill time): 1 - (1 - 0.75) x (1 - 0.5).
    expect(bucketStaleness(b, 32_000)).toBeCloseTo(0.875);
    expect(bucketStaleness(b, 62_000)).toBe(1);
  });

  it('a snapshot holding only our own charges is fresh; an empty one is unknown (1)', () => {
    let b = bucketObserveShared(createBucket('tpm', 6_000), [], 0);
    expect(bucketStaleness(b, 0)).toBe(1);
    b = bucketReserve(b, 2_000, 1_000);
    b = bucketObserveShared(b, [{ start: 0, amount: 2_000 }], 2_000);
    expect(bucketStaleness(b, 2_000)).toBe(0);
  });
});
