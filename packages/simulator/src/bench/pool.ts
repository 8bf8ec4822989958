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

export interface UnitFailure {
  readonly unit: UnitSpec;
  readonly error: string;
}

export interface PoolOutcome {
  /** The units that completed, in the order of `units`. */
  readonly results: UnitResult[];
  /** The units that threw (their error's stack): the run goes on without them, and the caller exits non-zero. */
  readonly failures: UnitFailure[];
}

/**
 * Run every unit on min(jobs, units) workers. A unit that throws is recorded and the others go on
 * (one broken scenario must not lose a 20-minute run); a worker that dies is replaced.
 */
export function runPool(units: readonly UnitSpec[], config: UnitConfig, jobs: number, onProgress?: (progress: PoolProgress) => void): Promise<PoolOutcome> {
  const results: (UnitResult | undefined)[] = new Array(units.length);
  const failures: { index: number; error: string }[] = [];
  if (units.length === 0) return Promise.resolve({ results: [], failures: [] });
  return new Promise((resolvePool) => {
    const workers = new Set<Worker>();
    const started = new Map<number, number>();
    let next = 0;
    let settled = 0;
    const finish = () => {
      for (const w of workers) void w.terminate();
      workers.clear();
      resolvePool({
        results: results.filter((r): r is UnitResult => r !== undefined),
        failures: failures.sort((a, b) => a.index - b.index).map((f) => ({ unit: units[f.index]!, error: f.error })),
      });
    };
    const settle = (index: number) => {
      settled++;
      onProgress?.({ done: settled, total: units.length, unit: units[index]!, ms: performance.now() - (started.get(index) ?? 0) });
    };
    const feed = (worker: Worker, inFlight: { index: number | undefined }) => {
      if (next >= units.length) return;
      inFlight.index = next++;
      started.set(inFlight.index, performance.now());
      worker.postMessage({ index: inFlight.index, spec: units[inFlight.index]! } satisfies ToWorker);
    };
    const spawn = () => {
      const worker = new Worker(workerScript(), { workerData: { role: WORKER_ROLE, config } satisfies WorkerData });
      const inFlight: { index: number | undefined } = { index: undefined };
      workers.add(worker);
      worker.on('message', (message: FromWorker) => {
        inFlight.index = undefined;
        if ('error' in message) failures.push({ index: message.index, error: message.error });
        else results[message.index] = message.result;
        settle(message.index);
        if (settled === units.length) return finish();
        feed(worker, inFlight);
      });
      // A worker lost (an uncaught error, or an exit without one: process.exit, a native crash):
      // fail its unit and carry on with a fresh worker. Each worker is mourned once.
      const lost = (why: string) => {
        if (!workers.delete(worker)) return;
        if (inFlight.index !== undefined) {
          failures.push({ index: inFlight.index, error: why });
          settle(inFlight.index);
          inFlight.index = undefined;
        }
        if (settled === units.length) return finish();
        if (next < units.length) spawn();
      };
      worker.on('error', (error) => lost(error.stack ?? String(error)));
      worker.on('exit', (code) => lost(`the worker exited (code ${code}) while measuring this unit`));
      feed(worker, inFlight);
    };
    for (let i = 0; i < Math.min(Math.max(1, jobs), units.length); i++) spawn();
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
