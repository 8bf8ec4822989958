import * as path from 'node:path';
import { definePlan, loadPlanFileOrThrow, type Plan } from '@headroom/plan';

/** Test fixtures (named `*.test.*` so the package never ships them). */

export const EXAMPLE_PLAN_FILE = path.resolve(__dirname, '../../../infra/headroom.yaml');
/** The issuer format of AWS outbound identity federation (IAM user guide, "Understanding token claims"). */
export const EXAMPLE_ISSUER = 'https://a1b2c3d4-0000-4000-8000-000000000003.tokens.sts.global.api.aws';

/** infra/headroom.yaml with the given outbound identity issuer; `null` removes it. */
export function examplePlan(issuer: string | null = EXAMPLE_ISSUER): Plan {
  const { plan } = loadPlanFileOrThrow(EXAMPLE_PLAN_FILE);
  const { identityIssuer: _fromFile, ...aws } = plan.aws;
  return { ...plan, aws: issuer === null ? aws : { ...aws, identityIssuer: issuer } };
}

/** The same plan with every map's keys inserted in reverse order. */
export function reversedKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map(reversedKeys) as T;
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).reverse()) out[key] = reversedKeys((value as Record<string, unknown>)[key]);
  return out as T;
}

/** A small valid plan: three GPT deployments in eastus2 (one per deployment type), one in swedencentral, Claude on Vertex, Gemini on Vertex. */
export function multiDeploymentPlan(): Plan {
  // One deployment type each: two deployments of one type in one region would share one quota.
  const azure = (region: string, tpm: number, sku: 'GlobalStandard' | 'DataZoneStandard' | 'Standard' = 'GlobalStandard') => ({
    provider: 'azure-openai' as const, region, model: 'gpt-5.1', version: '2025-11-13', sku, limits: { tpm },
  });
  return definePlan({
    version: 1,
    name: 'acme',
    aws: { account: '111122223333', region: 'us-east-1', identityIssuer: EXAMPLE_ISSUER },
    azure: { subscription: '00000000-0000-4000-8000-000000000001', resourceGroup: 'llm', tenant: '00000000-0000-4000-8000-000000000002' },
    gcp: { project: 'acme-ml', projectNumber: '123456789012', quotaContactEmail: 'quota@acme.example' },
    families: {
      gpt: {
        api: 'openai',
        aliases: ['gpt-5.1'],
        targets: {
          'eastus2-c': azure('eastus2', 3000, 'Standard'),
          'eastus2-a': azure('eastus2', 1000),
          'eastus2-b': azure('eastus2', 2000, 'DataZoneStandard'),
          sweden: azure('swedencentral', 5000),
        },
      },
      claude: {
        api: 'anthropic',
        aliases: ['claude-sonnet-4-6'],
        targets: {
          'vertex-us-east5': { provider: 'vertex', region: 'us-east5', model: 'claude-sonnet-4-6', limits: { rpm: 100, itpm: 20000, otpm: 4000 } },
          'vertex-global': { provider: 'vertex', region: 'global', model: 'claude-sonnet-4-6', limits: { rpm: 50, itpm: 10000, otpm: 2000 }, quotaIds: { rpm: 'CustomRpmQuotaId' } },
        },
      },
      gemini: {
        api: 'anthropic',
        aliases: ['gemini-2.5-pro'],
        targets: { 'vertex-europe-west1': { provider: 'vertex', region: 'europe-west1', model: 'gemini-2.5-pro', limits: { rpm: 10, itpm: 1000, otpm: 1000 } } },
      },
    },
    alarms: { throttleRatePct: 2, headroomBelowPct: 20, headroomPeriods: 10 },
  });
}
