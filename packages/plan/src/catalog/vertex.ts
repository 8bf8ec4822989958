import type { LimitKind } from '../types';
import { SOURCES, type Sourced } from './sources';

export interface VertexModelInfo extends Sourced {
  readonly publisher: 'anthropic' | 'google';
  /** Locations serving the model. */
  readonly regions: readonly string[];
  /** `base_model` quota dimension; absent under dynamic shared quota. */
  readonly baseModel?: string;
  /** Gemini 2.x+ runs on dynamic shared quota: no per-project quota, declared limits are advisory. */
  readonly dynamicSharedQuota: boolean;
}

const claude = (baseModel: string, regions: string[], confidence: Sourced['confidence']): VertexModelInfo => ({
  publisher: 'anthropic', baseModel, regions, dynamicSharedQuota: false, source: SOURCES.vertexClaude, confidence,
});
const gemini = (regions: string[]): VertexModelInfo => ({
  publisher: 'google', regions, dynamicSharedQuota: true, source: SOURCES.vertexDsq, confidence: 'confirmed',
});

export const VERTEX_MODELS: Readonly<Record<string, VertexModelInfo>> = {
  'claude-opus-4-6': claude('anthropic-claude-opus-4-6', ['global', 'us-east5', 'europe-west1', 'asia-southeast1'], 'uncertain'),
  'claude-sonnet-4-6': claude('anthropic-claude-sonnet-4-6', ['global', 'us-east5', 'europe-west1', 'asia-southeast1'], 'uncertain'),
  'claude-sonnet-4-5@20250929': claude('anthropic-claude-sonnet-4-5', ['global', 'us-east5', 'europe-west1', 'asia-east1', 'asia-southeast1'], 'uncertain'),
  'claude-opus-4-5@20251101': claude('anthropic-claude-opus-4-5', ['global', 'us-east5', 'europe-west1'], 'uncertain'),
  'claude-haiku-4-5@20251001': claude('anthropic-claude-haiku-4-5', ['global', 'us-east5', 'europe-west1'], 'likely'),
  'gemini-2.5-pro': gemini(['global', 'us-central1', 'us-east1', 'us-east4', 'us-east5', 'us-west1', 'us-west4', 'europe-west1', 'europe-west4', 'asia-northeast1', 'asia-southeast1']),
  'gemini-2.5-flash': gemini(['global', 'us-central1', 'us-east1', 'us-east4', 'us-east5', 'us-west1', 'us-west4', 'europe-west1', 'europe-west4', 'asia-northeast1', 'asia-southeast1']),
};

/** Cloud Quotas quota ids per endpoint kind and limit (dimensions: region + base_model, or base_model only). */
export const VERTEX_QUOTA_IDS: Readonly<Record<'regional' | 'global' | 'us' | 'eu', Record<Exclude<LimitKind, 'tpm'>, string>>> = {
  regional: {
    rpm: 'OnlinePredictionRequestsPerMinutePerProjectPerRegionPerBaseModel',
    itpm: 'OnlinePredictionInputTokensPerMinutePerRegionPerBaseModel',
    otpm: 'OnlinePredictionOutputTokensPerMinutePerRegionPerBaseModel',
  },
  global: {
    rpm: 'GlobalOnlinePredictionRequestsPerMinutePerProjectPerBaseModel',
    itpm: 'GlobalOnlinePredictionInputTokensPerMinutePerBaseModel',
    otpm: 'GlobalOnlinePredictionOutputTokensPerMinutePerBaseModel',
  },
  us: {
    rpm: 'UsOnlinePredictionRequestsPerMinPerProjectPerBaseModel',
    itpm: 'UsOnlinePredictionInputTokensPerMinutePerBaseModel',
    otpm: 'UsOnlinePredictionOutputTokensPerMinutePerBaseModel',
  },
  eu: {
    rpm: 'EuOnlinePredictionRequestsPerMinPerProjectPerBaseModel',
    itpm: 'EuOnlinePredictionInputTokensPerMinutePerBaseModel',
    otpm: 'EuOnlinePredictionOutputTokensPerMinutePerBaseModel',
  },
};

/** Quota id confidence: us/eu confirmed in Google's page; global and regional seen working in public scripts. */
export const VERTEX_QUOTA_IDS_SOURCE: Sourced = { source: SOURCES.vertexClaudeQuotas, confidence: 'likely' };

export function vertexEndpointKind(region: string): 'regional' | 'global' | 'us' | 'eu' {
  return region === 'global' || region === 'us' || region === 'eu' ? region : 'regional';
}

/** The API host for a Vertex location. */
export function vertexHost(region: string): string {
  switch (vertexEndpointKind(region)) {
    case 'global': return 'aiplatform.googleapis.com';
    case 'us': return 'aiplatform.us.rep.googleapis.com';
    case 'eu': return 'aiplatform.eu.rep.googleapis.com';
    default: return `${region}-aiplatform.googleapis.com`;
  }
}

export function vertexPublisher(model: string): 'anthropic' | 'google' {
  return VERTEX_MODELS[model]?.publisher ?? (model.startsWith('claude') ? 'anthropic' : 'google');
}
