import * as authorization from '@pulumi/azure-native/authorization';
import * as cognitiveservices from '@pulumi/azure-native/cognitiveservices';
import * as monitor from '@pulumi/azure-native/monitor';
import { AZURE_VALUES, GCP_CLOUD_QUOTAS, GCP_MONITORING, ROLE_DEFINITION_ID, WIF_ID, type CitedValues } from '../provider-values';

/**
 * What the real providers would refuse, checked on every resource the strict mocks see. Enum-valued
 * inputs are checked against the provider package's own enum objects; free strings against the
 * cited tables of `provider-values.ts`. A field absent from the inputs is not checked (the
 * provider's required-field errors are the type checker's job).
 */

export interface InputViolation {
  readonly type: string;
  readonly name: string;
  /** Dotted path; `[]` stands for every element of a list. */
  readonly field: string;
  readonly received: unknown;
  readonly allowed: string;
  readonly source: string;
}

type Check = (value: unknown) => boolean;
interface FieldRule { readonly field: string; readonly check: Check; readonly allowed: string; readonly source: string }

const enumRule = (field: string, enumObject: Readonly<Record<string, string>>, source: string): FieldRule => {
  const values = Object.values(enumObject);
  return { field, check: (v) => typeof v === 'string' && values.includes(v), allowed: values.join(' | '), source };
};
const citedRule = (field: string, table: CitedValues<string | number>): FieldRule => ({
  field, check: (v) => (table.values as readonly unknown[]).includes(v), allowed: table.values.join(' | '), source: table.source,
});
const patternRule = (field: string, pattern: RegExp, allowed: string, source: string): FieldRule => ({
  field, check: (v) => typeof v === 'string' && pattern.test(v), allowed, source,
});

const AZURE_NATIVE = '@pulumi/azure-native enum';
const GCP_DURATION = /^\d+(\.\d+)?s$/;

