import { measureScenario, runAtMultiple, scenarioSetup } from './measure';
import type { Strategy } from './model';
import { scenarios, type Scenario } from './scenarios';
import { oracleStrategy } from './strategies/oracle';
import { directStrategy, roundRobinStrategy } from './strategies/stateless';

const short = scenarios(20);
const byId = (id: string): Scenario => short.find((s) => s.id === id)!;

describe('runAtMultiple', () => {
  it('runs at multiple x the reference region\'s DECLARED rate, on the RunSpec measureScenario uses', async () => {
    const scenario = byId('truth-us-east-half');
    const setup = scenarioSetup(scenario, 2);
    // The reference is the first of three equal declared regions in plan order; us-east-1 really has half.
    expect(setup.reference.target.key).toBe('chatbot/bedrock-ap-southeast-1');
    expect(setup.reference.pooled).toBeCloseTo(3 * setup.reference.rate, 9);
    expect(setup.truePooled).toBeCloseTo(2.5 * setup.reference.rate, 9);
    const result = await measureScenario(scenario, [roundRobinStrategy], directStrategy, { seed: 2, iterations: 4, loose: false });
    const strict = result.strategies[0]!.strict;
    const again = await runAtMultiple(scenario, roundRobinStrategy, 2, strict.ratePerMin / setup.reference.rate);
    expect(again).toEqual({ ...strict.run, ratePerMin: again.ratePerMin });
    expect(again.ratePerMin).toBeCloseTo(strict.ratePerMin, 9);
  });
  it('gives the same run whether its setup is reused or fresh', async () => {
    const scenario = byId('bursts');
    await runAtMultiple(scenario, roundRobinStrategy, 3, 2.9); // leaves its setup (stream drawn further) in the cache
    const reused = await runAtMultiple(scenario, roundRobinStrategy, 3, 2.5);
    const fresh = await runAtMultiple({ ...scenario }, roundRobinStrategy, 3, 2.5);
    expect(reused).toEqual(fresh);
  });
});

describe('measureScenario', () => {
  it('loose: false skips the 1% bisections: every loose field equals its strict one', async () => {
    let runs = 0;
    const counting: Strategy = { ...roundRobinStrategy, instances: (world, count) => { runs++; return roundRobinStrategy.instances(world, count); } };
    const result = await measureScenario(byId('seed-3x30k'), [counting], directStrategy, { seed: 1, iterations: 3, loose: false });
    const row = result.strategies[0]!;
    expect(row.loose).toBe(row.strict);
    expect(row.multiplierLoose).toBe(row.multiplier);
    expect(result.singleRegionLoose).toBe(result.singleRegion);
    // One bisection: the top, 3 steps, at most one fallback run.
    expect(runs).toBeLessThanOrEqual(5);
    expect(result.group).toBe('matched');
  });

  it('bisects high enough for providers above their declared quota (the oracle reaches past 1.1 x the declared pool)', async () => {
    // eu-west-1 really holds 4x its declared 30k: the true pool is 6 regions' worth, the declared one 3.
    const generous: Scenario = { ...byId('truth-above-declared'), truth: { 'chatbot/bedrock-eu-west-1': { quotaFactor: 4 } } };
    const result = await measureScenario(generous, [oracleStrategy], directStrategy, { seed: 1, iterations: 5, loose: false });
    expect(result.group).toBe('mismatch');
    expect(result.strategies[0]!.multiplier).toBeGreaterThan(3 * 1.1);
    expect(result.strategies[0]!.efficiency).toBe(1);
  });
});
