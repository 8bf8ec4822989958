import Anthropic from '@anthropic-ai/sdk';
import { signedFetch } from '@headroom/client';
import { LOCAL_SIGV4_CREDENTIALS } from '@headroom/router-lambda';
import OpenAI from 'openai';
import { startEmulatorAndRouter } from './processes';

/** The deployed router sits behind an IAM-auth Function URL; `headroom serve --verify-sigv4` checks signatures the same way. */
describe('signedFetch() with the official SDKs against `headroom serve --verify-sigv4`', () => {
  let stack: Awaited<ReturnType<typeof startEmulatorAndRouter>>;
  beforeAll(async () => { stack = await startEmulatorAndRouter(['--verify-sigv4'], ['--time-scale', '60']); }, 40_000);
  afterAll(() => stack.stop());

  const signed = () => signedFetch({ region: 'us-east-1', credentials: LOCAL_SIGV4_CREDENTIALS });

  it('Anthropic SDK: signed requests pass, plain and streamed', async () => {
    const client = new Anthropic({ baseURL: stack.routerUrl, apiKey: 'unused-by-the-router', fetch: signed(), maxRetries: 0 });
    const message = await client.messages.create({ model: 'claude-sonnet-4-6', max_tokens: 32, messages: [{ role: 'user', content: 'hi' }] });
    expect(message.content[0]).toMatchObject({ type: 'text' });
    const streamed = await client.messages.stream({ model: 'claude-haiku-4-5', max_tokens: 32, messages: [{ role: 'user', content: 'hi' }] }).finalMessage();
    expect(streamed.usage.output_tokens).toBeGreaterThan(0);
  });

  it('OpenAI SDK: signed requests pass', async () => {
    const client = new OpenAI({ baseURL: `${stack.routerUrl}/v1`, apiKey: 'unused-by-the-router', fetch: signed(), maxRetries: 0 });
    const completion = await client.chat.completions.create({ model: 'gpt-5.1', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] });
    expect(completion.choices[0]!.message.content!.length).toBeGreaterThan(0);
  });

  it('a signed query passes; a query appended after signing does not', async () => {
    const probe = await signed()(`${stack.routerUrl}/healthz?probe=1&probe=2&q=a+b%20c`);
    expect(probe.status).toBe(200);
    const appending: typeof fetch = (input, init) => fetch(`${String(input)}?injected=1`, init);
    const injected = await signedFetch({ region: 'us-east-1', credentials: LOCAL_SIGV4_CREDENTIALS, fetch: appending })(`${stack.routerUrl}/healthz`);
    expect(injected.status).toBe(403);
    expect(stack.routerOutput()).toContain('warning: SigV4 refused GET /healthz: signature does not match');
  });

  it('unsigned, wrongly keyed and tampered requests get 403', async () => {
    const body = JSON.stringify({ model: 'claude-sonnet-4-6', max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] });
    const url = `${stack.routerUrl}/v1/messages`;
    expect((await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json' } })).status).toBe(403);
    const wrongKey = signedFetch({ region: 'us-east-1', credentials: { accessKeyId: LOCAL_SIGV4_CREDENTIALS.accessKeyId, secretAccessKey: 'guessed' } });
    expect((await wrongKey(url, { method: 'POST', body, headers: { 'content-type': 'application/json' } })).status).toBe(403);
    // Sign one body, send another: the signature covers the payload.
    const tampering: typeof fetch = (input, init) => fetch(input, { ...init, body: body.replace('hi', 'ho') });
    const tampered = signedFetch({ region: 'us-east-1', credentials: LOCAL_SIGV4_CREDENTIALS, fetch: tampering });
    const response = await tampered(url, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    expect(response.status).toBe(403);
    // The reason is in the router's log only; the client gets the API's permission error.
    expect(response.headers.get('x-headroom-auth')).toBeNull();
    expect(response.headers.get('x-headroom-attempts')).toBe('0');
    expect(await response.json()).toEqual({ type: 'error', error: { type: 'permission_error', message: expect.stringMatching(/^Forbidden/) } });
  });
});
