import { definePlan, testing, type Plan, type PlanInput } from '@headroom/plan';
import { ManualClock, startEmulator, type Emulator } from '@headroom/emulator';
import { InMemorySharedStore } from '../core/in-memory-store';
import { startNodeServer } from '../http/node-server';
import type { Router } from '../core/router';
import { createLocalRouter, emulatorAdapterDeps, withUpstreams } from '../local';
import { VirtualTimers, type AdapterDeps, type SecretSource } from '../providers';
import type { RouterTelemetry } from '../telemetry';

/**
 * The plan package's example plan (two EU-processing Claude targets behind an `eu` pin, a US one and
 * the direct API; Azure and OpenAI for GPT), with the Entra client id keyless Azure calls need.
 */
export function e2ePlanInput(): PlanInput {
  const input = testing.examplePlanInput();
  return { ...input, azure: { ...input.azure!, clientId: '00000000-0000-4000-8000-000000000003' } };
}

export interface Harness {
  readonly plan: Plan;
  readonly emulator: Emulator;
  readonly clock: ManualClock;
  readonly url: string;
  readonly upstreamRequests: { url: string; headers: Record<string, string>; body: string }[];
  readonly warnings: { message: string; details: Record<string, unknown> }[];
  /** The router's own state (breakers, cooldowns, retry budget). */
  readonly router: Router;
  /**
   * Move the injected clock (emulator and router) and the transport's deadline timers on together:
   * a hung upstream times out only when a test says so, never on the wall clock.
   */
  advance(ms: number): void;
  close(): Promise<void>;
}

/** Emulator + router over loopback on one manual clock; every upstream request is recorded. */
export interface HarnessOptions {
  readonly seed?: number;
  readonly secrets?: SecretSource;
  readonly telemetry?: RouterTelemetry;
  /** Targets served by other local upstreams (stubs) instead of the emulator: key to base URL. */
  readonly upstreams?: Readonly<Record<string, string>>;
}

export async function startHarness(input: PlanInput = e2ePlanInput(), options: HarnessOptions = {}): Promise<Harness> {
  const plan = definePlan(input);
  const clock = new ManualClock();
  const emulator = await startEmulator({ plan, clock, seed: 3 });
  const config = options.upstreams ? withUpstreams(emulator.routerConfig, options.upstreams) : emulator.routerConfig;
  const upstreamRequests: Harness['upstreamRequests'] = [];
  const recordingFetch: typeof fetch = async (url, init) => {
    const headers = Object.fromEntries(new Headers(init?.headers).entries());
    upstreamRequests.push({ url: String(url), headers, body: typeof init?.body === 'string' ? init.body : init?.body ? Buffer.from(init.body as Uint8Array).toString() : '' });
    return fetch(url, init);
  };
  const now = () => clock.now();
  const timers = new VirtualTimers();
  const adapters: AdapterDeps = { ...emulatorAdapterDeps(config, now), fetch: recordingFetch, timers, ...(options.secrets ? { secrets: options.secrets } : {}) };
  const warnings: Harness['warnings'] = [];
  const { handler, router } = createLocalRouter({
    config, now, seed: options.seed ?? 11, adapters, store: new InMemorySharedStore({ maxCooldownMs: config.routing.maxCooldownMs }),
    ...(options.telemetry ? { telemetry: options.telemetry } : {}),
    warn: (message, details) => warnings.push({ message, details }),
  });
  const server = await startNodeServer(handler);
  return {
    plan, emulator, clock, url: server.url, upstreamRequests, warnings, router,
    advance: (ms) => { clock.advance(ms); timers.advance(ms); },
    close: async () => { await server.close(); await emulator.close(); },
  };
}
