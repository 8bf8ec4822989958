import * as pulumi from '@pulumi/pulumi';
import type * as cognitiveservices from '@pulumi/azure-native/cognitiveservices';
import { HeadroomCapacity } from './headroom-capacity';
import { examplePlan } from './plans.test.fixture';
import type { AzureAlertSeverity, GcpAligner, GcpAlertSeverity } from './provider-values';
import { installStrictMocks, settle, StrictMocks, type InputViolation } from './testing';

/**
 * Deliberate mistakes, each injected into the inputs of one resource (through a Pulumi
 * transformation: the component code is unchanged) or made by the program itself (a duplicate
 * name). Every one must be refused by the strict mocks, as the engine or the provider would.
 */

const mocks = new StrictMocks();
beforeAll(() => installStrictMocks(mocks));
beforeEach(() => { mocks.reset(); jest.spyOn(pulumi.log, 'warn').mockResolvedValue(); });
afterEach(() => { mocks.assertNoUnexpectedCalls(); jest.restoreAllMocks(); });

type Path = readonly (string | number)[];

/**
 * A copy of `value` with the field at `path` replaced; every object on the way is copied, nothing
 * mutated. Outputs on the way (azure-native wraps `properties` to apply defaults) are mapped.
 */
function withField(value: unknown, path: Path, replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  if (pulumi.Output.isInstance(value)) return value.apply((inner) => withField(inner, path, replacement));
  const [head, ...rest] = path as [string | number, ...(string | number)[]];
  if (Array.isArray(value)) return value.map((element, index) => (index === head ? withField(element, rest, replacement) : element));
  const record = (value ?? {}) as Record<string, unknown>;
  return { ...record, [head]: withField(record[head], rest, replacement) };
}

interface Mutation {
  readonly mistake: string;
  readonly type: string;
  readonly path: Path;
  readonly value: unknown;
  /** The violation's field the mocks must report. */
  readonly field: string;
}

const ALERT_POLICY = 'gcp:monitoring/alertPolicy:AlertPolicy';
const THRESHOLD = ['conditions', 0, 'conditionThreshold'];
const MUTATIONS: readonly Mutation[] = [
  { mistake: "GCP alert severity 'WARN'", type: ALERT_POLICY, path: ['severity'], value: 'WARN', field: 'severity' },
  { mistake: "aligner 'ALIGN_DELTAS'", type: ALERT_POLICY, path: [...THRESHOLD, 'aggregations', 0, 'perSeriesAligner'], value: 'ALIGN_DELTAS', field: 'conditions[].conditionThreshold.aggregations[].perSeriesAligner' },
  { mistake: "comparison 'GT'", type: ALERT_POLICY, path: [...THRESHOLD, 'comparison'], value: 'GT', field: 'conditions[].conditionThreshold.comparison' },
  { mistake: "Azure alert severity 'Sev2' (a string: ARM wants 0-4)", type: 'azure-native:monitor:MetricAlert', path: ['severity'], value: 'Sev2', field: 'severity' },
  { mistake: "Azure alert window 'PT10M'", type: 'azure-native:monitor:MetricAlert', path: ['windowSize'], value: 'PT10M', field: 'windowSize' },
  { mistake: "Azure alert operator 'GreaterThen'", type: 'azure-native:monitor:MetricAlert', path: ['criteria', 'allOf', 0, 'operator'], value: 'GreaterThen', field: 'criteria.allOf[].operator' },
  { mistake: "deployment SKU 'GlobalStandart'", type: 'azure-native:cognitiveservices:Deployment', path: ['sku', 'name'], value: 'GlobalStandart', field: 'sku.name' },
  { mistake: "version upgrade option 'OnceExpired'", type: 'azure-native:cognitiveservices:Deployment', path: ['properties', 'versionUpgradeOption'], value: 'OnceExpired', field: 'properties.versionUpgradeOption' },
  { mistake: 'role definition id as a bare GUID', type: 'azure-native:authorization:RoleAssignment', path: ['roleDefinitionId'], value: '5e0bd9bd-7b93-4f28-af87-19fc36ad61bd', field: 'roleDefinitionId' },
  { mistake: "principal type 'ServicePrinciple'", type: 'azure-native:authorization:RoleAssignment', path: ['principalType'], value: 'ServicePrinciple', field: 'principalType' },
  { mistake: "public network access 'enabled'", type: 'azure-native:cognitiveservices:Account', path: ['properties', 'publicNetworkAccess'], value: 'enabled', field: 'properties.publicNetworkAccess' },
  { mistake: 'one custom subdomain for two accounts', type: 'azure-native:cognitiveservices:Account', path: ['properties', 'customSubDomainName'], value: 'support-bot', field: '(physical name)' },
  { mistake: "pool id with the reserved prefix 'gcp-'", type: 'gcp:iam/workloadIdentityPool:WorkloadIdentityPool', path: ['workloadIdentityPoolId'], value: 'gcp-router', field: 'workloadIdentityPoolId' },
  { mistake: "quota preferred value '1.5'", type: 'gcp:cloudquota/sQuotaPreference:SQuotaPreference', path: ['quotaConfig', 'preferredValue'], value: '1.5', field: 'quotaConfig.preferredValue' },
  { mistake: 'one quota id for every limit (two preferences for one quota)', type: 'gcp:cloudquota/sQuotaPreference:SQuotaPreference', path: ['quotaId'], value: 'OnlinePredictionRequestsPerMinutePerRegionPerBaseModel', field: '(one per quota)' },
  { mistake: "safety check 'QUOTA_DECREASE_PERCENT_TOO_HIGH'", type: 'gcp:cloudquota/sQuotaPreference:SQuotaPreference', path: ['ignoreSafetyChecks'], value: 'QUOTA_DECREASE_PERCENT_TOO_HIGH', field: 'ignoreSafetyChecks' },
  { mistake: 'one preference id for every quota preference', type: 'gcp:cloudquota/sQuotaPreference:SQuotaPreference', path: ['name'], value: 'support-bot-rpm', field: '(physical name)' },
];

