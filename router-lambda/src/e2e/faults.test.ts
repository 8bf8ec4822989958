import type { FaultInput } from '@headroom/emulator';
import { e2ePlanInput, startHarness, type Harness } from './harness';

const CLAUDE = ['claude/anthropic', 'claude/bedrock-eu-west-1', 'claude/bedrock-us-east-1', 'claude/vertex-europe-west1'];
const body = (stream: boolean) => JSON.stringify({ model: 'claude-sonnet-4-6', max_tokens: 32, stream, messages: [{ role: 'user', content: 'hi' }] });

async function send(h: Harness, stream: boolean): Promise<{ status: number; text: string }> {
  const response = await fetch(`${h.url}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body(stream), signal: AbortSignal.timeout(10_000) });
  return { status: response.status, text: await response.text().catch(() => '<stream cut>') };
}

/** Every fault on every target but one: requests still get exactly one answer, retries stay in budget. */
const MATRIX: [string, FaultInput][] = [
  ['500', { kind: 'error', status: 500 }],
  ['503', { kind: 'error', status: 503 }],
  ['529 overloaded', { kind: 'error', status: 529 }],
  ['connection reset', { kind: 'reset' }],
  ['region dark', { kind: 'dark' }],
  ['malformed headers', { kind: 'malformed-headers' }],
];

describe('fault matrix', () => {
  let h: Harness;
  afterEach(() => h.close());

  it.each(MATRIX)('%s on three of four targets', async (_name, fault) => {
    h = await startHarness();
    h.emulator.setFaults(Object.fromEntries(CLAUDE.filter((k) => k !== 'claude/vertex-europe-west1').map((k) => [k, [fault]])));
    const requests = 20;
    const results = await Promise.all(Array.from({ length: requests }, (_, i) => send(h, i % 2 === 0)));
    for (const r of results) expect([200, 429, 500, 502, 503, 529]).toContain(r.status);
    expect(results.filter((r) => r.status === 200).length).toBeGreaterThan(0);
    // Envoy-style budget: per failing target at most 20% of its requests or 3, on top of first attempts.
    const upstream = h.upstreamRequests.filter((r) => !r.url.includes('/chat/')).length;
    expect(upstream).toBeLessThanOrEqual(requests + 3 * 3 + Math.ceil(0.2 * requests) * 3);
  });

  it('a truncated stream reaches the client as a cut stream, once, with no failover after bytes flowed', async () => {
    h = await startHarness();
    h.emulator.setFaults(Object.fromEntries(CLAUDE.map((k) => [k, [{ kind: 'truncate-stream', afterTokens: 2 }]])));
    const result = await send(h, true);
    expect(result.status).toBe(200);
    expect(h.upstreamRequests).toHaveLength(1);
    expect(result.text).toMatch(/event: (error|message_start)/);
  });

  it('an upstream that never answers is abandoned at the routing timeout and the next target serves', async () => {
    const input = e2ePlanInput();
    h = await startHarness({ ...input, routing: { timeouts: { headersMs: 1000, totalMs: 1000 } } });
    h.emulator.setFaults({ 'claude/bedrock-us-east-1': [{ kind: 'timeout' }], 'claude/bedrock-eu-west-1': [{ kind: 'timeout' }], 'claude/anthropic': [{ kind: 'timeout' }] });
    // send() gives up after 10 s, so a request a hung upstream held past the 1 s routing timeout fails here.
    const results = await Promise.all(Array.from({ length: 4 }, () => send(h, false)));
    expect(results.every((r) => r.status === 200 || r.status === 504 || r.status === 502)).toBe(true);
    expect(results.some((r) => r.status === 200)).toBe(true);
  });
});
