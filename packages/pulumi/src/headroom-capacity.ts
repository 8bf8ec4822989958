import * as pulumi from '@pulumi/pulumi';
import { catalog, type Plan } from '@headroom/plan';
import { AzureOpenAiCapacity, type VersionUpgradeOption } from './azure-openai-capacity';
import { azureAccounts } from './azure-layout';
import { AzureRouterIdentity } from './azure-router-identity';
import { checkAzure, checkAzureIdentity, checkVertex, throwOnErrors, vertexRefs } from './validate';
import { VertexCapacity } from './vertex-capacity';

export interface HeadroomCapacityArgs {
  readonly plan: Plan;
  readonly azure?: {
    /** @default plan.azure.resourceGroup */
    readonly resourceGroupName?: pulumi.Input<string>;
    /** An existing action group every Azure alert notifies. @default none */
    readonly actionGroupId?: pulumi.Input<string>;
    /** @default 'OnceCurrentVersionExpired' */
    readonly versionUpgradeOption?: VersionUpgradeOption;
    /** Owners of the Entra application and its service principal. @default none: the provider assigns no owners */
    readonly applicationOwners?: pulumi.Input<pulumi.Input<string>[]>;
  };
  readonly gcp?: {
    /** @default plan.gcp.project */
    readonly project?: pulumi.Input<string>;
    /** Notification channels every Vertex alert policy notifies. @default none */
    readonly notificationChannels?: pulumi.Input<pulumi.Input<string>[]>;
  };
}

/** Where the router reaches a target: the same shape as RouterConfig's `endpoint`. */
export interface TargetEndpoint {
  readonly baseUrl: string;
  readonly path: string;
}

/** What the router needs to sign in to Azure without a key: RouterConfig `auth` (entra-federated). */
export interface AzureRouterIdentityDetails {
  readonly tenantId: string;
  readonly clientId: string;
  /** Token subject Entra trusts; undefined while `aws.identityIssuer` is missing. */
  readonly subject: string | undefined;
}

/** What the router needs to exchange its AWS credentials for Google tokens: RouterConfig `auth` (google-federated). */
export interface GcpRouterIdentityDetails {
  readonly project: string;
  readonly poolId: string;
  readonly providerId: string;
  readonly audience: string;
}

/**
 * Everything Headroom provisions outside AWS for one plan: an `AzureOpenAiCapacity` per Azure
 * region, the router's Entra identity (assigned on every account), and `VertexCapacity`.
 * Validates the whole plan first and throws one `CapacityPlanError` listing every problem.
 * Outputs never include a key or secret: access is keyless.
 */
export class HeadroomCapacity extends pulumi.ComponentResource {
  static readonly TYPE = 'headroom:index:HeadroomCapacity';

  readonly azureIdentity?: AzureRouterIdentity;
  /** By region. */
  readonly azureAccounts: Readonly<Record<string, AzureOpenAiCapacity>>;
  readonly vertex?: VertexCapacity;

  /** By target key, for every Azure and Vertex target. */
  readonly endpoints: pulumi.Output<Record<string, TargetEndpoint>>;
  /** Azure deployment name by target key. */
  readonly deploymentNames: pulumi.Output<Record<string, string>>;
  /** Vertex quota preference name by `<quota id>/<limit>`: `family/target/limit` for a target with its quota to itself, `<quotas: name>/<limit>` for a shared one. */
  readonly quotaPreferenceNames: pulumi.Output<Record<string, string>>;
  readonly azureRouterIdentity: pulumi.Output<AzureRouterIdentityDetails | undefined>;
  readonly gcpRouterIdentity: pulumi.Output<GcpRouterIdentityDetails | undefined>;

  constructor(name: string, args: HeadroomCapacityArgs, opts?: pulumi.ComponentResourceOptions) {
    const { plan } = args;
    const regions = azureAccounts(plan).map((a) => a.region);
    const hasVertex = vertexRefs(plan).length > 0;
    throwOnErrors(`${HeadroomCapacity.TYPE} (${name})`, plan, [
      ...checkAzure(plan),
      ...(regions.length > 0 ? checkAzureIdentity(plan) : []),
      ...checkVertex(plan),
    ]);
    super(HeadroomCapacity.TYPE, name, {}, opts);

    const endpoints: Record<string, pulumi.Output<TargetEndpoint>> = {};
    const deploymentNames: Record<string, pulumi.Output<string>> = {};
    const accounts: Record<string, AzureOpenAiCapacity> = {};
    if (regions.length > 0) {
      this.azureIdentity = new AzureRouterIdentity(`${name}-azure-identity`, {
        plan, ...(args.azure?.applicationOwners !== undefined ? { owners: args.azure.applicationOwners } : {}),
      }, { parent: this });
      for (const region of regions) {
        const account = new AzureOpenAiCapacity(`${name}-azure-${region}`, {
          plan,
          region,
          routerPrincipalId: this.azureIdentity.principalId,
          ...(args.azure?.resourceGroupName !== undefined ? { resourceGroupName: args.azure.resourceGroupName } : {}),
          ...(args.azure?.actionGroupId !== undefined ? { actionGroupId: args.azure.actionGroupId } : {}),
          ...(args.azure?.versionUpgradeOption !== undefined ? { versionUpgradeOption: args.azure.versionUpgradeOption } : {}),
        }, { parent: this });
        accounts[region] = account;
        for (const [key, deployment] of Object.entries(account.deployments)) {
          deploymentNames[key] = deployment.name;
          endpoints[key] = pulumi.all([account.endpoint, deployment.name]).apply(([baseUrl, deploymentName]) => ({ baseUrl, path: `/openai/deployments/${deploymentName}` }));
        }
      }
    }
    this.azureAccounts = accounts;

    if (hasVertex) {
      this.vertex = new VertexCapacity(`${name}-vertex`, {
        plan,
        ...(args.gcp?.project !== undefined ? { project: args.gcp.project } : {}),
        ...(args.gcp?.notificationChannels !== undefined ? { notificationChannels: args.gcp.notificationChannels } : {}),
      }, { parent: this });
      for (const ref of vertexRefs(plan)) {
        const { region, model } = ref.target;
        endpoints[ref.key] = this.vertex.project.apply((project) => ({
          baseUrl: `https://${catalog.vertexHost(region)}`,
          path: `/v1/projects/${project}/locations/${region}/publishers/${catalog.vertexPublisher(model)}/models/${model}`,
        }));
      }
    }

    this.endpoints = pulumi.output(endpoints);
    this.deploymentNames = pulumi.output(deploymentNames);
    this.quotaPreferenceNames = this.vertex ? this.vertex.quotaPreferenceNames : pulumi.output<Record<string, string>>({});
    const identity = this.azureIdentity;
    this.azureRouterIdentity = identity
      ? pulumi.all([identity.tenantId, identity.clientId, identity.subject]).apply(([tenantId, clientId, subject]) => ({ tenantId, clientId, subject }))
      : pulumi.output(undefined);
    const vertex = this.vertex;
    this.gcpRouterIdentity = vertex
      ? pulumi.all([vertex.project, vertex.poolId, vertex.providerId, vertex.audience]).apply(([project, poolId, providerId, audience]) => ({ project, poolId, providerId, audience }))
      : pulumi.output(undefined);

    this.registerOutputs({
      endpoints: this.endpoints,
      deploymentNames: this.deploymentNames,
      quotaPreferenceNames: this.quotaPreferenceNames,
      azureRouterIdentity: this.azureRouterIdentity,
      gcpRouterIdentity: this.gcpRouterIdentity,
    });
  }
}
