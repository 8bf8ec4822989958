import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { compileRouterConfig, type Plan, type Provider, type RouterConfig, type RouterTarget, type UpstreamEndpoint } from '@headroom/plan';
import { createAdminServer } from './admin-server';
import { ScaledClock, type Clock } from './clock';
import { DualProtocolServer } from './dual-protocol-server';
import { FaultBook, type FaultsByTarget } from './faults';
import type { CompletionLength } from './completion';
import { resolveLatency, type LatencyModel } from './latency';
import type { TargetStatsView } from './stats';
import { TargetQuota } from './target-quota';
import { TargetServer } from './target-server';

export interface EmulatorOptions {
  /** The plan whose targets are served (or its compiled RouterConfig). */
  readonly plan: Plan | RouterConfig;
  /** Emulated seconds per real second, e.g. 60: a quota minute passes in one real second. Ignored with `clock`. @default 1 */
  readonly timeScale?: number;
  /** Inject a clock (a `ManualClock` in tests). @default new ScaledClock(timeScale) */
  readonly clock?: Clock;
  /** Seed for generated text. @default 0 */
  readonly seed?: number;
  readonly faults?: FaultsByTarget;
  readonly latency?: Partial<LatencyModel>;
  /** Output length the generated answers draw from (before max_tokens cuts them). @default 8-48 tokens */
  readonly completionLength?: CompletionLength;
  /** Loopback only. @default '127.0.0.1' */
  readonly host?: string;
  /** Admin listens on basePort, targets on basePort+1… in sorted key order. @default 0 (ephemeral ports) */
  readonly basePort?: number;
}

export interface EmulatedTarget {
  readonly key: string;
  readonly provider: Provider;
  readonly region: string;
  readonly upstreamModel: string;
  /** Replaces the RouterConfig `endpoint.baseUrl` exactly. */
  readonly baseUrl: string;
  /** The target's endpoint with the emulator's baseUrl. */
  readonly endpoint: UpstreamEndpoint;
}

export interface Emulator {
  readonly targets: Readonly<Record<string, EmulatedTarget>>;
  readonly adminUrl: string;
  readonly clock: Clock;
  /** The plan's RouterConfig with every endpoint pointed at this emulator. */
  readonly routerConfig: RouterConfig;
  stats(): Record<string, TargetStatsView>;
  quota(key: string): TargetQuota;
  setFaults(faults: FaultsByTarget): void;
  close(): Promise<void>;
}

export class NonLoopbackHostError extends Error {
  override readonly name = 'NonLoopbackHostError';
  constructor(readonly received: string) {
    super(`the emulator binds to loopback only (127.0.0.1 or ::1); received host ${JSON.stringify(received)}`);
  }
}

export class UnknownTargetError extends Error {
  override readonly name = 'UnknownTargetError';
  constructor(readonly received: string, readonly known: readonly string[]) {
    super(`no emulated target ${JSON.stringify(received)}; known targets: ${known.join(', ')}`);
  }
}

function isRouterConfig(plan: Plan | RouterConfig): plan is RouterConfig {
  return 'schema' in plan && 'targets' in plan && 'planDigest' in plan;
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: Server | DualProtocolServer): Promise<void> {
  if (server instanceof DualProtocolServer) return server.close();
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

/** Serve every target of a plan on loopback, each on its own port with its provider's wire format. */
export async function startEmulator(options: EmulatorOptions): Promise<Emulator> {
  const host = options.host ?? '127.0.0.1';
  if (host !== '127.0.0.1' && host !== '::1') throw new NonLoopbackHostError(host);
  const config = isRouterConfig(options.plan) ? options.plan : compileRouterConfig(options.plan);
  const clock = options.clock ?? new ScaledClock(options.timeScale ?? 1);
  const latency = resolveLatency(options.latency);
  const keys = Object.keys(config.targets).sort();
  const faults = new FaultBook(clock, clock.now(), keys);
  if (options.faults) faults.set(options.faults);

  const servers = new Map<string, TargetServer>();
  const quotas = new Map<string, TargetQuota>();
  for (const key of keys) {
    const target = config.targets[key]!;
    const quota = new TargetQuota(key, target.limits, target.cost, clock);
    quotas.set(key, quota);
    servers.set(key, new TargetServer({ target, quota, clock, faults, latency, seed: options.seed ?? 0, ...(options.completionLength ? { completionLength: options.completionLength } : {}) }));
  }
  const stats = () => Object.fromEntries(keys.map((key) => [key, servers.get(key)!.stats()]));
  const targets: Record<string, EmulatedTarget> = {};
  const admin = createAdminServer({
    stats,
    targets: () => targets,
    clock: () => ({ now: clock.now(), ...(clock instanceof ScaledClock ? { timeScale: clock.timeScale } : {}) }),
    setFaults: (next) => faults.set(next),
  });
  const listening: Array<Server | DualProtocolServer> = [];
  try {
    const base = options.basePort ?? 0;
    const urlHost = host.includes(':') ? `[${host}]` : host;
    const adminPort = await listen(admin, host, base);
    listening.push(admin);
    for (const [index, key] of keys.entries()) {
      const server = servers.get(key)!.server;
      const port = await server.listen(base === 0 ? 0 : base + 1 + index, host);
      listening.push(server);
      const target: RouterTarget = config.targets[key]!;
      const baseUrl = `http://${urlHost}:${port}`;
      targets[key] = { key, provider: target.provider, region: target.region, upstreamModel: target.upstreamModel, baseUrl, endpoint: { ...target.endpoint, baseUrl } };
    }
    const routerConfig: RouterConfig = {
      ...config,
      targets: Object.fromEntries(keys.map((key) => [key, { ...config.targets[key]!, endpoint: targets[key]!.endpoint }])),
    };
    return {
      targets,
      adminUrl: `http://${urlHost}:${adminPort}`,
      clock,
      routerConfig,
      stats,
      quota(key) {
        const quota = quotas.get(key);
        if (!quota) throw new UnknownTargetError(key, keys);
        return quota;
      },
      setFaults: (next) => faults.set(next),
      close: async () => {
        await Promise.all(listening.map(closeServer));
      },
    };
  } catch (error) {
    await Promise.all(listening.map(closeServer));
    throw error;
  }
}
