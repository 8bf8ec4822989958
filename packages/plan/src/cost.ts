import { AZURE_TPM_PER_UNIT, azureGrantedRpm, bedrockOutputBurn, SOURCES } from './catalog';
import type { LimitKind, Limits, Provider, Target } from './types';

/**
 * How a provider charges one request against its limits. Shared by the emulator (which enforces it),
 * the router (which predicts it) and the simulator, so all three agree.
 */
export type CostModel =
  /** Azure: prompt + max_tokens counted when the request is admitted, never refunded. */
  | { readonly kind: 'prompt-plus-max-tokens'; readonly source: string }
  /** Bedrock: input + max_tokens reserved at the start; settled to input + output x burn at the end. */
  | { readonly kind: 'reserve-then-burn'; readonly outputBurn: number; readonly source: string }
  /** Anthropic, Vertex Claude: separate input and output limits; output estimated from max_tokens, then settled. */
  | { readonly kind: 'input-output'; readonly source: string }
  /** OpenAI: the larger of max_tokens and the estimated prompt tokens, at admission. */
  | { readonly kind: 'max-of-prompt-or-max-tokens'; readonly source: string };

export interface RequestEstimate {
  readonly inputTokens: number;
  readonly maxTokens: number;
}

export interface Usage {
  /** Input tokens that count against quota (cache reads excluded where the provider excludes them). */
  readonly inputTokens: number;
  readonly outputTokens: number;
}

export type Charge = Partial<Record<LimitKind, number>>;

export function costModelOf(target: Target): CostModel {
  switch (target.provider) {
    case 'azure-openai': return { kind: 'prompt-plus-max-tokens', source: SOURCES.azureQuotaHowTo };
    case 'bedrock': return { kind: 'reserve-then-burn', outputBurn: bedrockOutputBurn(target.model), source: SOURCES.bedrockBurndown };
    case 'anthropic': return { kind: 'input-output', source: SOURCES.anthropicLimits };
    case 'vertex': return { kind: 'input-output', source: SOURCES.vertexClaudeQuotas };
    case 'openai': return { kind: 'max-of-prompt-or-max-tokens', source: SOURCES.openAiLimits };
  }
}

/** What is taken from each bucket when a request is admitted. */
export function admissionCharge(cost: CostModel, request: RequestEstimate): Charge {
  switch (cost.kind) {
    case 'prompt-plus-max-tokens': return { rpm: 1, tpm: request.inputTokens + request.maxTokens };
    case 'reserve-then-burn': return { rpm: 1, tpm: request.inputTokens + request.maxTokens };
    case 'input-output': return { rpm: 1, itpm: request.inputTokens, otpm: request.maxTokens };
    case 'max-of-prompt-or-max-tokens': return { rpm: 1, tpm: Math.max(request.inputTokens, request.maxTokens) };
  }
}

/** What the request finally costs once its usage is known (replaces the admission charge). */
export function settledCharge(cost: CostModel, request: RequestEstimate, usage: Usage): Charge {
  switch (cost.kind) {
    case 'reserve-then-burn': return { rpm: 1, tpm: usage.inputTokens + usage.outputTokens * cost.outputBurn };
    case 'input-output': return { rpm: 1, itpm: usage.inputTokens, otpm: usage.outputTokens };
    default: return admissionCharge(cost, request);
  }
}

/** The limit kinds each provider enforces. */
export const LIMITS_BY_PROVIDER: Readonly<Record<Provider, readonly LimitKind[]>> = {
  anthropic: ['rpm', 'itpm', 'otpm'],
  vertex: ['rpm', 'itpm', 'otpm'],
  bedrock: ['rpm', 'tpm'],
  openai: ['rpm', 'tpm'],
  'azure-openai': ['rpm', 'tpm'],
};

/** Every limit the provider enforces, with Azure's RPM derived from TPM when not declared. */
export function resolvedLimits(target: Target): Required<Pick<Limits, 'rpm'>> & Limits {
  if (target.provider !== 'azure-openai') return { ...target.limits };
  const rpm = target.limits.rpm ?? azureGrantedRpm(target.model, target.sku, target.limits.tpm);
  // A validated plan always has one of the two; a missing limit is never "unlimited".
  if (rpm === undefined) throw new Error(`no RPM limit for Azure ${target.model} ${target.sku}; validate the plan first`);
  return { tpm: target.limits.tpm, rpm };
}

/** Azure capacity units (sku.capacity) for a deployment. */
export function azureCapacityUnits(tpm: number): number {
  return tpm / AZURE_TPM_PER_UNIT;
}


/** About four characters per token: the estimate the router admits with and the emulator counts with. */
export function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}
