import { PassThrough, type Writable } from 'node:stream';
import { ManualClock, startEmulator, type Emulator } from '@headroom/emulator';
import { loadPlanFileOrThrow } from '@headroom/plan';
import type { LambdaFunctionURLEvent } from 'aws-lambda';
import { resolve } from 'node:path';
import { until } from './e2e/wait.test-helpers';

/** The Lambda entry as the runtime loads it: streaming globals, embedded config, real adapters. */
describe('the Lambda entry (Function URL, response streaming)', () => {
  let emulator: Emulator;
  const saved = { ...process.env };
  type Handler = (event: LambdaFunctionURLEvent, stream: Writable) => Promise<void>;
  let handler: Handler;
  const metadata: { statusCode: number; headers: Record<string, string> }[] = [];
  /** A fresh load of the entry, as a cold start with these environment variables. */
  const load = (env: Record<string, string | undefined> = {}, mocks?: () => void): Handler => {
    const before = { ...process.env };
    Object.assign(process.env, env);
    let loaded!: Handler;
    jest.isolateModules(() => {
      mocks?.();
      loaded = (require('./lambda') as { handler: Handler }).handler;
    });
    process.env = before;
    return loaded;
  };

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
    handler = load();
  });

  afterAll(async () => {
    process.env = saved;
    delete (globalThis as Record<string, unknown>).awslambda;
    await emulator.close();
  });

  function event(body: unknown, method = 'POST', path = '/v1/messages'): LambdaFunctionURLEvent {
    return {
      version: '2.0', routeKey: '$default', rawPath: path, rawQueryString: '',
      headers: { 'content-type': 'application/json' },
      requestContext: { http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' } } as LambdaFunctionURLEvent['requestContext'],
      ...(body === undefined ? {} : { body: Buffer.from(JSON.stringify(body)).toString('base64') }), isBase64Encoded: body !== undefined,
    };
  }

  async function invoke(body: unknown, stream = new PassThrough(), request = event(body), entry = handler): Promise<{ meta: (typeof metadata)[number]; text: string; stdout: string }> {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    const out: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => { out.push(String(c)); return true; });
    try {
      await entry(request, stream);
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
    const raw = Buffer.concat([Buffer.from('{"model":"claude-haiku-4-5","max_tokens":8,"messages":[{"role":"user","content":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}]}')]);
    const notUtf8 = await invoke(undefined, new PassThrough(), { ...event(undefined), body: raw.toString('base64'), isBase64Encoded: true });
    expect(notUtf8.meta.statusCode).toBe(400);
    expect(notUtf8.meta.headers['x-headroom-attempts']).toBe('0');
    expect(JSON.parse(notUtf8.text)).toEqual({ type: 'error', error: { type: 'invalid_request_error', message: 'the request body is not valid UTF-8' } });
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

  it('cancels the upstream call when the client disconnects before the response headers, and ends the invocation', async () => {
    const chatbot = emulator.routerConfig.families.chatbot!.targets;
    const requests = () => chatbot.reduce((sum, key) => sum + emulator.stats()[key]!.requests, 0);
    emulator.setFaults(Object.fromEntries(chatbot.map((key) => [key, [{ kind: 'timeout' }]])));
    try {
      const before = requests();
      const stream = new PassThrough();
      const invocation = invoke({ model: 'claude-haiku-4-5', max_tokens: 16, stream: true, messages: [{ role: 'user', content: 'hi' }] }, stream);
      await until(() => requests() !== before, 'the upstream request');
      expect(requests()).toBe(before + 1);
      stream.destroy();
      await invocation;
      // Without the client's signal the attempt would run to the headers timeout and fail over to the next hanging target.
      expect(requests()).toBe(before + 1);
    } finally {
      emulator.setFaults({});
    }
  }, 30_000);

  it('caps the shared store\'s cooldowns at the config\'s routing.maxCooldownMs, as the core does', () => {
    const constructed: unknown[][] = [];
    const config = { ...emulator.routerConfig, routing: { ...emulator.routerConfig.routing, maxCooldownMs: 42_000 } };
    load({ HEADROOM_ROUTER_CONFIG: JSON.stringify(config), HEADROOM_STATE_TABLE: 'support-bot-headroom-state' }, () => {
      jest.doMock('./store/dynamodb-store', () => {
        const actual = jest.requireActual<typeof import('./store/dynamodb-store')>('./store/dynamodb-store');
        class RecordedStore extends actual.DynamoDbSharedStore {
          constructor(...args: ConstructorParameters<typeof actual.DynamoDbSharedStore>) {
            super(...args);
            constructed.push(args);
          }
        }
        return { ...actual, DynamoDbSharedStore: RecordedStore };
      });
    });
    jest.dontMock('./store/dynamodb-store');
    expect(constructed).toHaveLength(1);
    expect(constructed[0]!.slice(1)).toEqual(['support-bot-headroom-state', { maxCooldownMs: 42_000 }]);
  });

  describe('operational endpoints', () => {
    const get = (path: string, entry = handler) => invoke(undefined, new PassThrough(), event(undefined, 'GET', path), entry);

    it('by default /status is 404 and /healthz says only ok and the plan digest', async () => {
      const status = await get('/status');
      expect(status.meta.statusCode).toBe(404);
      expect(JSON.parse(status.text)).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
      const health = await get('/healthz');
      expect(health.meta.statusCode).toBe(200);
      expect(JSON.parse(health.text)).toEqual({ status: 'ok', planDigest: emulator.routerConfig.planDigest });
      for (const text of [status.text, health.text]) {
        expect(text).not.toContain(emulator.routerConfig.plan);
        expect(text).not.toContain('chatbot/');
      }
    });

    it('HEADROOM_EXPOSE_STATUS=1 (the CDK prop exposeStatus) serves /status', async () => {
      const exposed = load({ HEADROOM_EXPOSE_STATUS: '1' });
      const status = await get('/status', exposed);
      expect(status.meta.statusCode).toBe(200);
      expect(JSON.parse(status.text)).toMatchObject({ plan: emulator.routerConfig.plan, targets: expect.any(Array) });
      expect(JSON.parse((await get('/healthz', exposed)).text)).toMatchObject({ status: 'ok', plan: emulator.routerConfig.plan });
    });
  });
});
