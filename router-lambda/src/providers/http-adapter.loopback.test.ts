/**
 * The transport against real sockets on loopback: a cap on what the router holds whole (issue #9) and a
 * cancelled attempt really closing the upstream connection. Deadlines run on VirtualTimers; the stub
 * upstreams are bounded (at most 100 MB each, with backpressure) and stop when the router hangs up.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ROUTING_DEFAULTS, type RouterTarget } from '@headroom/plan/runtime';
import { anthropicAdapter } from './anthropic';
import { MAX_UPSTREAM_BODY_BYTES, MAX_UPSTREAM_ERROR_BYTES } from './bounded-body';
import { fidelityTarget, settle } from './scripted-upstream.test-helpers';
import { StaticSecretSource } from './secrets';
import { claudeCall, drain, expectKind, KEYS, sse } from './testing.test-helpers';
import { VirtualTimers } from './timers';

const SENT_AT_MOST = 100 * 1024 * 1024;
/** Loopback socket buffers hold a few MB (about 4 MB seen) beyond what the router read. */
const SOCKET_SLACK = 16 * 1024 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, 'a');
const secrets = new StaticSecretSource({ 'emulator-fidelity/anthropic-api-key': 'sk-ant-loopback-key-1234' });

interface Stub {
  readonly target: RouterTarget;
  /** Bytes the stub handed to its socket, and whether the router closed the connection before it finished. */
  readonly stats: { written: number; closedEarly: boolean; requests: number };
  close(): Promise<void>;
}

/** Writes `prefix`, then filler chunks up to SENT_AT_MOST (waiting for drain), ending early if the peer hangs up. */
async function flood(res: ServerResponse, prefix: string, stats: Stub['stats']): Promise<void> {
  res.on('close', () => { if (!res.writableFinished) stats.closedEarly = true; });
  res.write(prefix);
  stats.written += prefix.length;
  while (stats.written < SENT_AT_MOST && !res.destroyed) {
    stats.written += CHUNK.length;
    if (!res.write(CHUNK)) await new Promise<void>((resolve) => { res.once('drain', resolve); res.once('close', resolve); });
  }
  if (!res.destroyed) res.end();
}

