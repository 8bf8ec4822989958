/**
 * `npm run bench` (the full run; `-- --publish` also writes BENCHMARKS.json and BENCHMARKS.md's
 * generated region) and `npm run bench:quick` (the bounded CI smoke run, never writes root files).
 * `node packages/simulator/dist/bench/main.js --help` lists the options. Exits non-zero only on
 * errors (2 for a bad command line); a missed target is reported, never failed.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { scenarios } from '../scenarios';
import { allStrategies, isPeer } from '../strategies/all';
import { HELP, parseBenchArgs, type BenchOptions } from './cli-options';
import { CURVE_MULTIPLES, summarizeCurves } from './curves';
import { decisionCost } from './decision-cost';
import { bundleLambda, coldInit } from './lambda';
import { runPool, type UnitConfig, type UnitSpec } from './pool';
import { realProcessComparison } from './real-process';
import { render, replaceRegion } from './render';
import { multiplierSvg } from './report';
import { roundNumbers, scenarioInfos, serializeBenchmarkJson, summarizeRows, type BenchmarkJson, type RouterNumbers, type ScenarioGroup } from './summary';
import { evaluateTargets } from './targets';
import { decisionThroughput } from './throughput';

/**
 * Per mode: virtual minutes, bisection steps (one step = 1/2^steps of the search range) and which
 * groups also get the <= 1% bisection. Sized for ~25 min (full, 8 seeds) and ~90 s (quick) on 2 idle cores.
 */
const BUDGET: Readonly<Record<BenchOptions['mode'], { durationMin: number; bisectionSteps: number; looseGroups: readonly ScenarioGroup[] }>> = {
  full: { durationMin: 60, bisectionSteps: 8, looseGroups: ['matched'] },
  quick: { durationMin: 20, bisectionSteps: 6, looseGroups: [] },
};

/** Units run in this order of groups: production-size quotas and long prompts cost 3-5x a matched scenario per seed. */
const SCHEDULE_ORDER: readonly ScenarioGroup[] = ['scale', 'size', 'matched', 'mismatch'];

/** The smoke run's one scenario per group (the cheapest of each). */
const QUICK_SCENARIOS = ['seed-3x30k', 'truth-us-east-half', 'stale-1000', 'long-prompts-2pct'];

function commitOf(root: string): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: root, encoding: 'utf8' }).trim() !== '';
    return dirty ? `${head}+dirty` : head;
  } catch {
    return 'unknown';
  }
}

function commandOf(options: BenchOptions): string {
  const rest = options.argv.filter((a) => a !== '--quick');
  if (options.mode === 'quick') return rest.length > 0 ? `npm run bench:quick -- ${rest.join(' ')}` : 'npm run bench:quick';
  return options.argv.length > 0 ? `npm run bench -- ${options.argv.join(' ')}` : 'npm run bench';
}

const minutes = (ms: number) => `${(ms / 60_000).toFixed(1)} min`;

function usage(message: string): void {
  process.stderr.write(`main.js: ${message}\n\n${HELP}`);
  process.exitCode = 2;
}

