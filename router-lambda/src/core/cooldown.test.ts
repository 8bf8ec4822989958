import { applyOutcomeCooldown, CLEAR, CLOCK_SKEW_MS, cooldownEndsAt, extendCooldown, isCooling, plausibleSharedUntil } from './cooldown';
import { exampleConfig } from './fixtures';
import { createHeadroom, headroomAfter } from './headroom';

const config = exampleConfig();
const bedrock = createHeadroom(config.targets['claude/bedrock-us-east-1']!);
const charge = { rpm: 1, tpm: 3_000 };
const MAX = 300_000;

describe('cooldown', () => {
  it('extends but never shortens, and expires on its own', () => {
    let c = extendCooldown(CLEAR, 5_000, 'retry-after');
    c = extendCooldown(c, 3_000, 'shared');
    expect(c).toEqual({ kind: 'cooling', until: 5_000, source: 'retry-after' });
    expect(isCooling(c, 4_999)).toBe(true);
    expect(isCooling(c, 5_000)).toBe(false);
    expect(cooldownEndsAt(c, 1_000)).toBe(5_000);
    expect(cooldownEndsAt(c, 9_000)).toBe(9_000);
  });

  it('honours retry-after as sent', () => {
    const d = applyOutcomeCooldown(CLEAR, bedrock, { kind: 'throttled', retryAfterMs: 2_500, observations: [] }, charge, 1_000, MAX);
    expect(d.cooldown).toEqual({ kind: 'cooling', until: 3_500, source: 'retry-after' });
    expect(d.until).toBe(3_500);
  });

  it('honours a cooldown observation from the adapter', () => {
    const d = applyOutcomeCooldown(CLEAR, bedrock, { kind: 'throttled', observations: [{ kind: 'cooldown', until: 9_000, source: 'retry-after', observedAt: 0 }] }, charge, 0, MAX);
    expect(d.cooldown).toMatchObject({ until: 9_000 });
  });

  it('derives a cooldown from the bucket refill when a 429 says nothing (Bedrock, Vertex)', () => {
    const d = applyOutcomeCooldown(CLEAR, bedrock, { kind: 'throttled', observations: [] }, charge, 10_000, MAX);
    // 3000 tokens at 30000/min refill: 6 s
    expect(d.cooldown).toEqual({ kind: 'cooling', until: 16_000, source: 'derived' });
    expect(headroomAfter(d.headroom, charge, 15_999)).toBeUndefined();
    expect(headroomAfter(d.headroom, charge, 16_000)).toBeDefined();
  });

  it('a 529 cools only when it says retry-after; 5xx, timeouts and client errors do not cool', () => {
    expect(applyOutcomeCooldown(CLEAR, bedrock, { kind: 'overloaded', status: 529, retryAfterMs: 1_000 }, charge, 0, MAX).until).toBe(1_000);
    for (const outcome of [{ kind: 'overloaded', status: 529 }, { kind: 'server-error', status: 500 }, { kind: 'timeout' }, { kind: 'client-error', status: 400 }] as const) {
      const d = applyOutcomeCooldown(CLEAR, bedrock, outcome, charge, 0, MAX);
      expect(d.cooldown).toBe(CLEAR);
      expect(d.until).toBeUndefined();
    }
  });

  it('does not report a cooldown that an existing longer one already covers', () => {
    const d = applyOutcomeCooldown(extendCooldown(CLEAR, 50_000, 'shared'), bedrock, { kind: 'throttled', retryAfterMs: 1_000, observations: [] }, charge, 0, MAX);
    expect(d.until).toBeUndefined();
    expect(d.cooldown).toMatchObject({ until: 50_000 });
  });

  it('caps every cooldown at maxMs: a retry-after of a year, a date years ahead, a derived wait', () => {
    const year = 365 * 24 * 3_600_000;
    const sent = applyOutcomeCooldown(CLEAR, bedrock, { kind: 'throttled', retryAfterMs: year, observations: [] }, charge, 1_000, MAX);
    expect(sent.cooldown).toEqual({ kind: 'cooling', until: 1_000 + MAX, source: 'retry-after' });
    expect(sent.until).toBe(1_000 + MAX);
    const dated = applyOutcomeCooldown(CLEAR, bedrock, { kind: 'throttled', observations: [{ kind: 'cooldown', until: 5 * year, source: 'retry-after', observedAt: 0 }] }, charge, 0, MAX);
    expect(dated.until).toBe(MAX);
    const overloaded = applyOutcomeCooldown(CLEAR, bedrock, { kind: 'overloaded', status: 529, retryAfterMs: year }, charge, 0, 1_000);
    expect(overloaded.until).toBe(1_000);
    const derived = applyOutcomeCooldown(CLEAR, bedrock, { kind: 'throttled', observations: [] }, charge, 10_000, 2_000);
    expect(derived.cooldown).toEqual({ kind: 'cooling', until: 12_000, source: 'derived' });
  });
});

describe('plausibleSharedUntil', () => {
  it('caps a shared cooldown, and drops one no capped router could have written', () => {
    expect(plausibleSharedUntil(4_000, 1_000, MAX)).toBe(4_000);
    expect(plausibleSharedUntil(1_000 + MAX + 3_000, 1_000, MAX)).toBe(1_000 + MAX); // clock skew: capped
    expect(plausibleSharedUntil(1_000 + MAX + CLOCK_SKEW_MS + 1, 1_000, MAX)).toBeUndefined();
    expect(plausibleSharedUntil(Number.POSITIVE_INFINITY, 0, MAX)).toBeUndefined();
  });
});
