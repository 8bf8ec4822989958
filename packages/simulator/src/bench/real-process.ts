/**
 * Real processes on loopback (issue #13, "Real processes"): `headroom emulate` (three Azure OpenAI
 * regions on a compressed clock) as the upstream, and under the same open-loop load at 105-110% of
 * the pooled quota: direct calls (the latency baseline), a fleet of `headroom serve` processes
 * sharing one dynalite table, one `headroom serve`, and the Portkey gateway (loadbalance + nested
 * fallback on 429, and bare loadbalance). Several rounds, alternating the order of systems.
 *
 * `node packages/simulator/dist/bench/real-process.js [--quick] [--rounds N] [--json FILE]`
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { azurePlan } from '../scenarios';
import type { Started } from './processes';
import { drive, MODEL, planRequests, summarise, WARMUP_EXTRA_MIN, type LoadShape, type Measured, type Send } from './real-load';
import {
  directSend, portkeyConfigs, portkeySend, portkeyTargets, routerSend, startDynalite, startPortkey, startRouters, startUpstream, upstreamCounts,
  type Upstream,
} from './real-systems';

/** The numbers every real-process row has (what BENCHMARKS.json keeps and report.ts renders). */
export interface RealRow extends Pick<Measured, 'offered' | 'ok' | 'client429' | 'otherErrors' | 'goodputTpm' | 'latencyP50Ms' | 'latencyP99Ms'> {
  readonly system: string;
  /** p50/p99 minus the direct calls' p50/p99 in the same round (real ms). */
  readonly addedP50Ms: number;
  readonly addedP99Ms: number;
}

/** One system under the load, in one round or averaged over rounds. */
export interface RealSystemRow extends RealRow, Measured {
  readonly id: RealSystemId;
  /** Calls that reached the upstream, and its 429s, from the first measured call to the last answer. */
  readonly upstreamCalls: number;
  readonly upstream429: number;
}

export interface RealRound {
  readonly round: number;
  readonly order: readonly RealSystemId[];
  readonly rows: readonly RealSystemRow[];
}

export interface RealOptions {
  readonly root: string;
  /** CI smoke run: one round, three systems, a faster clock, one measured minute, under ~25 s. */
  readonly quick?: boolean;
  /** @default 3 (quick: 1) */
  readonly rounds?: number;
  /** Emulated seconds per real second. @default 15 (quick: 40) */
  readonly timeScale?: number;
  /** Offered load while measured, as a share of the pooled quota. @default 1.07 */
  readonly loadShare?: number;
  /** Emulated minutes measured after the warm-up. @default 2.5 (quick: 1, a smoke run below the 2) */
  readonly measuredMin?: number;
  readonly log?: (message: string) => void;
  /** @deprecated the old per-system seconds, still passed by main.ts: under 10 means `quick`. */
  readonly seconds?: number;
}

export type RealSystemId = 'direct' | 'headroom-fleet' | 'headroom-single' | 'headroom-single-store' | 'portkey-fallback' | 'portkey-loadbalance';

export const FLEET_SIZE = 3;
const LABELS: Readonly<Record<RealSystemId, string>> = {
  direct: 'direct (client round robin)',
  'headroom-fleet': `headroom serve x${FLEET_SIZE} (shared dynalite table)`,
  'headroom-single': 'headroom serve x1 (reference, no store)',
  // The fleet's store cost without the fleet: what the DynamoDB round trips add to one process.
  'headroom-single-store': 'headroom serve x1 on a dynalite table (the store\'s cost)',
  'portkey-fallback': 'portkey gateway (loadbalance + nested fallback on 429)',
  'portkey-loadbalance': 'portkey gateway (bare loadbalance)',
};
const FULL_SYSTEMS: readonly RealSystemId[] = ['direct', 'headroom-fleet', 'headroom-single', 'headroom-single-store', 'portkey-fallback', 'portkey-loadbalance'];
const QUICK_SYSTEMS: readonly RealSystemId[] = ['direct', 'headroom-fleet', 'portkey-fallback'];

