import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startHarness, type Harness } from './harness';
import { until } from './wait.test-helpers';

/**
 * A client that leaves before the response headers cancels the upstream call it asked for: the
 * upstream sees its connection closed, the request is not re-sent elsewhere, and no target is blamed.
 * Every wait is on an event, bounded by a count of short polls; nothing is timed.
 */
const CLAUDE = ['claude/anthropic', 'claude/bedrock-eu-west-1', 'claude/bedrock-us-east-1', 'claude/vertex-europe-west1'];

/** An upstream that reads the request and never answers, recording each connection's close. */
async function silentUpstream(): Promise<{ url: string; received: number; closed: number; close(): Promise<void> }> {
  const seen = { received: 0, closed: 0 };
  const server: Server = createServer((req, res) => {
    seen.received += 1;
    req.resume();
    res.once('close', () => { seen.closed += 1; });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get received() { return seen.received; },
    get closed() { return seen.closed; },
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}


let h: Harness;
let upstream: Awaited<ReturnType<typeof silentUpstream>>;
afterEach(async () => {
  await h.close();
  await upstream.close();
});

describe('a client that disconnects before the response headers', () => {
  it.each([['streamed', true], ['non-streaming', false]])('%s: cancels the upstream request, which is not re-sent and not held against the target', async (_name, stream) => {
    upstream = await silentUpstream();
    // Every Claude target is the silent upstream, so whichever is placed hangs.
    h = await startHarness(undefined, { upstreams: Object.fromEntries(CLAUDE.map((key) => [key, upstream.url])) });
    const client = httpRequest(`${h.url}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json' } });
    client.on('error', () => undefined); // destroyed on purpose below
    client.end(JSON.stringify({ model: 'claude-sonnet-4-6', max_tokens: 16, stream, messages: [{ role: 'user', content: 'hi' }] }));

    await until(() => upstream.received === 1, 'the upstream received the request');
    client.destroy();
    await until(() => upstream.closed === 1, 'the upstream saw its request cancelled');
    const claude = () => h.router.status(h.clock.now()).families.find((f) => f.family === 'claude')!;
    await until(() => claude().retryBudget.activeRequests === 0, 'the router settled the attempt');

    expect(upstream.received).toBe(1);
    expect(h.upstreamRequests).toHaveLength(1);
    for (const target of h.router.status(h.clock.now()).targets) {
      expect(target.breaker).toEqual({ kind: 'closed', consecutiveFailures: 0 });
      expect(target.cooldown).toBeUndefined();
    }
  });
});
