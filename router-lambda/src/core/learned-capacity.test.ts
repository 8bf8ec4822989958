import { ManualClock, TargetQuota } from '@headroom/emulator';
import type { Limits } from '@headroom/plan';
import { exampleConfig } from './fixtures';
import { clampLearned, effectiveLimit, LEARNING_DEFAULTS, recordSlot, throttleBound, trailingMinuteSum } from './learned-capacity';
import { seededRng } from './rng';
import { Router, type RouterOptions } from './router';

/**
 * The provider is the emulator's TargetQuota (an independent implementation of Bedrock's
 * enforcement), given the truth the plan does not know. claude/bedrock-us-east-1 declares rpm 1,000
 * and tpm 30,000; the only target serving residency `us`.
 */
const config = exampleConfig();
const US = 'claude/bedrock-us-east-1';
const declared = config.targets[US]!.limits;
/** 1,000 prompt tokens, 1 max token, no output: Bedrock charges 1,001 at admission and settles to 1,000. */
const request = { family: 'claude', estimate: { inputTokens: 1_000, maxTokens: 1 }, residency: 'us' as const };

interface Tally { sent: number; throttled: number; admittedTokens: number; probes: number; refused: number }

/** One request a second for `minutes`; the provider answers at once. Counts from `countFromMs`. */
function drive(router: Router, quota: TargetQuota, clock: ManualClock, minutes: number, countFromMs: number): Tally {
  const tally: Tally = { sent: 0, throttled: 0, admittedTokens: 0, probes: 0, refused: 0 };
  const end = clock.now() + minutes * 60_000;
  while (clock.now() < end) {
    clock.advance(1_000);
    const now = clock.now();
    const counted = now >= countFromMs;
    const p = router.place(request, now);
    if (p.kind !== 'placed') { if (counted) tally.refused++; continue; }
    if (counted) { tally.sent++; if (p.ticket.capacityProbe) tally.probes++; }
    const admitted = quota.tryAdmit(request.estimate);
    if (!admitted.admitted) {
      if (counted) tally.throttled++;
      router.complete(p.ticket, { kind: 'throttled', observations: [] }, now); // Bedrock: no headers, no retry-after
      continue;
    }
    const usage = { inputTokens: 1_000, outputTokens: 0 };
    quota.settle(admitted.ticket, usage);
    router.complete(p.ticket, { kind: 'success', usage, observations: [] }, now);
    if (counted) tally.admittedTokens += 1_000;
  }
  return tally;
}

function world(factor: number, options: Partial<RouterOptions> = {}) {
  const clock = new ManualClock(0);
  const limits = Object.fromEntries(Object.entries(declared).map(([k, v]) => [k, (v ?? 0) * factor])) as Limits;
  const quota = new TargetQuota(US, limits, config.targets[US]!.cost, clock);
  const router = new Router(config, { rng: seededRng(1), ...options });
  return { clock, quota, router };
}

const tpmOf = (router: Router, now: number) => router.status(now).targets.find((t) => t.key === US)!.buckets.tpm!;

