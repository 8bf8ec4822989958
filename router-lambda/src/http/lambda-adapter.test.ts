import { PassThrough, Writable } from 'node:stream';
import type { LambdaFunctionURLEvent } from 'aws-lambda';
import { BodyEncodingError } from './errors';
import { clientDisconnectSignal, requestFromFunctionUrl, writeToResponseStream } from './lambda-adapter';

const event = (body: string, isBase64Encoded: boolean): LambdaFunctionURLEvent => ({
  version: '2.0', routeKey: '$default', rawPath: '/v1/messages', rawQueryString: '',
  headers: { 'Content-Type': 'application/json', connection: 'keep-alive', 'X-Headroom-Residency': 'eu' },
  requestContext: { http: { method: 'POST', path: '/v1/messages', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' } } as LambdaFunctionURLEvent['requestContext'],
  body, isBase64Encoded,
});

async function collect(run: (stream: Writable, captured: { metadata?: unknown }) => Promise<unknown>): Promise<{ text: string; metadata?: unknown }> {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  const captured: { metadata?: unknown } = {};
  await run(stream, captured);
  return { text: Buffer.concat(chunks).toString(), metadata: captured.metadata };
}

describe('Function URL adapter', () => {
  it('decodes base64 bodies, lower-cases headers and drops hop-by-hop ones', () => {
    const request = requestFromFunctionUrl(event(Buffer.from('{"a":1}').toString('base64'), true));
    expect(request).toEqual({ method: 'POST', path: '/v1/messages', headers: { 'content-type': 'application/json', 'x-headroom-residency': 'eu' }, body: '{"a":1}' });
  });

  it('refuses a base64 body that is not UTF-8 with a 400 in the API format', () => {
    const bad = { ...event(Buffer.from([0x7b, 0xff, 0x7d]).toString('base64'), true), rawPath: '/v1/chat/completions' };
    expect(() => requestFromFunctionUrl(bad)).toThrow(BodyEncodingError);
    try {
      requestFromFunctionUrl(bad);
    } catch (error) {
      const reply = (error as BodyEncodingError).reply();
      expect(reply.status).toBe(400);
      expect(reply.headers['x-headroom-attempts']).toBe('0');
      expect(JSON.parse(reply.body)).toMatchObject({ error: { type: 'invalid_request_error', param: null } });
    }
  });

  it('keeps the raw query string', () => {
    expect(requestFromFunctionUrl({ ...event('', false), rawQueryString: 'beta=a%20b&beta=c' }).query).toBe('beta=a%20b&beta=c');
  });

  it('streams chunks after attaching status and headers', async () => {
    async function* sse() {
      yield Buffer.from('event: a\n\n');
      yield Buffer.from('event: b\n\n');
    }
    const result = await collect((stream, captured) => writeToResponseStream(stream, { status: 200, headers: { 'content-type': 'text/event-stream' }, body: sse() }, {
      from: (s, metadata) => { captured.metadata = metadata; return s; },
    }));
    expect(result.metadata).toEqual({ statusCode: 200, headers: { 'content-type': 'text/event-stream' } });
    expect(result.text).toBe('event: a\n\nevent: b\n\n');
  });

  describe('clientDisconnectSignal', () => {
    it('aborts when the response stream closes before it finished', () => {
      const stream = new PassThrough();
      const signal = clientDisconnectSignal(stream);
      expect(signal.aborted).toBe(false);
      stream.destroy();
      return new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    });

    it('aborts on a stream error, which it also keeps from crashing the runtime', async () => {
      const stream = new PassThrough();
      const signal = clientDisconnectSignal(stream);
      stream.destroy(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
      await new Promise((resolve) => stream.once('close', resolve));
      expect(signal.aborted).toBe(true);
    });

    it('stays quiet when the response was written whole', async () => {
      const stream = new PassThrough();
      stream.resume();
      const signal = clientDisconnectSignal(stream);
      await writeToResponseStream(stream, { status: 200, headers: {}, body: '{"ok":true}' }, { from: (s) => s });
      await new Promise((resolve) => stream.once('close', resolve));
      expect(signal.aborted).toBe(false);
    });

    it('reaches the request', () => {
      const signal = new AbortController().signal;
      expect(requestFromFunctionUrl(event('', false), signal).signal).toBe(signal);
    });
  });

  describe('when the client disconnects mid-stream', () => {
    const identity = { from: (s: Writable) => s };

    /** An upstream SSE stream that records how far it was read and whether it was closed. */
    function upstream(pauseAfterFirst?: Promise<void>) {
      const seen = { yielded: 0, closed: false };
      async function* events() {
        try {
          for (let i = 0; i < 1000; i += 1) {
            if (i === 1 && pauseAfterFirst) await pauseAfterFirst;
            seen.yielded += 1;
            yield Buffer.from(`data: ${i}\n\n`);
          }
        } finally {
          seen.closed = true;
        }
      }
      return { seen, body: events() };
    }

    /** A response stream whose client reads nothing: every write after the first waits for 'drain'. */
    const stalledClient = () => new Writable({ highWaterMark: 1, write: () => undefined });

    it('closes the upstream iterator when the stream closes while waiting for drain', async () => {
      const { seen, body } = upstream();
      const out = stalledClient();
      const writing = writeToResponseStream(out, { status: 200, headers: {}, body }, identity);
      await new Promise((resolve) => setImmediate(resolve));
      expect(seen.yielded).toBe(1);
      out.destroy();
      await expect(writing).resolves.toBe('client-gone');
      expect(seen).toEqual({ yielded: 1, closed: true });
    }, 10_000);

    it('survives an error on the stream and closes the upstream iterator', async () => {
      const { seen, body } = upstream();
      const out = stalledClient();
      const writing = writeToResponseStream(out, { status: 200, headers: {}, body }, identity);
      await new Promise((resolve) => setImmediate(resolve));
      out.destroy(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
      await expect(writing).resolves.toBe('client-gone');
      expect(seen.closed).toBe(true);
    }, 10_000);

    it('stops writing when the stream closes while the upstream is between chunks', async () => {
      let resume!: () => void;
      const { seen, body } = upstream(new Promise<void>((resolve) => { resume = resolve; }));
      const written: string[] = [];
      const out = new Writable({ write: (chunk: Buffer, _encoding, done) => { written.push(chunk.toString()); done(); } });
      const writing = writeToResponseStream(out, { status: 200, headers: {}, body }, identity);
      await new Promise((resolve) => setImmediate(resolve));
      out.destroy();
      // The upstream's next chunk (or its own idle timeout) lets return() run; nothing more is written.
      resume();
      await expect(writing).resolves.toBe('client-gone');
      expect(written).toEqual(['data: 0\n\n']);
      expect(seen.closed).toBe(true);
      expect(seen.yielded).toBeLessThanOrEqual(2);
    }, 10_000);
  });
});
