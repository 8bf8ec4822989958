import { TokenBucket } from '@headroom/emulator';
import fc from 'fast-check';
import { chargeEvidence, evidenceLevel, observedEvidence } from './evidence';
import { InMemorySharedStore } from './in-memory-store';
import { reconstructLevel, recordOwn, trimOwn, windowChargesOf, type OwnWindow, type WindowCharge } from './shared-level';
import { subWindowStart } from './sliding-windows';

interface OwnCharge { readonly at: number; readonly amount: number }

const LIMIT = 6_000; // 100 per second

/** What an older store held after these writes: net charge per 10-s sub-window, nothing about time. */
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

  it('a sub-window with writes on other limits only holds nothing for this one', () => {
    // We reserved 3,000 tpm at 1 s and returned 2,000 at 11 s; the store shows the 11-s window only with another instance's rpm.
    const own = ownOf([{ at: 1_000, amount: 3_000 }, { at: 11_000, amount: -2_000 }]);
    const usage = { windows: [{ start: 0, charge: { rpm: 1, tpm: 3_000 }, chargeMs: { rpm: 1_000, tpm: 3_000_000 } }, { start: 10_000, charge: { rpm: 1 }, chargeMs: { rpm: 500 } }], used: {}, readAt: 11_000 };
    expect(windowChargesOf(usage, 'tpm').map((w) => w.start)).toEqual([0]);
    expect(reconstructLevel(LIMIT, windowChargesOf(usage, 'tpm'), own, 11_000).level).toBeCloseTo(LIMIT, 6);
  });

  it('our refund the store has not shown yet is nobody else\'s charge', () => {
    // We reserve 3,000 at 1 s and return 2,000 at 11 s: our bucket has 6000 - 3000 + 1000 of refill + 2000, capped at 6000.
    const own = ownOf([{ at: 1_000, amount: 3_000 }, { at: 11_000, amount: -2_000 }]);
    const reservationOnly = [{ start: 0, amount: 3_000, chargeMs: 3_000 * 1_000 }];
    expect(reconstructLevel(LIMIT, reservationOnly, own, 11_000).level).toBeCloseTo(LIMIT, 6);
    // Seen by an older store (net only), the same.
    expect(reconstructLevel(LIMIT, [{ start: 0, amount: 3_000 }], own, 11_000).level).toBeCloseTo(LIMIT, 6);
  });

  it('bookings after the read are replayed too, and the level is given at the last one', () => {
    const { level, at } = reconstructLevel(LIMIT, [], ownOf([{ at: 5_000, amount: 3_000 }, { at: 12_000, amount: 600 }]), 2_000);
    expect(at).toBe(12_000);
    expect(level).toBeCloseTo(3_000 + 700 - 600); // 7 s of refill at 100/s in between
  });

  it('own bookings are kept as one exact summary per sub-window, and trimmed as the stores prune', () => {
    const own = ownOf([{ at: 0, amount: 1 }, { at: 4_000, amount: 2 }, { at: 50_000, amount: 1 }]);
    expect(own.map((o) => [o.start, o.sum])).toEqual([[0, 3], [50_000, 1]]);
    // Kept while a read can return their sub-window: three minutes (REPLAY_MS) after it ends.
    expect(trimOwn(own, 189_999)).toBe(own);
    expect(trimOwn(own, 190_000).map((o) => o.start)).toEqual([50_000]);
  });
});

/** The store as it is now: every write through InMemorySharedStore (the DynamoDB store's arithmetic), read at `readAt`. */
async function storedWindows(writes: readonly OwnCharge[], readAt: number): Promise<WindowCharge[]> {
  const store = new InMemorySharedStore();
  for (const w of writes) await store.add('t', { tpm: w.amount }, w.at);
  return windowChargesOf((await store.read(['t'], readAt)).t!, 'tpm');
}

/** The provider's bucket, independently: the emulator's TokenBucket, full at `from`, every write at its true time. */
function providerLevel(writes: readonly OwnCharge[], from: number, at: number): number {
  const bucket = new TokenBucket(LIMIT, from);
  for (const w of writes) bucket.take(w.amount, w.at);
  return bucket.levelAt(at);
}

