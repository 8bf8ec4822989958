/**
 * Allowed values of provider inputs that the provider packages type as free strings (or numbers),
 * each with where it comes from. Where a provider package has its own enum object (azure-native
 * `cognitiveservices`, `monitor`, `authorization`), the components and the strict mocks use that
 * instead; these tables are only for the rest. The components type their inputs with these, so
 * `tsc` rejects a wrong literal, and the strict mocks check the inputs against them.
 */

export interface CitedValues<T extends string | number> {
  readonly values: readonly T[];
  readonly source: string;
}

const cited = <const T extends string | number>(values: readonly T[], source: string): CitedValues<T> => ({ values, source });

/** Cloud Monitoring AlertPolicy fields; the same lists are in @pulumi/gcp's "Possible values are" comments. */
export const GCP_MONITORING = {
  severity: cited(['CRITICAL', 'ERROR', 'WARNING'], 'https://cloud.google.com/monitoring/api/ref_v3/rest/v3/projects.alertPolicies#severity'),
  combiner: cited(['AND', 'OR', 'AND_WITH_MATCHING_RESOURCE'], 'https://cloud.google.com/monitoring/api/ref_v3/rest/v3/projects.alertPolicies#conditioncombinertype'),
  comparison: cited(['COMPARISON_GT', 'COMPARISON_GE', 'COMPARISON_LT', 'COMPARISON_LE', 'COMPARISON_EQ', 'COMPARISON_NE'],
    'https://cloud.google.com/monitoring/api/ref_v3/rest/v3/projects.alertPolicies#comparisontype'),
  aligner: cited([
    'ALIGN_NONE', 'ALIGN_DELTA', 'ALIGN_RATE', 'ALIGN_INTERPOLATE', 'ALIGN_NEXT_OLDER', 'ALIGN_MIN', 'ALIGN_MAX', 'ALIGN_MEAN',
    'ALIGN_COUNT', 'ALIGN_SUM', 'ALIGN_STDDEV', 'ALIGN_COUNT_TRUE', 'ALIGN_COUNT_FALSE', 'ALIGN_FRACTION_TRUE', 'ALIGN_PERCENTILE_99',
    'ALIGN_PERCENTILE_95', 'ALIGN_PERCENTILE_50', 'ALIGN_PERCENTILE_05', 'ALIGN_PERCENT_CHANGE',
  ], 'https://cloud.google.com/monitoring/api/ref_v3/rest/v3/projects.alertPolicies#aligner'),
  reducer: cited([
    'REDUCE_NONE', 'REDUCE_MEAN', 'REDUCE_MIN', 'REDUCE_MAX', 'REDUCE_SUM', 'REDUCE_STDDEV', 'REDUCE_COUNT', 'REDUCE_COUNT_TRUE',
    'REDUCE_COUNT_FALSE', 'REDUCE_FRACTION_TRUE', 'REDUCE_PERCENTILE_99', 'REDUCE_PERCENTILE_95', 'REDUCE_PERCENTILE_50', 'REDUCE_PERCENTILE_05',
  ], 'https://cloud.google.com/monitoring/api/ref_v3/rest/v3/projects.alertPolicies#reducer'),
  mimeType: cited(['text/markdown'], 'https://cloud.google.com/monitoring/api/ref_v3/rest/v3/projects.alertPolicies#documentation ("only text/markdown is supported")'),
} as const;

/** Cloud Quotas QuotaPreference fields; the same list is in @pulumi/gcp's cloudquota/squotaPreference "Possible values are" comment. */
export const GCP_CLOUD_QUOTAS = {
  /** `ignoreSafetyChecks`: the QuotaSafetyCheck a preference may skip (one value in the provider). */
  ignoreSafetyChecks: cited(['QUOTA_SAFETY_CHECK_UNSPECIFIED', 'QUOTA_DECREASE_BELOW_USAGE', 'QUOTA_DECREASE_PERCENTAGE_TOO_HIGH'],
    'https://cloud.google.com/docs/quotas/reference/rest/v1/QuotaSafetyCheck'),
} as const;

export type GcpQuotaSafetyCheck = (typeof GCP_CLOUD_QUOTAS.ignoreSafetyChecks.values)[number];

export type GcpAlertSeverity = (typeof GCP_MONITORING.severity.values)[number];
export type GcpCombiner = (typeof GCP_MONITORING.combiner.values)[number];
export type GcpComparison = (typeof GCP_MONITORING.comparison.values)[number];
export type GcpAligner = (typeof GCP_MONITORING.aligner.values)[number];
export type GcpReducer = (typeof GCP_MONITORING.reducer.values)[number];
export type GcpDocumentationMimeType = (typeof GCP_MONITORING.mimeType.values)[number];

