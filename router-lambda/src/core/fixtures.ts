import { compileRouterConfig, definePlan, testing, type RouterConfig } from '@headroom/plan';

/**
 * Test support: the plan package's example plan compiled to a RouterConfig. `claude` has targets
 * claude/anthropic (global, rpm 2000 itpm 30000 otpm 8000), claude/bedrock-us-east-1 (us),
 * claude/bedrock-eu-west-1 (eu; both rpm 1000 tpm 30000, output burn 5x) and
 * claude/vertex-europe-west1 (eu; rpm 1000 itpm 30000 otpm 8000). `gpt` has an Azure and an
 * OpenAI target.
 */
export function exampleConfig(): RouterConfig {
  return compileRouterConfig(definePlan(testing.examplePlanInput()));
}

/** The example config with a family's target list reordered (the config is otherwise unchanged). */
export function withFamilyOrder(config: RouterConfig, family: string, order: readonly string[]): RouterConfig {
  const current = config.families[family];
  if (!current) throw new Error(`no family ${family}`);
  const targets = Object.fromEntries([...Object.entries(config.targets)].reverse());
  return { ...config, targets, families: { ...config.families, [family]: { ...current, targets: [...order] } } };
}
