import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { runPool, type UnitConfig, type UnitSpec } from './pool';

// The workers load the compiled dist/bench/pool.js (`npm test` builds first: tsc -b && jest).
const COMPILED = resolve(__dirname, '../../dist/bench/pool.js');

// A tiny configuration: one short scenario, 2 seeds, three strategies, 3 bisection steps, one curve load.
const CONFIG: UnitConfig = { durationMin: 8, bisectionSteps: 3, strategies: ['headroom', 'round-robin', 'oracle'], looseGroups: [], curveMultiples: [3.0] };
const UNITS: UnitSpec[] = [{ scenario: 'seed-3x30k', seed: 1 }, { scenario: 'seed-3x30k', seed: 2 }];

describe('runPool', () => {
  beforeAll(() => {
    if (!existsSync(COMPILED)) throw new Error(`${COMPILED} is missing: build first (npx tsc -b packages/simulator)`);
  });

  it('gives identical results on one worker and on two, in unit order', async () => {
    const progress: number[] = [];
    const { results: one, failures } = await runPool(UNITS, CONFIG, 1, (p) => progress.push(p.done));
    const { results: two } = await runPool(UNITS, CONFIG, 2);
    expect(failures).toEqual([]);
    expect(two).toEqual(one);
    expect(progress).toEqual([1, 2]);
    expect(one.map((u) => [u.scenario, u.seed])).toEqual([['seed-3x30k', 1], ['seed-3x30k', 2]]);
    expect(one[0]!.strategies.map((s) => s.strategy)).toEqual(['headroom', 'round-robin', 'oracle']);
    expect(one[0]!.curves.map((c) => [c.strategy, c.multiple])).toEqual([['headroom', 3.0], ['round-robin', 3.0], ['oracle', 3.0]]);
    // The seeds are different worlds: equality above is not two copies of one run.
    expect(one[0]!.strategies.map((s) => s.quotaTpm)).not.toEqual(one[1]!.strategies.map((s) => s.quotaTpm));
  }, 120_000);

  it('records a failing unit with its error and still runs the others', async () => {
    const { results, failures } = await runPool([{ scenario: 'no-such-scenario', seed: 1 }, UNITS[0]!], CONFIG, 1);
    expect(failures.map((f) => f.unit)).toEqual([{ scenario: 'no-such-scenario', seed: 1 }]);
    expect(failures[0]!.error).toMatch(/unknown scenario 'no-such-scenario'/);
    expect(results.map((r) => [r.scenario, r.seed])).toEqual([['seed-3x30k', 1]]);
  }, 60_000);
});