async function startStub(handle: (req: IncomingMessage, res: ServerResponse, stats: Stub['stats']) => void): Promise<Stub> {
  const stats = { written: 0, closedEarly: false, requests: 0 };
  const server = createServer((req, res) => {
    stats.requests += 1;
    req.resume();
    req.on('end', () => handle(req, res, stats));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = fidelityTarget(KEYS.anthropic);
  const target = { ...base, endpoint: { ...base.endpoint, baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` } };
  return {
    target, stats,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** Node's fetch, counting the body bytes the router actually pulled. */
function countingFetch(): { fetch: typeof fetch; read: () => number } {
  let read = 0;
  const counting = async (input: string | URL | Request, init?: RequestInit) => {
    const response = await fetch(input, init);
    if (!response.body) return response;
    const body = response.body.pipeThrough(new TransformStream<Uint8Array, Uint8Array>({ transform(chunk, out) { read += chunk.byteLength; out.enqueue(chunk); } }));
    return new Response(body, { status: response.status, headers: response.headers });
  };
  return { fetch: counting as typeof fetch, read: () => read };
}

/** Wait (in event-loop turns, not time) until the stub has seen the connection close. */
async function untilClosed(stats: Stub['stats']): Promise<void> {
  for (let i = 0; i < 2000 && !stats.closedEarly; i++) await settle(1);
}

let stub: Stub | undefined;
afterEach(async () => { await stub?.close(); stub = undefined; });

describe('a cap on what the router buffers', () => {
  it(`a non-streaming reply far over ${MAX_UPSTREAM_BODY_BYTES} bytes is a 502, not re-sent, and reading stops`, async () => {
    stub = await startStub((_req, res, stats) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      void flood(res, '{"type":"message","content":[{"type":"text","text":"', stats);
    });
    const failed = expectKind(await anthropicAdapter({ secrets }).send(stub.target, claudeCall('huge'), undefined, ROUTING_DEFAULTS.timeouts), 'failed');
    expect(failed).toMatchObject({ outcome: { kind: 'server-error', status: 502 }, resendable: false, reply: { status: 502, body: { type: 'error', error: { type: 'api_error' } } } });
    await untilClosed(stub.stats);
    expect(stub.stats.closedEarly).toBe(true);
    expect(stub.stats.written).toBeLessThan(MAX_UPSTREAM_BODY_BYTES + SOCKET_SLACK);
  });

  it('a reply that declares a content-length over the cap is refused before its body is read', async () => {
    stub = await startStub((_req, res, stats) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(SENT_AT_MOST) });
      void flood(res, '{', stats);
    });
    const failed = expectKind(await anthropicAdapter({ secrets }).send(stub.target, claudeCall('declared'), undefined, ROUTING_DEFAULTS.timeouts), 'failed');
    expect(failed.outcome).toEqual({ kind: 'server-error', status: 502 });
    await untilClosed(stub.stats);
    expect(stub.stats.written).toBeLessThan(SOCKET_SLACK);
  });

  it(`an error body over ${MAX_UPSTREAM_ERROR_BYTES} bytes still classifies by status, without the upstream's words`, async () => {
    stub = await startStub((_req, res, stats) => {
      res.writeHead(400, { 'content-type': 'application/json' });
      void flood(res, '{"type":"error","error":{"type":"invalid_request_error","message":"', stats);
    });
    const counted = countingFetch();
    const failed = expectKind(await anthropicAdapter({ secrets, fetch: counted.fetch }).send(stub.target, claudeCall('bad'), undefined, ROUTING_DEFAULTS.timeouts), 'failed');
    expect(failed.outcome).toEqual({ kind: 'client-error', status: 400 });
    expect(failed.reply.body).toEqual({ type: 'error', error: { type: 'invalid_request_error', message: 'the upstream rejected the request' } });
    // The router pulled at most one network chunk past the cap.
    expect(counted.read()).toBeLessThanOrEqual(MAX_UPSTREAM_ERROR_BYTES + CHUNK.length);
    await untilClosed(stub.stats);
    expect(stub.stats.written).toBeLessThan(MAX_UPSTREAM_ERROR_BYTES + SOCKET_SLACK);
  });

  it('one stream event far over the cap ends the stream with an error event; reading stops', async () => {
    stub = await startStub((_req, res, stats) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      void flood(res, 'event: content_block_delta\ndata: {"type":"content_block_delta","delta":{"text":"', stats);
    });
    const result = expectKind(await anthropicAdapter({ secrets }).send(stub.target, claudeCall('huge event', { stream: true }), undefined, ROUTING_DEFAULTS.timeouts), 'stream');
    const events = sse(await drain(result.events));
    expect(events.at(-1)).toMatchObject({ event: 'error', data: { error: { type: 'api_error' } } });
    await expect(result.settled).resolves.toEqual({ kind: 'server-error', status: 502 });
    await untilClosed(stub.stats);
    expect(stub.stats.written).toBeLessThan(MAX_UPSTREAM_BODY_BYTES + SOCKET_SLACK);
  });
});

describe('a cancelled attempt closes the upstream connection', () => {
  it('a hung upstream (accepts, never answers) is abandoned at headersMs on the virtual clock', async () => {
    stub = await startStub((_req, res) => { res.on('close', () => { stub!.stats.closedEarly = true; }); });
    const timers = new VirtualTimers();
    const pending = anthropicAdapter({ secrets, timers }).send(stub.target, claudeCall('hang', { stream: true }), undefined, ROUTING_DEFAULTS.timeouts);
    for (let i = 0; i < 2000 && stub.stats.requests === 0; i++) await settle(1);
    timers.advance(ROUTING_DEFAULTS.timeouts.headersMs);
    expect(expectKind(await pending, 'failed').outcome).toEqual({ kind: 'timeout' });
    await untilClosed(stub.stats);
    expect(stub.stats.closedEarly).toBe(true);
  });

  it('a client that goes away mid-stream closes the upstream stream', async () => {
    stub = await startStub((_req, res, stats) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.on('close', () => { if (!res.writableFinished) stats.closedEarly = true; });
      res.write('event: message_start\ndata: {"type":"message_start","message":{"usage":{"input_tokens":3,"output_tokens":1}}}\n\n');
    });
    const client = new AbortController();
    const result = expectKind(await anthropicAdapter({ secrets }).send(stub.target, claudeCall('leave', { stream: true }), client.signal, ROUTING_DEFAULTS.timeouts), 'stream');
    const text = drain(result.events);
    await settle();
    client.abort();
    expect(sse(await text)[0]).toMatchObject({ event: 'message_start' });
    await expect(result.settled).resolves.toMatchObject({ kind: 'success', usage: { inputTokens: 3 } });
    await untilClosed(stub.stats);
    expect(stub.stats.closedEarly).toBe(true);
  });
});
