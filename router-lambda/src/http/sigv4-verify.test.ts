import { Sha256 } from '@aws-crypto/sha256-js';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { buildQueryString } from '@smithy/core/protocols';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { QueryParameterBag } from '@smithy/types';
import { createHash } from 'node:crypto';
import { startNodeServer } from './node-server';
import { requireSigV4, verifySigV4 } from './sigv4-verify';
import { json, type RouterHttpRequest } from './types';

const KEYS = { accessKeyId: 'AKIDHEADROOMTEST', secretAccessKey: 'test-secret-not-real' };
const NOW = Date.UTC(2026, 10, 24, 12, 0, 0);
const options = { ...KEYS, region: 'us-east-1' };

interface SignOptions {
  readonly body?: string;
  readonly query?: QueryParameterBag;
  readonly headers?: Record<string, string>;
  readonly secret?: string;
  readonly unsignableHeaders?: Set<string>;
}

/** Sign as the AWS SDK does (its signer, its query-string builder) and return what a server receives. */
async function signed({ body = '{"a":1}', query, headers = {}, secret = KEYS.secretAccessKey, unsignableHeaders }: SignOptions = {}): Promise<RouterHttpRequest> {
  const signer = new SignatureV4({ service: 'lambda', region: 'us-east-1', sha256: Sha256, credentials: { ...KEYS, secretAccessKey: secret } });
  const request = await signer.sign(new HttpRequest({
    method: 'POST', protocol: 'https:', hostname: '127.0.0.1', path: '/v1/messages', ...(query ? { query } : {}),
    headers: { host: '127.0.0.1:8080', 'content-type': 'application/json', ...headers }, body,
  }), { signingDate: new Date(NOW), ...(unsignableHeaders ? { unsignableHeaders } : {}) });
  const sent = query ? buildQueryString(query) : '';
  return {
    method: 'POST', path: '/v1/messages', ...(sent ? { query: sent } : {}), body,
    headers: Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v])),
  };
}

describe('verifySigV4', () => {
  it('accepts a request signed with the known credentials', async () => {
    expect(await verifySigV4(await signed(), options, NOW)).toEqual({ ok: true });
  });

  it('accepts a correctly signed query: repeated keys, reserved and non-ASCII characters, a literal +, empty values', async () => {
    const query = { beta: ['tools', 'cache'], q: 'a b+c/d?', 'ü-key': 'naïve', empty: '' };
    const request = await signed({ query });
    expect(request.query).toContain('%2B');
    expect(await verifySigV4(request, options, NOW)).toEqual({ ok: true });
  });

  it('rejects a query appended to a request signed without one, and a changed query', async () => {
    const unsignedQuery = await signed();
    expect(await verifySigV4({ ...unsignedQuery, query: 'injected=1' }, options, NOW)).toEqual({ ok: false, reason: 'signature does not match' });
    const withQuery = await signed({ query: { beta: 'tools' } });
    expect(await verifySigV4({ ...withQuery, query: 'beta=tools&injected=1' }, options, NOW)).toEqual({ ok: false, reason: 'signature does not match' });
    expect(await verifySigV4({ ...withQuery, query: 'beta=other' }, options, NOW)).toEqual({ ok: false, reason: 'signature does not match' });
    expect(await verifySigV4({ ...withQuery, query: 'beta=%zz' }, options, NOW)).toMatchObject({ ok: false });
  });

  it('rejects a signature whose SignedHeaders leaves out host', async () => {
    const request = await signed({ unsignableHeaders: new Set(['host']) });
    expect(request.headers.authorization).not.toMatch(/SignedHeaders=[^,]*host/);
    expect(await verifySigV4(request, options, NOW)).toEqual({ ok: false, reason: 'SignedHeaders leaves out host' });
  });

  it('rejects an x-amz-content-sha256 that is not the body\'s hash, even when signed', async () => {
    const otherBodyHash = createHash('sha256').update('{"a":2}').digest('hex');
    expect(await verifySigV4(await signed({ headers: { 'x-amz-content-sha256': otherBodyHash } }), options, NOW))
      .toEqual({ ok: false, reason: 'x-amz-content-sha256 is not the hash of the body' });
    expect(await verifySigV4(await signed({ headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } }), options, NOW)).toMatchObject({ ok: false });
    const ownHash = createHash('sha256').update('{"a":1}').digest('hex');
    expect(await verifySigV4(await signed({ headers: { 'x-amz-content-sha256': ownHash } }), options, NOW)).toEqual({ ok: true });
  });

  it('verifies headers the signer skips by default when the client signed them', async () => {
    const signer = new SignatureV4({ service: 'lambda', region: 'us-east-1', sha256: Sha256, credentials: KEYS });
    const signedUserAgent = await signer.sign(new HttpRequest({
      method: 'POST', protocol: 'https:', hostname: '127.0.0.1', path: '/v1/messages', body: '{}',
      headers: { host: '127.0.0.1:8080', 'user-agent': 'test/1' },
    }), { signingDate: new Date(NOW), signableHeaders: new Set(['user-agent']) });
    const received = { method: 'POST', path: '/v1/messages', body: '{}', headers: signedUserAgent.headers };
    expect(signedUserAgent.headers.authorization).toContain('user-agent');
    expect(await verifySigV4(received, options, NOW)).toEqual({ ok: true });
    expect(await verifySigV4({ ...received, headers: { ...received.headers, 'user-agent': 'other/2' } }, options, NOW)).toEqual({ ok: false, reason: 'signature does not match' });
  });

  it('rejects a tampered body, a wrong secret, an unsigned request, a skewed clock either way and another scope', async () => {
    const request = await signed();
    expect(await verifySigV4({ ...request, body: '{"a":2}' }, options, NOW)).toEqual({ ok: false, reason: 'x-amz-content-sha256 is not the hash of the body' });
    const { 'x-amz-content-sha256': _hash, ...withoutHashHeader } = request.headers;
    expect(await verifySigV4({ ...request, headers: withoutHashHeader, body: '{"a":2}' }, options, NOW)).toMatchObject({ ok: false });
    expect(await verifySigV4(await signed({ secret: 'other-secret' }), options, NOW)).toEqual({ ok: false, reason: 'signature does not match' });
    expect(await verifySigV4({ ...request, headers: { ...request.headers, authorization: undefined } }, options, NOW)).toMatchObject({ ok: false });
    expect(await verifySigV4(request, options, NOW + 5 * 60_000)).toEqual({ ok: true });
    expect(await verifySigV4(request, options, NOW + 5 * 60_000 + 1)).toEqual({ ok: false, reason: 'request time too skewed' });
    expect(await verifySigV4(request, options, NOW - 5 * 60_000 - 1)).toEqual({ ok: false, reason: 'request time too skewed' });
    expect(await verifySigV4(request, { ...options, region: 'eu-west-1' }, NOW)).toMatchObject({ ok: false, reason: expect.stringContaining('credential scope') });
  });
});

