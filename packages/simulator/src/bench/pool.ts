/**
 * Runs (scenario, seed) units on `jobs` worker threads (node:worker_threads, each loading the
 * compiled dist/bench/pool.js) and returns their results in unit order. Every unit is deterministic
 * (virtual time, seeded), so the results are the same whatever the number of jobs.
 */
import { resolve } from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { measureScenario } from '../measure';
import { scenarios } from '../scenarios';
import { allStrategies } from '../strategies/all';
import { directStrategy } from '../strategies/stateless';
import { measureCurves, upstream429PerCall } from './curves';
import type { ScenarioGroup, SeedStrategyResult, UnitResult } from './summary';

export interface UnitConfig {
  /** Passed to `scenarios(durationMin)` (a scenario may keep its own shorter duration). */
  readonly durationMin: number;
  readonly bisectionSteps: number;
  /** Strategy ids to run; empty = all. */
  readonly strategies: readonly string[];
  /** Groups whose loose (<= 1%) bisection is run too (the others skip it to halve the cost). */
  readonly looseGroups: readonly ScenarioGroup[];
  /** Multiples of the reference region's declared rate for the fixed-load curves. */
  readonly curveMultiples: readonly number[];
}

export interface UnitSpec {
  readonly scenario: string;
  readonly seed: number;
}

/** One (scenario, seed): every strategy's sustainable rate, then every strategy at each curve load. */
export async function measureUnit(spec: UnitSpec, config: UnitConfig): Promise<UnitResult> {
  const scenario = scenarios(config.durationMin).find((s) => s.id === spec.scenario);
  if (!scenario) throw new Error(`unknown scenario '${spec.scenario}'`);
  const strategies = allStrategies().filter((s) => config.strategies.length === 0 || config.strategies.includes(s.id));
  const loose = config.looseGroups.includes(scenario.group);
  const result = await measureScenario(scenario, strategies, directStrategy, { seed: spec.seed, iterations: config.bisectionSteps, loose });
  const results: SeedStrategyResult[] = result.strategies.map((s) => {
    const run = s.strict.run;
    return {
      strategy: s.strategy, label: s.label, source: s.source,
      multiplier: s.multiplier,
      multiplierLoose: loose ? s.multiplierLoose : null,
      efficiency: Number.isFinite(s.efficiency) ? s.efficiency : null,
      quotaTpm: s.strict.quotaTpm,
      failureRate: run.failureRate,
      tokenWeightedFailureRate: run.tokenWeightedFailureRate,
      largestFailureRate: run.largestFailureRate,
      client429Rate: run.client429Rate,
      clientRefusedRate: run.clientRefusedRate,
      upstream429PerCall: upstream429PerCall(run),
      upstream429PerAttempt: run.upstream429Rate,
      retryAmplification: run.retryAmplification,
      addedLatencyP50Ms: run.addedLatencyP50Ms,
      addedLatencyP99Ms: run.addedLatencyP99Ms,
      holds: run.holds,
    };
  });
  const curves = await measureCurves(scenario, strategies, spec.seed, config.curveMultiples);
  return {
    scenario: scenario.id, title: scenario.title, group: scenario.group, seed: spec.seed, durationMin: scenario.durationMin,
    referenceTarget: result.referenceTarget, regionQuotaTpm: result.regionQuotaTpm,
    singleRegionMultiplier: result.singleRegion.ratePerMin / result.regionRatePerMin,
    strategies: results, curves,
  };
}

const WORKER_ROLE = 'headroom-bench-unit-worker';

interface WorkerData { readonly role: typeof WORKER_ROLE; readonly config: UnitConfig }
type ToWorker = { readonly index: number; readonly spec: UnitSpec };
type FromWorker = { readonly index: number; readonly result: UnitResult } | { readonly index: number; readonly error: string };

/** The compiled worker: this file under dist (jest loads the .ts source, which a worker thread cannot run). */
function workerScript(): string {
  return __filename.endsWith('.ts') ? resolve(__dirname, '../../dist/bench/pool.js') : __filename;
}

export interface PoolProgress {
  readonly done: number;
  readonly total: number;
  readonly unit: UnitSpec;
  /** Wall-clock ms the unit took in its worker (for the time estimate only, never in results). */
  readonly ms: number;
}

/** Run every unit on min(jobs, units) workers; results in the order of `units`. Rejects on the first error. */
export function runPool(units: readonly UnitSpec[], config: UnitConfig, jobs: number, onProgress?: (progress: PoolProgress) => void): Promise<UnitResult[]> {
  const results: (UnitResult | undefined)[] = new Array(units.length);
  if (units.length === 0) return Promise.resolve([]);
  return new Promise((resolvePool, reject) => {
    const workers: Worker[] = [];
    const started = new Map<number, number>();
    let next = 0;
    let done = 0;
    let failed = false;
    const finish = (error?: Error) => {
      if (failed) return;
      if (error) failed = true;
      for (const w of workers) void w.terminate();
      if (error) reject(error);
      else resolvePool(results as UnitResult[]);
    };
    const feed = (worker: Worker) => {
      if (next >= units.length) return;
      const index = next++;
      started.set(index, performance.now());
      worker.postMessage({ index, spec: units[index]! } satisfies ToWorker);
    };
    for (let i = 0; i < Math.min(Math.max(1, jobs), units.length); i++) {
      const worker = new Worker(workerScript(), { workerData: { role: WORKER_ROLE, config } satisfies WorkerData });
      workers.push(worker);
      worker.on('message', (message: FromWorker) => {
        if ('error' in message) return finish(new Error(`unit ${units[message.index]!.scenario} seed ${units[message.index]!.seed}: ${message.error}`));
        results[message.index] = message.result;
        done++;
        onProgress?.({ done, total: units.length, unit: units[message.index]!, ms: performance.now() - (started.get(message.index) ?? 0) });
        if (done === units.length) return finish();
        feed(worker);
      });
      worker.on('error', (error) => finish(error));
      worker.on('exit', (code) => { if (code !== 0 && done < units.length) finish(new Error(`a benchmark worker exited with code ${code}`)); });
      feed(worker);
    }
  });
}

if (!isMainThread && (workerData as Partial<WorkerData> | null)?.role === WORKER_ROLE) {
  const { config } = workerData as WorkerData;
  parentPort!.on('message', (message: ToWorker) => {
    measureUnit(message.spec, config).then(
      (result) => parentPort!.postMessage({ index: message.index, result } satisfies FromWorker),
      (error: unknown) => parentPort!.postMessage({ index: message.index, error: (error as Error).stack ?? String(error) } satisfies FromWorker),
    );
  });
}
