import { definePlan, type Plan, type PlanInput } from '@headroom/plan';
import { ManualClock, startEmulator, type Emulator } from '@headroom/emulator';
import { InMemorySharedStore } from '../core/in-memory-store';
import { startNodeServer } from '../http/node-server';
import { createLocalRouter, emulatorAdapterDeps } from '../local';
import type { AdapterDeps, SecretSource } from '../providers';
import type { RouterTelemetry } from '../telemetry';

/** A plan with two interchangeable targets per front door, in different geographies. */
export function e2ePlanInput(): PlanInput {
  return {
    version: 1,
    name: 'e2e-router',
    aws: { account: '111122223333', region: 'us-east-1' },
    azure: { subscription: '00000000-0000-4000-8000-000000000001', resourceGroup: 'rg', tenant: '00000000-0000-4000-8000-000000000002', clientId: '00000000-0000-4000-8000-000000000003' },
    gcp: { project: 'acme-ml', projectNumber: '123456789012' },
    families: {
      claude: {
        api: 'anthropic',
        aliases: ['claude-sonnet-4-6'],
        pins: ['eu'],
        targets: {
          'bedrock-us': { provider: 'bedrock', region: 'us-east-1', model: 'anthropic.claude-sonnet-4-6', profile: 'us', limits: { rpm: 50, tpm: 100_000 } },
          'bedrock-eu': { provider: 'bedrock', region: 'eu-west-1', model: 'anthropic.claude-sonnet-4-6', profile: 'eu', limits: { rpm: 50, tpm: 100_000 } },
          'vertex-eu': { provider: 'vertex', region: 'europe-west1', model: 'claude-sonnet-4-6', limits: { rpm: 50, itpm: 100_000, otpm: 20_000 } },
          anthropic: { provider: 'anthropic', model: 'claude-sonnet-4-6', limits: { rpm: 50, itpm: 100_000, otpm: 20_000 } },
        },
      },
      gpt: {
        api: 'openai',
        aliases: ['gpt-5.1'],
        targets: {
          'azure-eastus2': { provider: 'azure-openai', region: 'eastus2', model: 'gpt-5.1', version: '2025-11-13', sku: 'DataZoneStandard', limits: { tpm: 100_000 } },
          openai: { provider: 'openai', model: 'gpt-5.1', limits: { rpm: 50, tpm: 100_000 } },
        },
      },
    },
  };
}

export interface Harness {
  readonly plan: Plan;
  readonly emulator: Emulator;
  readonly clock: ManualClock;
  readonly url: string;
  readonly upstreamRequests: { url: string; headers: Record<string, string>; body: string }[];
  readonly warnings: { message: string; details: Record<string, unknown> }[];
  close(): Promise<void>;
}

/** Emulator + router over loopback on one manual clock; every upstream request is recorded. */
export async function startHarness(input: PlanInput = e2ePlanInput(), options: { seed?: number; secrets?: SecretSource; telemetry?: RouterTelemetry } = {}): Promise<Harness> {
  const plan = definePlan(input);
  const clock = new ManualClock();
  const emulator = await startEmulator({ plan, clock, seed: 3 });
  const config = emulator.routerConfig;
  const upstreamRequests: Harness['upstreamRequests'] = [];
  const recordingFetch: typeof fetch = async (url, init) => {
    const headers = Object.fromEntries(new Headers(init?.headers).entries());
    upstreamRequests.push({ url: String(url), headers, body: typeof init?.body === 'string' ? init.body : init?.body ? Buffer.from(init.body as Uint8Array).toString() : '' });
    return fetch(url, init);
  };
  const now = () => clock.now();
  const adapters: AdapterDeps = { ...emulatorAdapterDeps(config, now), fetch: recordingFetch, ...(options.secrets ? { secrets: options.secrets } : {}) };
  const warnings: Harness['warnings'] = [];
  const { handler } = createLocalRouter({
    config, now, seed: options.seed ?? 11, adapters, store: new InMemorySharedStore(),
    ...(options.telemetry ? { telemetry: options.telemetry } : {}),
    warn: (message, details) => warnings.push({ message, details }),
  });
  const server = await startNodeServer(handler);
  return {
    plan, emulator, clock, url: server.url, upstreamRequests, warnings,
    close: async () => { await server.close(); await emulator.close(); },
  };
}
