import { BEGIN_MARKER, END_MARKER, render, replaceRegion } from './render';
import type { CurveRow } from './curves';
import type { RealSystemRow } from './real-process';
import { roundNumbers, serializeBenchmarkJson, type BenchmarkJson, type BenchRow } from './summary';

function row(scenario: string, group: BenchRow['group'], strategy: string, label: string, multiplierMean: number, pVsBestPeer: number | null): BenchRow {
  return {
    scenario, strategy, seeds: 8, multiplierMean, multiplierCi95: 0.0123, efficiencyMean: strategy === 'oracle' ? 1 : 0.987, pVsBestPeer, clientFailureRate: 0.0007,
    tokenWeightedFailureRate: 0.0011, largestFailureRate: 0.0042, upstream429Rate: 0.0153, group, label, source: 'docs', multiplierMin: multiplierMean - 0.02, multiplierMax: multiplierMean + 0.02,
  };
}

const m = (mean: number) => ({ mean, ci95: 0.001 });
const curve = (scenario: string, strategy: string, multiple: number): CurveRow => ({
  scenario, group: 'mismatch', strategy, multiple, seeds: 8,
  metrics: { clientRefusedRate: m(0.0314), client429Rate: m(0.03), failureRate: m(0.02), tokenWeightedFailureRate: m(0.02), largestFailureRate: m(0.0521), upstream429Rate: m(0.01) },
});

const REAL_ROW: RealSystemRow = {
  id: 'headroom-fleet', system: 'headroom serve x3', offered: 1000, ok: 990, client429: 10, otherErrors: 0, goodputTpm: 99_000, latencyP50Ms: 3.2, latencyP99Ms: 9.1,
  addedP50Ms: 1.25, addedP99Ms: 2.5, serviceP50Ms: 1.1, sendLateP99Ms: 0.4, upstreamCalls: 1100, upstream429: 3,
};

const JSON_FIXTURE: BenchmarkJson = {
  generatedAt: '2026-11-29T19:00:00.000Z', commit: 'abc1234', command: 'npm run bench -- --publish', machine: '2 x test cpu', mode: 'full', seeds: 8, durationMin: 60,
  bisectionSteps: 8, curveMultiples: [2.4, 2.6, 2.8, 3.0], strategyFilter: [], peers: ['round-robin', 'litellm-usage-v2'], seconds: 1200, failedUnits: [],
  scenarios: [
    { id: 'seed-3x30k', title: 'Worked example', group: 'matched', durationMin: 60, referenceTarget: 'chatbot/ap', regionQuotaTpm: 30_000, singleRegionMultiplierMean: 0.71 },
    { id: 'truth-us-east-half', title: 'us-east-1 truly holds half', group: 'mismatch', durationMin: 60, referenceTarget: 'chatbot/ap', regionQuotaTpm: 30_000, singleRegionMultiplierMean: 0.7 },
  ],
  rows: [
    row('seed-3x30k', 'matched', 'headroom', 'Headroom', 2.7634, 0.1036), row('seed-3x30k', 'matched', 'round-robin', 'Round robin + failover', 2.7537, 0.1036),
    row('seed-3x30k', 'matched', 'litellm-usage-v2', 'LiteLLM usage-based-routing-v2', 2.676, 0.0004), row('seed-3x30k', 'matched', 'oracle', 'Oracle', 2.787, null),
    row('truth-us-east-half', 'mismatch', 'headroom', 'Headroom', 2.5111, 0.0213), row('truth-us-east-half', 'mismatch', 'litellm-usage-v2', 'LiteLLM usage-based-routing-v2', 2.4222, 0.0213),
    row('truth-us-east-half', 'mismatch', 'oracle', 'Oracle', 2.6333, null),
  ],
  curves: [curve('truth-us-east-half', 'headroom', 2.4), curve('truth-us-east-half', 'headroom', 3.0), curve('truth-us-east-half', 'litellm-usage-v2', 2.4)],
  targets: [
    { id: 'matched-at-or-above-every-peer', title: 'Matched scenarios: at or above every peer', met: true, measured: [], reason: 'at or above the best peer in all 1 matched scenarios' },
    { id: 'real-goodput', title: 'Real processes: goodput', met: false, measured: null, reason: 'not measured: run without real processes (--no-real)' },
  ],
  real: {
    setup: '3 x headroom serve on one dynalite table',
    rows: [REAL_ROW],
    rounds: [{ round: 1, order: ['headroom-fleet'], rows: [{ ...REAL_ROW, addedP50Ms: 1.5 }] }],
  },
  router: { throughput: { perSecond: 40_000, nsPerDecision: 25_000, iterations: 100_000 }, bundle: { bytes: 1_217_142, topPackages: [{ name: '@smithy/core', bytes: 120_000 }] }, cold: { requireMs: 150, firstRequestMs: 90, initMs: 240, runs: 7 },
    decisionCost: [{ targets: 30, shared: false, microsPerDecision: 41.5, batches: 15, decisionsPerBatch: 400, placedShare: 1 }, { targets: 30, shared: true, microsPerDecision: 98.25, batches: 15, decisionsPerBatch: 400, placedShare: 1 }] },
};