describe('learned capacity', () => {
  it('the bounds are what the provider\'s bucket implies', () => {
    // Charged 14,000 in the trailing minute and refused 1,001: the limit is below 15,001.
    expect(throttleBound(14_000, 1_001)).toBe(15_001);
    // Half-life: half the distance back to declared after 10 min, a quarter after 20.
    expect(effectiveLimit(30_000, { limit: 15_000, at: 0 }, 10 * 60_000, LEARNING_DEFAULTS)).toBeCloseTo(22_500);
    expect(effectiveLimit(30_000, { limit: 15_000, at: 0 }, 20 * 60_000, LEARNING_DEFAULTS)).toBeCloseTo(26_250);
    expect(clampLearned(30_000, 100, 1_001, LEARNING_DEFAULTS)).toBe(3_000); // floor: 10% of declared
    expect(clampLearned(30_000, 1e9, 1_001, LEARNING_DEFAULTS)).toBe(90_000); // ceiling: 3x
    // Slots: a minute and one slot at most; a refund is netted.
    let slots = recordSlot([], 1_000, 0);
    slots = recordSlot(slots, 2_000, 30_000);
    slots = recordSlot(slots, -500, 31_000);
    expect(trailingMinuteSum(slots, 59_000)).toBe(2_500);
    expect(trailingMinuteSum(slots, 66_000)).toBe(1_500); // the slot at 0 s has left the minute
    // A refund of a reservation made before the minute: the tail still owes 90, not the net 10.
    let refunded = recordSlot([], 100, -1_000);
    refunded = recordSlot(refunded, -80, 1_000);
    refunded = recordSlot(refunded, 90, 59_000);
    expect(trailingMinuteSum(refunded, 60_000)).toBe(90);
    // A late settlement whose slot is gone is kept, in order.
    const late = recordSlot(recordSlot(recordSlot([], 10, 0), 20, 20_000), 5, 10_000);
    expect(late.map((x) => x.start)).toEqual([0, 10_000, 20_000]);
    expect(trailingMinuteSum(late, 25_000)).toBe(35);
  });

  it('after headerless 429s it sends near the true limit (half the declared), not the declared one', () => {
    // True limit 15,000 tpm: 15 requests of 1,000 a minute once the start's burst is spent.
    const learning = world(0.5);
    const learned = drive(learning.router, learning.quota, learning.clock, 20, 10 * 60_000);
    const perMinute = (n: number) => n / 10;
    expect(perMinute(learned.admittedTokens)).toBeGreaterThanOrEqual(15_000 * 0.9); // not starved
    expect(perMinute(learned.admittedTokens)).toBeLessThanOrEqual(15_000 * 1.02); // the provider's refill, by construction
    expect(perMinute(learned.sent)).toBeLessThanOrEqual(15 * 1.15); // sends near the true limit
    expect(learned.throttled / learned.sent).toBeLessThan(0.1);
    const tpm = tpmOf(learning.router, learning.clock.now());
    expect(tpm.declared).toBe(30_000);
    expect(tpm.limit).toBeGreaterThan(15_000 * 0.9);
    expect(tpm.limit).toBeLessThan(15_000 * 1.25);

    // The old belief (declared figure kept) sends at the declared rate and eats the difference as 429s.
    const fixed = world(0.5, { learning: false, capacityProbe: false });
    const old = drive(fixed.router, fixed.quota, fixed.clock, 20, 10 * 60_000);
    expect(old.throttled / old.sent).toBeGreaterThan(0.2);
    expect(old.throttled).toBeGreaterThan(3 * learned.throttled);
  });

  it('recovers toward the declared figure as the evidence ages (injected clock)', () => {
    const { clock, quota, router } = world(0.5);
    drive(router, quota, clock, 5, 0);
    const learnedAt = clock.now();
    const low = tpmOf(router, learnedAt).limit;
    expect(low).toBeLessThan(30_000 * 0.7);
    // No traffic for one half-life: halfway back (the status reads it at the next placement's retune).
    clock.advance(10 * 60_000);
    router.place({ ...request, estimate: { inputTokens: 0, maxTokens: 1 } }, clock.now());
    expect(tpmOf(router, clock.now()).limit).toBeCloseTo((low + 30_000) / 2, -2);
    // Ten half-lives: the declared figure again, and the learned one dropped.
    clock.advance(100 * 60_000);
    router.place({ ...request, estimate: { inputTokens: 0, maxTokens: 1 } }, clock.now());
    expect(tpmOf(router, clock.now())).toMatchObject({ limit: 30_000 });
    expect(tpmOf(router, clock.now()).declared).toBeUndefined();
  });

  it('a header limit above the declared figure raises it: the target takes more than declared', () => {
    // claude/anthropic declares itpm 30,000; the organization's header says 45,000 (Anthropic sends the limit).
    const router = new Router(config, { rng: seededRng(2) });
    const onlyAnthropic = new Set(config.families.claude!.targets.filter((k) => k !== 'claude/anthropic'));
    const ask = { family: 'claude', estimate: { inputTokens: 5_000, maxTokens: 10 } };
    const first = router.place(ask, 0, undefined, onlyAnthropic);
    if (first.kind !== 'placed') throw new Error('expected a placement');
    router.complete(first.ticket, {
      kind: 'success', usage: { inputTokens: 5_000, outputTokens: 10 },
      observations: [{ kind: 'remaining', bucket: 'itpm', remaining: 40_000, limit: 45_000, observedAt: 0 }],
    }, 0);
    let admitted = 5_000;
    for (let i = 0; i < 20; i++) if (router.place(ask, 0, undefined, onlyAnthropic).kind === 'placed') admitted += 5_000;
    // 45,000 at once (the header's 40,000 left after the first): above the declared 30,000.
    expect(admitted).toBe(45_000);
    expect(router.status(0).targets.find((t) => t.key === 'claude/anthropic')!.buckets.itpm).toMatchObject({ limit: 45_000, declared: 30_000 });
  });

  it('probes before refusing, a bounded number of times against an exhausted provider', () => {
    const { clock, quota, router } = world(0.5);
    drive(router, quota, clock, 3, 0); // learned down
    // Another tenant now takes the whole quota: the provider refuses everything.
    const exhausted = { tryAdmit: () => ({ admitted: false as const, retryAfterMs: 60_000 }), settle: () => ({}) } as unknown as TargetQuota;
    const tally = drive(router, exhausted, clock, 10, clock.now());
    // 600 requests in 10 minutes, none admitted. Probes back off (10, 20, 40, 80, 160, 300 s...):
    // at most 7 in 600 s. Ordinary sends: each 429 bounds the figure by what was charged (nothing),
    // down to the floor, 3,000 tpm = 2.997 requests of 1,001 a minute: at most 30 in 10 minutes.
    expect(tally.admittedTokens).toBe(0);
    expect(tally.probes).toBeLessThanOrEqual(7);
    expect(tally.sent).toBeLessThanOrEqual(30 + 7 + 1);
    expect(tally.refused).toBeGreaterThan(600 - 38);
  });

  it('a probe never overrules fresh outside evidence: a snapshot other instances filled', () => {
    const big = { family: 'claude', estimate: { inputTokens: 4_000, maxTokens: 6_000 }, residency: 'us' as const }; // 10,000 tpm
    // Own accounting short at 61 s (30,000 at 0 s; 25,000 more at 55 s, when 27,500 had refilled: 5,500
    // left at 61 s), and no 429 ever: a probe is allowed...
    const small = { ...big, estimate: { inputTokens: 4_000, maxTokens: 1_000 } }; // 5,000 tpm
    const fill = (router: Router) => {
      for (let i = 0; i < 3; i++) expect(router.place(big, 0).kind).toBe('placed');
      for (const ask of [big, big, small]) expect(router.place(ask, 55_000)).toMatchObject({ kind: 'placed', ticket: { capacityProbe: false } });
    };
    const control = new Router(config, { rng: seededRng(5) });
    fill(control);
    const probe = control.place(big, 61_000);
    expect(probe.kind === 'placed' && probe.ticket.capacityProbe).toBe(true);
    // ...but not when the store, read at 61 s, says other instances charged 36,000 in the last 10 s.
    const withStore = new Router(config, { rng: seededRng(5) });
    fill(withStore);
    const others = { [US]: { windows: [{ start: 50_000, charge: { tpm: 36_000, rpm: 12 } }], used: { tpm: 36_000 }, readAt: 61_000 } };
    expect(withStore.place(big, 61_000, others)).toMatchObject({ kind: 'exhausted', reason: 'no-headroom' });
  });

  it('an admitted probe raises a figure learned too low: the target is used again', () => {
    const { clock, quota, router } = world(0.5);
    drive(router, quota, clock, 3, 0);
    const low = tpmOf(router, clock.now()).limit;
    // The provider is back at its declared quota (the shortfall was transient).
    const healthy = new TargetQuota(US, declared, config.targets[US]!.cost, clock);
    const tally = drive(router, healthy, clock, 5, clock.now());
    expect(tally.probes).toBeGreaterThan(0);
    expect(tpmOf(router, clock.now()).limit).toBeGreaterThan(low * 1.3);
    expect(tally.throttled).toBe(0);
  });
});