/** The replay before charge-weighted times: the same windows with only their net charge (every other charge at its window's end). */
const netOnly = (windows: readonly WindowCharge[]) => windows.map(({ start, amount }) => ({ start, amount }));

const signed = fc.array(fc.record({ at: fc.integer({ min: 60_000, max: 125_000 }), amount: fc.integer({ min: -1_500, max: 3_000 }) }), { maxLength: 40 });
const positive = fc.array(fc.record({ at: fc.integer({ min: 60_000, max: 125_000 }), amount: fc.integer({ min: 1, max: 1_500 }) }), { maxLength: 40 });
/** Sparse, small charges: the bucket is often full again inside a window, where a mean alone could be optimistic. */
const sparse = fc.array(fc.record({ at: fc.integer({ min: 60_000, max: 125_000 }), amount: fc.integer({ min: 1, max: 400 }) }), { maxLength: 12 });
const byTime = (list: readonly OwnCharge[]) => [...list].sort((a, b) => a.at - b.at);

describe('reconstructLevel with charge-weighted times (stored sum, sum of charge x time, refunds)', () => {
  it('never shows more room than the provider\'s token bucket fed the same charges at their true times, refunds included', async () => {
    await fc.assert(fc.asyncProperty(fc.oneof(signed, sparse, fc.constant([])), fc.oneof(signed, sparse), fc.integer({ min: 60_000, max: 125_000 }), async (mine, theirs, readAt) => {
      const own = byTime(mine).filter((w) => w.at <= readAt);
      const all = byTime([...own, ...theirs.filter((w) => w.at <= readAt)]);
      const { level, at } = reconstructLevel(LIMIT, await storedWindows(all, readAt), ownOf(own), readAt);
      // Every write is after the replay's origin (<= 60 s), so the provider's bucket is full there too.
      expect(level).toBeLessThanOrEqual(providerLevel(all, 0, at) + 1e-6);
    }), { numRuns: 500 });
  });

  it('is exact while the provider\'s bucket stays a sub-window\'s refill (limit / 6) below full at every sub-window start', async () => {
    let exactCases = 0;
    await fc.assert(fc.asyncProperty(signed, positive, fc.integer({ min: 70_000, max: 120_000 }), async (mine, theirs, readAt) => {
      // We drain the bucket into debt at 60 s, the first window's start (a Bedrock-style overrun); then everyone keeps charging.
      const own = byTime([{ at: 60_000, amount: 9_000 }, ...mine]).filter((w) => w.at <= readAt);
      const all = byTime([...own, ...theirs.filter((w) => w.at <= readAt)]);
      const starts = Array.from({ length: 6 }, (_, i) => 70_000 + i * 10_000).filter((s) => s <= readAt);
      const deep = starts.every((s) => providerLevel(all.filter((w) => w.at < s), 0, s) <= LIMIT - LIMIT / 6);
      if (!deep) return;
      exactCases++;
      const { level, at } = reconstructLevel(LIMIT, await storedWindows(all, readAt), ownOf(own), readAt);
      expect(level).toBeCloseTo(providerLevel(all, 0, at), 6);
    }), { numRuns: 200 });
    expect(exactCases).toBeGreaterThan(20);
  });

  it('never shows less room than taking every other charge at its window\'s end, and its loss is bounded by that one\'s', async () => {
    await fc.assert(fc.asyncProperty(signed, positive, fc.integer({ min: 60_000, max: 125_000 }), async (mine, theirs, readAt) => {
      const own = byTime(mine).filter((w) => w.at <= readAt);
      const all = byTime([...own, ...theirs.filter((w) => w.at <= readAt)]);
      const windows = await storedWindows(all, readAt);
      const now = reconstructLevel(LIMIT, windows, ownOf(own), readAt);
      const before = reconstructLevel(LIMIT, netOnly(windows), ownOf(own), readAt);
      expect(now.at).toBe(before.at);
      expect(now.level).toBeGreaterThanOrEqual(before.level - 1e-6);
      expect(providerLevel(all, 0, now.at) - now.level).toBeLessThanOrEqual(providerLevel(all, 0, now.at) - before.level + 1e-6);
    }), { numRuns: 300 });
  });

  it('others at half the refill rate, evenly spread: loses about half a window\'s charge, where the end-of-window replay lost all of it', async () => {
    // 50 every second from 0 s to 59 s on a 100/s bucket: each charge is refilled in 0.5 s, so at 60 s the bucket is full.
    const others = Array.from({ length: 60 }, (_, i) => ({ at: i * 1_000, amount: 50 }));
    const windows = await storedWindows(others, 60_000);
    expect(providerLevel(others, 0, 60_000)).toBe(LIMIT);
    // Before: the last full window's 500 at its end (60 s): 500 short.
    expect(reconstructLevel(LIMIT, netOnly(windows), [], 60_000).level).toBeCloseTo(LIMIT - 500, 6);
    // Now: 500 with mean 54.5 s. All of it at 54.5 s is refilled by 60 s (5.5 s x 100); the split puts
    // 500 x 4.5 / 10 = 225 at the window's end (and 275 at 50 s, refilled): 225 short.
    expect(reconstructLevel(LIMIT, windows, [], 60_000).level).toBeCloseTo(LIMIT - 225, 6);
  });

  it('the current sub-window\'s charges lie between its start and the read: their mean is taken within that span', async () => {
    // 3,000 at 61 s and 3,000 at 63 s, read at 64 s: 6000 - 3000, + 200 of refill by 63 s, - 3000, + 100 by 64 s = 300.
    const others = [{ at: 61_000, amount: 3_000 }, { at: 63_000, amount: 3_000 }];
    const windows = await storedWindows(others, 64_000);
    expect(providerLevel(others, 0, 64_000)).toBeCloseTo(300, 6);
    // Mean 62 s (within 60..64 s): all at 62 s leaves 0 + 200 of refill by 64 s; the window's end would be the read, 0.
    expect(reconstructLevel(LIMIT, windows, [], 64_000).level).toBeCloseTo(200, 6);
    expect(reconstructLevel(LIMIT, netOnly(windows), [], 64_000).level).toBeCloseTo(0, 6);
  });

  it('a bucket drained and then kept at its refill rate stays empty: the replay remembers it for three minutes, not one', async () => {
    // Others take the whole bucket at 0 s, then 100 every second (the refill rate) until 150 s: the provider stays empty.
    const others = [{ at: 0, amount: LIMIT }, ...Array.from({ length: 150 }, (_, i) => ({ at: (i + 1) * 1_000, amount: 100 }))];
    const truth = providerLevel(others, 0, 150_000);
    expect(truth).toBeCloseTo(0, 6);
    const { level } = reconstructLevel(LIMIT, await storedWindows(others, 150_000), [], 150_000);
    expect(level).toBeLessThanOrEqual(truth + 1e-6);
    // From a full bucket a minute back (the replay before), it would have shown most of the bucket free.
    const lastMinute = (await storedWindows(others, 150_000)).filter((w) => w.start >= subWindowStart(150_000 - 60_000));
    expect(reconstructLevel(LIMIT, lastMinute, [], 150_000).level).toBeGreaterThan(LIMIT / 2);
  });

  it('refunds are credited at their window\'s start: a reservation and its refund in one window cost what the provider kept', async () => {
    // Others reserve 4,000 at 61 s and return 3,000 at 69 s; read at 69 s. Provider: 6000 - 4000 + 800 + 3000 = 5800.
    const others = [{ at: 61_000, amount: 4_000 }, { at: 69_000, amount: -3_000 }];
    const windows = await storedWindows(others, 69_000);
    expect(windows).toEqual([{ start: 60_000, amount: 1_000, chargeMs: 4_000 * 1_000, refund: 3_000 }]);
    expect(providerLevel(others, 0, 69_000)).toBeCloseTo(5_800, 6);
    // Replay: refund at 60 s on a full bucket is lost (the safe side), 4,000 at 61 s: 6000 - 4000 + 800 = 2800.
    expect(reconstructLevel(LIMIT, windows, [], 69_000).level).toBeCloseTo(2_800, 6);
  });
});
