import { definePlan, type Plan } from '@headroom/plan';

/** Target keys of `fidelityPlan()`. */
export const FIDELITY_TARGETS = {
  anthropic: 'claude/anthropic',
  bedrock: 'claude/bedrock-us-east-1',
  vertex: 'claude/vertex-europe-west1',
  azure: 'gpt/azure-eastus2',
  openai: 'gpt/openai',
} as const;

/**
 * One target per provider, with limits round enough to check by hand: 1,000 RPM everywhere except
 * Azure, whose RPM follows its TPM. Tests that exhaust a request quota pass a small `rpm`, so a few
 * calls reach it however slow the machine is.
 */
export function fidelityPlan(options: { readonly rpm?: number } = {}): Plan {
  const rpm = options.rpm ?? 1000;
  return definePlan({
    version: 1,
    name: 'emulator-fidelity',
    aws: { account: '111122223333', region: 'us-east-1' },
    azure: { subscription: '00000000-0000-4000-8000-000000000001', resourceGroup: 'llm', tenant: '00000000-0000-4000-8000-000000000002', clientId: '00000000-0000-4000-8000-000000000003' },
    gcp: { project: 'acme-ml', projectNumber: '123456789012' },
    families: {
      claude: {
        api: 'anthropic',
        aliases: ['claude-sonnet-4-6'],
        targets: {
          anthropic: { provider: 'anthropic', model: 'claude-sonnet-4-6', limits: { rpm, itpm: 20000, otpm: 4000 } },
          'bedrock-us-east-1': { provider: 'bedrock', region: 'us-east-1', model: 'anthropic.claude-sonnet-4-6', profile: 'us', limits: { rpm, tpm: 20000 } },
          'vertex-europe-west1': { provider: 'vertex', region: 'europe-west1', model: 'claude-sonnet-4-6', limits: { rpm, itpm: 20000, otpm: 4000 } },
        },
      },
      gpt: {
        api: 'openai',
        aliases: ['gpt-5.1'],
        targets: {
          'azure-eastus2': { provider: 'azure-openai', region: 'eastus2', model: 'gpt-5.1', version: '2025-11-13', sku: 'GlobalStandard', limits: { tpm: 60000 } },
          openai: { provider: 'openai', model: 'gpt-5.1', limits: { rpm, tpm: 60000 } },
        },
      },
    },
  });
}
