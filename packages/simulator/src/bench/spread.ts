/**
 * How much Headroom's sustainable load depends on the router's own random stream: the benchmark's
 * scenarios, the same traffic, Headroom with N different router rng streams (stream 0 is the one
 * `npm run bench` uses). Not part of `npm run bench` (it takes about as long again).
 *
 *   npx tsc -b && node packages/simulator/dist/bench/spread.js [streams=6] [--quick]
 */
import { measureScenario } from '../measure';
import type { Strategy } from '../model';
import { scenarios } from '../scenarios';
import { headroomStrategy } from '../strategies/headroom';
import { directStrategy } from '../strategies/stateless';

/** Headroom with the router's rng taken from stream `k` of the world's randomness (0: the benchmark's own). */
export function headroomOnStream(k: number): Strategy {
  const base = headroomStrategy();
  if (k === 0) return base;
  return { ...base, id: `headroom-rng${k}`, label: `Headroom (rng stream ${k})`, instances: (world, count) => base.instances({ ...world, random: world.random.fork(1000 + k) }, count) };
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const streams = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 6);
  const strategies = Array.from({ length: streams }, (_, k) => headroomOnStream(k));
  process.stdout.write('| scenario | multiplier @<=0.1% per stream | min | median | max | @<=1% min-max |\n|---|---|---|---|---|---|\n');
  for (const scenario of scenarios(quick ? 60 : 120)) {
    const result = await measureScenario(scenario, strategies, directStrategy, { iterations: quick ? 7 : 9 });
    const strict = result.strategies.map((s) => s.multiplier);
    const loose = result.strategies.map((s) => s.multiplierLoose);
    const sorted = [...strict].sort((a, b) => a - b);
    const median = sorted.length % 2 ? sorted[(sorted.length - 1) / 2]! : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
    const f = (x: number) => x.toFixed(3);
    process.stdout.write(`| ${scenario.id} | ${strict.map(f).join(' ')} | ${f(sorted[0]!)} | ${f(median)} | ${f(sorted[sorted.length - 1]!)} | ${f(Math.min(...loose))}-${f(Math.max(...loose))} |\n`);
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`[spread] failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  });
}
