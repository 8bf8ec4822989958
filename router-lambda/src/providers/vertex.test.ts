import { ProviderConfigError } from './types';
import { awsCredentialsSupplier, vertexAdapter, vertexBody, vertexExternalAccount, workloadIdentityAudience } from './vertex';
import { claudeCall, drain, expectKind, KEYS, never, sse, startCapture, startFixture, type EmulatorFixture } from './testing.test-helpers';

const awsCredentials = { accessKeyId: 'AKIAROUTERTESTEXAMPLE', secretAccessKey: 'aws-secret-CANARY', sessionToken: 'session-CANARY' };
const auth = { mode: 'google-federated' as const, project: 'acme-ml', projectNumber: '123456789012', pool: 'headroom-pool', provider: 'aws-router' };
const AUDIENCE = '//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/headroom-pool/providers/aws-router';

let fixture: EmulatorFixture;
const issued: string[] = [];
const adapter = vertexAdapter({
  now: () => fixture.clock.now(),
  tokens: () => ({ getAccessToken: async () => { issued.push('ya29.injected'); return 'ya29.injected'; } }),
});

beforeEach(async () => { fixture = await startFixture(); });
afterEach(() => fixture.emulator.close());

describe('vertexBody', () => {
  it('removes the model (it is in the URL) and sets anthropic_version vertex-2023-10-16', () => {
    expect(vertexBody(claudeCall('hi', { stream: true }))).toEqual({
      anthropic_version: 'vertex-2023-10-16', max_tokens: 200, messages: [{ role: 'user', content: 'hi' }], stream: true,
    });
  });
});

describe('vertex adapter against the emulated Vertex AI endpoint', () => {
  it('calls :rawPredict with a Bearer token and reports usage, no quota evidence', async () => {
    const result = expectKind(await adapter.send(fixture.target(KEYS.vertex), claudeCall('hello vertex'), never()), 'complete');
    const body = result.reply.body as { usage: { input_tokens: number; output_tokens: number } };
    expect(result.outcome).toEqual({ kind: 'success', usage: { inputTokens: body.usage.input_tokens, outputTokens: body.usage.output_tokens }, observations: [] });
    expect(issued.length).toBeGreaterThan(0);
  });

  it('passes the :streamRawPredict SSE through and settles with the streamed usage', async () => {
    const plain = expectKind(await adapter.send(fixture.target(KEYS.vertex), claudeCall('same'), never()), 'complete');
    const result = expectKind(await adapter.send(fixture.target(KEYS.vertex), claudeCall('same', { stream: true }), never()), 'stream');
    const events = sse(await drain(result.events));
    const text = events.filter((e) => e.event === 'content_block_delta').map((e) => (e.data as { delta: { text: string } }).delta.text).join('');
    expect(text).toBe((plain.reply.body as { content: Array<{ text: string }> }).content[0]!.text);
    await expect(result.settled).resolves.toEqual({ kind: 'success', usage: plain.outcome.usage, observations: [] });
  });

  it('maps RESOURCE_EXHAUSTED to throttled with no retry hint, and a body error to client-error', async () => {
    const throttled = expectKind(await adapter.send(fixture.target(KEYS.vertex), claudeCall('big', { max_tokens: 5000 }), never()), 'failed');
    expect(throttled.outcome).toEqual({ kind: 'throttled', observations: [] });
    const rejected = expectKind(await adapter.send(fixture.target(KEYS.vertex), claudeCall('x', { max_tokens: 0 }), never()), 'failed');
    expect(rejected.outcome).toEqual({ kind: 'client-error', status: 400 });
    expect(rejected.reply.body).toEqual({ type: 'error', error: { type: 'invalid_request_error', message: 'max_tokens: Input should be a valid integer greater than or equal to 1' } });
  });
});

describe('Workload Identity Federation from AWS', () => {
  it('builds the external_account configuration from the auth block', () => {
    const supplier = awsCredentialsSupplier(awsCredentials, 'us-east-1');
    expect(vertexExternalAccount('claude/vertex', auth, supplier)).toEqual({
      type: 'external_account',
      audience: AUDIENCE,
      subject_token_type: 'urn:ietf:params:aws:token-type:aws4_request',
      token_url: 'https://sts.googleapis.com/v1/token',
      scopes: ['https://www.googleapis.com/auth/cloud-platform'],
      aws_security_credentials_supplier: supplier,
      transporterOptions: { fetchImplementation: globalThis.fetch },
    });
  });

  it('refuses a target without a numeric project number', () => {
    const { projectNumber: _n, ...withoutNumber } = auth;
    expect(() => workloadIdentityAudience('claude/vertex', withoutNumber)).toThrow(ProviderConfigError);
    expect(() => workloadIdentityAudience('claude/vertex', withoutNumber)).toThrow(/gcp.projectNumber/);
  });

  // google-auth-library's StsCredentials builds its own Gaxios, which lazily `import()`s node-fetch unless a
  // `window.fetch` exists; jest's VM cannot run that dynamic import, so hand it Node's fetch for this test.
  const globals = globalThis as { window?: unknown };
  beforeAll(() => { globals.window = { fetch: globalThis.fetch }; });
  afterAll(() => { delete globals.window; });

  it('exchanges a signed GetCallerIdentity for a token at Google STS (a loopback stand-in) and calls Vertex with it', async () => {
    const sts = await startCapture(() => ({
      status: 200,
      body: JSON.stringify({ access_token: 'ya29.federated', issued_token_type: 'urn:ietf:params:oauth:token-type:access_token', token_type: 'Bearer', expires_in: 3600 }),
    }));
    try {
      const federated = vertexAdapter({ now: () => fixture.clock.now(), awsCredentials, awsRegion: 'us-east-1', googleStsUrl: `${sts.baseUrl}/v1/token` });
      const target = { ...fixture.target(KEYS.vertex), auth };
      expectKind(await federated.send(target, claudeCall('federated'), never()), 'complete');
      expectKind(await federated.send(target, claudeCall('cached'), never()), 'complete');
      expect(sts.requests).toHaveLength(1); // google-auth-library caches the token
      const form = new URLSearchParams(sts.requests[0]!.body);
      expect(form.get('grant_type')).toBe('urn:ietf:params:oauth:grant-type:token-exchange');
      expect(form.get('audience')).toBe(AUDIENCE);
      expect(form.get('subject_token_type')).toBe('urn:ietf:params:aws:token-type:aws4_request');
      const subject = JSON.parse(decodeURIComponent(form.get('subject_token')!)) as { url: string; method: string; headers: Array<{ key: string; value: string }> };
      expect(subject).toMatchObject({ url: 'https://sts.us-east-1.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15', method: 'POST' });
      const header = (key: string) => subject.headers.find((h) => h.key.toLowerCase() === key)?.value;
      expect(header('x-goog-cloud-target-resource')).toBe(AUDIENCE);
      expect(header('authorization')).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIAROUTERTESTEXAMPLE\/\d{8}\/us-east-1\/sts\/aws4_request/);
      expect(header('x-amz-security-token')).toBe('session-CANARY');
      expect(sts.requests[0]!.body).not.toContain('aws-secret-CANARY');
    } finally {
      await sts.close();
    }
  });
});
