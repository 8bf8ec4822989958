/**
 * Fixed-load curves (issue 13, "Statistics"): every strategy at fixed multiples of the reference
 * region's DECLARED rate (2.4x, 2.6x, 2.8x, 3.0x: around the 2.7x planning rule and the 3x pooled
 * quota), on the same stream and RunSpec as the sustainable-rate bisection (measure.ts
 * runAtMultiple); what clients see at each load, mean and 95% interval over seeds.
 */
import type { RunResult } from '../engine';
import { runAtMultiple } from '../measure';
import type { Strategy } from '../model';
import type { Scenario } from '../scenarios';
import { summarize } from './stats';
import { byScenario, type ScenarioGroup, type UnitResult } from './summary';

export const CURVE_MULTIPLES: readonly number[] = [2.4, 2.6, 2.8, 3.0];

/** The numbers a fixed-load curve point carries, from one run at a fixed multiple of the declared reference rate. */
export const CURVE_METRICS = ['clientRefusedRate', 'client429Rate', 'failureRate', 'tokenWeightedFailureRate', 'largestFailureRate', 'upstream429Rate'] as const;
export type CurveMetric = (typeof CURVE_METRICS)[number];

export interface SeedCurvePoint {
  readonly strategy: string;
  readonly multiple: number;
  /** upstream429Rate here is per client call, like the rows'. */
  readonly metrics: Readonly<Record<CurveMetric, number>>;
}

export interface MeanCi {
  readonly mean: number;
  readonly ci95: number | null;
}

export interface CurveRow {
  readonly scenario: string;
  readonly group: ScenarioGroup;
  readonly strategy: string;
  readonly multiple: number;
  readonly seeds: number;
  readonly metrics: Readonly<Record<CurveMetric, MeanCi>>;
}

/** Upstream 429s per client call (the "of calls"), as the rows count them. */
export function upstream429PerCall(run: RunResult): number {
  return run.clientCalls > 0 ? run.upstream429 / run.clientCalls : 0;
}

function curveMetrics(run: RunResult): SeedCurvePoint['metrics'] {
  return {
    clientRefusedRate: run.clientRefusedRate,
    client429Rate: run.client429Rate,
    failureRate: run.failureRate,
    tokenWeightedFailureRate: run.tokenWeightedFailureRate,
    largestFailureRate: run.largestFailureRate,
    upstream429Rate: upstream429PerCall(run),
  };
}

/** Every strategy at every multiple on one (scenario, seed), strategies in the order given. */
export async function measureCurves(scenario: Scenario, strategies: readonly Strategy[], seed: number, multiples: readonly number[]): Promise<SeedCurvePoint[]> {
  const points: SeedCurvePoint[] = [];
  for (const strategy of strategies) {
    for (const multiple of multiples) points.push({ strategy: strategy.id, multiple, metrics: curveMetrics(await runAtMultiple(scenario, strategy, seed, multiple)) });
  }
  return points;
}

/** One point per (scenario, strategy, multiple): every curve metric's mean and 95% interval over seeds. */
export function summarizeCurves(units: readonly UnitResult[]): CurveRow[] {
  const out: CurveRow[] = [];
  for (const [scenario, list] of byScenario(units)) {
    const keys = (list[0]?.curves ?? []).map((c) => [c.strategy, c.multiple] as const);
    for (const [strategy, multiple] of keys) {
      const points = list.map((u) => u.curves.find((c) => c.strategy === strategy && c.multiple === multiple));
      if (!points.every((p) => p !== undefined)) continue;
      const metrics = Object.fromEntries(CURVE_METRICS.map((m) => {
        const s = summarize(points.map((p) => p!.metrics[m]));
        return [m, { mean: s.mean, ci95: s.ci95 }];
      })) as Record<CurveMetric, MeanCi>;
      out.push({ scenario, group: list[0]!.group, strategy, multiple, seeds: points.length, metrics });
    }
  }
  return out;
}

