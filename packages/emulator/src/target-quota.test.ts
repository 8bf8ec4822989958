import type { CostModel } from '@headroom/plan';
import { ManualClock } from './clock';
import { TargetQuota } from './target-quota';

const azure: CostModel = { kind: 'prompt-plus-max-tokens', source: 'test' };
const bedrock: CostModel = { kind: 'reserve-then-burn', outputBurn: 5, source: 'test' };
const anthropic: CostModel = { kind: 'input-output', source: 'test' };

describe('TargetQuota', () => {
  it('admits exactly rpm requests in an instant and refuses the next', () => {
    const clock = new ManualClock();
    const quota = new TargetQuota('t', { rpm: 1000, tpm: 10_000_000 }, azure, clock);
    for (let i = 0; i < 1000; i++) expect(quota.tryAdmit({ inputTokens: 1, maxTokens: 1 }).admitted).toBe(true);
    const refused = quota.tryAdmit({ inputTokens: 1, maxTokens: 1 });
    expect(refused).toMatchObject({ admitted: false, limitedBy: 'rpm', retryAfterMs: 60 });
    clock.advance(60);
    expect(quota.tryAdmit({ inputTokens: 1, maxTokens: 1 }).admitted).toBe(true);
  });

  it('charges Azure prompt + max_tokens at admission and never refunds', () => {
    const clock = new ManualClock();
    const quota = new TargetQuota('t', { rpm: 100, tpm: 1000 }, azure, clock);
    const first = quota.tryAdmit({ inputTokens: 100, maxTokens: 400 });
    expect(first.admitted).toBe(true);
    if (first.admitted) quota.settle(first.ticket, { inputTokens: 100, outputTokens: 10 });
    expect(quota.snapshot().tpm).toMatchObject({ limit: 1000, remaining: 500 });
    expect(quota.tryAdmit({ inputTokens: 100, maxTokens: 400 }).admitted).toBe(true);
    expect(quota.tryAdmit({ inputTokens: 1, maxTokens: 0 })).toMatchObject({ admitted: false, limitedBy: 'tpm' });
    // Quota used is what Azure counted, 2 x (100 + 400), though only 10 tokens were generated.
    expect(quota.charged()).toEqual({ rpm: 2, tpm: 1000 });
  });

  it('reserves Bedrock max_tokens, then settles to input + output x burn', () => {
    const clock = new ManualClock();
    const quota = new TargetQuota('t', { rpm: 100, tpm: 1000 }, bedrock, clock);
    const decision = quota.tryAdmit({ inputTokens: 100, maxTokens: 500 });
    expect(quota.snapshot().tpm?.remaining).toBe(400);
    if (!decision.admitted) throw new Error('expected admission');
    quota.settle(decision.ticket, { inputTokens: 100, outputTokens: 20 });
    expect(quota.snapshot().tpm?.remaining).toBe(800);
    quota.settle(decision.ticket, { inputTokens: 100, outputTokens: 20 });
    expect(quota.snapshot().tpm?.remaining).toBe(800);
    expect(quota.charged()).toEqual({ rpm: 1, tpm: 100 + 20 * 5 });
  });

  it('keeps Anthropic input and output limits apart and settles output to actual', () => {
    const clock = new ManualClock();
    const quota = new TargetQuota('t', { rpm: 100, itpm: 1000, otpm: 300 }, anthropic, clock);
    const decision = quota.tryAdmit({ inputTokens: 900, maxTokens: 300 });
    if (!decision.admitted) throw new Error('expected admission');
    expect(quota.tryAdmit({ inputTokens: 1, maxTokens: 1 })).toMatchObject({ admitted: false, limitedBy: 'otpm' });
    quota.settle(decision.ticket, { inputTokens: 900, outputTokens: 50 });
    expect(quota.snapshot()).toMatchObject({ itpm: { remaining: 100 }, otpm: { remaining: 250 } });
    expect(quota.tryAdmit({ inputTokens: 101, maxTokens: 1 })).toMatchObject({ admitted: false, limitedBy: 'itpm' });
  });

  it('refuses a request larger than the limit itself with an infinite wait', () => {
    const quota = new TargetQuota('t', { rpm: 10, tpm: 100 }, azure, new ManualClock());
    expect(quota.tryAdmit({ inputTokens: 50, maxTokens: 60 })).toMatchObject({ admitted: false, retryAfterMs: Infinity });
  });

  it('reports time until full as the reset', () => {
    const clock = new ManualClock();
    const quota = new TargetQuota('t', { rpm: 60, tpm: 6000 }, azure, clock);
    quota.tryAdmit({ inputTokens: 10, maxTokens: 20 });
    expect(quota.snapshot()).toEqual({ rpm: { limit: 60, remaining: 59, resetMs: 1000 }, tpm: { limit: 6000, remaining: 5970, resetMs: 300 } });
  });

  it('refuses to build a quota without an rpm limit', () => {
    expect(() => new TargetQuota('fam/t', { tpm: 5 }, azure, new ManualClock())).toThrow(/fam\/t: no rpm limit/);
  });

  it('defaults to today\'s 60 s token bucket: a minute of quota at once, then limit/60 per second', () => {
    const clock = new ManualClock(0);
    const quota = new TargetQuota('t', { rpm: 1000, tpm: 6000 }, azure, clock);
    expect(quota.tryAdmit({ inputTokens: 5000, maxTokens: 1000 }).admitted).toBe(true);
    clock.advance(1_000);
    expect(quota.snapshot().tpm?.remaining).toBe(100);
  });

  it('with a 30 s burst admits half the minute\'s tokens at once and refuses a request above that forever', () => {
    const clock = new ManualClock(0);
    const quota = new TargetQuota('t', { rpm: 1000, tpm: 6000 }, azure, clock, { burstMs: 30_000 });
    expect(quota.tryAdmit({ inputTokens: 2000, maxTokens: 1001 })).toMatchObject({ admitted: false, limitedBy: 'tpm', retryAfterMs: Infinity });
    expect(quota.tryAdmit({ inputTokens: 2000, maxTokens: 1000 }).admitted).toBe(true);
    expect(quota.tryAdmit({ inputTokens: 1, maxTokens: 0 })).toMatchObject({ admitted: false, retryAfterMs: 10 });
  });

  it('with a fixed window admits the limit at 0:59 and again at 1:00; a sliding window refuses the second', () => {
    const fixedClock = new ManualClock(59_000);
    const slidingClock = new ManualClock(59_000);
    const fixed = new TargetQuota('t', { rpm: 1000, tpm: 6000 }, azure, fixedClock, { refill: 'fixed-window' });
    const sliding = new TargetQuota('t', { rpm: 1000, tpm: 6000 }, azure, slidingClock, { refill: 'sliding-window' });
    for (const quota of [fixed, sliding]) expect(quota.tryAdmit({ inputTokens: 5000, maxTokens: 1000 }).admitted).toBe(true);
    fixedClock.advance(1_000);
    slidingClock.advance(1_000);
    expect(fixed.tryAdmit({ inputTokens: 5000, maxTokens: 1000 }).admitted).toBe(true);
    expect(sliding.tryAdmit({ inputTokens: 5000, maxTokens: 1000 })).toMatchObject({ admitted: false, limitedBy: 'tpm', retryAfterMs: 59_000 });
  });

  it('settles a Bedrock reservation against the charge a window remembers', () => {
    const clock = new ManualClock(0);
    const quota = new TargetQuota('t', { rpm: 100, tpm: 1000 }, bedrock, clock, { refill: 'sliding-window' });
    const decision = quota.tryAdmit({ inputTokens: 100, maxTokens: 500 });
    if (!decision.admitted) throw new Error('expected admission');
    clock.advance(10_000);
    // Settled 100 + 20 x 5 = 200: 400 of the 600 reserved come back.
    quota.settle(decision.ticket, { inputTokens: 100, outputTokens: 20 });
    expect(quota.snapshot().tpm?.remaining).toBe(800);
    clock.advance(50_000);
    expect(quota.snapshot().tpm?.remaining).toBe(1000);
  });

  it('canAdmit answers as tryAdmit would, without charging', () => {
    const clock = new ManualClock(0);
    for (const refill of ['token-bucket', 'fixed-window', 'sliding-window'] as const) {
      const quota = new TargetQuota('t', { rpm: 2, tpm: 1000 }, azure, clock, { refill });
      expect(quota.canAdmit({ inputTokens: 100, maxTokens: 400 })).toBe(true);
      expect(quota.canAdmit({ inputTokens: 100, maxTokens: 400 })).toBe(true);
      expect(quota.snapshot().tpm?.remaining).toBe(1000);
      quota.tryAdmit({ inputTokens: 100, maxTokens: 400 });
      quota.tryAdmit({ inputTokens: 100, maxTokens: 400 });
      expect(quota.canAdmit({ inputTokens: 1, maxTokens: 0 })).toBe(false);
    }
  });

  it('msUntilAdmit is the longest wait among the limits a request charges, without charging', () => {
    const clock = new ManualClock(0);
    // 60 RPM refills one request a second; 6,000 TPM refills 100 tokens a second.
    const quota = new TargetQuota('t', { rpm: 60, tpm: 6000 }, azure, clock);
    quota.tryAdmit({ inputTokens: 5_000, maxTokens: 1_000 });
    expect(quota.msUntilAdmit({ inputTokens: 100, maxTokens: 100 })).toBe(2_000);
    expect(quota.msUntilAdmit({ inputTokens: 100, maxTokens: 100 })).toBe(2_000);
    expect(quota.msUntilAdmit({ inputTokens: 6_000, maxTokens: 1 })).toBe(Infinity);
  });
});
