/**
 * Claude on Amazon Bedrock: POST {baseUrl}/model/{profile id}/invoke | /invoke-with-response-stream, SigV4.
 * https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_InvokeModel.html
 * Body: the Messages body without `model` (it is in the URL) and without `stream` (the operation chooses),
 * with `anthropic_version: "bedrock-2023-05-31"`:
 *   https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-anthropic-claude-messages.html
 * Signing is @smithy/signature-v4 with the AWS SDK's default credential chain (injectable).
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { expectAuth, HttpAdapter, upstreamJson, upstreamUrl, type TransportDeps, type WireSpec } from './http-adapter';
import { SecretLedger } from './redaction';
import type { ProviderAdapter, UpstreamCall } from './types';

/** What SignatureV4 accepts: static credentials or a provider such as `fromNodeProviderChain()`. */
export type AwsCredentials = ConstructorParameters<typeof SignatureV4>[0]['credentials'];

export const BEDROCK_ANTHROPIC_VERSION = 'bedrock-2023-05-31';

export function bedrockBody(call: UpstreamCall): Record<string, unknown> {
  const { model: _model, stream: _stream, anthropic_version: _version, ...rest } = call.body;
  return { anthropic_version: BEDROCK_ANTHROPIC_VERSION, ...rest };
}

export interface BedrockAdapterDeps extends TransportDeps {
  /** @default fromNodeProviderChain() (env, SSO, web identity, container and instance credentials) */
  readonly credentials?: AwsCredentials;
}

export interface SignedRequest {
  readonly url: string;
  readonly headers: Record<string, string>;
}

/** SigV4-sign a JSON POST. The `host` header is signed (required) and left for fetch to send from the URL. */
export async function signRequest(signer: SignatureV4, url: string, headers: Record<string, string>, body: string, signingDate: Date): Promise<SignedRequest> {
  const parsed = new URL(url);
  const request = new HttpRequest({
    method: 'POST',
    protocol: parsed.protocol,
    hostname: parsed.hostname,
    ...(parsed.port ? { port: Number(parsed.port) } : {}),
    // Already percent-encoded (`%3A` in model ids); the signer encodes it once more for the canonical
    // URI, as SigV4 requires for every service but S3.
    path: parsed.pathname,
    headers: { ...headers, host: parsed.host },
    body,
  });
  const signed = await signer.sign(request, { signingDate });
  const { host: _host, ...rest } = signed.headers;
  return { url, headers: rest };
}

/** The same credentials, each resolved value remembered so it is redacted from upstream errors. */
export function rememberedCredentials(credentials: NonNullable<AwsCredentials>, ledger: SecretLedger): NonNullable<AwsCredentials> {
  return async () => {
    const c = typeof credentials === 'function' ? await credentials() : credentials;
    ledger.remember(c.accessKeyId, c.secretAccessKey, c.sessionToken);
    return c;
  };
}

export function bedrockAdapter(deps: BedrockAdapterDeps = {}): ProviderAdapter {
  const ledger = deps.ledger ?? new SecretLedger();
  const credentials = rememberedCredentials(deps.credentials ?? fromNodeProviderChain(), ledger);
  const now = deps.now ?? Date.now;
  const signers = new Map<string, SignatureV4>();
  const signerFor = (service: string, region: string) => {
    const key = `${service}/${region}`;
    let signer = signers.get(key);
    if (!signer) {
      signer = new SignatureV4({ service, region, credentials, sha256: Sha256 });
      signers.set(key, signer);
    }
    return signer;
  };

  const spec: WireSpec = {
    provider: 'bedrock',
    api: 'anthropic',
    framing: 'aws-event-stream',
    secrets: () => [],
    async prepare(target, call) {
      const auth = expectAuth(target, ['sigv4'] as const);
      const url = upstreamUrl(target, call.stream ? '/invoke-with-response-stream' : '/invoke');
      const body = upstreamJson(target, call, bedrockBody(call));
      const headers = { 'content-type': 'application/json', accept: call.stream ? 'application/vnd.amazon.eventstream' : 'application/json' };
      const signed = await signRequest(signerFor(auth.service, auth.region), url, headers, body, new Date(now()));
      return { url: signed.url, headers: signed.headers, body };
    },
  };
  return new HttpAdapter(spec, { ...deps, ledger });
}
