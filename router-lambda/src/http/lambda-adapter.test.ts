import { PassThrough, type Writable } from 'node:stream';
import type { LambdaFunctionURLEvent } from 'aws-lambda';
import { requestFromFunctionUrl, writeToResponseStream } from './lambda-adapter';

const event = (body: string, isBase64Encoded: boolean): LambdaFunctionURLEvent => ({
  version: '2.0', routeKey: '$default', rawPath: '/v1/messages', rawQueryString: '',
  headers: { 'Content-Type': 'application/json', connection: 'keep-alive', 'X-Headroom-Residency': 'eu' },
  requestContext: { http: { method: 'POST', path: '/v1/messages', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' } } as LambdaFunctionURLEvent['requestContext'],
  body, isBase64Encoded,
});

async function collect(run: (stream: Writable, captured: { metadata?: unknown }) => Promise<void>): Promise<{ text: string; metadata?: unknown }> {
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
});
