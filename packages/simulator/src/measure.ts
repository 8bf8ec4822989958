import { admissionCharge, LIMIT_KINDS, settledCharge, type LimitKind, type RouterTarget } from '@headroom/plan';
import { runSimulation, type RunResult } from './engine';
import type { Strategy } from './model';
import type { Scenario } from './scenarios';
import { TrafficStream } from './traffic';

/**
 * Tolerances on client-visible refusals the benchmark reports: 429s plus any 529/503 outage answer
 * (`RunResult.clientRefusedRate`), so a refusal counts whatever status it is given.
 */
export const TOLERANCES = { strict: 0.001, loose: 0.01 } as const;

export interface Sustainable {
  /** Nominal requests per minute. */
  readonly ratePerMin: number;
  /** The same load in quota tokens per minute (rate x mean settled charge on the reference target's token limit). */
  readonly quotaTpm: number;
  /** The run at that rate. */
  readonly run: RunResult;
}

export interface StrategyResult {
  readonly strategy: string;
  readonly label: string;
  readonly source: string;
  readonly strict: Sustainable;
  readonly loose: Sustainable;
  /** strict.ratePerMin / oracle's. */
  readonly efficiency: number;
  /** strict load / the reference region's declared quota (the worked example's 80k / 30k). */
  readonly multiplier: number;
  readonly multiplierLoose: number;
  /** strict load / what the reference region sustains alone at the same tolerance. */
  readonly poolingGain: number;
}

export interface ScenarioResult {
  readonly scenario: string;
  readonly title: string;
  readonly rateIs: 'mean' | 'peak';
  readonly referenceTarget: string;
  /** The reference region's capacity in requests per minute of this traffic (binding limit, settled cost). */
  readonly regionRatePerMin: number;
  readonly regionQuotaTpm: number;
  readonly singleRegion: Sustainable;
  readonly singleRegionLoose: Sustainable;
  readonly strategies: readonly StrategyResult[];
}

function tokenLimit(target: RouterTarget): LimitKind {
  return target.limits.tpm !== undefined ? 'tpm' : 'itpm';
}

/** Requests per minute of this traffic that a target's declared limits allow, by its cost model (settled). */
export function targetRatePerMin(target: RouterTarget, stream: TrafficStream): number {
  let rate = Number.POSITIVE_INFINITY;
  for (const kind of LIMIT_KINDS) {
    const limit = target.limits[kind];
    if (limit === undefined) continue;
    const mean = stream.mean((r) => settledCharge(target.cost, r, { inputTokens: r.inputTokens, outputTokens: r.outputTokens })[kind] ?? admissionCharge(target.cost, r)[kind] ?? 0);
    if (mean > 0) rate = Math.min(rate, limit / mean);
  }
  return rate;
}

export interface BisectOptions {
  readonly tolerance: number;
  readonly hi: number;
  /** @default 9 */
  readonly iterations?: number;
}

/** The highest rate at which client refusals (429s and outage answers) stay within the tolerance, by bisection over [0, hi]. */
export async function bisect(run: (rate: number) => Promise<RunResult>, options: BisectOptions): Promise<RunResult> {
  let lo = 0;
  let hi = options.hi;
  let best: RunResult | undefined;
  const top = await run(hi);
  if (top.clientRefusedRate <= options.tolerance) return top;
  for (let i = 0; i < (options.iterations ?? 9); i++) {
    const mid = (lo + hi) / 2;
    const result = await run(mid);
    if (result.clientRefusedRate <= options.tolerance) { lo = mid; best = result; } else hi = mid;
  }
  return best ?? (await run(lo > 0 ? lo : hi / 1024));
}

export interface MeasureOptions {
  readonly seed?: number;
  readonly iterations?: number;
  /** Called after each strategy, for progress output. */
  readonly onProgress?: (message: string) => void;
}

/** The reference region: the one with the largest capacity for this traffic (the 2.7x planning rule compares against one region). */
export function referenceOf(scenario: Pick<Scenario, "config" | "family">, stream: TrafficStream): { target: RouterTarget; rate: number; pooled: number } {
  const targets = scenario.config.families[scenario.family]!.targets.map((k) => scenario.config.targets[k]!);
  const rates = targets.map((t) => ({ target: t, rate: targetRatePerMin(t, stream) }));
  const best = rates.reduce((a, b) => (b.rate > a.rate ? b : a));
  return { ...best, pooled: rates.reduce((s, r) => s + r.rate, 0) };
}

