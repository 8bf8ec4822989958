import { summarizeCurves } from './curves';
import { summarizeRows, type SeedStrategyResult, type UnitResult } from './summary';

const isPeer = (id: string) => id !== 'headroom' && id !== 'oracle';

function strategyResult(strategy: string, multiplier: number, extra: Partial<SeedStrategyResult> = {}): SeedStrategyResult {
  return {
    strategy, label: strategy.toUpperCase(), source: `source of ${strategy}`, multiplier, multiplierLoose: null, efficiency: null, quotaTpm: multiplier * 30_000,
    failureRate: 0.001, tokenWeightedFailureRate: 0.002, largestFailureRate: 0.004, client429Rate: 0.001, clientRefusedRate: 0.001,
    upstream429PerCall: 0.01, upstream429PerAttempt: 0.009, retryAmplification: 1, addedLatencyP50Ms: 0.1, addedLatencyP99Ms: 0.2, holds: 0, ...extra,
  };
}

function unit(seed: number, multipliers: Readonly<Record<string, number>>, extra: Readonly<Record<string, Partial<SeedStrategyResult>>> = {}): UnitResult {
  return {
    scenario: 'truth-us-east-half', title: 'us-east-1 holds half', group: 'mismatch', seed, durationMin: 60, referenceTarget: 'chatbot/x', regionQuotaTpm: 30_000, singleRegionMultiplier: 0.7,
    strategies: Object.entries(multipliers).map(([id, m]) => strategyResult(id, m, extra[id])),
    curves: [{ strategy: 'headroom', multiple: 2.4, metrics: { clientRefusedRate: seed / 100, client429Rate: seed / 100, failureRate: seed / 200, tokenWeightedFailureRate: 0, largestFailureRate: 0, upstream429Rate: 0 } }],
  };
}

// Three seeds. Headroom - peer-a differences: 0.10, 0.10, 0.15 -> mean 0.11667, s_d = 0.028868, t = 7.0 on 2 df.
// On 2 df the t CDF has a closed form, F(t) = 1/2 + t / (2 sqrt(2 + t^2)), so p = 1 - 7 / sqrt(51) = 0.019804,
// and t_{0.975,2} solves t / sqrt(2 + t^2) = 0.95: t = sqrt(1.805 / 0.0975) = 4.302653.
const UNITS = [
  unit(1, { headroom: 2.8, 'peer-a': 2.7, 'peer-b': 2.0, oracle: 2.9 }, { headroom: { efficiency: 0.96, upstream429PerCall: 0.03 }, 'peer-a': { efficiency: 0.93 } }),
  unit(2, { headroom: 2.7, 'peer-a': 2.6, 'peer-b': 2.7, oracle: 2.8 }, { headroom: { efficiency: 0.98, upstream429PerCall: 0.01 }, 'peer-a': { efficiency: 0.93 } }),
  unit(3, { headroom: 2.9, 'peer-a': 2.75, 'peer-b': 2.1, oracle: 3.0 }, { headroom: { efficiency: 1.0, upstream429PerCall: 0.02 }, 'peer-a': { efficiency: 0.92 } }),
];

describe('summarizeRows', () => {
  const rows = summarizeRows([UNITS[2]!, UNITS[0]!, UNITS[1]!], isPeer); // seed order must not matter
  const row = (id: string) => rows.find((r) => r.strategy === id)!;

  it('has exactly the issue\'s fields plus group, label, source and the range', () => {
    expect(Object.keys(row('headroom')).sort()).toEqual([
      'clientFailureRate', 'efficiencyMean', 'group', 'label', 'largestFailureRate', 'multiplierCi95', 'multiplierMax', 'multiplierMean', 'multiplierMin',
      'pVsBestPeer', 'scenario', 'seeds', 'source', 'strategy', 'tokenWeightedFailureRate', 'upstream429Rate',
    ]);
    expect(rows.map((r) => r.strategy)).toEqual(['headroom', 'peer-a', 'peer-b', 'oracle']);
  });

  it('mean and t interval of the multiplier over seeds', () => {
    expect(row('headroom').seeds).toBe(3);
    expect(row('headroom').multiplierMean).toBeCloseTo(2.8, 12);
    expect(row('headroom').multiplierCi95).toBeCloseTo(4.302653 * (0.1 / Math.sqrt(3)), 5);
    expect(row('headroom').multiplierMin).toBe(2.7);
    expect(row('headroom').multiplierMax).toBe(2.9);
  });

  it('pairs Headroom with the peer of highest mean (peer-a, not peer-b who wins one seed), by seed', () => {
    expect(row('headroom').pVsBestPeer).toBeCloseTo(1 - 7 / Math.sqrt(51), 6);
    expect(row('peer-a').pVsBestPeer).toBeCloseTo(1 - 7 / Math.sqrt(51), 6);
    expect(row('peer-b').pVsBestPeer).not.toBeNull();
    expect(row('oracle').pVsBestPeer).toBeNull();
  });

  it('rates are means over seeds; efficiency is null when a seed has none', () => {
    expect(row('headroom').efficiencyMean).toBeCloseTo((0.96 + 0.98 + 1.0) / 3, 12);
    expect(row('headroom').upstream429Rate).toBeCloseTo(0.02, 12);
    expect(row('headroom').clientFailureRate).toBeCloseTo(0.001, 12);
    expect(row('peer-b').efficiencyMean).toBeNull();
  });

  it('no p-value without Headroom or with one seed', () => {
    const noHeadroom = summarizeRows(UNITS.map((u) => ({ ...u, strategies: u.strategies.filter((s) => s.strategy !== 'headroom') })), isPeer);
    expect(noHeadroom.every((r) => r.pVsBestPeer === null)).toBe(true);
    const oneSeed = summarizeRows([UNITS[0]!], isPeer);
    expect(oneSeed.every((r) => r.pVsBestPeer === null && r.multiplierCi95 === null)).toBe(true);
  });
});

describe('summarizeCurves', () => {
  it('means and intervals of each metric per (strategy, multiple)', () => {
    const [point] = summarizeCurves(UNITS);
    expect(point).toMatchObject({ scenario: 'truth-us-east-half', strategy: 'headroom', multiple: 2.4, seeds: 3 });
    expect(point!.metrics.clientRefusedRate.mean).toBeCloseTo(0.02, 12);
    expect(point!.metrics.clientRefusedRate.ci95).toBeCloseTo(4.302653 * (0.01 / Math.sqrt(3)), 6);
    expect(point!.metrics.failureRate.mean).toBeCloseTo(0.01, 12);
  });
});
