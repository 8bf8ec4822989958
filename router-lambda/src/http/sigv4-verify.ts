import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { timingSafeEqual } from 'node:crypto';
import type { RouterHttpRequest } from './types';

/** Known test credentials `headroom serve --verify-sigv4` checks signatures against (never real keys). */
export interface SigV4VerifierOptions {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly region: string;
  /** @default 'lambda' (Function URL) */
  readonly service?: string;
  /** Allowed clock skew. @default 5 minutes, as AWS allows */
  readonly maxSkewMs?: number;
}

export type Verdict = { readonly ok: true } | { readonly ok: false; readonly reason: string };

const AUTHORIZATION = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;

function amzDate(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  return m ? new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!)) : undefined;
}

/**
 * Verify a request's SigV4 signature the way a Function URL with AWS_IAM auth does: recompute it
 * with the known secret over the signed headers and body, and compare in constant time.
 */
export async function verifySigV4(request: RouterHttpRequest, options: SigV4VerifierOptions, now: number): Promise<Verdict> {
  const auth = AUTHORIZATION.exec(request.headers.authorization ?? '');
  if (!auth) return { ok: false, reason: 'missing or malformed SigV4 Authorization header' };
  const [, accessKeyId, , region, service, signedHeaderList, signature] = auth;
  if (accessKeyId !== options.accessKeyId) return { ok: false, reason: 'unknown access key' };
  if (region !== options.region || service !== (options.service ?? 'lambda')) return { ok: false, reason: `credential scope ${region}/${service} does not match` };
  const date = amzDate(request.headers['x-amz-date'] ?? '');
  if (!date) return { ok: false, reason: 'missing x-amz-date' };
  if (Math.abs(now - date.getTime()) > (options.maxSkewMs ?? 300_000)) return { ok: false, reason: 'request time too skewed' };
  const headers: Record<string, string> = {};
  for (const name of signedHeaderList!.split(';')) {
    const value = request.headers[name];
    if (value === undefined) return { ok: false, reason: `signed header ${name} is missing` };
    headers[name] = value;
  }
  const host = headers.host ?? '';
  // The payload hash is recomputed from the body received, never taken from the client's header.
  const signsPayloadHash = 'x-amz-content-sha256' in headers;
  delete headers['x-amz-content-sha256'];
  const signer = new SignatureV4({
    service: service!, region: region!, sha256: Sha256, applyChecksum: signsPayloadHash,
    credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey },
  });
  const expected = await signer.sign(
    new HttpRequest({ method: request.method, protocol: 'https:', hostname: host.split(':')[0]!, path: request.path, headers, body: request.body }),
    { signingDate: date },
  );
  const recomputed = AUTHORIZATION.exec(expected.headers.authorization ?? '')?.[6] ?? '';
  const same = recomputed.length === signature!.length && timingSafeEqual(Buffer.from(recomputed), Buffer.from(signature!));
  return same ? { ok: true } : { ok: false, reason: 'signature does not match' };
}

/** The fixed, public test credentials of `headroom serve --verify-sigv4`; never valid on AWS. */
export const LOCAL_SIGV4_CREDENTIALS = { accessKeyId: 'AKIDHEADROOMLOCALTEST', secretAccessKey: 'headroom-local-test-secret-not-real' } as const;