/** Sustainable load, efficiency, multiplier and pooling gain of every strategy on one scenario. */
export async function measureScenario(scenario: Scenario, strategies: readonly Strategy[], single: (targetKey: string) => Strategy, options: MeasureOptions = {}): Promise<ScenarioResult> {
  const seed = options.seed ?? 1;
  const durationMs = scenario.durationMin * 60_000;
  const stream = new TrafficStream(scenario.traffic, durationMs, seed);
  const reference = referenceOf(scenario, stream);
  const kind = tokenLimit(reference.target);
  const meanCharge = stream.mean((r) => settledCharge(reference.target.cost, r, { inputTokens: r.inputTokens, outputTokens: r.outputTokens })[kind] ?? 0);
  const toTpm = (rate: number) => rate * meanCharge;
  const runner = (strategy: Strategy) => {
    const cache = new Map<number, Promise<RunResult>>();
    return (rate: number) => {
      let result = cache.get(rate);
      if (!result) {
        result = runSimulation({
          config: scenario.config, family: scenario.family, stream, ratePerMin: rate, strategy, seed,
          ...(scenario.instances ? { instances: scenario.instances } : {}),
          ...(scenario.store ? { store: scenario.store } : {}),
          ...(scenario.clientRetries ? { clientRetries: scenario.clientRetries } : {}),
          ...(scenario.degraded ? { degraded: { target: scenario.degraded.target, factor: scenario.degraded.factor, fromMs: durationMs * scenario.degraded.fromShare, toMs: durationMs * scenario.degraded.toShare } } : {}),
        });
        cache.set(rate, result);
      }
      return result;
    };
  };
  const sustain = async (strategy: Strategy, tolerance: number, hi: number): Promise<Sustainable> => {
    const run = await bisect(runner(strategy), { tolerance, hi, ...(options.iterations ? { iterations: options.iterations } : {}) });
    return { ratePerMin: run.ratePerMin, quotaTpm: toTpm(run.ratePerMin), run };
  };
  const hiPooled = reference.pooled * (scenario.rateIs === 'peak' ? 1.15 : 1.1);
  const singleStrategy = single(reference.target.key);
  const singleRegion = await sustain(singleStrategy, TOLERANCES.strict, reference.rate * 1.3);
  const singleRegionLoose = await sustain(singleStrategy, TOLERANCES.loose, reference.rate * 1.3);
  const raw: { strategy: Strategy; strict: Sustainable; loose: Sustainable }[] = [];
  for (const strategy of strategies) {
    const strict = await sustain(strategy, TOLERANCES.strict, hiPooled);
    const loose = await sustain(strategy, TOLERANCES.loose, hiPooled);
    raw.push({ strategy, strict, loose });
    options.onProgress?.(`${scenario.id} ${strategy.id}: ${(strict.quotaTpm / 1000).toFixed(1)}k quota-TPM at <=0.1% (${(strict.ratePerMin / reference.rate).toFixed(2)}x)`);
  }
  const oracle = raw.find((r) => r.strategy.id === 'oracle');
  const regionQuotaTpm = reference.target.limits[kind] ?? 0;
  return {
    scenario: scenario.id,
    title: scenario.title,
    rateIs: scenario.rateIs,
    referenceTarget: reference.target.key,
    regionRatePerMin: reference.rate,
    regionQuotaTpm,
    singleRegion,
    singleRegionLoose,
    strategies: raw.map(({ strategy, strict, loose }) => ({
      strategy: strategy.id,
      label: strategy.label,
      source: strategy.source,
      strict,
      loose,
      efficiency: oracle ? strict.ratePerMin / oracle.strict.ratePerMin : Number.NaN,
      multiplier: strict.ratePerMin / reference.rate,
      multiplierLoose: loose.ratePerMin / reference.rate,
      poolingGain: singleRegion.ratePerMin > 0 ? strict.ratePerMin / singleRegion.ratePerMin : Number.NaN,
    })),
  };
}
