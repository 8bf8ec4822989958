/**
 * The shape of BENCHMARKS.json and how its rows and curves are computed from per-seed results.
 * Pure: no I/O, no clock. One (scenario, seed) unit is measured in a worker (pool.ts); this file
 * folds the units into one row per (scenario, strategy) and one curve point per (scenario,
 * strategy, load multiple).
 */
import { pairedTTest, summarize } from './stats';
import type { CurveRow, SeedCurvePoint } from './curves';
import type { DecisionCost } from './decision-cost';
import type { RealRound, RealSystemRow } from './real-process';
import type { TargetResult } from './targets';

export type ScenarioGroup = 'matched' | 'mismatch' | 'scale' | 'size';

/** One strategy's numbers on one (scenario, seed), at its strict (<= 0.1% client refusals) sustainable rate. */
export interface SeedStrategyResult {
  readonly strategy: string;
  readonly label: string;
  readonly source: string;
  /** Sustainable rate / the reference region's DECLARED rate. */
  readonly multiplier: number;
  /** The same at <= 1%; null when the loose bisection was skipped for this group. */
  readonly multiplierLoose: number | null;
  /** Sustainable rate / the truth-knowing oracle's; null when the oracle was not run. */
  readonly efficiency: number | null;
  readonly quotaTpm: number;
  /** Failed logical requests / logical requests (after every client retry). */
  readonly failureRate: number;
  readonly tokenWeightedFailureRate: number;
  readonly largestFailureRate: number;
  /** Client 429s / client calls. */
  readonly client429Rate: number;
  /** (Client 429s + outage answers) / client calls: the criterion bisected on. */
  readonly clientRefusedRate: number;
  /** Upstream 429s / client calls (the "of calls"; retries and failovers can push it above 1 attempt's rate). */
  readonly upstream429PerCall: number;
  /** Upstream 429s / upstream attempts. */
  readonly upstream429PerAttempt: number;
  readonly retryAmplification: number;
  readonly addedLatencyP50Ms: number;
  readonly addedLatencyP99Ms: number;
  readonly holds: number;
}

/** Everything one worker returns for one (scenario, seed). Deterministic: no timings. */
export interface UnitResult {
  readonly scenario: string;
  readonly title: string;
  readonly group: ScenarioGroup;
  readonly seed: number;
  readonly durationMin: number;
  readonly referenceTarget: string;
  readonly regionQuotaTpm: number;
  /** The reference region called directly, alone, at <= 0.1%, as a multiple of its declared rate. */
  readonly singleRegionMultiplier: number;
  readonly strategies: readonly SeedStrategyResult[];
  readonly curves: readonly SeedCurvePoint[];
}

/** One row of BENCHMARKS.json: the fields, plus group, label, source and the multiplier's range. */
export interface BenchRow {
  readonly scenario: string;
  readonly strategy: string;
  readonly seeds: number;
  readonly multiplierMean: number;
  /** Half-width of the 95% t interval of the mean over seeds; null for one seed. */
  readonly multiplierCi95: number | null;
  readonly efficiencyMean: number | null;
  /**
   * Two-sided paired t-test (paired by seed) of the multiplier. Headroom's row: against the best
   * peer (the peer with the highest mean in this scenario). A peer's row: that peer against Headroom.
   * null for the oracle, for fewer than 2 seeds, or when the other side was not run.
   */
  readonly pVsBestPeer: number | null;
  /** Mean over seeds of failed logical requests / logical requests, at the strict sustainable rate. */
  readonly clientFailureRate: number;
  readonly tokenWeightedFailureRate: number;
  readonly largestFailureRate: number;
  /** Mean over seeds of upstream 429s / client calls, at the strict sustainable rate. */
  readonly upstream429Rate: number;
  readonly group: ScenarioGroup;
  readonly label: string;
  readonly source: string;
  readonly multiplierMin: number;
  readonly multiplierMax: number;
}

