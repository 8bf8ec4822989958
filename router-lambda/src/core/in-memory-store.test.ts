import { InMemorySharedStore } from './in-memory-store';

describe('InMemorySharedStore', () => {
  it('sums charges over a sliding minute of 10-s sub-windows, not the wall-clock minute, and returns three minutes of them', async () => {
    const store = new InMemorySharedStore();
    await store.add('t', { rpm: 1, tpm: 600 }, 55_000); // sub-window [50 s, 60 s)
    await store.add('t', { rpm: 1, tpm: 400 }, 65_000); // a new wall-clock minute, same trailing minute
    expect((await store.read(['t'], 65_000)).t).toEqual({
      // Each charge came 5 s into its sub-window: charge x 5,000 ms, the sum the charge-weighted time comes from.
      windows: [
        { start: 50_000, charge: { rpm: 1, tpm: 600 }, chargeMs: { rpm: 5_000, tpm: 3_000_000 } },
        { start: 60_000, charge: { rpm: 1, tpm: 400 }, chargeMs: { rpm: 5_000, tpm: 2_000_000 } },
      ],
      used: { rpm: 2, tpm: 1_000 },
      readAt: 65_000,
    });
    // At 115 s the first sub-window is half outside (55 s..60 s of it remains): weighted by its overlap.
    expect((await store.read(['t'], 115_000)).t?.used).toEqual({ rpm: 1.5, tpm: 700 });
    // The sub-windows themselves come whole: the core replays the bucket from them.
    expect((await store.read(['t'], 115_000)).t?.windows.map((w) => w.start)).toEqual([50_000, 60_000]);
    expect((await store.read(['t'], 130_000)).t?.used).toEqual({});
    // The replay reads three minutes of sub-windows (a bucket under load remembers more than one).
    expect((await store.read(['t'], 239_999)).t?.windows.map((w) => w.start)).toEqual([50_000, 60_000]);
    expect((await store.read(['t'], 240_000)).t?.windows.map((w) => w.start)).toEqual([60_000]);
    expect((await store.read(['t'], 250_000)).t?.windows).toEqual([]);
  });

  it('negative amounts return reservations, and are kept apart as refunds (credited at the window\'s start by the replay)', async () => {
    const store = new InMemorySharedStore();
    await store.add('t', { tpm: 3_000 }, 0);
    await store.add('t', { tpm: -2_000 }, 1_000);
    await store.add('t', { tpm: 1_000 }, 4_000);
    const { t } = await store.read(['t'], 4_000);
    expect(t?.used.tpm).toBe(2_000);
    // Positive charges 3,000 at 0 ms and 1,000 at 4,000 ms: mean time (0 + 4,000,000) / 4,000 = 1 s into the window.
    expect(t?.windows).toEqual([{ start: 0, charge: { tpm: 2_000 }, chargeMs: { tpm: 4_000_000 }, refund: { tpm: 2_000 } }]);
  });

  it('ignores zero and non-finite amounts, as DynamoDB would refuse them', async () => {
    const store = new InMemorySharedStore();
    await store.add('t', { rpm: 0, tpm: Number.NaN, itpm: Number.POSITIVE_INFINITY }, 0);
    expect((await store.read(['t'], 0)).t?.windows).toEqual([]);
  });

  it('reads every listed target at once, unknown ones as empty', async () => {
    const store = new InMemorySharedStore();
    await store.add('a', { rpm: 1 }, 0);
    expect(await store.read(['a', 'b'], 0)).toEqual({
      a: { windows: [{ start: 0, charge: { rpm: 1 }, chargeMs: { rpm: 0 } }], used: { rpm: 1 }, readAt: 0 },
      b: { windows: [], used: {}, readAt: 0 },
    });
  });

  it('cooldowns only ever extend, and expire', async () => {
    const store = new InMemorySharedStore();
    await store.cooldown('t', 5_000, 0);
    await store.cooldown('t', 3_000, 0);
    expect((await store.read(['t'], 1_000)).t?.cooldownUntil).toBe(5_000);
    expect((await store.read(['t'], 5_000)).t?.cooldownUntil).toBeUndefined();
  });
});
