import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { startNodeServer } from './node-server';
import { json, type RouterHttpRequest } from './types';

/** The local server's own replies (before the handler runs) on a real loopback socket. */
describe('startNodeServer', () => {
  const received: RouterHttpRequest[] = [];
  let server: Awaited<ReturnType<typeof startNodeServer>>;
  beforeAll(async () => {
    server = await startNodeServer(async (request) => {
      received.push(request);
      return json(200, { ok: true });
    }, { maxRequestBytes: 1024 });
  });
  afterAll(() => server.close());

  it('answers headers over 16 KiB with 431 in the OpenAI format on the OpenAI path', async () => {
    const response = await fetch(`${server.url}/v1/chat/completions`, { method: 'POST', body: '{}', headers: { 'x-oversized': 'a'.repeat(20_000) } });
    expect(response.status).toBe(431);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('x-headroom-attempts')).toBe('0');
    expect(await response.json()).toEqual({
      error: { type: 'invalid_request_error', code: 'request_too_large', param: null, message: 'the request line and headers exceed 16384 bytes' },
    });
  });

  it('answers headers over 16 KiB with 431 in the Anthropic format elsewhere', async () => {
    const response = await fetch(`${server.url}/v1/messages`, { method: 'POST', body: '{}', headers: { 'x-a': 'a'.repeat(9_000), 'x-b': 'b'.repeat(9_000) } });
    expect(response.status).toBe(431);
    expect(response.headers.get('x-headroom-attempts')).toBe('0');
    expect(await response.json()).toEqual({ type: 'error', error: { type: 'request_too_large', message: 'the request line and headers exceed 16384 bytes' } });
  });

  it('answers a body over the limit with 413 in the API format', async () => {
    const response = await fetch(`${server.url}/v1/chat/completions`, { method: 'POST', body: 'x'.repeat(2048) });
    expect(response.status).toBe(413);
    expect(response.headers.get('x-headroom-attempts')).toBe('0');
    expect(await response.json()).toMatchObject({ error: { type: 'invalid_request_error', code: 'request_too_large' } });
  });

  it('answers a body that is not UTF-8 with 400 in the API format, before the handler', async () => {
    received.length = 0;
    // An overlong encoding inside a JSON string: a lenient decoder would forward U+FFFD instead.
    const body = Buffer.concat([Buffer.from('{"model":"gpt-5.1","messages":[{"role":"user","content":"a'), Buffer.from([0xc0, 0xaf]), Buffer.from('"}]}')]);
    const response = await fetch(`${server.url}/v1/chat/completions`, { method: 'POST', body });
    expect(response.status).toBe(400);
    expect(response.headers.get('x-headroom-attempts')).toBe('0');
    expect(await response.json()).toEqual({ error: { type: 'invalid_request_error', code: null, param: null, message: 'the request body is not valid UTF-8' } });
    expect(received).toEqual([]);
  });

  it('answers bytes that are not HTTP with 400 in the Anthropic format', async () => {
    const socket = connect(Number(new URL(server.url).port), '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.write('NOT HTTP AT ALL\r\n\r\n');
    await new Promise((resolve) => socket.once('close', resolve));
    const [head, body] = Buffer.concat(chunks).toString().split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(head).toContain('x-headroom-attempts: 0');
    expect(JSON.parse(body!)).toEqual({ type: 'error', error: { type: 'invalid_request_error', message: 'the request is not valid HTTP/1.1' } });
  });

  it('hands the handler the path and the raw query separately', async () => {
    received.length = 0;
    await fetch(`${server.url}/v1/messages?beta=true&x=a%20b`, { method: 'POST', body: '{}' });
    await fetch(`${server.url}/healthz`);
    expect(received.map(({ path, query }) => ({ path, query }))).toEqual([{ path: '/v1/messages', query: 'beta=true&x=a%20b' }, { path: '/healthz', query: undefined }]);
  });

  it('answers a handler that throws with 500 in the API format, never a stack', async () => {
    const failing = await startNodeServer(async () => { throw new Error('bug at /srv/router.js:1'); });
    try {
      const response = await fetch(`${failing.url}/v1/chat/completions`, { method: 'POST', body: '{}' });
      expect(response.status).toBe(500);
      expect(await response.json()).toEqual({ error: { type: 'server_error', code: null, param: null, message: 'the router failed to handle this request' } });
    } finally {
      await failing.close();
    }
  });

  describe('the request\'s signal (the client going away)', () => {
    it('aborts when the client disconnects before the response', async () => {
      let handlerStarted!: () => void;
      const started = new Promise<void>((resolve) => { handlerStarted = resolve; });
      let sawAbort!: (aborted: boolean) => void;
      const observed = new Promise<boolean>((resolve) => { sawAbort = resolve; });
      const slow = await startNodeServer(async (request) => {
        handlerStarted();
        // Answers only once the client has left, as a slow upstream would.
        await new Promise((resolve) => request.signal!.addEventListener('abort', resolve, { once: true }));
        sawAbort(request.signal!.aborted);
        return json(200, { ok: true });
      });
      try {
        const client = httpRequest(`${slow.url}/v1/messages`, { method: 'POST' });
        client.on('error', () => undefined); // the socket is destroyed on purpose
        client.end('{}');
        await started;
        client.destroy();
        // A bound on the wait so a signal that never aborts fails here instead of hanging the run; not a timing claim.
        const gaveUp = new Promise<boolean>((resolve) => setTimeout(resolve, 10_000, false).unref());
        expect(await Promise.race([observed, gaveUp])).toBe(true);
      } finally {
        await slow.close();
      }
    });

    it('stays quiet for a response that was written whole', async () => {
      const signals: AbortSignal[] = [];
      const quick = await startNodeServer(async (request) => {
        signals.push(request.signal!);
        return json(200, { ok: true });
      });
      const response = await fetch(`${quick.url}/v1/messages`, { method: 'POST', body: '{}' });
      expect(await response.json()).toEqual({ ok: true });
      // Closing every connection closes the finished response's socket too: still not a departed client.
      await quick.close();
      expect(signals).toHaveLength(1);
      expect(signals[0]!.aborted).toBe(false);
    });
  });
});
