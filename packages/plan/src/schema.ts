import { z } from 'zod';
import { AZURE_SKUS, BEDROCK_PROFILES, GEOS, HOLD_LIMITS, TIMEOUT_LIMITS, type Plan } from './types';

/** A per-minute limit: requests or tokens. A missing limit is an error, never "unlimited". */
const perMinute = (what: string) =>
  z.int().positive().describe(`${what} per minute, a positive integer`);

const description = z.string().max(200).optional().describe('Free text shown in reports');
const quota = z.string().min(1).optional().describe('Name of an entry in quotas: the shared provider quota this target draws on');

const anthropicTarget = z.strictObject({
  provider: z.literal('anthropic'),
  model: z.string().min(1).describe('Anthropic model id, e.g. claude-sonnet-4-5'),
  secret: z.string().min(1).optional().describe('Secrets Manager name or ARN of the API key'),
  limits: z.strictObject({ rpm: perMinute('Requests'), itpm: perMinute('Input tokens'), otpm: perMinute('Output tokens') }),
  description,
  quota,
});

const openAiTarget = z.strictObject({
  provider: z.literal('openai'),
  model: z.string().min(1).describe('OpenAI model id, e.g. gpt-5.1'),
  secret: z.string().min(1).optional().describe('Secrets Manager name or ARN of the API key'),
  limits: z.strictObject({ rpm: perMinute('Requests'), tpm: perMinute('Tokens') }),
  description,
  quota,
});

const bedrockTarget = z.strictObject({
  provider: z.literal('bedrock'),
  region: z.string().min(1).describe('Source region: the quota bucket, e.g. us-east-1'),
  model: z.string().min(1).describe('Foundation model id without geo prefix'),
  profile: z.enum(BEDROCK_PROFILES).optional().describe('Cross-region inference profile geo'),
  limits: z.strictObject({ rpm: perMinute('Requests'), tpm: perMinute('Tokens (input + output x burn rate)') }),
  description,
  quota,
});

const vertexTarget = z.strictObject({
  provider: z.literal('vertex'),
  region: z.string().min(1).describe('Vertex location, e.g. us-east5, europe-west1, global'),
  model: z.string().min(1).describe('Publisher model id, e.g. claude-sonnet-4-5@20250929'),
  quotaIds: z
    .strictObject({ rpm: z.string().min(1).optional(), itpm: z.string().min(1).optional(), otpm: z.string().min(1).optional() })
    .optional()
    .describe('Overrides the catalog Cloud Quotas quota ids'),
  limits: z.strictObject({ rpm: perMinute('Requests'), itpm: perMinute('Input tokens'), otpm: perMinute('Output tokens') }),
  description,
  quota,
});

const azureTarget = z.strictObject({
  provider: z.literal('azure-openai'),
  region: z.string().min(1).describe('ARM location, e.g. eastus2'),
  model: z.string().min(1).describe('Azure OpenAI model name, e.g. gpt-5.1'),
  version: z.string().min(1).describe('Model version, e.g. 2025-11-13'),
  sku: z.enum(AZURE_SKUS).describe('Deployment type'),
  limits: z.strictObject({
    tpm: perMinute('Tokens (prompt + max_tokens at admission); a multiple of 1000'),
    rpm: perMinute('Requests (defaults to what Azure grants for the TPM)').optional(),
  }),
  raiPolicy: z.string().min(1).optional().describe('Content filter policy name'),
  description,
  quota,
});

export const targetSchema = z.discriminatedUnion('provider', [
  anthropicTarget,
  openAiTarget,
  bedrockTarget,
  vertexTarget,
  azureTarget,
]);

export const familySchema = z.strictObject({
  api: z.enum(['anthropic', 'openai']).describe('Front door: anthropic (Messages API) or openai (Chat Completions)'),
  aliases: z.array(z.string().min(1)).min(1).describe('Model names clients send'),
  pins: z.array(z.enum(GEOS)).optional().describe('Residency pins clients send in x-headroom-residency'),
  targets: z.record(z.string(), targetSchema).meta({ minProperties: 1 }).describe('Map of stable target id to target'),
});

