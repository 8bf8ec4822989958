import { Sha256 } from '@aws-crypto/sha256-js';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { parseQueryString } from '@smithy/core/protocols';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

export interface SignedFetchOptions {
  /** Region of the Function URL. @default parsed from the `*.lambda-url.<region>.on.aws` host, else AWS_REGION */
  readonly region?: string;
  /** @default the default credential chain (env, SSO, profile, IMDS, container, web identity) */
  readonly credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** The fetch to send with. @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** Signing service. @default 'lambda' (Function URLs with AWS_IAM auth) */
  readonly service?: string;
}

export class SignedFetchError extends Error {
  override readonly name = 'SignedFetchError';
}

const FUNCTION_URL_HOST = /\.lambda-url\.([a-z0-9-]+)\.on\.aws$/;

/**
 * A fetch that signs every request with SigV4, for routers behind an IAM-authenticated Function
 * URL. Drop it into the official SDKs: `new Anthropic({ baseURL, fetch: signedFetch() })`.
 */
export function signedFetch(options: SignedFetchOptions = {}): typeof fetch {
  const send = options.fetch ?? globalThis.fetch;
  const credentials = options.credentials ?? fromNodeProviderChain();
  const signers = new Map<string, SignatureV4>();
  const signerFor = (region: string) => {
    let signer = signers.get(region);
    if (!signer) {
      signer = new SignatureV4({ service: options.service ?? 'lambda', region, credentials, sha256: Sha256 });
      signers.set(region, signer);
    }
    return signer;
  };

  return (async (input: string | URL | Request, init?: RequestInit) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    const region = options.region ?? FUNCTION_URL_HOST.exec(url.hostname)?.[1] ?? process.env.AWS_REGION;
    if (!region) throw new SignedFetchError(`cannot tell the region of ${url.host}; pass signedFetch({ region })`);
    // The body is part of the signature, so it is read once here and sent as the same bytes.
    const body = request.body ? new Uint8Array(await request.arrayBuffer()) : undefined;
    const headers: Record<string, string> = { host: url.host };
    request.headers.forEach((value, name) => { headers[name] = value; });
    const signed = await signerFor(region).sign(new HttpRequest({
      method: request.method,
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: url.pathname,
      // The AWS SDK's parser: repeated keys keep every value and `+` stays a plus, as sent.
      query: parseQueryString(url.search),
      headers,
      ...(body ? { body } : {}),
    }));
    const { host: _host, ...outgoing } = signed.headers;
    return send(url, { method: request.method, headers: outgoing, ...(body ? { body } : {}), signal: request.signal });
  }) as typeof fetch;
}