async function violationsWith(transformations: pulumi.ResourceTransformation[] = []): Promise<InputViolation[]> {
  mocks.reset();
  new HeadroomCapacity('hr', { plan: examplePlan() }, { transformations });
  await settle();
  return [...mocks.violations];
}

describe('the strict mocks refuse what the engine or the provider would', () => {
  it('accept the components as they are', async () => {
    expect(await violationsWith()).toEqual([]);
    expect(mocks.resources.length).toBeGreaterThan(20);
  });

  it.each(MUTATIONS.map((m) => [m.mistake, m] as const))('catch %s', async (_mistake, mutation) => {
    const inject: pulumi.ResourceTransformation = (args) =>
      args.type === mutation.type ? { props: withField(args.props, mutation.path, mutation.value) as pulumi.Inputs, opts: args.opts } : undefined;
    const violations = await violationsWith([inject]);
    expect(violations.map((v) => [v.type, v.field])).toContainEqual([mutation.type, mutation.field]);
    expect(violations.every((v) => v.source.length > 0)).toBe(true);
  });

  it('catch a duplicate resource name (the engine refuses a duplicate URN)', async () => {
    mocks.reset();
    new HeadroomCapacity('hr', { plan: examplePlan() });
    new HeadroomCapacity('hr', { plan: examplePlan() });
    await settle().catch(() => undefined);
    expect(mocks.violations.filter((v) => v.field === '(urn)').map((v) => v.type)).toEqual(expect.arrayContaining([
      'headroom:index:HeadroomCapacity', 'azure-native:cognitiveservices:Account', 'gcp:monitoring/alertPolicy:AlertPolicy',
    ]));
    expect(() => mocks.assertValid()).toThrow(/duplicate resource URN/);
  });

  it('are backed by tsc: the components type these fields with the provider enums and the cited tables', () => {
    // @ts-expect-error 'WARN' is not a Cloud Monitoring severity
    const severity: GcpAlertSeverity = 'WARN';
    // @ts-expect-error 'ALIGN_DELTAS' is not an aligner
    const aligner: GcpAligner = 'ALIGN_DELTAS';
    // @ts-expect-error Azure alert severities are 0-4
    const azureSeverity: AzureAlertSeverity = 5;
    // @ts-expect-error not a DeploymentModelVersionUpgradeOption
    const upgrade: cognitiveservices.DeploymentModelVersionUpgradeOption = 'OnceExpired';
    expect([severity, aligner, azureSeverity, upgrade]).toHaveLength(4);
  });
});