export interface ScenarioInfo {
  readonly id: string;
  readonly title: string;
  readonly group: ScenarioGroup;
  readonly durationMin: number;
  readonly referenceTarget: string;
  readonly regionQuotaTpm: number;
  readonly singleRegionMultiplierMean: number;
}

export const HEADROOM_ID = 'headroom';
export const ORACLE_ID = 'oracle';

function meanOf(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

export function byScenario(units: readonly UnitResult[]): Map<string, UnitResult[]> {
  const out = new Map<string, UnitResult[]>();
  for (const unit of units) out.set(unit.scenario, [...(out.get(unit.scenario) ?? []), unit]);
  for (const list of out.values()) list.sort((a, b) => a.seed - b.seed);
  return out;
}

/** Per strategy, its results on every seed of this scenario, in seed order (a strategy missing on any seed is dropped). */
function perStrategy(units: readonly UnitResult[]): Map<string, SeedStrategyResult[]> {
  const out = new Map<string, SeedStrategyResult[]>();
  for (const s of units[0]?.strategies ?? []) {
    const all = units.map((u) => u.strategies.find((x) => x.strategy === s.strategy));
    if (all.every((x) => x !== undefined)) out.set(s.strategy, all as SeedStrategyResult[]);
  }
  return out;
}

/** The peer with the highest mean multiplier on this scenario (ties: the first in run order). */
export function bestPeerOf(rows: readonly Pick<BenchRow, 'strategy' | 'multiplierMean'>[], isPeer: (id: string) => boolean): string | undefined {
  let best: Pick<BenchRow, 'strategy' | 'multiplierMean'> | undefined;
  for (const row of rows) if (isPeer(row.strategy) && (!best || row.multiplierMean > best.multiplierMean)) best = row;
  return best?.strategy;
}

/** One row per (scenario, strategy), scenarios and strategies in run order. */
export function summarizeRows(units: readonly UnitResult[], isPeer: (id: string) => boolean): BenchRow[] {
  const rows: BenchRow[] = [];
  for (const [scenario, list] of byScenario(units)) {
    const strategies = perStrategy(list);
    const base = [...strategies].map(([strategy, results]) => ({ strategy, results, multiplier: summarize(results.map((r) => r.multiplier)) }));
    const best = bestPeerOf(base.map((b) => ({ strategy: b.strategy, multiplierMean: b.multiplier.mean })), isPeer);
    const headroom = strategies.get(HEADROOM_ID);
    const multipliers = (id: string | undefined) => (id ? strategies.get(id)?.map((r) => r.multiplier) : undefined);
    for (const { strategy, results, multiplier } of base) {
      const other = strategy === HEADROOM_ID ? multipliers(best) : isPeer(strategy) && headroom ? multipliers(HEADROOM_ID) : undefined;
      const test = other ? pairedTTest(results.map((r) => r.multiplier), other) : null;
      const efficiencies = results.map((r) => r.efficiency);
      const first = results[0]!;
      rows.push({
        scenario,
        strategy,
        seeds: results.length,
        multiplierMean: multiplier.mean,
        multiplierCi95: multiplier.ci95,
        efficiencyMean: efficiencies.every((e): e is number => e !== null) ? meanOf(efficiencies) : null,
        pVsBestPeer: test ? test.p : null,
        clientFailureRate: meanOf(results.map((r) => r.failureRate)),
        tokenWeightedFailureRate: meanOf(results.map((r) => r.tokenWeightedFailureRate)),
        largestFailureRate: meanOf(results.map((r) => r.largestFailureRate)),
        upstream429Rate: meanOf(results.map((r) => r.upstream429PerCall)),
        group: list[0]!.group,
        label: first.label,
        source: first.source,
        multiplierMin: multiplier.min,
        multiplierMax: multiplier.max,
      });
    }
  }
  return rows;
}

/** Scenario metadata for the rendered tables, in run order. */
export function scenarioInfos(units: readonly UnitResult[]): ScenarioInfo[] {
  return [...byScenario(units)].map(([id, list]) => ({
    id,
    title: list[0]!.title,
    group: list[0]!.group,
    durationMin: list[0]!.durationMin,
    referenceTarget: list[0]!.referenceTarget,
    regionQuotaTpm: list[0]!.regionQuotaTpm,
    singleRegionMultiplierMean: meanOf(list.map((u) => u.singleRegionMultiplier)),
  }));
}

export interface RouterNumbers {
  readonly throughput: { readonly perSecond: number; readonly nsPerDecision: number; readonly iterations: number };
  readonly bundle: { readonly bytes: number; readonly topPackages: readonly { readonly name: string; readonly bytes: number }[] };
  readonly cold: { readonly requireMs: number; readonly firstRequestMs: number; readonly initMs: number; readonly runs: number };
  /** CPU µs per place + complete at 3, 30 and 100 targets, without and with a shared read (decision-cost.ts). */
  readonly decisionCost?: readonly DecisionCost[];
}

/** BENCHMARKS.json. */
export interface BenchmarkJson {
  readonly generatedAt: string;
  /** `git rev-parse HEAD`, with "+dirty" when the working tree had uncommitted changes. */
  readonly commit: string;
  /** The command that reproduces this file. */
  readonly command: string;
  readonly machine: string;
  readonly mode: 'quick' | 'full';
  /** Seeds per (scenario, strategy): 1..seeds. */
  readonly seeds: number;
  /** Virtual minutes per run (a scenario may set its own: see `scenarios`). */
  readonly durationMin: number;
  /** Bisection steps per sustainable rate. */
  readonly bisectionSteps: number;
  /** Load multiples of the reference region's declared rate for the fixed-load curves. */
  readonly curveMultiples: readonly number[];
  /** Strategy filter (--strategies), empty = all. */
  readonly strategyFilter: readonly string[];
  /** Strategy ids counted as peers (strategies/all.ts isPeer). */
  readonly peers: readonly string[];
  /** Wall-clock seconds the run took (not a result: the machine's, for planning). */
  readonly seconds: number;
  readonly scenarios: readonly ScenarioInfo[];
  /** Units that threw (their scenarios are left out of rows and curves; the run exited non-zero). */
  readonly failedUnits: readonly { readonly scenario: string; readonly seed: number; readonly error: string }[];
  readonly rows: readonly BenchRow[];
  readonly curves: readonly CurveRow[];
  readonly targets: readonly TargetResult[];
  /** The real-process comparison (bench/real-process.ts): the mean over rounds, each round, and the setup in words. */
  readonly real: { readonly setup: string; readonly rows: readonly RealSystemRow[]; readonly rounds: readonly RealRound[] } | null;
  readonly router: RouterNumbers | null;
}

/** Significant digits BENCHMARKS.json keeps: far below any difference the benchmark can resolve. */
export const JSON_SIGNIFICANT_DIGITS = 6;

/** `value` with every number rounded to JSON_SIGNIFICANT_DIGITS (what the file holds, so targets are judged on it). */
export function roundNumbers<T>(value: T): T {
  return JSON.parse(JSON.stringify(value, (_key, v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? Number(v.toPrecision(JSON_SIGNIFICANT_DIGITS)) : v))) as T;
}

/** BENCHMARKS.json text: one line per row, curve point, scenario and target, so a rerun's diff reads row by row. */
export function serializeBenchmarkJson(json: BenchmarkJson): string {
  const entries = Object.entries(roundNumbers(json));
  const lines = ['{'];
  entries.forEach(([key, value], i) => {
    const comma = i < entries.length - 1 ? ',' : '';
    if (Array.isArray(value) && value.length > 0 && typeof value[0] === 'object') {
      lines.push(`  ${JSON.stringify(key)}: [`, ...value.map((item, j) => `    ${JSON.stringify(item)}${j < value.length - 1 ? ',' : ''}`), `  ]${comma}`);
    } else lines.push(`  ${JSON.stringify(key)}: ${JSON.stringify(value)}${comma}`);
  });
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
