import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { verifySigV4 } from './sigv4-verify';
import type { RouterHttpRequest } from './types';

const KEYS = { accessKeyId: 'AKIDHEADROOMTEST', secretAccessKey: 'test-secret-not-real' };
const NOW = Date.UTC(2026, 10, 24, 12, 0, 0);

async function signed(body: string, secret = KEYS.secretAccessKey): Promise<RouterHttpRequest> {
  const signer = new SignatureV4({ service: 'lambda', region: 'us-east-1', sha256: Sha256, credentials: { ...KEYS, secretAccessKey: secret } });
  const request = await signer.sign(new HttpRequest({
    method: 'POST', protocol: 'https:', hostname: '127.0.0.1', path: '/v1/messages',
    headers: { host: '127.0.0.1:8080', 'content-type': 'application/json' }, body,
  }), { signingDate: new Date(NOW) });
  return { method: 'POST', path: '/v1/messages', headers: Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v])), body };
}

describe('verifySigV4', () => {
  const options = { ...KEYS, region: 'us-east-1' };

  it('accepts a request signed with the known credentials', async () => {
    expect(await verifySigV4(await signed('{"a":1}'), options, NOW)).toEqual({ ok: true });
  });

  it('rejects a tampered body, a wrong secret, an unsigned request and a stale one', async () => {
    const request = await signed('{"a":1}');
    expect(await verifySigV4({ ...request, body: '{"a":2}' }, options, NOW)).toEqual({ ok: false, reason: 'signature does not match' });
    expect(await verifySigV4(await signed('{"a":1}', 'other-secret'), options, NOW)).toEqual({ ok: false, reason: 'signature does not match' });
    expect(await verifySigV4({ ...request, headers: { ...request.headers, authorization: undefined } }, options, NOW)).toMatchObject({ ok: false });
    expect(await verifySigV4(request, options, NOW + 10 * 60_000)).toEqual({ ok: false, reason: 'request time too skewed' });
    expect(await verifySigV4(request, { ...options, region: 'eu-west-1' }, NOW)).toMatchObject({ ok: false, reason: expect.stringContaining('credential scope') });
  });
});
