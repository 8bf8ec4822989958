import type { Provider } from '../types';
import { SOURCES, type Sourced } from './sources';

/** What one provider quota is counted over: the dimensions that make two targets draw on the same quota. */
export interface QuotaScope extends Sourced {
  readonly dimensions: readonly string[];
}

export const QUOTA_SCOPES: Readonly<Record<Provider, QuotaScope>> = {
  bedrock: {
    // On-demand and Cross-Region quotas are separate per model per Region; the global profile has its own.
    dimensions: ['account', 'source region', 'model', 'invocation (on-demand | cross-region profile | global profile)'],
    source: `${SOURCES.bedrockQuotas}; global ${SOURCES.bedrockGlobal}`,
    confidence: 'likely',
  },
  'azure-openai': {
    dimensions: ['subscription', 'region', 'model', 'deployment type (sku)'],
    source: `${SOURCES.azureQuotas}; ${SOURCES.azureQuotaHowTo}`,
    confidence: 'confirmed',
  },
  vertex: {
    dimensions: ['project', 'region', 'base model'],
    source: SOURCES.vertexClaudeQuotas,
    confidence: 'confirmed',
  },
  anthropic: {
    // "Claude Sonnet 4.x (Sonnet 4.6 and 4.5 combined)": one limit per model class, per organization.
    dimensions: ['organization (API key)', 'model class'],
    source: SOURCES.anthropicLimits,
    confidence: 'likely',
  },
  openai: {
    dimensions: ['organization (API key)', 'model'],
    source: SOURCES.openAiLimits,
    confidence: 'likely',
  },
};

/** Anthropic API model classes that share one rate limit (the rate-limit tables' "combined" rows). */
export const ANTHROPIC_MODEL_CLASSES: Sourced & { readonly classes: Readonly<Record<string, string>> } = {
  source: SOURCES.anthropicLimits,
  confidence: 'likely',
  classes: {
    'claude-opus-4-6': 'claude-opus-4.x',
    'claude-opus-4-5': 'claude-opus-4.x',
    'claude-opus-4-5-20251101': 'claude-opus-4.x',
    'claude-sonnet-4-6': 'claude-sonnet-4.x',
    'claude-sonnet-4-5': 'claude-sonnet-4.x',
    'claude-sonnet-4-5-20250929': 'claude-sonnet-4.x',
    'claude-haiku-4-5': 'claude-haiku-4-5',
    'claude-haiku-4-5-20251001': 'claude-haiku-4-5',
  },
};

/** The class a model's limit is counted in; a model the catalog does not know is its own class. */
export function anthropicModelClass(model: string): string {
  return ANTHROPIC_MODEL_CLASSES.classes[model] ?? model.replace(/-\d{8}$/, '');
}