export const planSchema = z.strictObject({
  $schema: z.string().optional(),
  version: z.literal(1).describe('Plan format version'),
  name: z.string().describe('Prefix of every cloud resource name'),
  aws: z.strictObject({
    account: z.string().describe('12-digit AWS account id where the router runs'),
    region: z.string().describe('AWS region where the router runs'),
    identityIssuer: z.url({ protocol: /^https$/ }).optional().describe("The account's outbound web identity issuer URL, trusted by Azure and GCP"),
  }),
  azure: z
    .strictObject({
      subscription: z.string().describe('Subscription id (GUID)'),
      resourceGroup: z.string().min(1),
      tenant: z.string().describe('Entra tenant id (GUID)'),
      clientId: z.string().optional().describe('Entra application id the router signs in as'),
      keepLocalAuth: z.boolean().optional(),
      publicNetworkAccess: z.boolean().optional(),
      subdomainSuffix: z.string().regex(/^[a-z0-9]{0,8}$/).optional()
        .describe("Suffix of account names and custom subdomains (<name>-<region>-<suffix>), 0-8 lowercase letters and digits; '' for none (default: 6 hex digits of sha256 of the subscription id)"),
    })
    .optional(),
  gcp: z
    .strictObject({
      project: z.string().describe('GCP project id'),
      projectNumber: z.string().optional().describe('Numeric project number'),
      quotaContactEmail: z.email().optional().describe('Contact for quota increase requests'),
      allowQuotaDecrease: z.boolean().optional()
        .describe('Let Vertex quota preferences lower a limit by more than 10% (sets ignoreSafetyChecks QUOTA_DECREASE_PERCENTAGE_TOO_HIGH; default false)'),
    })
    .optional(),
  // minProperties is for editors; the loader reports an empty map as `plan/no-families` (checks/families.ts).
  families: z.record(z.string(), familySchema).meta({ minProperties: 1 }).describe('Map of family id to family: at least one'),
  quotas: z
    .record(z.string(), z.strictObject({
      description,
      limits: z.strictObject({
        rpm: perMinute('Requests').optional(),
        tpm: perMinute('Tokens').optional(),
        itpm: perMinute('Input tokens').optional(),
        otpm: perMinute('Output tokens').optional(),
      }).describe("The provider quota's limits: what its targets may use together"),
    }))
    .optional()
    .describe('Provider quotas shared by several targets, by name; each target names one with quota:'),
  routing: z
    .strictObject({
      retryBudget: z.number().gt(0).max(1).optional(),
      timeouts: z
        .strictObject({
          headersMs: z.int().min(TIMEOUT_LIMITS.minMs).max(TIMEOUT_LIMITS.maxHeadersMs).optional()
            .describe('Milliseconds to connect and receive response headers on a streamed call; past it the attempt fails over (default 10000)'),
          idleMs: z.int().min(TIMEOUT_LIMITS.minMs).max(TIMEOUT_LIMITS.maxTotalMs).optional()
            .describe('Longest gap in milliseconds between stream chunks before the stream ends with an error (default 60000)'),
          totalMs: z.int().min(TIMEOUT_LIMITS.minMs).max(TIMEOUT_LIMITS.maxTotalMs).optional()
            .describe('Milliseconds one upstream response may take from the request to its last byte; inside the 15-minute Lambda maximum (default 600000)'),
        })
        .optional()
        .describe('Upstream timeouts: headers (the failover trigger), idle gap between stream chunks, total per response'),
      maxCooldownMs: z.int().min(TIMEOUT_LIMITS.minMs).max(TIMEOUT_LIMITS.maxCooldownMs).optional()
        .describe('Longest cooldown a retry-after may impose on a target, in milliseconds (default 300000)'),
      hold: z
        .strictObject({
          // Described before optional(): the plan's error messages read the inner schema's description.
          maxMs: z.int().min(HOLD_LIMITS.minMs).max(HOLD_LIMITS.maxMs)
            .describe(`Longest the router holds a request refused for quota before answering 429, in milliseconds, ${HOLD_LIMITS.minMs}-${HOLD_LIMITS.maxMs}; 0 turns holding off (default 2000)`)
            .optional(),
          streaming: z.boolean()
            .describe('Hold streamed requests too; interactive clients usually prefer a fast 429 (default false)')
            .optional(),
        })
        .optional()
        .describe('Hold a request for up to a short, known wait instead of answering 429 at once; clients lower or turn it off with the x-headroom-max-wait-ms header'),
    })
    .optional(),
  alarms: z
    .strictObject({
      throttleRatePct: z.number().gt(0).max(100).optional(),
      headroomBelowPct: z.number().gt(0).lt(100).optional(),
      headroomPeriods: z.int().min(1).max(60).optional(),
    })
    .optional(),
});

export type PlanInput = z.input<typeof planSchema>;

// The hand-written `Plan` type and the schema must describe the same shape.
type Assignable<A extends B, B> = A;
export type _SchemaMatchesPlan = Assignable<Omit<z.output<typeof planSchema>, '$schema'>, Plan>;
