import type { PlanInput } from '../schema';

/** A small valid plan covering every provider; tests mutate copies of it. */
export function examplePlanInput(): PlanInput {
  return {
    version: 1,
    name: 'support-bot',
    aws: { account: '111122223333', region: 'us-east-1' },
    azure: { subscription: '00000000-0000-4000-8000-000000000001', resourceGroup: 'llm-capacity', tenant: '00000000-0000-4000-8000-000000000002' },
    gcp: { project: 'acme-ml', projectNumber: '123456789012' },
    families: {
      claude: {
        api: 'anthropic',
        aliases: ['claude-sonnet-4-6'],
        pins: ['eu'],
        targets: {
          anthropic: { provider: 'anthropic', model: 'claude-sonnet-4-6', limits: { rpm: 2000, itpm: 30000, otpm: 8000 } },
          'bedrock-us-east-1': { provider: 'bedrock', region: 'us-east-1', model: 'anthropic.claude-sonnet-4-6', profile: 'us', limits: { rpm: 1000, tpm: 30000 } },
          'bedrock-eu-west-1': { provider: 'bedrock', region: 'eu-west-1', model: 'anthropic.claude-sonnet-4-6', profile: 'eu', limits: { rpm: 1000, tpm: 30000 } },
          'vertex-europe-west1': { provider: 'vertex', region: 'europe-west1', model: 'claude-sonnet-4-6', limits: { rpm: 1000, itpm: 30000, otpm: 8000 } },
        },
      },
      gpt: {
        api: 'openai',
        aliases: ['gpt-5.1'],
        targets: {
          'azure-eastus2': { provider: 'azure-openai', region: 'eastus2', model: 'gpt-5.1', version: '2025-11-13', sku: 'GlobalStandard', limits: { tpm: 30000 } },
          openai: { provider: 'openai', model: 'gpt-5.1', limits: { rpm: 500, tpm: 30000 } },
        },
      },
    },
    routing: { retryBudget: 0.2 },
    alarms: { throttleRatePct: 1, headroomBelowPct: 15 },
  };
}
