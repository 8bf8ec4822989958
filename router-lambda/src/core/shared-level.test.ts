import fc from 'fast-check';
import { chargeEvidence, evidenceLevel, observedEvidence } from './evidence';
import { reconstructLevel, recordOwn, trimOwn, type OwnWindow } from './shared-level';

interface OwnCharge { readonly at: number; readonly amount: number }
import { subWindowStart } from './sliding-windows';

const LIMIT = 6_000; // 100 per second

/** What the store holds after these writes: net charge per 10-s sub-window. */
function windowsOf(writes: readonly OwnCharge[]) {
  const by = new Map<number, number>();
  for (const w of writes) by.set(subWindowStart(w.at), (by.get(subWindowStart(w.at)) ?? 0) + w.amount);
  return [...by].map(([start, amount]) => ({ start, amount }));
}

/** The provider's bucket: full at the start, refilled continuously, every write at its exact time. */
function exactLevel(writes: readonly OwnCharge[], at: number): number {
  let bucket = observedEvidence(LIMIT, LIMIT, Number.NEGATIVE_INFINITY);
  for (const w of writes) bucket = chargeEvidence(bucket, w.amount, w.at);
  return evidenceLevel(bucket, at);
}

/** Our bookings as the bucket keeps them: exact per-sub-window summaries. */
function ownOf(list: readonly OwnCharge[]): readonly OwnWindow[] {
  return list.reduce<readonly OwnWindow[]>((own, w) => recordOwn(own, LIMIT, w.amount, w.at), []);
}

const writes = fc
  .array(fc.record({ at: fc.integer({ min: 0, max: 120_000 }), amount: fc.integer({ min: -1_500, max: 3_000 }) }), { maxLength: 60 })
  .map((list) => [...list].sort((a, b) => a.at - b.at));

describe('reconstructLevel', () => {
  it('a steady load below the refill rate leaves the bucket nearly full (limit - used would say 10% left)', () => {
    // 90 per second from others, 900 per sub-window, for a minute.
    const windows = Array.from({ length: 7 }, (_, i) => ({ start: i * 10_000, amount: i === 6 ? 0 : 900 }));
    const { level } = reconstructLevel(LIMIT, windows, [], 60_000);
    expect(level).toBeGreaterThan(LIMIT - 1_000); // only the last sub-window, taken at its end, counts
  });

  it('with only our own bookings it is exactly our own token bucket', () => {
    fc.assert(fc.property(writes, fc.integer({ min: 0, max: 130_000 }), (all, readAt) => {
      // The router observes a snapshot before booking anything after it.
      const own = all.filter((w) => w.at <= readAt);
      const { level, at } = reconstructLevel(LIMIT, windowsOf(own), ownOf(own), readAt);
      // Over a shorter horizon the replay can only show more room, never less; within it, exact.
      expect(level).toBeGreaterThanOrEqual(exactLevel(own, at) - 1e-6);
      if (own.every((w) => w.at >= subWindowStart(readAt - 60_000))) expect(level).toBeCloseTo(exactLevel(own, at), 6);
    }));
  });

  it('other instances\' charges, taken at the end of their sub-window, never show more room than the provider has', () => {
    const recent = (list: OwnCharge[]) => list.map((w) => ({ ...w, at: 60_000 + (w.at % 65_000) })).sort((a, b) => a.at - b.at);
    fc.assert(fc.property(writes, writes, fc.integer({ min: 60_000, max: 125_000 }), (mine, theirs, readAt) => {
      const own = recent(mine).filter((w) => w.at <= readAt);
      const others = recent(theirs).filter((w) => w.at <= readAt).map((w) => ({ ...w, amount: Math.abs(w.amount) }));
      const all = [...own, ...others].sort((a, b) => a.at - b.at);
      const { level, at } = reconstructLevel(LIMIT, windowsOf(all.filter((w) => w.at <= readAt)), ownOf(own), readAt);
      expect(level).toBeLessThanOrEqual(exactLevel(all, at) + 1e-6);
    }));
  });

  it('our writes the store has not shown yet still count, once', () => {
    const own = ownOf([{ at: 1_000, amount: 2_000 }]);
    expect(reconstructLevel(LIMIT, [], own, 1_000).level).toBe(4_000); // not visible yet
    expect(reconstructLevel(LIMIT, [{ start: 0, amount: 2_000 }], own, 1_000).level).toBe(4_000); // visible
    expect(reconstructLevel(LIMIT, [{ start: 0, amount: 2_500 }], own, 1_000).level).toBe(3_500); // + 500 of others
  });

  it('bookings after the read are replayed too, and the level is given at the last one', () => {
    const { level, at } = reconstructLevel(LIMIT, [], ownOf([{ at: 5_000, amount: 3_000 }, { at: 12_000, amount: 600 }]), 2_000);
    expect(at).toBe(12_000);
    expect(level).toBeCloseTo(3_000 + 700 - 600); // 7 s of refill at 100/s in between
  });

  it('own bookings are kept as one exact summary per sub-window, and trimmed as the stores prune', () => {
    const own = ownOf([{ at: 0, amount: 1 }, { at: 4_000, amount: 2 }, { at: 50_000, amount: 1 }]);
    expect(own.map((o) => [o.start, o.sum])).toEqual([[0, 3], [50_000, 1]]);
    expect(trimOwn(own, 69_999)).toBe(own);
    expect(trimOwn(own, 70_000).map((o) => o.start)).toEqual([50_000]);
  });
});
