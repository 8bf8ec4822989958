/**
 * A shape check of a SigV4 Authorization header. The emulator cannot verify a signature (it has no
 * secret), but it rejects what AWS would reject on sight: a missing header, a wrong scope, no date.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
 *   Authorization: AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/bedrock/aws4_request,
 *   SignedHeaders=host;x-amz-date, Signature=<64 hex>
 */
import type { IncomingHttpHeaders } from 'node:http';
import { headerValue } from './headers';

export type SigV4Check =
  | { readonly ok: true; readonly accessKeyId: string; readonly date: string; readonly region: string }
  | { readonly ok: false; readonly errorType: string; readonly message: string };

const SHAPE = /^AWS4-HMAC-SHA256 Credential=([A-Z0-9]{16,128})\/(\d{8})\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request, ?SignedHeaders=(:?[a-z0-9-]+(?:;:?[a-z0-9-]+)*), ?Signature=([0-9a-f]{64})$/;

export function checkSigV4Shape(headers: IncomingHttpHeaders, expectedRegion: string, expectedService = 'bedrock'): SigV4Check {
  const authorization = headerValue(headers.authorization);
  if (!authorization) return { ok: false, errorType: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' };
  const match = SHAPE.exec(authorization);
  if (!match) {
    return { ok: false, errorType: 'IncompleteSignatureException', message: `Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters. Authorization=${authorization.split(' ')[0]}` };
  }
  const [, accessKeyId, date, region, service, signedHeaders] = match as unknown as [string, string, string, string, string, string];
  const amzDate = headerValue(headers['x-amz-date']);
  if (!amzDate || !amzDate.startsWith(date)) {
    return { ok: false, errorType: 'IncompleteSignatureException', message: 'Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP.' };
  }
  // Over HTTP/2 the SDK signs the :authority pseudo-header in place of host.
  const signed = signedHeaders.split(';');
  if (!signed.includes('host') && !signed.includes(':authority')) return { ok: false, errorType: 'InvalidSignatureException', message: "'Host' must be a 'SignedHeader' in the AWS Authorization." };
  if (service !== expectedService) return { ok: false, errorType: 'InvalidSignatureException', message: `Credential should be scoped to correct service: '${expectedService}'.` };
  if (region !== expectedRegion) return { ok: false, errorType: 'InvalidSignatureException', message: `Credential should be scoped to a valid region. (received ${region}, this endpoint is ${expectedRegion})` };
  return { ok: true, accessKeyId, date, region };
}
