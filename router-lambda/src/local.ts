import { randomInt } from 'node:crypto';
import type { RouterConfig } from '@headroom/plan/runtime';
import type { SharedStore } from './core/contracts';
import { Router } from './core/router';
import { seededRng } from './core/rng';
import { createRouterHandler } from './pipeline';
import { createAdapters, StaticSecretSource, type AdapterDeps } from './providers';
import type { RouterHttpHandler } from './http/types';
import type { Timers } from './providers/timers';
import type { RouterTelemetry } from './telemetry';

/** Fixed local credentials for emulated upstreams: every auth mode gets a fake of the right shape, never a real key. */
export function emulatorAdapterDeps(config: RouterConfig, now: () => number): AdapterDeps {
  const secrets: Record<string, string> = {};
  for (const target of Object.values(config.targets)) if (target.auth.mode === 'api-key') secrets[target.auth.secret] = 'headroom-local-key';
  return {
    now,
    secrets: new StaticSecretSource(secrets),
    bedrock: { credentials: { accessKeyId: 'AKIDHEADROOMLOCAL', secretAccessKey: 'headroom-local-not-a-secret' } },
    vertex: { tokens: () => ({ getAccessToken: async () => 'ya29.headroom-local' }) },
    azure: { credential: () => ({ getToken: async () => ({ token: 'headroom-local', expiresOnTimestamp: Date.now() + 3_600_000 }) }) },
  };
}

/** The config with some targets' base URLs replaced (emulator or other local upstreams). */
export function withUpstreams(config: RouterConfig, upstreams: Readonly<Record<string, string>>): RouterConfig {
  const unknown = Object.keys(upstreams).filter((key) => !config.targets[key]);
  if (unknown.length > 0) throw new UnknownUpstreamError(unknown, Object.keys(config.targets).sort());
  const targets = Object.fromEntries(Object.entries(config.targets).map(([key, target]) => {
    const baseUrl = upstreams[key];
    return [key, baseUrl ? { ...target, endpoint: { ...target.endpoint, baseUrl } } : target];
  }));
  return { ...config, targets };
}

export class UnknownUpstreamError extends Error {
  override readonly name = 'UnknownUpstreamError';
  constructor(readonly received: readonly string[], readonly known: readonly string[]) {
    super(`--upstream names unknown target(s) ${received.join(', ')}; targets: ${known.join(', ')}`);
  }
}

export interface LocalRouterOptions {
  readonly config: RouterConfig;
  readonly now: () => number;
  /** @default a random seed */
  readonly seed?: number;
  readonly store?: SharedStore;
  /** @default real credential chains; pass `emulatorAdapterDeps` for emulated upstreams */
  readonly adapters?: AdapterDeps;
  readonly telemetry?: RouterTelemetry;
  /**
   * What held requests (routing.hold) wait on, on the clock `now` reads: `scaledTimers(clock)` for a
   * ScaledClock. @default none: on any clock but Date.now the router then never holds (hold.ts `holdTimers`).
   */
  readonly timers?: Timers;
  readonly warn?: (message: string, details: Record<string, unknown>) => void;
}

/** The router wired for one process: what `headroom serve`, the demo and the tests run. */
export function createLocalRouter(options: LocalRouterOptions): { handler: RouterHttpHandler; router: Router } {
  const router = new Router(options.config, { rng: seededRng(options.seed ?? randomInt(2 ** 31)) });
  const handler = createRouterHandler({
    config: options.config,
    router,
    adapters: createAdapters({ now: options.now, ...options.adapters }),
    now: options.now,
    ...(options.store ? { store: options.store } : {}),
    ...(options.telemetry ? { telemetry: options.telemetry } : {}),
    ...(options.timers ? { timers: options.timers } : {}),
    ...(options.warn ? { warn: options.warn } : {}),
  });
  return { handler, router };
}
