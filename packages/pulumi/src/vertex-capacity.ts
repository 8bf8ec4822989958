import * as pulumi from '@pulumi/pulumi';
import * as cloudquota from '@pulumi/gcp/cloudquota';
import * as iam from '@pulumi/gcp/iam';
import * as monitoring from '@pulumi/gcp/monitoring';
import * as projects from '@pulumi/gcp/projects';
import { workloadIdentityPoolId, type Plan, routerAssumedRoleArn, workloadIdentityProviderId } from '@headroom/plan';
import { VERTEX_DEFAULTS } from './defaults';
import type { GcpAligner, GcpAlertSeverity, GcpCombiner, GcpComparison, GcpDocumentationMimeType, GcpQuotaSafetyCheck, GcpReducer } from './provider-values';

/** Cloud Quotas refuses lowering a limit by more than 10% unless the preference skips this check (gcp.allowQuotaDecrease). */
const DECREASE_CHECK = 'QUOTA_DECREASE_PERCENTAGE_TOO_HIGH' satisfies GcpQuotaSafetyCheck;
import { checkVertex, throwOnErrors } from './validate';
import { vertexLayout, type VertexAlertSpec } from './vertex-layout';
import { emitWarnings } from './warnings';

/** The alert's enum-valued fields, typed with the documented values (provider-values.ts). */
const ALERT = {
  combiner: 'OR' satisfies GcpCombiner,
  severity: 'WARNING' satisfies GcpAlertSeverity,
  aligner: 'ALIGN_DELTA' satisfies GcpAligner,
  reducer: 'REDUCE_SUM' satisfies GcpReducer,
  comparison: 'COMPARISON_GT' satisfies GcpComparison,
  mimeType: 'text/markdown' satisfies GcpDocumentationMimeType,
} as const;

export interface VertexCapacityArgs {
  readonly plan: Plan;
  /** The project holding the quota. @default plan.gcp.project */
  readonly project?: pulumi.Input<string>;
  /** Monitoring notification channels (resource names) the alert policies notify. @default none */
  readonly notificationChannels?: pulumi.Input<pulumi.Input<string>[]>;
}

/**
 * The GCP side of a plan: the Vertex AI (and Cloud Quotas) APIs enabled, one Cloud Quotas
 * preference per Vertex quota (`quotaBucketsOf`) x limit with `preferredValue` the quota's limit,
 * a shared quota's `limits` when targets share it (none for models on
 * dynamic shared quota: a warning instead), Workload Identity Federation trusting the router's
 * AWS role (AWS provider, `attribute.aws_role` condition, `roles/aiplatform.user` for the
 * principalSet), and a 429-ratio alert policy per region.
 */
export class VertexCapacity extends pulumi.ComponentResource {
  static readonly TYPE = 'headroom:gcp:VertexCapacity';

  readonly apis: { readonly aiplatform: projects.Service; readonly cloudquotas: projects.Service };
  /** By `<quota id>/<limit>`: `family/target/limit` for a target with its quota to itself, `<quotas: name>/<limit>` for a shared one. */
  readonly quotaPreferences: Readonly<Record<string, cloudquota.SQuotaPreference>>;
  readonly pool: iam.WorkloadIdentityPool;
  readonly awsProvider: iam.WorkloadIdentityPoolProvider;
  readonly routerBinding: projects.IAMMember;
  /** By region. */
  readonly alertPolicies: Readonly<Record<string, monitoring.AlertPolicy>>;

  readonly project: pulumi.Output<string>;
  /** Quota preference name by `<quota id>/<limit>` (as `quotaPreferences`). */
  readonly quotaPreferenceNames: pulumi.Output<Record<string, string>>;
  /** `//iam.googleapis.com/projects/<number>/locations/global/workloadIdentityPools/<pool>/providers/<provider>` */
  readonly audience: pulumi.Output<string>;
  /** The IAM member granted `roles/aiplatform.user`. */
  readonly principalSet: pulumi.Output<string>;
  readonly poolId: pulumi.Output<string>;
  readonly providerId: pulumi.Output<string>;

