import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { percentile, Random } from '../random';
import { azurePlan } from '../scenarios';
import { freePort, startNode, type Started } from './processes';

/** One system under the same load: direct calls, `headroom serve`, or the Portkey gateway. */
export interface RealRow {
  readonly system: string;
  readonly offered: number;
  readonly ok: number;
  readonly client429: number;
  readonly otherErrors: number;
  /** Successful tokens (prompt + completion, as the upstream reported) per emulated minute. */
  readonly goodputTpm: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  /** p50/p99 minus the direct calls' p50/p99 (real ms). */
  readonly addedP50Ms: number;
  readonly addedP99Ms: number;
}

export interface RealOptions {
  readonly root: string;
  /** Emulated seconds per real second. @default 20 */
  readonly timeScale?: number;
  /** Real seconds of load per system. @default 20 */
  readonly seconds?: number;
  /** Offered load as a share of the pooled quota. @default 1.0 */
  readonly loadShare?: number;
  readonly log?: (message: string) => void;
}

const API_VERSION = '2024-10-21';

interface Shot { status: number; ms: number; tokens: number }

/** Open-loop load: `rate` requests per real second for `seconds`, the same request sequence for every system. */
async function drive(send: (i: number, body: string, maxTokens: number) => Promise<Response>, rate: number, seconds: number, seed: number): Promise<Shot[]> {
  const random = new Random(seed);
  const total = Math.round(rate * seconds);
  const shots: Promise<Shot>[] = [];
  const started = performance.now();
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const chars = Math.max(40, Math.min(4000, Math.round(random.lognormal(400, 0.6))));
    const maxTokens = 200;
    const body = JSON.stringify({ model: 'gpt-5.1', max_tokens: maxTokens, messages: [{ role: 'user', content: 'x'.repeat(chars) }] });
    const t0 = performance.now();
    shots.push(send(i, body, maxTokens).then(async (res) => {
      const text = await res.text();
      const ms = performance.now() - t0;
      let tokens = 0;
      if (res.status === 200) {
        try { tokens = (JSON.parse(text) as { usage?: { total_tokens?: number } }).usage?.total_tokens ?? 0; } catch { /* not JSON */ }
      }
      return { status: res.status, ms, tokens };
    }, () => ({ status: 0, ms: performance.now() - t0, tokens: 0 })));
  }
  return Promise.all(shots);
}

function summarise(system: string, shots: Shot[], skip: number, emulatedMinutes: number): Omit<RealRow, 'addedP50Ms' | 'addedP99Ms'> {
  const measured = shots.slice(skip);
  const ok = measured.filter((s) => s.status === 200);
  const latencies = ok.map((s) => s.ms);
  return {
    system,
    offered: measured.length,
    ok: ok.length,
    client429: measured.filter((s) => s.status === 429).length,
    otherErrors: measured.filter((s) => s.status !== 200 && s.status !== 429).length,
    goodputTpm: ok.reduce((sum, s) => sum + s.tokens, 0) / emulatedMinutes,
    latencyP50Ms: percentile(latencies, 50),
    latencyP99Ms: percentile(latencies, 99),
  };
}

/**
 * Real processes on loopback: `headroom emulate` (three Azure OpenAI regions, 30k TPM each, on a
 * compressed clock) as the upstream; direct client-side round robin, `headroom serve` and the
 * Portkey gateway (loadbalance, weights = quota) each get the same open-loop load. Every process
 * started here is stopped by PID in `finally`.
 */
