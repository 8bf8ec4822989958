import { clientRetryAfter, MIN_CLIENT_WAIT_MS } from './client-retry-after';
import { seededRng } from './rng';

const MAX = 300_000;

describe('clientRetryAfter', () => {
  it('is never earlier than capacity frees, nor under a second', () => {
    const rng = seededRng(1);
    for (const wait of [0, -5, 400, 1_000, 7_500, 61_000]) {
      const said = clientRetryAfter(wait, rng, MAX);
      expect(said.ms).toBeGreaterThanOrEqual(Math.max(MIN_CLIENT_WAIT_MS, wait));
      expect(said.seconds).toBe(Math.ceil(said.ms / 1_000));
    }
  });

  it('spreads clients refused at the same moment instead of sending them back in lockstep', () => {
    const rng = seededRng(7);
    const said = Array.from({ length: 50 }, () => clientRetryAfter(1, rng, MAX));
    expect(new Set(said.map((s) => s.ms)).size).toBeGreaterThan(40);
    expect(new Set(said.map((s) => s.seconds)).size).toBeGreaterThan(1);
    for (const s of said) expect(s.ms).toBeLessThanOrEqual(3_000);
  });

  it('is the same for the same seed', () => {
    const a = seededRng(3);
    const b = seededRng(3);
    for (let i = 0; i < 10; i++) expect(clientRetryAfter(5_000, a, MAX)).toEqual(clientRetryAfter(5_000, b, MAX));
  });

  it('never announces more than the cap, whatever it is asked', () => {
    const rng = seededRng(2);
    for (const wait of [MAX - 1, MAX, 129_027_832_000, Number.POSITIVE_INFINITY, Number.NaN]) {
      const said = clientRetryAfter(wait, rng, MAX);
      expect(said.ms).toBeLessThanOrEqual(MAX);
      expect(said.seconds).toBeLessThanOrEqual(MAX / 1_000);
    }
  });
});