  constructor(name: string, args: VertexCapacityArgs, opts?: pulumi.ComponentResourceOptions) {
    const warnings = throwOnErrors(`${VertexCapacity.TYPE} (${name})`, args.plan, checkVertex(args.plan));
    const layout = vertexLayout(args.plan);
    if (layout.alerts.length === 0) throw new RangeError(`${VertexCapacity.TYPE} (${name}): the plan has no Vertex target`);
    super(VertexCapacity.TYPE, name, {}, opts);
    emitWarnings(warnings, this);

    const { plan } = args;
    const gcp = plan.gcp!;
    const project = pulumi.output(args.project ?? gcp.project);
    const service = (id: string, api: string) =>
      new projects.Service(`${name}-${id}-api`, { project, service: api, disableOnDestroy: false }, { parent: this });
    this.apis = { aiplatform: service('aiplatform', VERTEX_DEFAULTS.service), cloudquotas: service('cloudquotas', VERTEX_DEFAULTS.quotaService) };

    const preferences: Record<string, cloudquota.SQuotaPreference> = {};
    for (const p of layout.preferences) {
      // The preference id's segment: distinct quotas, distinct logical names.
      preferences[p.key] = new cloudquota.SQuotaPreference(`${name}-${p.segment}-${p.limit}`, {
        parent: pulumi.interpolate`projects/${project}`,
        name: p.preferenceId,
        service: VERTEX_DEFAULTS.service,
        quotaId: p.quotaId,
        dimensions: { ...p.dimensions },
        quotaConfig: { preferredValue: String(p.preferredValue) },
        justification: p.shared
          ? `Headroom plan ${plan.name}: quota ${p.bucketId} (${p.targets.join(', ')}) declares ${p.limit} ${p.preferredValue} for ${p.baseModel} in ${p.region}`
          : `Headroom plan ${plan.name}: ${p.bucketId} declares ${p.limit} ${p.preferredValue} for ${p.baseModel} in ${p.region}`,
        ...(gcp.quotaContactEmail ? { contactEmail: gcp.quotaContactEmail } : {}),
        ...(gcp.allowQuotaDecrease === true ? { ignoreSafetyChecks: DECREASE_CHECK } : {}),
      }, { parent: this, dependsOn: [this.apis.aiplatform, this.apis.cloudquotas] });
    }
    this.quotaPreferences = preferences;

    this.pool = new iam.WorkloadIdentityPool(`${name}-pool`, {
      project,
      workloadIdentityPoolId: workloadIdentityPoolId(plan),
      displayName: `${plan.name} router`.slice(0, 32),
      description: `Headroom router (${plan.name}) on AWS account ${plan.aws.account}`,
    }, { parent: this });
    const roleArn = routerAssumedRoleArn(plan);
    this.awsProvider = new iam.WorkloadIdentityPoolProvider(`${name}-aws`, {
      project,
      workloadIdentityPoolId: this.pool.workloadIdentityPoolId,
      workloadIdentityPoolProviderId: workloadIdentityProviderId(plan),
      displayName: 'AWS router role',
      aws: { accountId: plan.aws.account },
      // GCP's default AWS mapping, written out because a custom mapping must include google.subject.
      attributeMapping: {
        'google.subject': 'assertion.arn',
        'attribute.aws_role': "assertion.arn.contains('assumed-role') ? assertion.arn.extract('{account_arn}assumed-role/') + 'assumed-role/' + assertion.arn.extract('assumed-role/{role_name}/') : assertion.arn",
      },
      attributeCondition: `attribute.aws_role == "${roleArn}"`,
    }, { parent: this });
    this.principalSet = pulumi.interpolate`principalSet://iam.googleapis.com/${this.pool.name}/attribute.aws_role/${roleArn}`;
    this.routerBinding = new projects.IAMMember(`${name}-aiplatform-user`, {
      project,
      role: VERTEX_DEFAULTS.userRole,
      member: this.principalSet,
    }, { parent: this, dependsOn: [this.apis.aiplatform, this.awsProvider] });

    const policies: Record<string, monitoring.AlertPolicy> = {};
    for (const alert of layout.alerts) policies[alert.region] = this.createAlert(`${name}-${alert.region}-throttles`, alert, project, args.notificationChannels);
    this.alertPolicies = policies;

    this.project = project;
    const names: Record<string, pulumi.Output<string>> = {};
    for (const [key, preference] of Object.entries(preferences)) names[key] = preference.name;
    this.quotaPreferenceNames = pulumi.output(names);
    this.audience = pulumi.interpolate`//iam.googleapis.com/${this.awsProvider.name}`;
    this.poolId = this.pool.workloadIdentityPoolId;
    this.providerId = this.awsProvider.workloadIdentityPoolProviderId;
    this.registerOutputs({
      project: this.project,
      quotaPreferenceNames: this.quotaPreferenceNames,
      audience: this.audience,
      principalSet: this.principalSet,
      poolId: this.poolId,
      providerId: this.providerId,
    });
  }

  private createAlert(
    resourceName: string, alert: VertexAlertSpec, project: pulumi.Output<string>, notificationChannels: pulumi.Input<pulumi.Input<string>[]> | undefined,
  ): monitoring.AlertPolicy {
    const invocations = [
      `metric.type = "${VERTEX_DEFAULTS.invocationMetric}"`,
      `resource.type = "${VERTEX_DEFAULTS.publisherModelResource}"`,
      `resource.label.location = "${alert.region}"`,
    ].join(' AND ');
    const window = `${VERTEX_DEFAULTS.alertWindowSeconds}s`;
    const aggregation = [{ alignmentPeriod: window, perSeriesAligner: ALERT.aligner, crossSeriesReducer: ALERT.reducer }];
    return new monitoring.AlertPolicy(resourceName, {
      project,
      displayName: alert.displayName,
      combiner: ALERT.combiner,
      severity: ALERT.severity,
      conditions: [{
        displayName: `Vertex 429s in ${alert.region} above ${alert.ratio * 100}% of invocations`,
        conditionThreshold: {
          filter: `${invocations} AND metric.label.response_code = "429"`,
          denominatorFilter: invocations,
          aggregations: aggregation,
          denominatorAggregations: aggregation,
          comparison: ALERT.comparison,
          thresholdValue: alert.ratio,
          duration: '0s',
          trigger: { count: 1 },
        },
      }],
      documentation: {
        mimeType: ALERT.mimeType,
        content: `Vertex AI answered 429 (quota or dynamic shared quota exhausted) for more than ${alert.ratio * 100}% of invocations in ${alert.region} over ${VERTEX_DEFAULTS.alertWindowSeconds / 60} minutes. The router moves traffic to other targets; check the quota preferences for this region.`,
      },
      ...(notificationChannels !== undefined ? { notificationChannels } : {}),
    }, { parent: this });
  }
}
