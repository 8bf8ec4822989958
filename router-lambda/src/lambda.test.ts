import { PassThrough, type Writable } from 'node:stream';
import { ManualClock, startEmulator, type Emulator } from '@headroom/emulator';
import { loadPlanFileOrThrow } from '@headroom/plan';
import type { LambdaFunctionURLEvent } from 'aws-lambda';
import { resolve } from 'node:path';

/** The Lambda entry as the runtime loads it: streaming globals, embedded config, real adapters. */
describe('the Lambda entry (Function URL, response streaming)', () => {
  let emulator: Emulator;
  const saved = { ...process.env };
  let handler: (event: LambdaFunctionURLEvent, stream: Writable) => Promise<void>;
  const metadata: { statusCode: number; headers: Record<string, string> }[] = [];

  beforeAll(async () => {
    const { plan } = loadPlanFileOrThrow(resolve(__dirname, '../../infra/headroom.yaml'));
    emulator = await startEmulator({ plan, clock: new ManualClock(Date.now()) });
    Object.assign(process.env, {
      HEADROOM_ROUTER_CONFIG: JSON.stringify(emulator.routerConfig),
      AWS_ACCESS_KEY_ID: 'AKIDLAMBDATEST000000', AWS_SECRET_ACCESS_KEY: 'lambda-test-not-a-secret', AWS_REGION: 'us-east-1',
    });
    (globalThis as Record<string, unknown>).awslambda = {
      streamifyResponse: (h: typeof handler) => h,
      HttpResponseStream: { from: (stream: Writable, meta: (typeof metadata)[number]) => { metadata.push(meta); return stream; } },
    };
    jest.isolateModules(() => { handler = (require('./lambda') as { handler: typeof handler }).handler; });
  });

  afterAll(async () => {
    process.env = saved;
    delete (globalThis as Record<string, unknown>).awslambda;
    await emulator.close();
  });

  function event(body: unknown): LambdaFunctionURLEvent {
    return {
      version: '2.0', routeKey: '$default', rawPath: '/v1/messages', rawQueryString: '',
      headers: { 'content-type': 'application/json' },
      requestContext: { http: { method: 'POST', path: '/v1/messages', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' } } as LambdaFunctionURLEvent['requestContext'],
      body: Buffer.from(JSON.stringify(body)).toString('base64'), isBase64Encoded: true,
    };
  }

  async function invoke(body: unknown, stream = new PassThrough()): Promise<{ meta: (typeof metadata)[number]; text: string; stdout: string }> {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    const out: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => { out.push(String(c)); return true; });
    try {
      await handler(event(body), stream);
    } finally {
      spy.mockRestore();
    }
    return { meta: metadata[metadata.length - 1]!, text: Buffer.concat(chunks).toString(), stdout: out.join('') };
  }

  it('routes a Bedrock family request, signs with SigV4, streams the answer and emits EMF tagged with the region', async () => {
    const plain = await invoke({ model: 'claude-haiku-4-5', max_tokens: 32, messages: [{ role: 'user', content: 'hi' }] });
    expect(plain.meta.statusCode).toBe(200);
    expect(plain.meta.headers['x-headroom-region']).toMatch(/^(us-east-1|eu-west-1|ap-southeast-1)$/);
    expect(JSON.parse(plain.text)).toMatchObject({ type: 'message', role: 'assistant' });
    expect(plain.stdout).toContain('"_aws"');
    expect(plain.stdout).toContain(`"Region":"${plain.meta.headers['x-headroom-region']}"`);
    expect(plain.stdout).not.toContain('lambda-test-not-a-secret');

    const streamed = await invoke({ model: 'claude-haiku-4-5', max_tokens: 32, stream: true, messages: [{ role: 'user', content: 'hi' }] });
    expect(streamed.meta.headers['content-type']).toBe('text/event-stream');
    expect(streamed.text).toContain('event: message_start');
    expect(streamed.text).toContain('event: message_stop');
  });

  it('answers client mistakes in the API format', async () => {
    const bad = await invoke({ model: 'claude-haiku-4-5', messages: [] });
    expect(bad.meta.statusCode).toBe(400);
    expect(JSON.parse(bad.text)).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
  });

  it('ends the invocation and settles the attempt when the client disconnects mid-stream', async () => {
    const stream = new PassThrough();
    stream.once('data', () => stream.destroy());
    const { stdout } = await invoke({ model: 'claude-haiku-4-5', max_tokens: 256, stream: true, messages: [{ role: 'user', content: 'hi' }] }, stream);
    const settled = stdout.indexOf('"message":"request"');
    const disconnected = stdout.indexOf('client disconnected mid-response');
    expect(settled).toBeGreaterThanOrEqual(0);
    expect(disconnected).toBeGreaterThan(settled);
  }, 20_000);
});