/** Azure OpenAI / Azure Monitor fields that azure-native types as string or number. */
export const AZURE_VALUES = {
  /** Deployment `sku.name`: the deployment types. */
  deploymentSku: cited([
    'Standard', 'GlobalStandard', 'DataZoneStandard', 'ProvisionedManaged', 'GlobalProvisionedManaged', 'DataZoneProvisionedManaged',
    'GlobalBatch', 'DataZoneBatch', 'DeveloperTier',
  ], 'https://learn.microsoft.com/en-us/azure/ai-foundry/openai/how-to/deployment-types'),
  /** Account `kind` values of Azure AI services accounts that serve Azure OpenAI deployments. */
  accountKind: cited(['OpenAI', 'AIServices'], 'https://learn.microsoft.com/en-us/azure/ai-services/openai/how-to/create-resource (kind OpenAI; AIServices for Foundry)'),
  /** Azure OpenAI offers one pricing tier for accounts. */
  accountSku: cited(['S0'], 'https://learn.microsoft.com/en-us/azure/ai-services/openai/how-to/create-resource (pricing tier Standard S0)'),
  modelFormat: cited(['OpenAI'], 'https://learn.microsoft.com/en-us/azure/templates/microsoft.cognitiveservices/accounts/deployments (model.format "OpenAI" for Azure OpenAI models)'),
  /** MetricAlert `severity`: azure-native types it as a number; "Alert severity {0, 1, 2, 3, 4}". */
  alertSeverity: cited([0, 1, 2, 3, 4], 'https://learn.microsoft.com/en-us/rest/api/monitor/metric-alerts/create-or-update (properties.severity)'),
  alertEvaluationFrequency: cited(['PT1M', 'PT5M', 'PT15M', 'PT30M', 'PT1H'], 'https://learn.microsoft.com/en-us/azure/azure-monitor/alerts/alerts-metric-create-templates (evaluationFrequency allowedValues)'),
  alertWindowSize: cited(['PT1M', 'PT5M', 'PT15M', 'PT30M', 'PT1H', 'PT6H', 'PT12H', 'PT24H'], 'https://learn.microsoft.com/en-us/azure/azure-monitor/alerts/alerts-metric-create-templates (windowSize allowedValues)'),
  /** Metrics of Microsoft.CognitiveServices/accounts the alerts may use. */
  cognitiveServicesMetric: cited(['AzureOpenAIRequests', 'TokenTransaction', 'ProcessedPromptTokens', 'GeneratedTokens', 'ActiveTokens'],
    'https://learn.microsoft.com/en-us/azure/azure-monitor/reference/supported-metrics/microsoft-cognitiveservices-accounts-metrics'),
  /** Entra application `signInAudience`. */
  signInAudience: cited(['AzureADMyOrg', 'AzureADMultipleOrgs', 'AzureADandPersonalMicrosoftAccount', 'PersonalMicrosoftAccount'],
    'https://learn.microsoft.com/en-us/entra/identity-platform/reference-microsoft-graph-app-manifest#signinaudience-attribute'),
} as const;

export type AzureAccountKind = (typeof AZURE_VALUES.accountKind.values)[number];
export type AzureAccountSku = (typeof AZURE_VALUES.accountSku.values)[number];
export type AzureAlertSeverity = (typeof AZURE_VALUES.alertSeverity.values)[number];
export type AzureAlertWindow = (typeof AZURE_VALUES.alertWindowSize.values)[number];
export type AzureEvaluationFrequency = (typeof AZURE_VALUES.alertEvaluationFrequency.values)[number];
export type AzureModelFormat = (typeof AZURE_VALUES.modelFormat.values)[number];
export type AzureSignInAudience = (typeof AZURE_VALUES.signInAudience.values)[number];
export type AzureMetricName = (typeof AZURE_VALUES.cognitiveServicesMetric.values)[number];

/** `PT<n>M` for minutes below an hour, `PT<n>H` for whole hours: the spelling the alert docs list. */
export function azureAlertDuration(minutes: number): string {
  return minutes >= 60 && minutes % 60 === 0 ? `PT${minutes / 60}H` : `PT${minutes}M`;
}

/** An ARM role definition id at subscription scope. */
export const ROLE_DEFINITION_ID = {
  pattern: /^\/subscriptions\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\/providers\/Microsoft\.Authorization\/roleDefinitions\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
  source: 'https://learn.microsoft.com/en-us/azure/role-based-access-control/role-assignments-template (subscriptionResourceId of Microsoft.Authorization/roleDefinitions)',
} as const;

/** Workload Identity pool and provider ids: 4-32 of [a-z0-9-], and the prefix gcp- is reserved. */
export const WIF_ID = {
  pattern: /^(?!gcp-)[a-z0-9-]{4,32}$/,
  source: 'https://cloud.google.com/iam/docs/reference/rest/v1/projects.locations.workloadIdentityPools/create (workloadIdentityPoolId)',
} as const;
