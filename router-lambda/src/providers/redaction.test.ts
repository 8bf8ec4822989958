/**
 * Issue #8: no credential the router holds or minted reaches a client through an upstream error, in any
 * field, buffered or mid-stream. Each credential is first shown to be the one the adapter really sent
 * upstream, then echoed back in every field of an error body, an SSE error event and a Bedrock exception.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RouterTarget } from '@headroom/plan/runtime';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { anthropicAdapter } from './anthropic';
import { azureOpenAiAdapter } from './azure-openai';
import { bedrockAdapter } from './bedrock';
import { openAiAdapter } from './openai';
import { redact, redactDeep, redactJsonText, REDACTED, SecretLedger } from './redaction';
import { fidelityTarget } from './scripted-upstream.test-helpers';
import { StaticSecretSource } from './secrets';
import { chatCall, claudeCall, drain, KEYS } from './testing.test-helpers';
import type { ProviderAdapter, UpstreamCall, UpstreamResult } from './types';
import { vertexAdapter } from './vertex';

const ANTHROPIC_KEY = 'sk-ant-api03-CANARY-anthropic-0123456789';
const OPENAI_KEY = 'sk-proj-CANARY-openai-0123456789abcdef';
const ENTRA_TOKEN = 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.CANARY-entra.c2lnbmF0dXJl';
const GOOGLE_TOKEN = 'ya29.a0AfB_CANARY-google-access-token_0123';
const AWS = { accessKeyId: 'AKIACANARY0123456789', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYCANARYKEY', sessionToken: 'IQoJb3JpZ2luX2VjCANARY+session/token==' };

interface Case {
  readonly name: string;
  readonly target: string;
  readonly adapter: () => ProviderAdapter;
  readonly call: (stream: boolean) => UpstreamCall;
  /** The credential values, and where the adapter must have sent one upstream. */
  readonly secrets: readonly string[];
  readonly sent: (headers: Record<string, string | string[] | undefined>) => string | undefined;
}

const keys = new StaticSecretSource({ 'emulator-fidelity/anthropic-api-key': ANTHROPIC_KEY, 'emulator-fidelity/openai-api-key': OPENAI_KEY });
const CASES: Case[] = [
  { name: 'Anthropic API key', target: KEYS.anthropic, adapter: () => anthropicAdapter({ secrets: keys }), call: (s) => claudeCall('x', { stream: s }), secrets: [ANTHROPIC_KEY], sent: (h) => h['x-api-key'] as string },
  { name: 'OpenAI API key', target: KEYS.openai, adapter: () => openAiAdapter({ secrets: keys }), call: (s) => chatCall('x', { stream: s }), secrets: [OPENAI_KEY], sent: (h) => h.authorization as string },
  {
    name: 'Azure Entra access token', target: KEYS.azure, call: (s) => chatCall('x', { stream: s }), secrets: [ENTRA_TOKEN], sent: (h) => h.authorization as string,
    adapter: () => azureOpenAiAdapter({ credential: () => ({ getToken: async () => ({ token: ENTRA_TOKEN, expiresOnTimestamp: Date.now() + 3_600_000 }) }) }),
  },
  {
    name: 'Vertex ya29 access token', target: KEYS.vertex, call: (s) => claudeCall('x', { stream: s }), secrets: [GOOGLE_TOKEN], sent: (h) => h.authorization as string,
    adapter: () => vertexAdapter({ tokens: () => ({ getAccessToken: async () => GOOGLE_TOKEN }) }),
  },
  {
    name: 'SigV4 credentials', target: KEYS.bedrock, call: (s) => claudeCall('x', { stream: s }), secrets: [AWS.accessKeyId, AWS.secretAccessKey, AWS.sessionToken],
    adapter: () => bedrockAdapter({ credentials: AWS }), sent: (h) => `${String(h.authorization)} ${String(h['x-amz-security-token'])}`,
  },
];