export async function realProcessComparison(options: RealOptions): Promise<{ rows: RealRow[]; setup: string }> {
  const log = options.log ?? (() => undefined);
  const timeScale = options.timeScale ?? 20;
  const seconds = options.seconds ?? 20;
  const dir = mkdtempSync(join(tmpdir(), 'headroom-bench-'));
  const planFile = join(dir, 'azure.yaml');
  writeFileSync(planFile, JSON.stringify(azurePlan(), null, 1)); // YAML is a superset of JSON
  const bin = resolve(options.root, 'packages/cli/dist/bin.js');
  const started: Started[] = [];
  try {
    const emulator = await startNode([bin, 'emulate', planFile, '--port', '0', '--time-scale', String(timeScale)], /admin: \S+/, { cwd: options.root });
    started.push(emulator);
    const adminUrl = /admin: (\S+)\/stats/.exec(emulator.output())![1]!;
    const targets = [...emulator.output().matchAll(/^(gpt\/\S+)\s+azure-openai\s+\S+\s+(http:\/\/127\.0\.0\.1:\d+)(\/openai\/deployments\/(\S+))$/gm)].map((m) => ({ key: m[1]!, host: m[2]!, deployment: m[4]! }));
    if (targets.length !== 3) throw new Error(`expected 3 emulated Azure targets, parsed ${targets.length}:\n${emulator.output()}`);
    const router = await startNode([bin, 'serve', planFile, '--port', '0', '--emulator', adminUrl, '--seed', '1'], /at (http:\/\/127\.0\.0\.1:\d+)/, { cwd: options.root });
    started.push(router);
    const routerUrl = /at (http:\/\/127\.0\.0\.1:\d+)/.exec(router.output())![1]!;
    const portkeyPort = await freePort();
    const gatewayScript = require.resolve('@portkey-ai/gateway/build/start-server.js', { paths: [options.root, __dirname] });
    const portkey = await startNode([gatewayScript, '--headless', `--port=${portkeyPort}`], /Ready for connections|running at/i, { cwd: options.root, timeoutMs: 30_000 });
    started.push(portkey);
    log(`real processes: emulator pid ${emulator.pid}, headroom serve pid ${router.pid} (${routerUrl}), portkey pid ${portkey.pid} (port ${portkeyPort})`);

    // Portkey loadbalance across the same three deployments, weights = declared TPM (equal here).
    // https://portkey.ai/docs/product/ai-gateway/load-balancing; custom_host reaches the loopback emulator.
    const portkeyConfig = JSON.stringify({
      strategy: { mode: 'loadbalance' },
      targets: targets.map((t) => ({ provider: 'azure-openai', custom_host: `${t.host}/openai`, resource_name: 'emulated', deployment_id: t.deployment, api_version: API_VERSION, api_key: 'local', weight: 30_000 })),
    });
    const perRequestTokens = 100 * 1.2 + 200; // ~prompt (lognormal, median 100 tokens) + max_tokens: Azure's admission charge
    const pooledPerMin = (3 * 30_000) / perRequestTokens;
    const rate = ((options.loadShare ?? 1.0) * pooledPerMin * timeScale) / 60;
    const skip = Math.round(rate * 3);
    const emulatedMinutes = ((seconds - 3) * timeScale) / 60;
    const systems: [string, (i: number, body: string) => Promise<Response>][] = [
      ['direct (client round robin)', (i, body) => {
        const t = targets[i % targets.length]!;
        return fetch(`${t.host}/openai/deployments/${t.deployment}/chat/completions?api-version=${API_VERSION}`, { method: 'POST', headers: { 'content-type': 'application/json', 'api-key': 'local' }, body });
      }],
      ['headroom serve', (_i, body) => fetch(`${routerUrl}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer local' }, body })],
      ['portkey gateway (loadbalance)', (_i, body) => fetch(`http://127.0.0.1:${portkeyPort}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-portkey-config': portkeyConfig }, body })],
    ];
    const partial: Omit<RealRow, 'addedP50Ms' | 'addedP99Ms'>[] = [];
    for (const [name, send] of systems) {
      // Let every bucket refill (one emulated minute and then some) so each system starts equal.
      await new Promise((r) => setTimeout(r, (90_000 / timeScale)));
      log(`real processes: ${name} at ${rate.toFixed(1)} req/s for ${seconds} s`);
      partial.push(summarise(name, await drive(send, rate, seconds, 42), skip, emulatedMinutes));
    }
    const direct = partial[0]!;
    const rows = partial.map((r) => ({ ...r, addedP50Ms: r.latencyP50Ms - direct.latencyP50Ms, addedP99Ms: r.latencyP99Ms - direct.latencyP99Ms }));
    const setup = `headroom emulate (3 x Azure OpenAI gpt-5.1 GlobalStandard, 30k TPM each, time scale ${timeScale}x), ${rate.toFixed(1)} req/s real ` +
      `(${((options.loadShare ?? 1) * 100).toFixed(0)}% of the pooled quota at prompt ~100 tokens + max_tokens 200) for ${seconds} s per system, first 3 s not counted`;
    return { rows, setup };
  } finally {
    for (const child of started.reverse()) await child.stop();
  }
}

const percent = (x: number) => `${(x * 100).toFixed(2)}%`;
const thousands = (x: number) => `${(x / 1000).toFixed(1)}k`;

/** Markdown table of real-process rows (one per system, or per system and round). */
export function realTable(rows: readonly RealRow[]): string {
  const out = ['| system | requests | ok | client 429 | other errors | goodput (tokens/emulated min) | p50 / p99 ms | added p50 / p99 ms vs direct |', '|---|---|---|---|---|---|---|---|'];
  for (const r of rows) {
    out.push(`| ${r.system} | ${r.offered} | ${r.ok} | ${r.client429} (${percent(r.client429 / Math.max(1, r.offered))}) | ${r.otherErrors} | ${thousands(r.goodputTpm)} | ${r.latencyP50Ms.toFixed(2)} / ${r.latencyP99Ms.toFixed(2)} | ${r.addedP50Ms.toFixed(2)} / ${r.addedP99Ms.toFixed(2)} |`);
  }
  return out.join('\n');
}