async function run(options: BenchOptions): Promise<void> {
  const root = resolve(__dirname, '../../../..');
  const budget = BUDGET[options.mode];
  const known = scenarios(budget.durationMin);
  const unknownScenarios = options.scenarios.filter((id) => !known.some((s) => s.id === id));
  const strategyIds = allStrategies().map((s) => s.id);
  const unknownStrategies = options.strategies.filter((id) => !strategyIds.includes(id));
  if (unknownScenarios.length > 0) return usage(`unknown scenario(s) ${unknownScenarios.join(', ')}; known: ${known.map((s) => s.id).join(', ')}`);
  if (unknownStrategies.length > 0) return usage(`unknown strategy id(s) ${unknownStrategies.join(', ')}; known: ${strategyIds.join(', ')}`);

  const log = (message: string) => process.stdout.write(`[bench ${options.mode}] ${message}\n`);
  const started = Date.now();
  // Read before the run: the code measured is what was built when it started, whatever lands meanwhile.
  const commit = commitOf(root);
  const chosen = options.scenarios.length > 0 ? options.scenarios : options.mode === 'quick' ? QUICK_SCENARIOS.filter((id) => known.some((s) => s.id === id)) : known.map((s) => s.id);
  const ordered = known.map((s) => s.id).filter((id) => chosen.includes(id));
  // The costly groups go first (longest first balances the workers and keeps the estimate from being optimistic);
  // the results are put back in scenario order below.
  const groupOf = (id: string) => known.find((s) => s.id === id)!.group;
  const units: UnitSpec[] = ordered
    .flatMap((scenario) => Array.from({ length: options.seeds }, (_, i) => ({ scenario, seed: i + 1 })))
    .sort((a, b) => SCHEDULE_ORDER.indexOf(groupOf(a.scenario)) - SCHEDULE_ORDER.indexOf(groupOf(b.scenario)));
  const config: UnitConfig = { ...budget, strategies: options.strategies, curveMultiples: CURVE_MULTIPLES };
  log(`${units.length} units (${ordered.length} scenarios x ${options.seeds} seeds) on ${options.jobs} worker(s): ${budget.durationMin} virtual min, ${budget.bisectionSteps}-step bisection, loose for ${budget.looseGroups.join(', ') || 'no group'}`);
  const { results: unitResults, failures } = await runPool(units, config, options.jobs, (p) => {
    const elapsed = Date.now() - started;
    log(`${p.done}/${p.total} ${p.unit.scenario} seed ${p.unit.seed} (${(p.ms / 1000).toFixed(1)} s); ${minutes(elapsed)} so far, about ${minutes((elapsed / p.done) * (p.total - p.done))} left for the simulator`);
  });
  for (const failure of failures) process.stderr.write(`[bench ${options.mode}] FAILED ${failure.unit.scenario} seed ${failure.unit.seed}: ${failure.error}\n`);
  // A scenario with a failed seed is left out whole: its means would rest on fewer seeds than the rest.
  const failedScenarios = new Set(failures.map((f) => f.unit.scenario));
  const complete = unitResults
    .filter((u) => !failedScenarios.has(u.scenario))
    .sort((a, b) => ordered.indexOf(a.scenario) - ordered.indexOf(b.scenario) || a.seed - b.seed);
  const rows = summarizeRows(complete, isPeer);
  const curves = summarizeCurves(complete);

  const throughput = decisionThroughput(options.mode === 'quick' ? 20_000 : 100_000);
  log(`decision throughput: ${Math.round(throughput.perSecond)} place+complete/s`);
  const bundle = await bundleLambda(root);
  log(`lambda bundle: ${bundle.bytes} bytes`);
  const cold = await coldInit(root, bundle.file, options.mode === 'quick' ? 3 : 7);
  log(`cold init: ${cold.initMs.toFixed(0)} ms (require ${cold.requireMs.toFixed(0)} + first request ${cold.firstRequestMs.toFixed(0)})`);
  const costs = decisionCost(options.mode === 'quick' ? { batches: 3, decisionsPerBatch: 100 } : {});
  log(`decision cost: ${costs.map((c) => `${c.targets} targets${c.shared ? ' + shared read' : ''} ${c.microsPerDecision.toFixed(1)} µs`).join(', ')}`);
  const router: RouterNumbers = {
    throughput, bundle: { bytes: bundle.bytes, topPackages: bundle.topPackages },
    cold: { requireMs: cold.requireMs, firstRequestMs: cold.firstRequestMs, initMs: cold.initMs, runs: cold.runs }, decisionCost: costs,
  };
  const real = options.real ? await realProcessComparison({ root, quick: options.mode === 'quick', log }) : null;

  const peers = [...new Set(rows.map((r) => r.strategy))].filter((id) => isPeer(id));
  const machine = `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}, ${process.platform}`;
  // Rounded as the file keeps it before the targets are judged, so `render.js` on the file says exactly what this run said.
  const measured: BenchmarkJson = roundNumbers({
    generatedAt: new Date().toISOString(), commit, command: commandOf(options), machine, mode: options.mode, seeds: options.seeds,
    durationMin: budget.durationMin, bisectionSteps: budget.bisectionSteps, curveMultiples: CURVE_MULTIPLES, strategyFilter: options.strategies, peers,
    seconds: (Date.now() - started) / 1000, scenarios: scenarioInfos(complete), rows, curves,
    failedUnits: failures.map((f) => ({ ...f.unit, error: f.error.split('\n')[0]! })),
    targets: [], real, router,
  });
  const json: BenchmarkJson = { ...measured, targets: evaluateTargets(measured) };

  const outDir = resolve(root, options.out);
  mkdirSync(outDir, { recursive: true });
  const text = serializeBenchmarkJson(json);
  writeFileSync(join(outDir, `${options.mode}.json`), text);
  writeFileSync(join(outDir, `${options.mode}.md`), `# Benchmark results (${options.mode})\n\n${render(json)}\n`);
  writeFileSync(join(outDir, `multiplier-${options.mode}.svg`), multiplierSvg(json.rows));
  log(`wrote ${join(outDir, `${options.mode}.{json,md}`)} and multiplier-${options.mode}.svg`);
  if (options.publish) {
    writeFileSync(join(root, 'BENCHMARKS.json'), text);
    const mdFile = join(root, 'BENCHMARKS.md');
    writeFileSync(mdFile, replaceRegion(readFileSync(mdFile, 'utf8'), render(json)));
    writeFileSync(join(root, 'BENCHMARKS-multiplier.svg'), multiplierSvg(json.rows));
    log('published BENCHMARKS.json, the generated region of BENCHMARKS.md and BENCHMARKS-multiplier.svg');
  }
  for (const target of json.targets) log(`target ${target.met ? 'met   ' : 'MISSED'} ${target.id}: ${target.reason}`);
  log(`done in ${minutes(Date.now() - started)}`);
  if (failures.length > 0) {
    process.stderr.write(`[bench ${options.mode}] ${failures.length} unit(s) failed; their scenarios (${[...failedScenarios].join(', ')}) are left out of the results\n`);
    process.exitCode = 1;
  }
}

function main(): Promise<void> {
  const parsed = parseBenchArgs(process.argv.slice(2));
  if (parsed.kind === 'help') {
    process.stdout.write(HELP);
    return Promise.resolve();
  }
  if (parsed.kind === 'error') {
    usage(parsed.message);
    return Promise.resolve();
  }
  return run(parsed.options);
}

main().catch((error: unknown) => {
  process.stderr.write(`[bench] failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