/** Every field an upstream error has, each carrying `secret` (and a JSON-escaped copy where JSON allows one). */
function errorJson(secret: string): string {
  const fields = { message: `bad key ${secret}`, type: `${secret}_error`, param: secret, code: secret, details: [{ reason: secret, metadata: { raw: `Bearer ${secret}` } }] };
  return JSON.stringify({ type: 'error', message: secret, Message: secret, error: fields }).replace(/\//g, '\\/');
}

const codec = new EventStreamCodec(toUtf8, fromUtf8);
const str = (value: string) => ({ type: 'string' as const, value });
function bedrockException(secret: string): Uint8Array {
  return codec.encode({ headers: { ':message-type': str('exception'), ':exception-type': str('validationException'), ':content-type': str('application/json') }, body: fromUtf8(JSON.stringify({ message: `bad ${secret}` })) });
}

function streamBody(target: string, secret: string): { type: string; body: Uint8Array | string } {
  if (target === KEYS.bedrock) return { type: 'application/vnd.amazon.eventstream', body: bedrockException(secret) };
  if (target === KEYS.openai || target === KEYS.azure) return { type: 'text/event-stream', body: `data: ${JSON.stringify({ choices: [{ delta: { content: 'hi' } }] })}\n\ndata: ${errorJson(secret)}\n\n` };
  return { type: 'text/event-stream', body: `event: message_start\ndata: ${JSON.stringify({ type: 'message_start', message: { usage: { input_tokens: 1, output_tokens: 1 } } })}\n\nevent: error\ndata: ${errorJson(secret)}\n\n` };
}

/** One request on loopback: records the request headers and answers with `answer`. */
async function exchange(c: Case, stream: boolean, answer: (secret: string) => { status: number; type: string; body: Uint8Array | string; headers?: Record<string, string> }, secret: string) {
  let seen: Record<string, string | string[] | undefined> = {};
  const server = createServer((req, res) => {
    seen = req.headers;
    req.resume();
    req.on('end', () => {
      const a = answer(secret);
      res.writeHead(a.status, { 'content-type': a.type, ...a.headers });
      res.end(a.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const base = fidelityTarget(c.target);
    const target: RouterTarget = { ...base, endpoint: { ...base.endpoint, baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` } };
    const result = await c.adapter().send(target, c.call(stream));
    return { result, seen };
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

async function clientText(result: UpstreamResult): Promise<string> {
  if (result.kind === 'stream') return drain(result.events);
  return JSON.stringify(result.reply);
}

function expectRedacted(text: string, secret: string): void {
  expect(text).not.toContain(secret);
  expect(text).not.toContain(JSON.stringify(secret).slice(1, -1));
  expect(text).not.toContain(secret.replace(/\//g, '\\/'));
  expect(text).toContain(REDACTED);
}

describe.each(CASES)('$name', (c) => {
  it('is what the adapter sends upstream (the AWS secret key only signs)', async () => {
    const { seen } = await exchange(c, false, () => ({ status: 200, type: 'application/json', body: JSON.stringify({ usage: {} }) }), c.secrets[0]!);
    for (const value of c.secrets.filter((v) => v !== AWS.secretAccessKey)) expect(c.sent(seen)).toContain(value);
    expect(c.sent(seen)).not.toContain(AWS.secretAccessKey);
  });

  it.each(c.secrets.map((s) => [s]))('is redacted from every field of a buffered error body: %s', async (secret) => {
    const { result } = await exchange(c, false, (s) => ({ status: 400, type: 'application/json', body: errorJson(s), headers: { 'x-amzn-errortype': `${s}:http://internal` } }), secret);
    expect(result).toMatchObject({ kind: 'failed', outcome: { kind: 'client-error', status: 400 } });
    expectRedacted(await clientText(result), secret);
  });

  it.each(c.secrets.map((s) => [s]))('is redacted from an error event in mid-stream: %s', async (secret) => {
    const { result } = await exchange(c, true, (s) => ({ status: 200, ...streamBody(c.target, s) }), secret);
    expect(result.kind).toBe('stream');
    expectRedacted(await clientText(result), secret);
  });
});

describe('redaction helpers', () => {
  it('a secret cut short by a message limit leaves no part of itself behind', async () => {
    const c = CASES[0]!;
    const { result } = await exchange(c, false, (s) => ({ status: 400, type: 'text/plain', body: `${'x'.repeat(490)}${s}` }), ANTHROPIC_KEY);
    const text = await clientText(result);
    expect(text).not.toContain(ANTHROPIC_KEY.slice(0, 10));
  });

  it('every adapter built from one ledger redacts a credential another adapter minted', () => {
    const ledger = new SecretLedger();
    ledger.remember(GOOGLE_TOKEN, 'short', undefined);
    expect(ledger.known()).toEqual([GOOGLE_TOKEN]);
    expect(redactJsonText(errorJson(GOOGLE_TOKEN), ledger.known())).not.toContain('CANARY');
  });

  it('redacts keys and values at any depth without recursion', () => {
    let deep: unknown = { [ENTRA_TOKEN]: ENTRA_TOKEN };
    for (let i = 0; i < 50_000; i++) deep = [deep];
    let out = redactDeep(deep, [ENTRA_TOKEN]);
    for (let i = 0; i < 50_000; i++) out = (out as unknown[])[0];
    expect(out).toEqual({ [REDACTED]: REDACTED });
    expect(redact(`a ${OPENAI_KEY} b`, [OPENAI_KEY, OPENAI_KEY.slice(0, 12)])).toBe(`a ${REDACTED} b`);
  });
});
