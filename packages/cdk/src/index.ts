export { Plan } from './plan-source';
export { Headroom, type HeadroomProps } from './headroom';
export { HeadroomRouter, type HeadroomRouterProps, STATE_TABLE, STATE_TABLE_ENV, ROUTER_CONFIG_DEFINE, defaultRouterEntry } from './router';
export { HeadroomDashboard, type HeadroomDashboardProps } from './dashboard';
export { HeadroomAlarmFactory, type TargetAlarms } from './alarms';
export { HeadroomMetricFactory, DEFAULT_PERIOD, type MetricOptions, type BedrockMetricName } from './metrics';
export { BedrockQuotaCheck, type BedrockQuotaCheckProps, type QuotaShortfallAction, quotaDemands } from './quota-check';
export { checkBedrockQuotas, describeFindings, quotaCheckHandlerSource, type QuotaDemand, type QuotaFinding, type QuotaCheckInput } from './quota-check-handler';
export {
  bedrockStatements, apiKeySecrets, webIdentityAudiences, inferenceProfileArn, foundationModelArn, partitionOf,
  BEDROCK_INVOKE_ACTIONS, ENTRA_AUDIENCE, type BedrockStatement,
} from './bedrock-access';
export { propError, type PropProblem } from './errors';
