import type { BedrockProfile } from '../types';
import { SOURCES, type Sourced } from './sources';

export interface BedrockModelInfo extends Sourced {
  /** Geo prefixes with a system-defined inference profile for this model. */
  readonly profiles: readonly BedrockProfile[];
  /** Claude 4.x cannot be invoked on-demand by bare model id: an inference profile is required. */
  readonly requiresProfile: boolean;
  /** Quota tokens one output token consumes (the burndown rate). */
  readonly outputBurn: number;
}

const claude = (profiles: BedrockProfile[], confidence: Sourced['confidence'] = 'confirmed'): BedrockModelInfo => ({
  profiles,
  requiresProfile: true,
  outputBurn: 5,
  confidence,
  source: `${SOURCES.bedrockModels}; burndown ${SOURCES.bedrockBurndown}`,
});

/** Foundation model ids (without geo prefix). */
export const BEDROCK_MODELS: Readonly<Record<string, BedrockModelInfo>> = {
  'anthropic.claude-opus-4-6-v1': claude(['global', 'us', 'eu', 'jp', 'apac', 'au'], 'likely'),
  'anthropic.claude-sonnet-4-6': claude(['global', 'us', 'eu', 'jp', 'au'], 'likely'),
  'anthropic.claude-sonnet-4-5-20250929-v1:0': claude(['global', 'us', 'eu', 'jp', 'au']),
  'anthropic.claude-opus-4-5-20251101-v1:0': claude(['global', 'us', 'eu']),
  'anthropic.claude-haiku-4-5-20251001-v1:0': claude(['global', 'us', 'eu', 'au']),
  'anthropic.claude-sonnet-4-20250514-v1:0': claude(['global', 'us', 'eu', 'apac']),
};

/**
 * Source regions that may call each geo profile, and where it may route (destination regions).
 * IAM needs the foundation-model ARN in every destination region. Destinations vary per model and
 * source; the authoritative list is GetInferenceProfile in the source region.
 */
export interface BedrockGeo extends Sourced {
  readonly sources: readonly string[];
  readonly destinations: readonly string[] | 'all-commercial';
}

export const BEDROCK_GEOS: Readonly<Record<BedrockProfile, BedrockGeo>> = {
  us: {
    sources: ['us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'ca-central-1'],
    destinations: ['us-east-1', 'us-east-2', 'us-west-1', 'us-west-2'],
    source: SOURCES.cdkProfiles, confidence: 'likely',
  },
  eu: {
    sources: ['eu-central-1', 'eu-central-2', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-north-1', 'eu-south-1', 'eu-south-2'],
    destinations: ['eu-central-1', 'eu-central-2', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-north-1', 'eu-south-1', 'eu-south-2'],
    source: SOURCES.cdkProfiles, confidence: 'likely',
  },
  apac: {
    sources: ['ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ap-south-1', 'ap-south-2', 'ap-southeast-1',
      'ap-southeast-2', 'ap-southeast-3', 'ap-southeast-4', 'ap-southeast-5', 'ap-southeast-7', 'ap-east-2'],
    destinations: ['ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ap-south-1', 'ap-south-2', 'ap-southeast-1',
      'ap-southeast-2', 'ap-southeast-3', 'ap-southeast-4', 'ap-southeast-5', 'ap-southeast-7', 'ap-east-2', 'me-central-1'],
    source: SOURCES.cdkProfiles, confidence: 'likely',
  },
  jp: { sources: ['ap-northeast-1', 'ap-northeast-3'], destinations: ['ap-northeast-1', 'ap-northeast-3'], source: SOURCES.cdkProfiles, confidence: 'likely' },
  au: { sources: ['ap-southeast-2', 'ap-southeast-4'], destinations: ['ap-southeast-2', 'ap-southeast-4'], source: SOURCES.cdkProfiles, confidence: 'likely' },
  global: { sources: [], destinations: 'all-commercial', source: SOURCES.bedrockProfiles, confidence: 'confirmed' },
};

/** The model id the runtime is invoked with: the profile id when a geo profile is used. */
export function bedrockInvokeId(model: string, profile: BedrockProfile | undefined): string {
  return profile ? `${profile}.${model}` : model;
}

/** Burndown for a model not in the catalog: assume the Claude 4.x rate, the safe side for admission. */
export function bedrockOutputBurn(model: string): number {
  return BEDROCK_MODELS[model]?.outputBurn ?? (model.startsWith('anthropic.claude') ? 5 : 1);
}
