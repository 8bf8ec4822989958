import { definePlan, testing, type PlanInput } from '@headroom/plan';
import { ManualClock, startEmulator, type Emulator } from '@headroom/emulator';
import { MAX_WAIT_HEADER } from './hold';
import { startNodeServer } from './http/node-server';
import { createLocalRouter, emulatorAdapterDeps } from './local';
import { VirtualTimers, type Timers } from './providers';
import type { RequestRecord, RouterTelemetry } from './telemetry';
import { until } from './e2e/wait.test-helpers';

/**
 * createLocalRouter forwards `timers`: on a hand-moved clock the router holds (routing.hold, the
 * example plan's 2 s default) only with timers given. One OpenAI target at 60 RPM, spent at one
 * instant: a token bucket of 60 per minute has room again 60,000 / 60 = 1,000 ms later.
 */
const ONE_REFILL_MS = 1_000;

function planInput(): PlanInput {
  return {
    ...testing.examplePlanInput(),
    families: { gpt: { api: 'openai', aliases: ['gpt-5.1'], targets: { openai: { provider: 'openai', model: 'gpt-5.1', limits: { rpm: 60, tpm: 10_000_000 } } } } },
  };
}

const body = JSON.stringify({ model: 'gpt-5.1', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] });

let emulator: Emulator;
let server: Awaited<ReturnType<typeof startNodeServer>>;
afterEach(async () => {
  await server.close();
  await emulator.close();
});

async function start(timers: Timers | undefined): Promise<{ clock: ManualClock; records: RequestRecord[]; ask(headers?: Record<string, string>): Promise<number> }> {
  const clock = new ManualClock();
  emulator = await startEmulator({ plan: definePlan(planInput()), clock, seed: 3 });
  const config = emulator.routerConfig;
  const now = () => clock.now();
  const records: RequestRecord[] = [];
  const telemetry = { record: (record: RequestRecord) => records.push(record) } as unknown as RouterTelemetry;
  const { handler } = createLocalRouter({ config, now, seed: 5, adapters: emulatorAdapterDeps(config, now), telemetry, ...(timers ? { timers } : {}) });
  server = await startNodeServer(handler);
  const ask = async (headers: Record<string, string> = {}) => {
    const response = await fetch(`${server.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    await response.arrayBuffer();
    return response.status;
  };
  for (let i = 0; i < 60; i++) expect(await ask({ [MAX_WAIT_HEADER]: '0' })).toBe(200);
  records.length = 0;
  return { clock, records, ask };
}

describe('createLocalRouter timers', () => {
  it('with timers given, a request refused for quota is held until the bucket refills, then served; telemetry counts the hold', async () => {
    const timers = new VirtualTimers();
    const { clock, records, ask } = await start(timers);
    const held = ask();
    await until(() => timers.armed === 1, 'the router holds the request');
    clock.advance(ONE_REFILL_MS);
    timers.advance(ONE_REFILL_MS);
    expect(await held).toBe(200);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ clientStatus: 200, holds: 1, heldMs: ONE_REFILL_MS });
  });

  it('without timers, on a clock that is not Date.now, the same request is refused at once', async () => {
    const { records, ask } = await start(undefined);
    expect(await ask()).toBe(429);
    expect(records[0]).toMatchObject({ clientStatus: 429, holds: 0, heldMs: 0 });
  });
});
