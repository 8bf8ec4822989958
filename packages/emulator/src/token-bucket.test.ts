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

describe('TokenBucket with a burst shorter than a minute', () => {
  // 600 per minute = 10 per second; a 30 s burst holds 30 s x 10/s = 300, half the minute's limit.
  it('admits at most half a minute of tokens at once with a 30 s burst, and still refills at the minute rate', () => {
    const bucket = new TokenBucket(600, 0, 30_000);
    expect(bucket.capacity).toBe(300);
    expect(bucket.remaining(0)).toBe(300);
    expect(bucket.msUntilAvailable(301, 0)).toBe(Infinity);
    bucket.take(300, 0);
    expect(bucket.remaining(1_000)).toBe(10);
    expect(bucket.remaining(10_000)).toBe(100);
    // Full again after 30 s, and it never holds more than 300 however long it rests.
    expect(bucket.msUntilFull(0)).toBe(30_000);
    expect(bucket.remaining(600_000)).toBe(300);
  });

  it('over a minute of steady demand admits the minute limit plus one burst, not two minutes', () => {
    // Take everything available every second for 60 s: 300 at t=0, then 10 per second = 300 + 60 x 10.
    const bucket = new TokenBucket(600, 0, 30_000);
    let admitted = 0;
    for (let t = 0; t <= 60_000; t += 1_000) {
      const available = bucket.remaining(t);
      bucket.take(available, t);
      admitted += available;
    }
    expect(admitted).toBe(300 + 60 * 10);
  });

  it('rejects a non-positive burst', () => {
    expect(() => new TokenBucket(60, 0, 0)).toThrow(/burst/);
  });
});

describe('TokenBucket.remainingAfter', () => {
  it('refills at limit/min after the charge, never above the capacity', () => {
    const bucket = new TokenBucket(600, 0);
    bucket.take(300, 0);
    // 300 - 100 + 10 s x 10/s = 300; a full bucket stays at its capacity.
    expect(bucket.remainingAfter(100, 0, 10_000)).toBe(300);
    expect(new TokenBucket(600, 0).remainingAfter(0, 0, 10_000)).toBe(600);
    expect(new TokenBucket(600, 0, 30_000).remainingAfter(100, 0, 5_000)).toBe(250);
  });
});
