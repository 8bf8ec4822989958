/**
 * Azure OpenAI Chat Completions on a deployment:
 * POST {baseUrl}/openai/deployments/{name}/chat/completions?api-version=V (the deployment picks the model,
 * so the body carries none). https://learn.microsoft.com/azure/ai-foundry/openai/reference#chat-completions
 * Auth, keyless by default: an Entra token from @azure/identity's ClientAssertionCredential, whose client
 * assertion is an AWS outbound-identity JWT (STS GetWebIdentityToken, audience api://AzureADTokenExchange,
 * the audience Entra federated identity credentials expect:
 * https://learn.microsoft.com/entra/workload-id/workload-identity-federation-create-trust).
 * Fallback: `api-key` auth with the key from Secrets Manager.
 */
import { GetWebIdentityTokenCommand, STSClient } from '@aws-sdk/client-sts';
import type { TokenCredential } from '@azure/identity';
import { AZURE_API_VERSION, type RouterTarget, type UpstreamAuth } from '@headroom/plan/runtime';
import { apiKeyHeader, expectAuth, HttpAdapter, upstreamJson, upstreamUrl, type TransportDeps, type WireSpec } from './http-adapter';
import { SecretLedger } from './redaction';
import { chatBody } from './openai';
import type { SecretSource } from './secrets';
import { CredentialError, ProviderConfigError, type ProviderAdapter, type UpstreamCall } from './types';

export const ENTRA_TOKEN_EXCHANGE_AUDIENCE = 'api://AzureADTokenExchange';
/** GetWebIdentityToken signs with RS256 or ES384 (STS API reference); Entra validates RS256 assertions. */
export const ASSERTION_SIGNING_ALGORITHM = 'RS256';

type EntraAuth = Extract<UpstreamAuth, { mode: 'entra-federated' }>;

export function azureBody(call: UpstreamCall) {
  return chatBody(call, undefined);
}

export function azureOperation(target: RouterTarget): string {
  return `/chat/completions?api-version=${encodeURIComponent(target.endpoint.apiVersion ?? AZURE_API_VERSION)}`;
}

/**
 * The client assertion: a JWT for the router's own AWS identity, from the regional STS endpoint
 * (GetWebIdentityToken is not served by the global one; the SDK's STSClient uses the regional endpoint).
 */
export function awsWebIdentityAssertion(sts: Pick<STSClient, 'send'>, durationSeconds = 300, ledger?: SecretLedger): () => Promise<string> {
  return async () => {
    let token: string | undefined;
    try {
      token = (await sts.send(new GetWebIdentityTokenCommand({
        Audience: [ENTRA_TOKEN_EXCHANGE_AUDIENCE], SigningAlgorithm: ASSERTION_SIGNING_ALGORITHM, DurationSeconds: durationSeconds,
      }))).WebIdentityToken;
    } catch (error) {
      throw new CredentialError('sts:GetWebIdentityToken', `failed (${error instanceof Error ? error.name : 'Error'})`, { cause: error });
    }
    if (!token) throw new CredentialError('sts:GetWebIdentityToken', 'returned no WebIdentityToken');
    ledger?.remember(token);
    return token;
  };
}

export interface AzureOpenAiAdapterDeps extends TransportDeps {
  /** For `api-key` targets. */
  readonly secrets?: SecretSource;
  /** @default a ClientAssertionCredential per tenant/client, asserting with `sts` */
  readonly credential?: (target: RouterTarget, auth: EntraAuth) => TokenCredential;
  /** @default new STSClient({ region: process.env.AWS_REGION }) */
  readonly sts?: Pick<STSClient, 'send'>;
}

export function entraCredential(target: RouterTarget, auth: EntraAuth, sts: Pick<STSClient, 'send'>, ledger?: SecretLedger): TokenCredential {
  if (!auth.clientId) {
    throw new ProviderConfigError(target.key, 'auth.clientId', auth.clientId, 'the Entra application (client) id (azure.clientId in the plan, known after the first deploy)');
  }
  const clientId = auth.clientId;
  // @azure/identity (with MSAL) is the largest part of the router bundle: load it on first use, so
  // routers without Azure targets, and every cold start, skip it.
  let credential: Promise<TokenCredential> | undefined;
  const load = () => (credential ??= import('@azure/identity').then(({ ClientAssertionCredential }) => new ClientAssertionCredential(auth.tenant, clientId, awsWebIdentityAssertion(sts, undefined, ledger))));
  return { getToken: async (scopes, options) => (await load()).getToken(scopes, options) };
}

export function azureOpenAiAdapter(deps: AzureOpenAiAdapterDeps = {}): ProviderAdapter {
  const ledger = deps.ledger ?? new SecretLedger();
  const credentials = new Map<string, TokenCredential>();
  let sts = deps.sts;
  const credentialFor = (target: RouterTarget, auth: EntraAuth) => {
    const key = `${auth.tenant}/${auth.clientId}`;
    let credential = credentials.get(key);
    if (!credential) {
      credential = deps.credential ? deps.credential(target, auth) : entraCredential(target, auth, sts ??= new STSClient({}), ledger);
      credentials.set(key, credential);
    }
    return credential;
  };

  const authHeader = async (target: RouterTarget): Promise<Record<string, string>> => {
    const auth = expectAuth(target, ['entra-federated', 'api-key'] as const);
    if (auth.mode === 'api-key') {
      if (!deps.secrets) throw new ProviderConfigError(target.key, 'auth.mode', 'api-key', 'entra-federated, or an adapter built with a secret source');
      return apiKeyHeader(target, deps.secrets);
    }
    let token: string | undefined;
    try {
      token = (await credentialFor(target, auth).getToken(auth.scope))?.token;
    } catch (error) {
      if (error instanceof ProviderConfigError || error instanceof CredentialError) throw error;
      throw new CredentialError(`entra token for ${target.key}`, `failed (${error instanceof Error ? error.name : 'Error'})`, { cause: error });
    }
    if (!token) throw new CredentialError(`entra token for ${target.key}`, 'returned no token');
    ledger.remember(token);
    return { authorization: `Bearer ${token}` };
  };

  const spec: WireSpec = {
    provider: 'azure-openai',
    api: 'openai',
    framing: 'sse',
    secrets: () => deps.secrets?.known() ?? [],
    async prepare(target, call) {
      const { body, stripUsage } = azureBody(call);
      return {
        url: upstreamUrl(target, azureOperation(target)),
        headers: { ...(await authHeader(target)), 'content-type': 'application/json', accept: call.stream ? 'text/event-stream' : 'application/json' },
        body: upstreamJson(target, call, body),
        stripUsage,
      };
    },
  };
  return new HttpAdapter(spec, { ...deps, ledger });
}