const RULES: Readonly<Record<string, readonly FieldRule[]>> = {
  'azure-native:cognitiveservices:Account': [
    citedRule('kind', AZURE_VALUES.accountKind),
    citedRule('sku.name', AZURE_VALUES.accountSku),
    enumRule('properties.publicNetworkAccess', cognitiveservices.PublicNetworkAccess, `${AZURE_NATIVE} cognitiveservices.PublicNetworkAccess`),
  ],
  'azure-native:cognitiveservices:Deployment': [
    citedRule('sku.name', AZURE_VALUES.deploymentSku),
    { field: 'sku.capacity', check: (v) => Number.isInteger(v) && (v as number) > 0, allowed: 'a positive integer (units)', source: AZURE_VALUES.deploymentSku.source },
    citedRule('properties.model.format', AZURE_VALUES.modelFormat),
    enumRule('properties.versionUpgradeOption', cognitiveservices.DeploymentModelVersionUpgradeOption, `${AZURE_NATIVE} cognitiveservices.DeploymentModelVersionUpgradeOption`),
  ],
  'azure-native:monitor:MetricAlert': [
    citedRule('severity', AZURE_VALUES.alertSeverity),
    citedRule('evaluationFrequency', AZURE_VALUES.alertEvaluationFrequency),
    citedRule('windowSize', AZURE_VALUES.alertWindowSize),
    enumRule('criteria.odataType', monitor.Odatatype, `${AZURE_NATIVE} monitor.Odatatype`),
    enumRule('criteria.allOf[].criterionType', monitor.CriterionType, `${AZURE_NATIVE} monitor.CriterionType`),
    enumRule('criteria.allOf[].operator', monitor.Operator, `${AZURE_NATIVE} monitor.Operator`),
    enumRule('criteria.allOf[].timeAggregation', monitor.AggregationTypeEnum, `${AZURE_NATIVE} monitor.AggregationTypeEnum`),
    enumRule('criteria.allOf[].dimensions[].operator', monitor.DimensionOperator, `${AZURE_NATIVE} monitor.DimensionOperator`),
    citedRule('criteria.allOf[].metricName', AZURE_VALUES.cognitiveServicesMetric),
  ],
  'azure-native:authorization:RoleAssignment': [
    enumRule('principalType', authorization.PrincipalType, `${AZURE_NATIVE} authorization.PrincipalType`),
    patternRule('roleDefinitionId', ROLE_DEFINITION_ID.pattern, '/subscriptions/<guid>/providers/Microsoft.Authorization/roleDefinitions/<guid>', ROLE_DEFINITION_ID.source),
  ],
  'azuread:index/application:Application': [citedRule('signInAudience', AZURE_VALUES.signInAudience)],
  'gcp:monitoring/alertPolicy:AlertPolicy': [
    citedRule('severity', GCP_MONITORING.severity),
    citedRule('combiner', GCP_MONITORING.combiner),
    citedRule('conditions[].conditionThreshold.comparison', GCP_MONITORING.comparison),
    citedRule('conditions[].conditionThreshold.aggregations[].perSeriesAligner', GCP_MONITORING.aligner),
    citedRule('conditions[].conditionThreshold.aggregations[].crossSeriesReducer', GCP_MONITORING.reducer),
    citedRule('conditions[].conditionThreshold.denominatorAggregations[].perSeriesAligner', GCP_MONITORING.aligner),
    citedRule('conditions[].conditionThreshold.denominatorAggregations[].crossSeriesReducer', GCP_MONITORING.reducer),
    patternRule('conditions[].conditionThreshold.aggregations[].alignmentPeriod', GCP_DURATION, 'a duration in seconds, e.g. 300s', GCP_MONITORING.aligner.source),
    patternRule('conditions[].conditionThreshold.duration', GCP_DURATION, 'a duration in seconds, e.g. 0s', GCP_MONITORING.comparison.source),
    citedRule('documentation.mimeType', GCP_MONITORING.mimeType),
  ],
  'gcp:cloudquota/sQuotaPreference:SQuotaPreference': [
    citedRule('ignoreSafetyChecks', GCP_CLOUD_QUOTAS.ignoreSafetyChecks),
    patternRule('quotaConfig.preferredValue', /^\d+$/, 'a non-negative int64 as a string',
      'https://cloud.google.com/docs/quotas/reference/rest/v1/projects.locations.quotaPreferences#QuotaConfig (preferredValue: string (int64 format))'),
    patternRule('parent', /^projects\/[^/]+$/, 'projects/<project id or number>', 'https://cloud.google.com/docs/quotas/reference/rest/v1/projects.locations.quotaPreferences/create'),
  ],
  'gcp:iam/workloadIdentityPool:WorkloadIdentityPool': [patternRule('workloadIdentityPoolId', WIF_ID.pattern, '4-32 of [a-z0-9-], not starting with gcp-', WIF_ID.source)],
  'gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider': [
    patternRule('workloadIdentityPoolProviderId', WIF_ID.pattern, '4-32 of [a-z0-9-], not starting with gcp-', WIF_ID.source),
  ],
  'gcp:projects/iAMMember:IAMMember': [
    patternRule('role', /^(roles|projects\/[^/]+\/roles|organizations\/\d+\/roles)\/[\w.]+$/, 'roles/<name> or a custom role',
      'https://cloud.google.com/iam/docs/reference/rest/v1/Policy#Binding (role)'),
  ],
};

/** The values at a dotted path, `[]` expanding lists; absent fields give no value. */
function valuesAt(value: unknown, path: readonly string[]): unknown[] {
  if (path.length === 0) return value === undefined ? [] : [value];
  if (value === null || typeof value !== 'object') return [];
  const [head, ...rest] = path as [string, ...string[]];
  const list = head.endsWith('[]');
  const child = (value as Record<string, unknown>)[list ? head.slice(0, -2) : head];
  if (!list) return valuesAt(child, rest);
  return Array.isArray(child) ? child.flatMap((element) => valuesAt(element, rest)) : [];
}

/** Every input of one resource the real provider would refuse. */
export function inputViolations(type: string, name: string, inputs: Record<string, unknown>): InputViolation[] {
  const violations: InputViolation[] = [];
  for (const rule of RULES[type] ?? []) {
    for (const received of valuesAt(inputs, rule.field.split('.'))) {
      if (!rule.check(received)) violations.push({ type, name, field: rule.field, received, allowed: rule.allowed, source: rule.source });
    }
  }
  return violations;
}

/** The resource types with input rules. */
export const CHECKED_TYPES: readonly string[] = Object.keys(RULES);
