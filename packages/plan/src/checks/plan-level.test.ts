import { stringify } from 'yaml';
import { HOLD_LIMITS } from '../types';
import { parsePlan } from '../load';
import { formatPath, type PlanProblem } from '../problems';
import { examplePlanInput } from '../testing';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Mutable = any;

function problemsWith(routing: Record<string, unknown>): readonly PlanProblem[] {
  const plan = examplePlanInput() as Mutable;
  plan.routing = { ...plan.routing, ...routing };
  const result = parsePlan(stringify(plan), 'headroom.yaml');
  return result.ok ? result.warnings : result.problems;
}

describe('routing.hold.maxMs against routing.timeouts.totalMs', () => {
  it('the schema caps a hold below the default total (router-config.ts ROUTING_DEFAULTS: 600,000 ms)', () => {
    expect(HOLD_LIMITS.maxMs).toBeLessThan(600_000);
  });

  it('a hold longer than the total timeout is a warning (the router holds at most totalMs), not an error', () => {
    const problems = problemsWith({ hold: { maxMs: 30_000 }, timeouts: { totalMs: 20_000 } });
    const warning = problems.find((p) => p.code === 'routing/hold-above-total');
    expect(warning).toMatchObject({ severity: 'warning', received: '30000', allowed: 'at most routing.timeouts.totalMs (20000)' });
    expect(formatPath(warning!.path)).toBe('routing.hold.maxMs');
    expect(warning!.fix).toContain('lower routing.hold.maxMs to 20000 or less');
    expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
  });

  it('the schema\'s longest hold (60,000 ms) is within the default total (600,000 ms): no warning', () => {
    expect(problemsWith({ hold: { maxMs: HOLD_LIMITS.maxMs } }).map((p) => p.code)).not.toContain('routing/hold-above-total');
  });

  it('a hold up to the total, or the default 2 s, says nothing', () => {
    expect(problemsWith({ hold: { maxMs: 20_000 }, timeouts: { totalMs: 20_000 } }).map((p) => p.code)).not.toContain('routing/hold-above-total');
    expect(problemsWith({}).map((p) => p.code)).not.toContain('routing/hold-above-total');
  });
});
