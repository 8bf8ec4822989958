/**
 * API keys from AWS Secrets Manager, cached per secret name/ARN. The value is a plain string, or a JSON
 * object with one string field (`{"apiKey": "..."}`), as the console's key/value editor stores it.
 * https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CredentialError } from './types';

/** Where API keys come from. Injected in tests; `SecretsManagerSource` in production. */
export interface SecretSource {
  get(secretId: string): Promise<string>;
  /** Every value handed out so far, so adapters can scrub them from anything they return. */
  known(): readonly string[];
}

export interface SecretsManagerSourceProps {
  /** @default a SecretsManagerClient for the Lambda's own region and default credential chain */
  readonly client?: Pick<SecretsManagerClient, 'send'>;
  /** How long a fetched value is reused, so rotation is picked up. @default 300_000 */
  readonly ttlMs?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

export class SecretsManagerSource implements SecretSource {
  private readonly client: Pick<SecretsManagerClient, 'send'>;
  private readonly ttlMs: number;
  private readonly now: () => number;
  private readonly cache = new Map<string, { value: Promise<string>; at: number }>();
  private readonly values = new Set<string>();

  constructor(props: SecretsManagerSourceProps = {}) {
    this.client = props.client ?? new SecretsManagerClient({});
    this.ttlMs = props.ttlMs ?? 300_000;
    this.now = props.now ?? Date.now;
  }

  get(secretId: string): Promise<string> {
    const hit = this.cache.get(secretId);
    if (hit && this.now() - hit.at < this.ttlMs) return hit.value;
    const value = this.fetch(secretId);
    this.cache.set(secretId, { value, at: this.now() });
    // A failed fetch is not cached: the next request tries again.
    value.catch(() => this.cache.delete(secretId));
    return value;
  }

  known(): readonly string[] {
    return [...this.values];
  }

  private async fetch(secretId: string): Promise<string> {
    let secretString: string | undefined;
    try {
      secretString = (await this.client.send(new GetSecretValueCommand({ SecretId: secretId }))).SecretString;
    } catch (error) {
      // The SDK's error names the secret id and the failure, never a value.
      const name = error instanceof Error ? error.name : 'Error';
      throw new CredentialError(`secret ${secretId}`, `GetSecretValue failed (${name})`, { cause: error });
    }
    const value = secretValue(secretId, secretString);
    this.values.add(value);
    return value;
  }
}

export function secretValue(secretId: string, secretString: string | undefined): string {
  const text = secretString?.trim();
  if (!text) throw new CredentialError(`secret ${secretId}`, 'has no SecretString; store the API key as a string');
  if (!text.startsWith('{')) return text;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return text;
  }
  const strings = Object.values(parsed as Record<string, unknown>).filter((v): v is string => typeof v === 'string' && v !== '');
  if (strings.length !== 1) {
    throw new CredentialError(`secret ${secretId}`, `is a JSON object with ${strings.length} string fields; store the API key alone or in exactly one field`);
  }
  return strings[0]!;
}

/** A fixed map of secrets, for tests and the local server. */
export class StaticSecretSource implements SecretSource {
  constructor(private readonly secrets: Readonly<Record<string, string>>) {}

  async get(secretId: string): Promise<string> {
    const value = this.secrets[secretId];
    if (value === undefined) throw new CredentialError(`secret ${secretId}`, `is not defined; known secret ids: ${Object.keys(this.secrets).sort().join(', ')}`);
    return value;
  }

  known(): readonly string[] {
    return Object.values(this.secrets);
  }
}
