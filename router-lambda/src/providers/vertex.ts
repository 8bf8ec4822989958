/**
 * Claude on Vertex AI: POST {baseUrl}/v1/projects/P/locations/R/publishers/anthropic/models/M:rawPredict
 * (or :streamRawPredict), `Authorization: Bearer <Google access token>`. Body: the Messages body without
 * `model` (in the URL), with `anthropic_version: "vertex-2023-10-16"`.
 *   https://docs.anthropic.com/en/api/claude-on-vertex-ai
 *   https://cloud.google.com/vertex-ai/generative-ai/docs/partner-models/claude/use-claude
 * Tokens: google-auth-library's AwsClient, an `external_account` credential for Workload Identity Federation
 * from AWS (https://cloud.google.com/iam/docs/workload-identity-federation-with-other-clouds): the AWS
 * identity signs an STS GetCallerIdentity request, Google STS exchanges it for an access token.
 */
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import type { AwsClient, AwsClientOptions, AwsSecurityCredentialsSupplier } from 'google-auth-library';
import type { RouterTarget, UpstreamAuth } from '@headroom/plan/runtime';
import type { AwsCredentials } from './bedrock';
import { expectAuth, HttpAdapter, upstreamJson, upstreamUrl, type TransportDeps, type WireSpec } from './http-adapter';
import { SecretLedger } from './redaction';
import { CredentialError, ProviderConfigError, type ProviderAdapter, type UpstreamCall } from './types';

export const VERTEX_ANTHROPIC_VERSION = 'vertex-2023-10-16';
/** https://cloud.google.com/iam/docs/reference/sts/rest/v1/TopLevel/token */
export const GOOGLE_STS_TOKEN_URL = 'https://sts.googleapis.com/v1/token';
export const AWS_SUBJECT_TOKEN_TYPE = 'urn:ietf:params:aws:token-type:aws4_request';
export const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

export function vertexBody(call: UpstreamCall): Record<string, unknown> {
  const { model: _model, anthropic_version: _version, ...rest } = call.body;
  return { anthropic_version: VERTEX_ANTHROPIC_VERSION, ...rest };
}

type GoogleAuth = Extract<UpstreamAuth, { mode: 'google-federated' }>;

/** Anything that yields a Google access token. */
export interface GoogleTokenSource {
  getAccessToken(): Promise<string>;
}

/** The audience of a Workload Identity pool provider (needs the numeric project number). */
export function workloadIdentityAudience(targetKey: string, auth: GoogleAuth): string {
  if (!auth.projectNumber || !/^\d+$/.test(auth.projectNumber)) {
    throw new ProviderConfigError(targetKey, 'auth.projectNumber', auth.projectNumber, 'the numeric GCP project number (gcp.projectNumber in the plan)');
  }
  return `//iam.googleapis.com/projects/${auth.projectNumber}/locations/global/workloadIdentityPools/${auth.pool}/providers/${auth.provider}`;
}

/** AWS credentials from the SDK chain (or injected), handed to google-auth-library to sign GetCallerIdentity. */
export function awsCredentialsSupplier(credentials: AwsCredentials, region: string, ledger?: SecretLedger): AwsSecurityCredentialsSupplier {
  return {
    getAwsRegion: async () => region,
    getAwsSecurityCredentials: async () => {
      const c = typeof credentials === 'function' ? await credentials() : credentials;
      ledger?.remember(c.accessKeyId, c.secretAccessKey, c.sessionToken);
      return { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, ...(c.sessionToken ? { token: c.sessionToken } : {}) };
    },
  };
}

/** The `external_account` configuration for AwsClient, built from the target's auth block. */
export function vertexExternalAccount(targetKey: string, auth: GoogleAuth, supplier: AwsSecurityCredentialsSupplier, tokenUrl = GOOGLE_STS_TOKEN_URL): AwsClientOptions {
  return {
    type: 'external_account',
    audience: workloadIdentityAudience(targetKey, auth),
    subject_token_type: AWS_SUBJECT_TOKEN_TYPE,
    token_url: tokenUrl,
    scopes: [CLOUD_PLATFORM_SCOPE],
    aws_security_credentials_supplier: supplier,
    // Node's own fetch, rather than gaxios' lazily imported node-fetch.
    transporterOptions: { fetchImplementation: globalThis.fetch },
  };
}

export interface VertexAdapterDeps extends TransportDeps {
  /** @default an AwsClient per auth block, from `awsCredentials` */
  readonly tokens?: (target: RouterTarget, auth: GoogleAuth) => GoogleTokenSource;
  /** @default fromNodeProviderChain() */
  readonly awsCredentials?: AwsCredentials;
  /** Region of the STS GetCallerIdentity request Google verifies. @default process.env.AWS_REGION ?? 'us-east-1' */
  readonly awsRegion?: string;
  /** @default GOOGLE_STS_TOKEN_URL */
  readonly googleStsUrl?: string;
}

/** google-auth-library caches the access token and refreshes it before expiry. */
export function awsFederatedTokenSource(client: AwsClient | (() => Promise<AwsClient>), targetKey: string): GoogleTokenSource {
  let resolved: Promise<AwsClient> | undefined;
  const clientOf = () => (resolved ??= typeof client === 'function' ? client() : Promise.resolve(client));
  return {
    async getAccessToken() {
      let token: string | null | undefined;
      try {
        token = (await (await clientOf()).getAccessToken()).token;
      } catch (error) {
        throw new CredentialError(`google workload identity for ${targetKey}`, `token exchange failed (${error instanceof Error ? error.name : 'Error'})`, { cause: error });
      }
      if (!token) throw new CredentialError(`google workload identity for ${targetKey}`, 'returned no access token');
      return token;
    },
  };
}

export function vertexAdapter(deps: VertexAdapterDeps = {}): ProviderAdapter {
  const ledger = deps.ledger ?? new SecretLedger();
  const sources = new Map<string, GoogleTokenSource>();
  const defaultTokens = (target: RouterTarget, auth: GoogleAuth): GoogleTokenSource => {
    const supplier = awsCredentialsSupplier(deps.awsCredentials ?? fromNodeProviderChain(), deps.awsRegion ?? process.env.AWS_REGION ?? 'us-east-1', ledger);
    // google-auth-library loads on first use: cold starts and routers without Vertex targets skip it.
    const options = vertexExternalAccount(target.key, auth, supplier, deps.googleStsUrl);
    return awsFederatedTokenSource(() => import('google-auth-library').then(({ AwsClient }) => new AwsClient(options)), target.key);
  };
  const tokensFor = (target: RouterTarget, auth: GoogleAuth) => {
    const key = `${auth.projectNumber}/${auth.pool}/${auth.provider}`;
    let source = sources.get(key);
    if (!source) {
      source = (deps.tokens ?? defaultTokens)(target, auth);
      sources.set(key, source);
    }
    return source;
  };

  const spec: WireSpec = {
    provider: 'vertex',
    api: 'anthropic',
    framing: 'sse',
    secrets: () => [],
    async prepare(target, call) {
      const auth = expectAuth(target, ['google-federated'] as const);
      const token = await tokensFor(target, auth).getAccessToken();
      ledger.remember(token);
      return {
        url: upstreamUrl(target, call.stream ? ':streamRawPredict' : ':rawPredict'),
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: call.stream ? 'text/event-stream' : 'application/json' },
        body: upstreamJson(target, call, vertexBody(call)),
      };
    },
  };
  return new HttpAdapter(spec, { ...deps, ledger });
}
