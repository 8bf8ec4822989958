import * as pulumi from '@pulumi/pulumi';
import * as authorization from '@pulumi/azure-native/authorization';
import * as cognitiveservices from '@pulumi/azure-native/cognitiveservices';
import * as monitor from '@pulumi/azure-native/monitor';
import { formatProblem, type Plan } from '@headroom/plan';
import { azureAccounts, type AzureAccountSpec, type MetricAlertSpec } from './azure-layout';
import { AZURE_DEFAULTS, COGNITIVE_SERVICES_OPENAI_USER_ROLE } from './defaults';
import { azureAlertDuration, type AzureAlertSeverity, type AzureEvaluationFrequency, type AzureModelFormat } from './provider-values';
import { checkAzure, throwOnErrors } from './validate';
import { emitWarnings } from './warnings';

export type VersionUpgradeOption = cognitiveservices.DeploymentModelVersionUpgradeOption;

/** Severity 2 is "Warning" (monitor.AlertSeverity.Sev2); evaluated every minute. */
const ALERT_SEVERITY: AzureAlertSeverity = 2;
const ALERT_EVALUATION_FREQUENCY: AzureEvaluationFrequency = 'PT1M';

export interface AzureOpenAiCapacityArgs {
  readonly plan: Plan;
  /** The ARM location whose targets this account serves, e.g. `eastus2`. */
  readonly region: string;
  /** @default plan.azure.resourceGroup */
  readonly resourceGroupName?: pulumi.Input<string>;
  /**
   * Object id of the router's service principal; it gets "Cognitive Services OpenAI User" on the
   * account. @default no role assignment
   */
  readonly routerPrincipalId?: pulumi.Input<string>;
  /** An existing action group the alerts notify. @default none: alerts show in Azure Monitor only */
  readonly actionGroupId?: pulumi.Input<string>;
  /** @default 'OnceCurrentVersionExpired' (keep the reviewed version until Azure retires it) */
  readonly versionUpgradeOption?: VersionUpgradeOption;
}

/**
 * One Azure OpenAI account (kind `OpenAI`) for one region of the plan, with a deployment per
 * target (`sku.capacity` = TPM / 1,000), deployments chained with `dependsOn` in key order
 * (Azure answers parallel deployment operations on one account with 409 RequestConflict), local
 * auth disabled unless `plan.azure.keepLocalAuth`, a 429 alert and a token alert, and optionally
 * the router's role assignment.
 */
export class AzureOpenAiCapacity extends pulumi.ComponentResource {
  static readonly TYPE = 'headroom:azure:OpenAiCapacity';

  readonly account: cognitiveservices.Account;
  /** By target key (`family/target`). */
  readonly deployments: Readonly<Record<string, cognitiveservices.Deployment>>;
  readonly alerts: { readonly throttles: monitor.MetricAlert; readonly tokens: monitor.MetricAlert };
  readonly roleAssignment?: authorization.RoleAssignment;

