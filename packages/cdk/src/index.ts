export { Plan } from './plan-source';
export { Headroom, type HeadroomProps } from './headroom';
export { HeadroomRouter, type HeadroomRouterProps, STATE_TABLE, STATE_TABLE_ENV, ROUTER_CONFIG_DEFINE, defaultRouterEntry } from './router';
export { HeadroomDashboard, type HeadroomDashboardProps } from './dashboard';
export { HeadroomAlarmFactory, type TargetAlarms } from './alarms';
export { HeadroomMetricFactory, DEFAULT_PERIOD, type MetricOptions, type BedrockMetricName } from './metrics';
export { HeadroomMetrics, TargetMetrics, FamilyMetrics } from './target-metrics';
export { AZURE_CLIENT_ID_MISSING, targetsMissingAzureClientId } from './azure-client-id';
export { LAMBDA_MAX_TIMEOUT, LAMBDA_MEMORY_MB, DEFAULT_MEMORY_MB, DEFAULT_LOG_RETENTION, DEFAULT_STATE_TABLE_REMOVAL_POLICY } from './router-props';
export { BedrockQuotaCheck, type BedrockQuotaCheckProps, type QuotaShortfallAction, quotaDemands } from './quota-check';
export { checkBedrockQuotas, describeFindings, quotaCheckHandlerSource, type QuotaDemand, type QuotaFinding, type QuotaCheckInput } from './quota-check-handler';
export {
  bedrockStatements, apiKeySecrets, webIdentityAudiences, inferenceProfileArn, foundationModelArn, partitionOf,
  BEDROCK_INVOKE_ACTIONS, ENTRA_AUDIENCE, type BedrockStatement,
} from './bedrock-access';
export { propError, type PropProblem } from './errors';