const REGION_TPM = 30_000;
/**
 * Prompt ~8,000 characters (~2,000 tokens) + max_tokens 2,500: Azure charges ~4,500 tokens a call
 * (more on average: the prompt is lognormal), so 107% of 90k TPM is ~21 calls per emulated minute.
 * Few, large calls on purpose: every process shares one busy 2-core machine, and a `headroom serve`
 * with the store spends ~12 ms of CPU a call there (three DynamoDB calls through the AWS SDK), so
 * a faster stream of calls measures the machine's queue, not the router.
 */
const REQUEST = { promptChars: 8_000, maxTokens: 2_500 };
/** The upstream refills a full bucket in one emulated minute; wait a little more between systems. */
const REFILL_MIN = 70 / 60;

/** Round r runs the systems forward when r is even, backward when odd, so no system always goes first. */
export function roundOrder(systems: readonly RealSystemId[], round: number): RealSystemId[] {
  return round % 2 === 0 ? [...systems] : [...systems].reverse();
}

/** Rows with added latency against the direct row of the same round. */
export function withAdded(rows: readonly Omit<RealSystemRow, 'addedP50Ms' | 'addedP99Ms'>[]): RealSystemRow[] {
  const direct = rows.find((r) => r.id === 'direct');
  return rows.map((r) => ({ ...r, addedP50Ms: direct ? r.latencyP50Ms - direct.latencyP50Ms : Number.NaN, addedP99Ms: direct ? r.latencyP99Ms - direct.latencyP99Ms : Number.NaN }));
}

const NUMERIC: readonly (keyof RealSystemRow)[] = [
  'offered', 'ok', 'client429', 'otherErrors', 'goodputTpm', 'latencyP50Ms', 'latencyP99Ms', 'serviceP50Ms', 'sendLateP99Ms', 'addedP50Ms', 'addedP99Ms', 'upstreamCalls', 'upstream429',
];

/** Per system, the mean of every number over the rounds (counts too: a mean round). */
export function meanRows(rounds: readonly RealRound[]): RealSystemRow[] {
  const ids = rounds[0]?.rows.map((r) => r.id) ?? [];
  return FULL_SYSTEMS.filter((id) => ids.includes(id)).map((id) => {
    const rows = rounds.map((round) => round.rows.find((r) => r.id === id)!);
    const mean = Object.fromEntries(NUMERIC.map((key) => [key, rows.reduce((sum, r) => sum + (r[key] as number), 0) / rows.length]));
    return { ...rows[0]!, ...mean } as RealSystemRow;
  });
}

