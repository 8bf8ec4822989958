import { admissionCharge, LIMIT_KINDS, settledCharge, type LimitKind, type RouterTarget } from '@headroom/plan';
import { runSimulation, type RunResult, type RunSpec } from './engine';
import type { Strategy } from './model';
import type { Scenario, ScenarioGroup } from './scenarios';
import { TrafficStream } from './traffic';
import { trueTarget } from './truth';

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
  readonly group: ScenarioGroup;
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
  /**
   * Also bisect the <=1% (loose) tolerance. @default true. When false the loose bisections are
   * skipped (half the cost) and every `loose` field equals its strict one.
   */
  readonly loose?: boolean;
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

/** One scenario at one seed, ready to run: the stream, the reference region and how to build a RunSpec. */
export interface ScenarioSetup {
  readonly stream: TrafficStream;
  /** The reference region by DECLARED limits (what the user planned): multipliers are relative to its rate. */
  readonly reference: { readonly target: RouterTarget; readonly rate: number; readonly pooled: number };
  /** The pooled capacity the providers really have (truth applied to the limits); = reference.pooled when matched. */
  readonly truePooled: number;
  /** The reference region's true capacity. */
  readonly trueReferenceRate: number;
  /** Requests per minute to quota tokens per minute on the reference target's token limit. */
  readonly toTpm: (ratePerMin: number) => number;
  readonly tokenLimit: LimitKind;
  /** The RunSpec every measurement of this scenario uses, for one strategy at one rate. */
  spec(strategy: Strategy, ratePerMin: number): RunSpec;
}

/** Build the one RunSpec shape both measureScenario and runAtMultiple use. */
export function scenarioSetup(scenario: Scenario, seed: number): ScenarioSetup {
  const durationMs = scenario.durationMin * 60_000;
  const stream = new TrafficStream(scenario.traffic, durationMs, seed);
  const reference = referenceOf(scenario, stream);
  const kind = tokenLimit(reference.target);
  const meanCharge = stream.mean((r) => settledCharge(reference.target.cost, r, { inputTokens: r.inputTokens, outputTokens: r.outputTokens })[kind] ?? 0);
  const targets = scenario.config.families[scenario.family]!.targets.map((k) => scenario.config.targets[k]!);
  const trueRate = (t: RouterTarget) => (scenario.truth?.[t.key] ? targetRatePerMin(trueTarget(t, scenario.truth[t.key]), stream) : targetRatePerMin(t, stream));
  const truePooled = scenario.truth ? targets.reduce((sum, t) => sum + trueRate(t), 0) : reference.pooled;
  return {
    stream,
    reference,
    truePooled,
    trueReferenceRate: scenario.truth ? trueRate(reference.target) : reference.rate,
    toTpm: (rate) => rate * meanCharge,
    tokenLimit: kind,
    spec: (strategy, ratePerMin) => ({
      config: scenario.config, family: scenario.family, stream, ratePerMin, strategy, seed,
      ...(scenario.instances ? { instances: scenario.instances } : {}),
      ...(scenario.store ? { store: scenario.store } : {}),
      ...(scenario.clientRetries ? { clientRetries: scenario.clientRetries } : {}),
      ...(scenario.degraded ? { degraded: { target: scenario.degraded.target, factor: scenario.degraded.factor, fromMs: durationMs * scenario.degraded.fromShare, toMs: durationMs * scenario.degraded.toShare } } : {}),
      ...(scenario.failing ? { failing: scenario.failing } : {}),
      ...(scenario.truth ? { truth: scenario.truth } : {}),
    }),
  };
}

/** The last few setups by (scenario object, seed): building one (~20k requests and their means) costs about a run. */
const recentSetups: { readonly scenario: Scenario; readonly seed: number; readonly setup: ScenarioSetup }[] = [];
const RECENT_SETUPS = 8;

function cachedSetup(scenario: Scenario, seed: number): ScenarioSetup {
  const hit = recentSetups.find((r) => r.scenario === scenario && r.seed === seed);
  if (hit) return hit.setup;
  const setup = scenarioSetup(scenario, seed);
  recentSetups.unshift({ scenario, seed, setup });
  recentSetups.length = Math.min(recentSetups.length, RECENT_SETUPS);
  return setup;
}

/**
 * One strategy at `multiple` x the reference region's DECLARED rate (the fixed-load curves:
 * 2.4x, 2.6x, 2.8x, 3.0x), on the same stream and RunSpec as measureScenario. Reuses the setup of
 * the same scenario object and seed across calls (a stream replays identically whatever was drawn before).
 */
export function runAtMultiple(scenario: Scenario, strategy: Strategy, seed: number, multiple: number): Promise<RunResult> {
  const setup = cachedSetup(scenario, seed);
  return runSimulation(setup.spec(strategy, multiple * setup.reference.rate));
}

/** Sustainable load, efficiency, multiplier and pooling gain of every strategy on one scenario. */
export async function measureScenario(scenario: Scenario, strategies: readonly Strategy[], single: (targetKey: string) => Strategy, options: MeasureOptions = {}): Promise<ScenarioResult> {
  const seed = options.seed ?? 1;
  const withLoose = options.loose ?? true;
  const setup = scenarioSetup(scenario, seed);
  const { reference, toTpm } = setup;
  const kind = setup.tokenLimit;
  const runner = (strategy: Strategy) => {
    const cache = new Map<number, Promise<RunResult>>();
    return (rate: number) => {
      let result = cache.get(rate);
      if (!result) {
        result = runSimulation(setup.spec(strategy, rate));
        cache.set(rate, result);
      }
      return result;
    };
  };
  const sustain = async (strategy: Strategy, tolerance: number, hi: number): Promise<Sustainable> => {
    const run = await bisect(runner(strategy), { tolerance, hi, ...(options.iterations ? { iterations: options.iterations } : {}) });
    return { ratePerMin: run.ratePerMin, quotaTpm: toTpm(run.ratePerMin), run };
  };
  // The bound covers providers that really hold more than declared (the harness may read the truth).
  const hiPooled = Math.max(reference.pooled, setup.truePooled) * (scenario.rateIs === 'peak' ? 1.15 : 1.1);
  const hiSingle = Math.max(reference.rate, setup.trueReferenceRate) * 1.3;
  const singleStrategy = single(reference.target.key);
  const singleRegion = await sustain(singleStrategy, TOLERANCES.strict, hiSingle);
  const singleRegionLoose = withLoose ? await sustain(singleStrategy, TOLERANCES.loose, hiSingle) : singleRegion;
  const raw: { strategy: Strategy; strict: Sustainable; loose: Sustainable }[] = [];
  for (const strategy of strategies) {
    const strict = await sustain(strategy, TOLERANCES.strict, hiPooled);
    const loose = withLoose ? await sustain(strategy, TOLERANCES.loose, hiPooled) : strict;
    raw.push({ strategy, strict, loose });
    options.onProgress?.(`${scenario.id} ${strategy.id}: ${(strict.quotaTpm / 1000).toFixed(1)}k quota-TPM at <=0.1% (${(strict.ratePerMin / reference.rate).toFixed(2)}x)`);
  }
  const oracle = raw.find((r) => r.strategy.id === 'oracle');
  const regionQuotaTpm = reference.target.limits[kind] ?? 0;
  return {
    scenario: scenario.id,
    title: scenario.title,
    group: scenario.group,
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
