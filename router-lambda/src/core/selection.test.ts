import fc from 'fast-check';
import { seededRng } from './rng';
import { argmaxWhenFresh, DEFAULT_STRATEGY, headroomWeighted, mostHeadroom, powerOfTwoChoices, weightedDraw, type Candidate, type SelectionStrategy } from './selection';

function shares(strategy: SelectionStrategy, candidates: Candidate[], draws = 20_000, seed = 1): Record<string, number> {
  const rng = seededRng(seed);
  const counts: Record<string, number> = {};
  for (let i = 0; i < draws; i++) {
    const c = strategy.choose(candidates, rng);
    counts[c.key] = (counts[c.key] ?? 0) + 1 / draws;
  }
  return counts;
}

describe('selection', () => {
  it('weightedDraw follows the weights', () => {
    const rng = seededRng(3);
    const cs = [{ key: 'a', score: 1, weight: 1 }, { key: 'b', score: 1, weight: 3 }];
    let b = 0;
    for (let i = 0; i < 10_000; i++) if (weightedDraw(cs, (c) => c.weight, rng).key === 'b') b++;
    expect(b / 10_000).toBeCloseTo(0.75, 1);
  });

  it('p2c bounds the herd: the best-looking target gets p(2 - p) of placements, under 2x its capacity share', () => {
    // Identical (stale) state everywhere: 'a' looks emptiest.
    const cs = [{ key: 'a', score: 0.9, weight: 1 }, { key: 'b', score: 0.5, weight: 1 }, { key: 'c', score: 0.5, weight: 2 }];
    const got = shares(powerOfTwoChoices, cs);
    expect(got.a).toBeCloseTo(0.25 * 1.75, 1); // p = 1/4
    expect(got.a!).toBeLessThan(2 * 0.25);
    // Two equal targets: with replacement the better wins 3/4, not always.
    const two = shares(powerOfTwoChoices, [{ key: 'x', score: 0.9, weight: 1 }, { key: 'y', score: 0.1, weight: 1 }]);
    expect(two.x).toBeCloseTo(0.75, 1);
    // The deterministic baseline herds: everything to 'a'.
    expect(shares(mostHeadroom, cs, 100).a).toBeCloseTo(1);
  });

  it('headroomWeighted follows free capacity', () => {
    const got = shares(headroomWeighted, [{ key: 'a', score: 0.6, weight: 1 }, { key: 'b', score: 0.2, weight: 1 }]);
    expect(got.a).toBeCloseTo(0.75, 1);
  });

  it('decisions do not depend on the order candidates arrive in (property)', () => {
    const candidate = fc.record({ key: fc.string({ minLength: 1, maxLength: 3 }), score: fc.double({ min: 0, max: 1, noNaN: true }), weight: fc.double({ min: 0.1, max: 100, noNaN: true }), staleness: fc.double({ min: 0, max: 1, noNaN: true }) });
    fc.assert(
      fc.property(fc.uniqueArray(candidate, { minLength: 1, maxLength: 6, selector: (c) => c.key }), fc.integer(), (cs, seed) => {
        for (const strategy of [powerOfTwoChoices, headroomWeighted, mostHeadroom, argmaxWhenFresh]) {
          expect(strategy.choose([...cs].reverse(), seededRng(seed)).key).toBe(strategy.choose(cs, seededRng(seed)).key);
        }
      }),
    );
  });

  it('argmaxWhenFresh (the default) on fresh evidence: the most headroom, every time, whatever the rng', () => {
    expect(DEFAULT_STRATEGY).toBe(argmaxWhenFresh);
    const cs = [{ key: 'a', score: 0.4, weight: 5 }, { key: 'b', score: 0.7, weight: 1 }, { key: 'c', score: 0.6, weight: 9 }];
    for (let seed = 0; seed < 200; seed++) expect(argmaxWhenFresh.choose(cs, seededRng(seed)).key).toBe('b');
    // Ties: the larger capacity, then the first key.
    const tied = [{ key: 'z', score: 0.5, weight: 1 }, { key: 'y', score: 0.5, weight: 3 }, { key: 'x', score: 0.5, weight: 3 }];
    expect(argmaxWhenFresh.choose(tied, seededRng(1)).key).toBe('x');
    // Fresh evidence draws nothing: a caller's rng stream is untouched.
    let draws = 0;
    argmaxWhenFresh.choose(cs, () => { draws++; return 0.5; });
    expect(draws).toBe(0);
  });

  it('argmaxWhenFresh on identical stale evidence spreads like p2c: the best-looking target gets p(2 - p), not all', () => {
    // Many instances, each with its own rng, see the same stale picture and choose once each.
    const cs = [{ key: 'a', score: 0.9, weight: 1, staleness: 1 }, { key: 'b', score: 0.5, weight: 1, staleness: 1 }, { key: 'c', score: 0.5, weight: 2, staleness: 1 }];
    const counts: Record<string, number> = {};
    const instances = 4_000;
    for (let i = 0; i < instances; i++) {
      const key = argmaxWhenFresh.choose(cs, seededRng(10_000 + i)).key;
      counts[key] = (counts[key] ?? 0) + 1;
    }
    const p = 0.25; // a's capacity share
    expect(counts.a! / instances).toBeCloseTo(p * (2 - p), 1);
    expect(counts.a! / instances).toBeLessThan(2 * p);
    // Half stale: half argmax, half p2c, so a gets 0.5 + 0.5 x p(2 - p).
    const half = cs.map((c) => ({ ...c, staleness: 0.5 }));
    const got = shares(argmaxWhenFresh, half);
    expect(got.a).toBeCloseTo(0.5 + 0.5 * p * (2 - p), 1);
  });

  it('refuses an empty candidate list', () => {
    expect(() => powerOfTwoChoices.choose([], seededRng(1))).toThrow(RangeError);
  });
});