export async function realProcessComparison(options: RealOptions): Promise<{ rows: RealSystemRow[]; rounds: RealRound[]; setup: string }> {
  const log = options.log ?? (() => undefined);
  const quick = options.quick ?? (options.seconds !== undefined && options.seconds < 10);
  const timeScale = options.timeScale ?? (quick ? 40 : 15);
  const roundCount = options.rounds ?? (quick ? 1 : 3);
  const systems = quick ? QUICK_SYSTEMS : FULL_SYSTEMS;
  const shapeOf = (round: number): LoadShape => ({
    pooledTpm: 3 * REGION_TPM, loadShare: options.loadShare ?? 1.07, warmupMin: quick ? 1 : 2, measuredMin: options.measuredMin ?? (quick ? 1 : 2.5), ...REQUEST, seed: 42 + round,
  });
  const dir = mkdtempSync(join(tmpdir(), 'headroom-bench-'));
  const planFile = join(dir, 'azure.yaml');
  writeFileSync(planFile, JSON.stringify(azurePlan(), null, 1)); // YAML is a superset of JSON
  const started: Started[] = [];
  const wallStart = performance.now();
  try {
    const [upstream, store, portkey] = await Promise.all([startUpstream(options.root, planFile, timeScale), startDynalite(options.root), startPortkey(options.root)]);
    started.push(upstream.process, store.process, portkey.process);
    log(`real processes: emulator pid ${upstream.process.pid}, dynalite pid ${store.process.pid} (${store.endpoint}), portkey pid ${portkey.process.pid} (${portkey.url})`);
    const gatewayTargets = portkeyTargets(upstream.targets, REGION_TPM);
    const rounds: RealRound[] = [];
    for (let round = 0; round < roundCount; round++) {
      const order = roundOrder(systems, round);
      const requests = planRequests(shapeOf(round));
      const rows: Omit<RealSystemRow, 'addedP50Ms' | 'addedP99Ms'>[] = [];
      for (const id of order) {
        const run = async (send: Send) => {
          log(`real processes: round ${round + 1}, ${LABELS[id]}: ${requests.length} requests over ${(requests.at(-1)!.atMs / 60_000).toFixed(1)} emulated min`);
          // The upstream's counters from when the first measured call is sent (the warm-up's 429s are not the system's steady state).
          let before: Promise<{ requests: number; throttled: number }> | undefined;
          const shots = await drive(send, requests, timeScale, { onMeasuredStart: () => { before = upstreamCounts(upstream.admin); } });
          const after = await upstreamCounts(upstream.admin);
          const start = await before!;
          rows.push({ id, system: LABELS[id], ...summarise(shots, shapeOf(round).measuredMin, timeScale), upstreamCalls: after.requests - start.requests, upstream429: after.throttled - start.throttled });
        };
        await measureSystem(id, run, { root: options.root, planFile, upstream, storeEndpoint: store.endpoint, portkeyUrl: portkey.url, gatewayTargets, timeScale, tableName: `bench-r${round}-${id}` });
      }
      rounds.push({ round: round + 1, order, rows: withAdded(FULL_SYSTEMS.flatMap((id) => rows.filter((r) => r.id === id))) });
    }
    const shape = shapeOf(0);
    const sample = planRequests(shape);
    const meanCharge = sample.reduce((sum, r) => sum + r.charge, 0) / sample.length;
    const setup = `headroom emulate (3 x Azure OpenAI gpt-5.1 GlobalStandard, ${REGION_TPM / 1000}k TPM each, token buckets a minute deep, time scale ${timeScale}x) as the upstream. ` +
      `Open loop, the same request sequence for every system in a round (prompt ~${REQUEST.promptChars} characters, max_tokens ${REQUEST.maxTokens}: ${Math.round(meanCharge)} tokens charged a call on average, Azure counting prompt + max_tokens; ${sample.filter((r) => r.measured).length} calls measured a round): ` +
      `${shape.warmupMin} emulated minute(s) at ${((shape.loadShare + WARMUP_EXTRA_MIN / shape.warmupMin) * 100).toFixed(0)}% of the pooled ${3 * REGION_TPM / 1000}k TPM to spend the full buckets (${WARMUP_EXTRA_MIN} minutes of quota beyond the rate; not counted), then ${shape.measuredMin} emulated minutes at ${(shape.loadShare * 100).toFixed(0)}% (counted). ` +
      `${roundCount} round(s), the order of systems alternating; the fleet is ${FLEET_SIZE} headroom serve processes on one dynalite table, called round robin; each Headroom run starts fresh processes and a new table. ` +
      `Every process on one ${cpus().length}-core machine (load average ${loadavg()[0]!.toFixed(1)} at the end; the client sent its calls at worst ${Math.max(...rounds.flatMap((r) => r.rows.map((row) => row.sendLateP99Ms))).toFixed(0)} ms late, p99 of a run); ${((performance.now() - wallStart) / 1000).toFixed(0)} s wall.`;
    // At 40x the warm-up sends ~33 calls a second into processes seconds old: it checks the wiring, not the numbers.
    const smoke = quick ? ' Quick smoke run (CI): one round, a 40x clock, one measured minute; the fleet\'s numbers here measure the machine\'s queue, not the router: use the full run.' : '';
    return { rows: meanRows(rounds), rounds, setup: setup + smoke };
  } finally {
    for (const child of started.reverse()) await child.stop();
  }
}

interface RunContext {
  readonly root: string;
  readonly planFile: string;
  readonly upstream: Upstream;
  readonly storeEndpoint: string;
  readonly portkeyUrl: string;
  readonly gatewayTargets: ReturnType<typeof portkeyTargets>;
  readonly timeScale: number;
  readonly tableName: string;
}

/**
 * Start what the system needs, warm it, let the upstream's buckets refill, run the load, stop what
 * was started. The warm-up matters: a fresh `headroom serve` loads and compiles the AWS SDK's
 * DynamoDB path on its first calls (seconds on a busy machine), which would otherwise queue the
 * first minute of load; every system gets the same few tiny calls (~20 tokens each, refilled long
 * before the run starts).
 */
