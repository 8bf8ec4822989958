import { SOURCES, type Sourced } from './sources';

/** Models known on the direct APIs; an unknown model is a warning, not an error (catalogs go stale). */
export const DIRECT_MODELS: Readonly<Record<'anthropic' | 'openai', Sourced & { readonly models: readonly string[] }>> = {
  anthropic: {
    source: SOURCES.vertexClaude,
    confidence: 'likely',
    models: ['claude-opus-4-6', 'claude-sonnet-4-6', 'claude-sonnet-4-5', 'claude-sonnet-4-5-20250929', 'claude-opus-4-5',
      'claude-opus-4-5-20251101', 'claude-haiku-4-5', 'claude-haiku-4-5-20251001'],
  },
  openai: {
    source: SOURCES.openAiLimits,
    confidence: 'likely',
    models: ['gpt-5.5', 'gpt-5.4', 'gpt-5.2', 'gpt-5.1', 'gpt-5', 'gpt-5-mini', 'gpt-5-nano', 'gpt-4.1', 'gpt-4o', 'o3', 'o4-mini'],
  },
};
