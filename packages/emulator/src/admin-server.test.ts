import { ManualClock } from './clock';
import { describeTargets } from './describe';
import { NonLoopbackHostError, startEmulator, type Emulator } from './emulator';
import { FIDELITY_TARGETS, fidelityPlan } from './testing/fidelity-plan';
import { postJson } from './testing/raw-requests';

let emulator: Emulator;
beforeEach(async () => {
  emulator = await startEmulator({ plan: fidelityPlan(), clock: new ManualClock() });
});
afterEach(() => emulator.close());

describe('the admin endpoint', () => {
  it('serves per-target counters and quota snapshots at GET /stats', async () => {
    await postJson(`${emulator.targets[FIDELITY_TARGETS.openai]!.baseUrl}/v1/chat/completions`, { authorization: 'Bearer k' }, {
      model: 'gpt-5.1', max_tokens: 50, messages: [{ role: 'user', content: 'a'.repeat(40) }],
    });
    const stats = await (await fetch(`${emulator.adminUrl}/stats`)).json() as { targets: Record<string, unknown> };
    expect(Object.keys(stats.targets).sort()).toEqual(Object.values(FIDELITY_TARGETS).sort());
    expect(stats.targets[FIDELITY_TARGETS.openai]).toMatchObject({
      requests: 1, admitted: 1, throttled: 0, inputTokens: 10,
      quota: { rpm: { limit: 1000, remaining: 999 }, tpm: { limit: 60000, remaining: 59950 } },
    });
  });

  it('replaces faults at PUT /faults and refuses invalid ones', async () => {
    const put = (body: unknown) => fetch(`${emulator.adminUrl}/faults`, { method: 'PUT', body: JSON.stringify(body) });
    expect((await put({ faults: { [FIDELITY_TARGETS.openai]: [{ kind: 'error', status: 503 }] } })).status).toBe(200);
    const answer = await postJson(`${emulator.targets[FIDELITY_TARGETS.openai]!.baseUrl}/v1/chat/completions`, { authorization: 'Bearer k' }, { model: 'gpt-5.1', messages: [{ role: 'user', content: 'x' }] });
    expect(answer.status).toBe(503);
    expect((await put({ faults: { x: [{ kind: 'melt' }] } })).status).toBe(400);
    expect((await put({ faults: { 'no/such': [{ kind: 'reset' }] } })).status).toBe(400);
  });

  it('lists targets at GET /targets and answers 404 elsewhere', async () => {
    const targets = await (await fetch(`${emulator.adminUrl}/targets`)).json() as { targets: Record<string, { baseUrl: string }> };
    expect(targets.targets[FIDELITY_TARGETS.bedrock]!.baseUrl).toBe(emulator.targets[FIDELITY_TARGETS.bedrock]!.baseUrl);
    expect((await fetch(`${emulator.adminUrl}/nope`)).status).toBe(404);
  });

  it('tells the emulated time at GET /clock, so a router in another process can share it', async () => {
    (emulator.clock as ManualClock).advance(90_000);
    expect(await (await fetch(`${emulator.adminUrl}/clock`)).json()).toEqual({ now: emulator.clock.now() });
  });
});

describe('startEmulator', () => {
  it('points the RouterConfig at the emulator and keeps each provider path', () => {
    const target = emulator.routerConfig.targets[FIDELITY_TARGETS.vertex]!;
    expect(target.endpoint.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(target.endpoint.path).toBe('/v1/projects/acme-ml/locations/europe-west1/publishers/anthropic/models/claude-sonnet-4-6');
  });

  it('describes each target with its provider, region and URL', () => {
    const text = describeTargets(emulator);
    expect(text.split('\n')[0]).toMatch(/^TARGET\s+PROVIDER\s+REGION\s+URL$/);
    const azure = emulator.targets[FIDELITY_TARGETS.azure]!;
    expect(text).toContain(`${azure.baseUrl}${azure.endpoint.path}`);
    expect(azure.endpoint.path).toMatch(/^\/openai\/deployments\/[\w-]+$/);
    expect(text).toMatch(/claude\/bedrock-us-east-1\s+bedrock\s+us-east-1\s+http/);
    expect(text).toContain(`admin: ${emulator.adminUrl}/stats`);
  });

  it('binds to loopback only', async () => {
    await expect(startEmulator({ plan: fidelityPlan(), host: '0.0.0.0' })).rejects.toThrow(NonLoopbackHostError);
  });
});
