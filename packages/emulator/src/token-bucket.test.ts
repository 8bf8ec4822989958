import { TokenBucket } from './token-bucket';

describe('TokenBucket', () => {
  it('starts full and refills continuously at limit per minute', () => {
    const bucket = new TokenBucket(600, 0);
    bucket.take(600, 0);
    expect(bucket.remaining(0)).toBe(0);
    expect(bucket.remaining(1_000)).toBe(10);
    expect(bucket.remaining(60_000)).toBe(600);
    expect(bucket.remaining(120_000)).toBe(600);
  });

  it('reports time until an amount fits and until full', () => {
    const bucket = new TokenBucket(60, 0);
    bucket.take(60, 0);
    expect(bucket.msUntilAvailable(1, 0)).toBe(1_000);
    expect(bucket.msUntilFull(0)).toBe(60_000);
    expect(bucket.msUntilAvailable(61, 0)).toBe(Infinity);
  });

  it('goes into debt on a negative balance and recovers from it', () => {
    const bucket = new TokenBucket(60, 0);
    bucket.take(90, 0);
    expect(bucket.remaining(0)).toBe(0);
    expect(bucket.msUntilAvailable(1, 0)).toBe(31_000);
  });

  it('rejects a non-positive limit', () => {
    expect(() => new TokenBucket(0, 0)).toThrow(/received 0/);
  });
});