describe('requireSigV4', () => {
  const reasons: string[] = [];
  const gate = requireSigV4(async () => json(200, { ok: true }), { ...options, now: () => NOW, onReject: (reason) => reasons.push(reason) });

  it('answers 403 in the API\'s format with no reason for the client; the reason goes to the log', async () => {
    const request = await signed();
    const anthropic = await gate({ ...request, query: 'injected=1' });
    expect(anthropic).toEqual({
      status: 403, headers: { 'content-type': 'application/json', 'x-headroom-attempts': '0' },
      body: JSON.stringify({ type: 'error', error: { type: 'permission_error', message: 'Forbidden: the request is not signed with SigV4 by an allowed principal' } }),
    });
    const openai = await gate({ ...request, path: '/v1/chat/completions' });
    expect(openai.status).toBe(403);
    expect(openai.headers).not.toHaveProperty('x-headroom-auth');
    expect(JSON.parse(openai.body as string)).toMatchObject({ error: { type: 'invalid_request_error', code: 'forbidden' } });
    expect(reasons).toEqual(['signature does not match', 'signature does not match']);
    expect((await gate(request)).status).toBe(200);
  });

  it('lets an AWS SDK client through, signed by its own middleware, over loopback', async () => {
    const seen: RouterHttpRequest[] = [];
    const server = await startNodeServer(requireSigV4(async (request) => {
      seen.push(request);
      return json(200, { TableNames: [] }, { 'content-type': 'application/x-amz-json-1.0' });
    }, { ...KEYS, region: 'us-east-1', service: 'dynamodb', now: Date.now }));
    const client = new DynamoDBClient({ endpoint: server.url, region: 'us-east-1', credentials: KEYS, maxAttempts: 1 });
    try {
      expect(await client.send(new ListTablesCommand({}))).toMatchObject({ TableNames: [] });
      const wrongKey = new DynamoDBClient({ endpoint: server.url, region: 'us-east-1', credentials: { ...KEYS, secretAccessKey: 'guessed' }, maxAttempts: 1 });
      await expect(wrongKey.send(new ListTablesCommand({}))).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
      wrongKey.destroy();
      expect(seen).toHaveLength(1);
    } finally {
      client.destroy();
      await server.close();
    }
  });
});
