import { breakerOnOutcome, breakerOnPlaced, resolveBreakerOptions } from './circuit-breaker';
import { extendCooldown } from './cooldown';
import { exampleConfig } from './fixtures';
import { reserveHeadroom } from './headroom';
import { availability, createTargetState, targetStatus } from './target-state';

const config = exampleConfig();
const target = config.targets['claude/bedrock-us-east-1']!;
const breaker = resolveBreakerOptions({ consecutiveFailures: 1, halfOpenAfterMs: 2_000 });
const options = { breaker };
const charge = { rpm: 1, tpm: 3_000 };

describe('target state', () => {
  it('is available with a score and capacity weight when everything allows', () => {
    expect(availability(createTargetState(target, options), charge, breaker, 0)).toEqual({ kind: 'available', score: 0.9, weight: 10, probe: false, staleness: 0 });
  });

  it('is blocked until the latest of cooldown, breaker and headroom', () => {
    const s = createTargetState(target, options);
    expect(availability({ ...s, cooldown: extendCooldown(s.cooldown, 5_000, 'retry-after') }, charge, breaker, 0)).toEqual({ kind: 'blocked', at: 5_000, why: 'cooldown' });
    const opened = breakerOnOutcome(s.breaker, breaker, 'failure', false, 0, 0);
    expect(availability({ ...s, breaker: opened }, charge, breaker, 0)).toEqual({ kind: 'blocked', at: 2_000, why: 'breaker' });
    expect(availability({ ...s, breaker: opened }, charge, breaker, 2_000)).toMatchObject({ kind: 'available', probe: true });
    const full = { ...s, headroom: reserveHeadroom(s.headroom, { rpm: 1, tpm: 28_000 }, 0) };
    expect(availability(full, charge, breaker, 0)).toEqual({ kind: 'blocked', at: 2_000, why: 'headroom' }); // 1,000 short at 500/s
    expect(availability(s, { rpm: 1, tpm: 30_001 }, breaker, 0)).toEqual({ kind: 'blocked', at: Number.POSITIVE_INFINITY, why: 'too-large' });
  });

  it('reports plain, serialisable status', () => {
    const s = createTargetState(target, options);
    const half = { ...s, breaker: breakerOnPlaced(breakerOnOutcome(s.breaker, breaker, 'failure', false, 0, 0), breaker, 2_000), cooldown: extendCooldown(s.cooldown, 9_000, 'derived') };
    const status = targetStatus(target, half, breaker, 2_000);
    expect(status).toEqual({
      key: 'claude/bedrock-us-east-1', family: 'claude', provider: 'bedrock', region: target.region,
      headroomPct: 100, buckets: { rpm: { limit: 1_000, remaining: 1_000, own: 1_000 }, tpm: { limit: 30_000, remaining: 30_000, own: 30_000 } },
      cooldown: { until: 9_000, source: 'derived' },
      breaker: { kind: 'half-open', probesInFlight: 1, reopenings: 0 },
    });
    expect(JSON.parse(JSON.stringify(status))).toEqual(status);
  });
});
