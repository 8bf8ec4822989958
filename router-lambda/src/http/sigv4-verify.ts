import { Sha256 } from '@aws-crypto/sha256-js';
import { parseQueryString } from '@smithy/core/protocols';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { createHash, timingSafeEqual } from 'node:crypto';
import { apiForPath, forbidden } from './errors';
import type { RouterHttpHandler, RouterHttpRequest } from './types';

/** Known test credentials `headroom serve --verify-sigv4` checks signatures against (never real keys). */
export interface SigV4VerifierOptions {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly region: string;
  /** @default 'lambda' (Function URL) */
  readonly service?: string;
  /** Allowed clock skew either way. @default 5 minutes, as AWS allows */
  readonly maxSkewMs?: number;
}

export type Verdict = { readonly ok: true } | { readonly ok: false; readonly reason: string };

const AUTHORIZATION = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;

/** Without these signed, a request could be replayed to another host or at another time. */
const REQUIRED_SIGNED_HEADERS = ['host', 'x-amz-date'] as const;

function amzDate(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  return m ? new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!)) : undefined;
}

const reject = (reason: string): Verdict => ({ ok: false, reason });

/**
 * Verify a request's SigV4 signature the way a Function URL with AWS_IAM auth does: re-sign the
 * request as received (method, path, query, the headers it says it signed, body) with the known
 * secret using @smithy/signature-v4, and compare the signatures in constant time.
 * `now` is the verifier's clock (ms), checked against `x-amz-date`.
 */
export async function verifySigV4(request: RouterHttpRequest, options: SigV4VerifierOptions, now: number): Promise<Verdict> {
  const auth = AUTHORIZATION.exec(request.headers.authorization ?? '');
  if (!auth) return reject('missing or malformed SigV4 Authorization header');
  const [, accessKeyId, scopeDate, region, service, signedHeaderList, signature] = auth;
  if (accessKeyId !== options.accessKeyId) return reject('unknown access key');
  if (region !== options.region || service !== (options.service ?? 'lambda')) return reject(`credential scope ${region}/${service} does not match`);
  const signedHeaders = signedHeaderList!.split(';');
  const unsigned = REQUIRED_SIGNED_HEADERS.filter((name) => !signedHeaders.includes(name));
  if (unsigned.length > 0) return reject(`SignedHeaders leaves out ${unsigned.join(', ')}`);

  const amzDateHeader = request.headers['x-amz-date'] ?? '';
  const date = amzDate(amzDateHeader);
  if (!date) return reject('missing or malformed x-amz-date');
  if (amzDateHeader.slice(0, 8) !== scopeDate) return reject('credential scope date differs from x-amz-date');
  if (Math.abs(now - date.getTime()) > (options.maxSkewMs ?? 300_000)) return reject('request time too skewed');

  const headers: Record<string, string> = {};
  for (const name of signedHeaders) {
    const value = request.headers[name];
    if (value === undefined) return reject(`signed header ${name} is missing`);
    headers[name] = value;
  }
  // The signer trusts this header as the payload hash, so it must be the hash of the body received.
  const claimedPayloadHash = request.headers['x-amz-content-sha256'];
  if (claimedPayloadHash !== undefined && claimedPayloadHash !== createHash('sha256').update(request.body, 'utf8').digest('hex')) {
    return reject('x-amz-content-sha256 is not the hash of the body');
  }
  let query: ReturnType<typeof parseQueryString>;
  try {
    query = parseQueryString(request.query ?? '');
  } catch {
    return reject('malformed percent-encoding in the query string');
  }

  const signer = new SignatureV4({
    service: service!, region: region!, sha256: Sha256, applyChecksum: false,
    credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey },
  });
  const expected = await signer.sign(
    new HttpRequest({ method: request.method, protocol: 'https:', hostname: (headers.host ?? '').split(':')[0]!, path: request.path, query, headers, body: request.body }),
    // Sign exactly the headers the client listed, including ones the signer would skip by default.
    { signingDate: date, signableHeaders: new Set(signedHeaders) },
  );
  const recomputed = AUTHORIZATION.exec(expected.headers.authorization ?? '');
  if (!recomputed || recomputed[5] !== signedHeaderList) return reject('SignedHeaders is not the sorted, lower-case list of signed headers');
  const same = timingSafeEqual(Buffer.from(recomputed[6]!), Buffer.from(signature!));
  return same ? { ok: true } : reject('signature does not match');
}

export interface SigV4GateOptions extends SigV4VerifierOptions {
  readonly now: () => number;
  /** Where the reason for a 403 goes; clients only ever see "Forbidden". */
  readonly onReject?: (reason: string, request: RouterHttpRequest) => void;
}

/**
 * The handler behind SigV4, as behind a Function URL with AWS_IAM auth: unsigned or badly signed
 * requests get 403 in the API's error format, and the reason stays in the log.
 */
export function requireSigV4(handler: RouterHttpHandler, options: SigV4GateOptions): RouterHttpHandler {
  return async (request) => {
    const verdict = await verifySigV4(request, options, options.now());
    if (verdict.ok) return handler(request);
    options.onReject?.(verdict.reason, request);
    return forbidden(apiForPath(request.path));
  };
}

/** The fixed, public test credentials of `headroom serve --verify-sigv4`; never valid on AWS. */
export const LOCAL_SIGV4_CREDENTIALS = { accessKeyId: 'AKIDHEADROOMLOCALTEST', secretAccessKey: 'headroom-local-test-secret-not-real' } as const;
