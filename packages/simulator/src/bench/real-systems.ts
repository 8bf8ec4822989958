/**
 * The processes of the real-process benchmark and the systems measured through them. Everything
 * binds 127.0.0.1; every process is started by `startNode` and stopped by its PID.
 */
import { resolve } from 'node:path';
import { portkeyLoadbalanceConfig, portkeyNestedFallbackConfig, type PortkeyTargetInput } from '../strategies/portkey';
import { freePort, startNode, type Started } from './processes';
import type { Send } from './real-load';

/** Azure OpenAI REST API version the emulator and Portkey's azure-openai provider both speak. */
export const API_VERSION = '2024-10-21';

export interface EmulatedTarget {
  readonly key: string;
  /** http://127.0.0.1:PORT */
  readonly host: string;
  readonly deployment: string;
}

export interface Upstream {
  readonly process: Started;
  /** The admin URL `headroom serve --emulator` takes (its /stats, /targets, /clock). */
  readonly admin: string;
  readonly targets: readonly EmulatedTarget[];
}

const binOf = (root: string) => resolve(root, 'packages/cli/dist/bin.js');

/** `headroom emulate` on the plan: every target on loopback, quotas enforced on a compressed clock. */
export async function startUpstream(root: string, planFile: string, timeScale: number): Promise<Upstream> {
  const child = await startNode([binOf(root), 'emulate', planFile, '--port', '0', '--time-scale', String(timeScale)], /admin: \S+/, { cwd: root });
  const output = child.output();
  const admin = /admin: (\S+)\/stats/.exec(output)![1]!;
  const targets = [...output.matchAll(/^(\S+)\s+azure-openai\s+\S+\s+(http:\/\/127\.0\.0\.1:\d+)\/openai\/deployments\/(\S+)$/gm)]
    .map((m) => ({ key: m[1]!, host: m[2]!, deployment: m[3]! }));
  if (targets.length === 0) {
    await child.stop();
    throw new Error(`parsed no emulated Azure targets from:\n${output}`);
  }
  return { process: child, admin, targets };
}

/** dynalite (DynamoDB's API on loopback, in-memory) in its own process, so its work is not the load generator's. */
export async function startDynalite(root: string): Promise<{ process: Started; endpoint: string }> {
  const child = await startNode([resolve(__dirname, 'real-dynalite.js')], /dynalite at http:\/\/127\.0\.0\.1:\d+/, { cwd: root });
  return { process: child, endpoint: /dynalite at (http:\/\/127\.0\.0\.1:\d+)/.exec(child.output())![1]! };
}

/**
 * `count` × `headroom serve` against the emulator, each with its own seed; with `store`, all on one
 * DynamoDB table (created by whichever starts first).
 */
export async function startRouters(root: string, planFile: string, admin: string, count: number, store?: { endpoint: string; table: string }): Promise<{ processes: Started[]; urls: string[] }> {
  const storeArgs = store ? ['--store-endpoint', store.endpoint, '--store-table', store.table, '--store-create'] : [];
  const settled = await Promise.allSettled(Array.from({ length: count }, (_, i) => startNode(
    [binOf(root), 'serve', planFile, '--port', '0', '--emulator', admin, '--seed', String(i + 1), ...storeArgs],
    store ? /shared store: DynamoDB table/ : /at http:\/\/127\.0\.0\.1:\d+/, { cwd: root, timeoutMs: 60_000 },
  )));
  const processes = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    for (const p of processes) await p.stop();
    throw failed.reason;
  }
  return { processes, urls: processes.map((p) => /at (http:\/\/127\.0\.0\.1:\d+)/.exec(p.output())![1]!) };
}

/** The Portkey gateway (`@portkey-ai/gateway`, the simulator's devDependency) on a free loopback port. */
export async function startPortkey(root: string): Promise<{ process: Started; url: string }> {
  const port = await freePort();
  const script = require.resolve('@portkey-ai/gateway/build/start-server.js', { paths: [root, __dirname] });
  const child = await startNode([script, '--headless', `--port=${port}`], /Ready for connections|running at/i, { cwd: root, timeoutMs: 60_000 });
  return { process: child, url: `http://127.0.0.1:${port}` };
}

/** The same three deployments as a Portkey user declares them: azure-openai, custom_host on loopback, weight = declared TPM. */
export function portkeyTargets(targets: readonly EmulatedTarget[], tpm: number): PortkeyTargetInput[] {
  // https://portkey.ai/docs/integrations/llms/azure-openai (resource_name, deployment_id, api_version); custom_host reaches the emulator.
  return targets.map((t) => ({ provider: 'azure-openai', customHost: `${t.host}/openai`, resourceName: 'emulated', deploymentId: t.deployment, apiVersion: API_VERSION, apiKey: 'local', weight: tpm }));
}

const JSON_HEADERS = { 'content-type': 'application/json' };

/** Client-side round robin straight to the regions: the baseline for added latency. */
export function directSend(targets: readonly EmulatedTarget[]): Send {
  return (i, body) => {
    const t = targets[i % targets.length]!;
    return fetch(`${t.host}/openai/deployments/${t.deployment}/chat/completions?api-version=${API_VERSION}`, { method: 'POST', headers: { ...JSON_HEADERS, 'api-key': 'local' }, body });
  };
}

/** Round robin over router processes, as a load balancer in front of a fleet would spread calls. */
export function routerSend(urls: readonly string[]): Send {
  return (i, body) => fetch(`${urls[i % urls.length]!}/v1/chat/completions`, { method: 'POST', headers: { ...JSON_HEADERS, authorization: 'Bearer local' }, body });
}

/** Through the Portkey gateway with a config in the `x-portkey-config` header (https://portkey.ai/docs/product/ai-gateway/configs). */
export function portkeySend(url: string, config: object): Send {
  const header = JSON.stringify(config);
  return (_i, body) => fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { ...JSON_HEADERS, 'x-portkey-config': header }, body });
}

export const portkeyConfigs = { loadbalance: portkeyLoadbalanceConfig, nestedFallback: portkeyNestedFallbackConfig };

/** The upstream's own counters (emulator admin /stats): calls that reached it and its 429s, summed over targets. */
export async function upstreamCounts(admin: string): Promise<{ requests: number; throttled: number }> {
  const stats = (await (await fetch(`${admin}/stats`)).json()) as { targets: Record<string, { requests: number; throttled: number }> };
  return Object.values(stats.targets).reduce((sum, t) => ({ requests: sum.requests + t.requests, throttled: sum.throttled + t.throttled }), { requests: 0, throttled: 0 });
}