async function measureSystem(id: RealSystemId, run: (send: Send) => Promise<void>, context: RunContext): Promise<void> {
  const prepared = async (send: Send) => {
    await warm(send);
    await sleep((REFILL_MIN * 60_000) / context.timeScale);
    await run(send);
  };
  if (id === 'headroom-fleet' || id === 'headroom-single' || id === 'headroom-single-store') {
    const routers = await startRouters(context.root, context.planFile, context.upstream.admin, id === 'headroom-fleet' ? FLEET_SIZE : 1,
      id === 'headroom-single' ? undefined : { endpoint: context.storeEndpoint, table: context.tableName });
    try {
      await prepared(routerSend(routers.urls));
    } finally {
      for (const router of routers.processes) await router.stop();
    }
    return;
  }
  if (id === 'direct') return prepared(directSend(context.upstream.targets));
  const config = id === 'portkey-fallback' ? portkeyConfigs.nestedFallback(context.gatewayTargets) : portkeyConfigs.loadbalance(context.gatewayTargets);
  return prepared(portkeySend(context.portkeyUrl, config));
}

/** Calls before the run, a few at a time, so every process has served some: their answers are not counted. */
const WARM_CALLS = 4 * FLEET_SIZE;
async function warm(send: Send): Promise<void> {
  const body = JSON.stringify({ model: MODEL, max_tokens: 8, messages: [{ role: 'user', content: 'warm up' }] });
  for (let i = 0; i < WARM_CALLS; i += FLEET_SIZE) {
    await Promise.all(Array.from({ length: FLEET_SIZE }, (_, k) => send(i + k, body).then((r) => r.text(), () => undefined)));
  }
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

const percent = (x: number) => `${(x * 100).toFixed(2)}%`;
const thousands = (x: number) => `${(x / 1000).toFixed(1)}k`;
const count = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(1));

/** Markdown table of real-process rows (one per system, or per system and round). */
export function realTable(rows: readonly (RealRow & Partial<RealSystemRow>)[]): string {
  const out = [
    '| system | requests | ok | client 429 | other errors | goodput (tokens/emulated min) | p50 / p99 ms | added p50 / p99 ms vs direct | emulator service p50 ms | upstream calls (429) while measured |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    out.push(`| ${r.system} | ${count(r.offered)} | ${count(r.ok)} | ${count(r.client429)} (${percent(r.client429 / Math.max(1, r.offered))}) | ${count(r.otherErrors)} | ${thousands(r.goodputTpm)} | ` +
      `${r.latencyP50Ms.toFixed(2)} / ${r.latencyP99Ms.toFixed(2)} | ${r.addedP50Ms.toFixed(2)} / ${r.addedP99Ms.toFixed(2)} | ${(r.serviceP50Ms ?? Number.NaN).toFixed(2)} | ` +
      `${count(r.upstreamCalls ?? Number.NaN)} (${count(r.upstream429 ?? Number.NaN)}) |`);
  }
  return out.join('\n');
}

/** The per-round tables, then the mean. */
export function realReport(result: { rows: readonly RealSystemRow[]; rounds: readonly RealRound[]; setup: string }): string {
  return [
    result.setup, '',
    ...result.rounds.flatMap((r) => [`Round ${r.round} (order: ${r.order.join(', ')})`, '', realTable(r.rows), '']),
    `Mean of ${result.rounds.length} round(s)`, '', realTable(result.rows), '',
  ].join('\n');
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const valueOf = (flag: string) => { const i = argv.indexOf(flag); return i >= 0 ? argv[i + 1] : undefined; };
  if (argv.includes('--help')) {
    process.stdout.write('node packages/simulator/dist/bench/real-process.js [--quick] [--rounds N] [--json FILE]\n');
    return;
  }
  const rounds = valueOf('--rounds');
  const root = resolve(__dirname, '../../../..');
  const result = await realProcessComparison({
    root, quick: argv.includes('--quick'), ...(rounds ? { rounds: Number(rounds) } : {}),
    log: (message) => process.stderr.write(`[real] ${message}\n`),
  });
  const json = valueOf('--json');
  if (json) writeFileSync(json, JSON.stringify(result, null, 1));
  process.stdout.write(`${realReport(result)}\n`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`[real] failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  });
}