const markdown = render(JSON_FIXTURE);

describe('render', () => {

  it('shows every row with its mean, interval and p-value', () => {
    for (const r of JSON_FIXTURE.rows) expect(markdown).toContain(`| ${r.scenario} | ${r.label} | ${r.multiplierMean.toFixed(3)}x ± 0.012 |`);
    expect(markdown).toContain('| 0.104 |'); // p 0.1036
    expect(markdown).toContain('| <0.001 |'); // p 0.0004
    expect(markdown).toContain('| 1.53% |'); // upstream 429 / call
  });

  it('summary: Headroom, the best peer by mean (round robin, not LiteLLM), p and the oracle per scenario', () => {
    expect(markdown).toContain('| seed-3x30k | matched | 2.763x ± 0.012 | 2.754x ± 0.012 (Round robin + failover) | 0.104 | 2.787x ± 0.012 | 0.987 |');
    expect(markdown).toContain('| truth-us-east-half | mismatch | 2.511x ± 0.012 | 2.422x ± 0.012 (LiteLLM usage-based-routing-v2) | 0.021 | 2.633x ± 0.012 | 0.987 |');
  });

  it('names the command that reproduces each table', () => {
    expect(markdown).toContain('`npm run bench -- --publish`');
    expect(markdown).toContain('`npm run bench -- --scenarios seed-3x30k --no-real`');
    expect(markdown).toContain('`npm run bench -- --scenarios truth-us-east-half --no-real`');
  });

  it('targets: met and missed, with the reason', () => {
    expect(markdown).toContain('| Matched scenarios: at or above every peer | **met** | at or above the best peer in all 1 matched scenarios |');
    expect(markdown).toContain('| Real processes: goodput | **missed** | not measured: run without real processes (--no-real) |');
  });

  it('curves, the real processes and the router numbers', () => {
    expect(markdown).toContain('| truth-us-east-half | Headroom | 3.14% ± 0.10% | – | – | 3.14% ± 0.10% | 5.21% ± 0.10% | – | – | 5.21% ± 0.10% |');
    expect(markdown).toContain('| headroom serve x3 | 1000 | 990 | 10 (1.00%) | 0 | 99.0k | 3.20 / 9.10 | 1.25 / 2.50 |'); // the mean
    expect(markdown).toContain('| headroom serve x3 | 1000 | 990 | 10 (1.00%) | 0 | 99.0k | 3.20 / 9.10 | 1.50 / 2.50 |'); // round 1
    expect(markdown).toContain('3 x headroom serve on one dynalite table');
    expect(markdown).toContain('40000 place+complete per second');
    expect(markdown).toContain('1.22 MB');
    expect(markdown).toMatch(/30 \| 41\.5 \| 98\.3/); // decision-cost.ts's table
  });
});

it('names failed units and their scenarios', () => {
  const failed = render({ ...JSON_FIXTURE, failedUnits: [{ scenario: 'stale-1000', seed: 3, error: 'TypeError: boom' }] });
  expect(failed).toContain('**1 unit(s) failed**');
  expect(failed).toContain('stale-1000 seed 3: TypeError: boom');
  expect(markdown).not.toContain('failed**');
});

describe('serializeBenchmarkJson', () => {
  it('keeps 6 significant digits, one row per line, and parses back to what render reads', () => {
    expect(roundNumbers({ a: 2.76341234567, b: [0.00123456789], c: null, d: 'x' })).toEqual({ a: 2.76341, b: [0.00123457], c: null, d: 'x' });
    const text = serializeBenchmarkJson(JSON_FIXTURE);
    expect(JSON.parse(text)).toEqual(roundNumbers(JSON_FIXTURE));
    const lines = text.split('\n');
    for (const r of JSON_FIXTURE.rows) expect(lines.filter((l) => l.includes(`"scenario":"${r.scenario}","strategy":"${r.strategy}"`))).toHaveLength(1);
    expect(render(JSON.parse(text) as BenchmarkJson)).toBe(render(roundNumbers(JSON_FIXTURE)));
  });
});

describe('replaceRegion', () => {
  const before = `# Benchmarks\n\nHand-written intro.\n\n${BEGIN_MARKER}\nold generated text\n${END_MARKER}\n\n## Hand-written history\n\nMore text.\n`;

  it('changes only the text between the markers, and re-rendering is idempotent', () => {
    const once = replaceRegion(before, render(JSON_FIXTURE));
    expect(once.startsWith(`# Benchmarks\n\nHand-written intro.\n\n${BEGIN_MARKER}\n`)).toBe(true);
    expect(once.endsWith(`${END_MARKER}\n\n## Hand-written history\n\nMore text.\n`)).toBe(true);
    expect(once).not.toContain('old generated text');
    expect(replaceRegion(once, render(JSON_FIXTURE))).toBe(once);
  });

  it('appends the markers when the document has none', () => {
    const appended = replaceRegion('# Benchmarks\n\nNo markers yet.\n', 'region');
    expect(appended).toBe(`# Benchmarks\n\nNo markers yet.\n\n${BEGIN_MARKER}\nregion\n${END_MARKER}\n`);
    expect(replaceRegion(appended, 'region')).toBe(appended);
  });
});
