/**
 * `npm run bench` (everything) and `npm run bench:quick` (a bounded smoke run for CI).
 * Writes test/benchmark/results/<mode>.json, .md and multiplier-<mode>.svg. Exits non-zero only
 * on errors; missed targets are reported, not failed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { measureScenario, type ScenarioResult } from '../measure';
import { scenarios } from '../scenarios';
import { allStrategies } from '../strategies/all';
import { directStrategy } from '../strategies/stateless';
import { bundleLambda, coldInit } from './lambda';
import { realProcessComparison } from './real-process';
import { multiplierSvg, realTable, scenarioTables, summaryTable } from './report';
import { decisionThroughput } from './throughput';

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const mode = quick ? 'quick' : 'full';
  const root = resolve(__dirname, '../../../..');
  const outDir = resolve(root, 'test/benchmark/results');
  mkdirSync(outDir, { recursive: true });
  const log = (message: string) => process.stdout.write(`[bench ${mode}] ${message}\n`);
  const started = Date.now();

  const results: ScenarioResult[] = [];
  for (const scenario of scenarios(quick ? 60 : 120)) {
    const t0 = Date.now();
    results.push(await measureScenario(scenario, allStrategies(), directStrategy, { iterations: quick ? 7 : 9, onProgress: log }));
    log(`${scenario.id} done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
  const throughput = decisionThroughput(quick ? 20_000 : 100_000);
  log(`decision throughput: ${Math.round(throughput.perSecond)} place+complete/s`);
  const bundle = await bundleLambda(root);
  log(`lambda bundle: ${bundle.bytes} bytes`);
  const cold = await coldInit(root, bundle.file, quick ? 3 : 7);
  log(`cold init: ${cold.initMs.toFixed(0)} ms (require ${cold.requireMs.toFixed(0)} + first request ${cold.firstRequestMs.toFixed(0)})`);
  const real = await realProcessComparison({ root, seconds: quick ? 8 : 20, log });

  const machine = `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}, ${process.platform}`;
  const json = { mode, machine, startedAt: new Date(started).toISOString(), seconds: (Date.now() - started) / 1000, results, throughput, bundle: { bytes: bundle.bytes, topPackages: bundle.topPackages }, cold, real };
  writeFileSync(join(outDir, `${mode}.json`), JSON.stringify(json, null, 1));
  writeFileSync(join(outDir, `multiplier-${mode}.svg`), multiplierSvg(results));
  const md = [
    `# Benchmark results (${mode})`, '', `Machine: ${machine}. Command: \`npm run bench${quick ? ':quick' : ''}\`. Took ${json.seconds.toFixed(0)} s.`, '',
    '## Summary', '', summaryTable(results), '', '## Per scenario', '', scenarioTables(results),
    '## Real processes', '', real.setup, '', realTable(real.rows), '',
    '## Router', '', `- decision throughput: ${Math.round(throughput.perSecond)} place+complete per second (${(throughput.nsPerDecision / 1000).toFixed(1)} µs each)`,
    `- Lambda bundle: ${(bundle.bytes / 1e6).toFixed(2)} MB; largest: ${bundle.topPackages.map((p) => `${p.name} ${(p.bytes / 1e3).toFixed(0)} kB`).join(', ')}`,
    `- cold init (median of ${cold.runs}): ${cold.initMs.toFixed(0)} ms = require ${cold.requireMs.toFixed(0)} ms + first request ${cold.firstRequestMs.toFixed(0)} ms`, '',
  ].join('\n');
  writeFileSync(join(outDir, `${mode}.md`), md);
  log(`wrote ${join(outDir, `${mode}.md`)} in ${json.seconds.toFixed(0)} s`);
}

main().catch((error: unknown) => {
  process.stderr.write(`[bench] failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