  readonly accountName: pulumi.Output<string>;
  readonly accountId: pulumi.Output<string>;
  /** `https://<customSubDomainName>.openai.azure.com` */
  readonly endpoint: pulumi.Output<string>;
  /** Deployment name by target key. */
  readonly deploymentNames: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: AzureOpenAiCapacityArgs, opts?: pulumi.ComponentResourceOptions) {
    const warnings = throwOnErrors(`${AzureOpenAiCapacity.TYPE} (${name})`, args.plan, checkAzure(args.plan, args.region));
    const spec = azureAccounts(args.plan, args.region)[0];
    if (!spec) throw new RangeError(`${AzureOpenAiCapacity.TYPE} (${name}): the plan has no Azure OpenAI target in region '${args.region}'`);
    super(AzureOpenAiCapacity.TYPE, name, {}, opts);
    emitWarnings(warnings, this);

    const { plan } = args;
    const azure = plan.azure!;
    const resourceGroupName = args.resourceGroupName ?? azure.resourceGroup;
    const tags = { 'headroom-plan': plan.name, 'headroom-region': spec.region };

    this.account = new cognitiveservices.Account(`${name}-account`, {
      accountName: spec.accountName,
      resourceGroupName,
      location: spec.region,
      kind: AZURE_DEFAULTS.kind,
      sku: { name: AZURE_DEFAULTS.accountSku },
      properties: {
        customSubDomainName: spec.customSubDomainName,
        disableLocalAuth: !(azure.keepLocalAuth ?? false),
        publicNetworkAccess: (azure.publicNetworkAccess ?? true) ? cognitiveservices.PublicNetworkAccess.Enabled : cognitiveservices.PublicNetworkAccess.Disabled,
      },
      tags,
    }, { parent: this });

    this.deployments = this.createDeployments(name, spec, resourceGroupName, args.versionUpgradeOption ?? AZURE_DEFAULTS.versionUpgradeOption, tags);
    this.alerts = {
      throttles: this.createAlert(`${name}-throttles`, spec.alerts.throttles, resourceGroupName, args.actionGroupId, [
        { name: 'StatusCode', operator: monitor.DimensionOperator.Include, values: ['429'] },
      ], tags),
      tokens: this.createAlert(`${name}-tokens`, spec.alerts.tokens, resourceGroupName, args.actionGroupId, [], tags),
    };
    // The subscription the account is created in: the provider's (asked through this component's
    // provider), which the plan's copy should name too.
    const subscriptionId = authorization.getClientConfigOutput({ parent: this }).subscriptionId;
    subscriptionId.apply((actual) => warnOnSubscriptionMismatch(azure.subscription, actual, this));
    if (args.routerPrincipalId !== undefined) {
      // The role definition lives in that subscription, whatever the plan says.
      this.roleAssignment = new authorization.RoleAssignment(`${name}-router-openai-user`, {
        scope: this.account.id,
        principalId: args.routerPrincipalId,
        principalType: authorization.PrincipalType.ServicePrincipal,
        roleDefinitionId: pulumi.interpolate`/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${COGNITIVE_SERVICES_OPENAI_USER_ROLE}`,
        description: `Headroom router (${plan.name}) calls the deployments in ${spec.accountName}`,
      }, { parent: this });
    }

    this.accountName = this.account.name;
    this.accountId = this.account.id;
    this.endpoint = this.account.properties.apply((p) => `https://${p.customSubDomainName}.openai.azure.com`);
    const names: Record<string, pulumi.Output<string>> = {};
    for (const [key, deployment] of Object.entries(this.deployments)) names[key] = deployment.name;
    this.deploymentNames = pulumi.output(names);

    this.registerOutputs({
      accountName: this.accountName,
      accountId: this.accountId,
      endpoint: this.endpoint,
      deploymentNames: this.deploymentNames,
    });
  }

  private createDeployments(
    name: string, spec: AzureAccountSpec, resourceGroupName: pulumi.Input<string>, versionUpgradeOption: VersionUpgradeOption, tags: Record<string, string>,
  ): Record<string, cognitiveservices.Deployment> {
    const deployments: Record<string, cognitiveservices.Deployment> = {};
    let previous: cognitiveservices.Deployment | undefined;
    for (const d of spec.deployments) {
      previous = new cognitiveservices.Deployment(`${name}-${d.deploymentName}`, {
        accountName: this.account.name,
        resourceGroupName,
        deploymentName: d.deploymentName,
        sku: { name: d.sku, capacity: d.capacity },
        properties: {
          model: { format: 'OpenAI' satisfies AzureModelFormat, name: d.model, version: d.version },
          raiPolicyName: d.raiPolicyName,
          versionUpgradeOption,
        },
        tags: { ...tags, 'headroom-target': d.key.replace('/', '.') },
      }, { parent: this, ...(previous ? { dependsOn: [previous] } : {}) });
      deployments[d.key] = previous;
    }
    return deployments;
  }

  private createAlert(
    resourceName: string, alert: MetricAlertSpec, resourceGroupName: pulumi.Input<string>, actionGroupId: pulumi.Input<string> | undefined,
    dimensions: { name: string; operator: monitor.DimensionOperator; values: string[] }[], tags: Record<string, string>,
  ): monitor.MetricAlert {
    return new monitor.MetricAlert(resourceName, {
      ruleName: alert.ruleName,
      resourceGroupName,
      location: AZURE_DEFAULTS.alertLocation,
      description: alert.description,
      enabled: true,
      severity: ALERT_SEVERITY,
      autoMitigate: true,
      scopes: [this.account.id],
      evaluationFrequency: ALERT_EVALUATION_FREQUENCY,
      windowSize: azureAlertDuration(alert.windowMinutes),
      criteria: {
        odataType: monitor.Odatatype.Microsoft_Azure_Monitor_SingleResourceMultipleMetricCriteria,
        allOf: [{
          criterionType: monitor.CriterionType.StaticThresholdCriterion,
          name: alert.metricName,
          metricName: alert.metricName,
          metricNamespace: 'Microsoft.CognitiveServices/accounts',
          operator: monitor.Operator.GreaterThan,
          timeAggregation: monitor.AggregationTypeEnum.Total,
          threshold: alert.threshold,
          dimensions,
        }],
      },
      actions: actionGroupId !== undefined ? [{ actionGroupId }] : [],
      tags,
    }, { parent: this });
  }
}

/**
 * The plan's subscription sizes the quota and derives the account name suffix; the provider's is
 * where the accounts land. When they differ, the plan describes another subscription's quota.
 */
function warnOnSubscriptionMismatch(planned: string, actual: string, resource: pulumi.Resource): void {
  if (planned.toLowerCase() === actual.toLowerCase()) return;
  void pulumi.log.warn(formatProblem({
    severity: 'warning', code: 'azure/subscription-mismatch', path: ['azure', 'subscription'],
    message: `the azure-native provider deploys into subscription ${actual}, not the plan's: the plan's quota figures describe another subscription`,
    received: planned, allowed: actual, fix: "set azure.subscription to the provider's subscription, or configure the provider (azure-native:subscriptionId) for the plan's",
  }), resource);
}
