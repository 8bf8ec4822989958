/** Versioned provider catalog: bump when any fact changes, and cite the source beside the fact. */
export const CATALOG_VERSION = '2026-11-24';

export type Confidence = 'confirmed' | 'likely' | 'uncertain';

export interface Sourced {
  readonly source: string;
  readonly confidence: Confidence;
}

export const SOURCES = {
  azureQuotas: 'https://learn.microsoft.com/azure/foundry/openai/quotas-limits (quota tier tables, 2026-02-17)',
  azureQuotaHowTo: 'https://learn.microsoft.com/azure/ai-foundry/openai/how-to/quota',
  azureRegions: 'https://learn.microsoft.com/azure/ai-foundry/openai/concepts/models (model summary table and region availability)',
  azureNaming: 'https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules#microsoftcognitiveservices',
  bedrockProfiles: 'https://docs.aws.amazon.com/bedrock/latest/userguide/inference-profiles-support.html',
  bedrockQuotas: 'https://docs.aws.amazon.com/bedrock/latest/userguide/quotas-runtime.html (per model, per Region: On-demand vs Cross-Region InvokeModel tokens per minute)',
  bedrockGlobal: 'https://docs.aws.amazon.com/bedrock/latest/userguide/global-cross-region-inference.html',
  bedrockBurndown: 'https://docs.aws.amazon.com/bedrock/latest/userguide/quotas-token-burndown.html',
  bedrockModels: 'https://platform.claude.com/docs/en/build-with-claude/claude-on-amazon-bedrock',
  cdkProfiles: 'aws/aws-cdk packages/@aws-cdk/aws-bedrock-alpha/bedrock/inference-profiles/cross-region-inference-profile.ts',
  vertexClaude: 'https://platform.claude.com/docs/en/build-with-claude/claude-on-vertex-ai',
  vertexClaudeQuotas: 'https://docs.cloud.google.com/gemini-enterprise-agent-platform/models/partner-models/claude/quotas',
  vertexDsq: 'https://docs.cloud.google.com/vertex-ai/generative-ai/docs/quotas-genai (dynamic shared quota)',
  quotaPreference: 'GoogleCloudPlatform/magic-modules mmv1/products/cloudquotas/QuotaPreference.yaml',
  anthropicLimits: 'https://docs.anthropic.com/en/api/rate-limits',
  openAiLimits: 'https://platform.openai.com/docs/guides/rate-limits',
  iamNames: 'https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html',
  cloudwatchAlarms: 'https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html',
  gcpWif: 'https://cloud.google.com/iam/docs/reference/rest/v1/projects.locations.workloadIdentityPools/create',
} as const;
