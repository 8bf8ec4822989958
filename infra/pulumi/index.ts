/**
 * Example company Pulumi program: Headroom's Azure and GCP capacity composed beside resources the
 * company already owns (a resource group and a GCP project, read here as stand-ins).
 *
 *   npm run build && pulumi up     (Pulumi.yaml at the repository root points here)
 *
 * Config (all optional): headroom:planFile (default ../headroom.yaml, relative to this folder),
 * headroom:azureActionGroupId, headroom:gcpNotificationChannel.
 */
import * as path from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import * as resources from '@pulumi/azure-native/resources';
import * as organizations from '@pulumi/gcp/organizations';
import { loadPlanFileOrThrow } from '@headroom/plan';
import { HeadroomCapacity } from '@headroom/pulumi';

const config = new pulumi.Config('headroom');
const { plan } = loadPlanFileOrThrow(path.resolve(__dirname, config.get('planFile') ?? '../headroom.yaml'));

// The company's existing resources, read rather than created.
const resourceGroup = plan.azure
  ? resources.ResourceGroup.get('company-llm-capacity', `/subscriptions/${plan.azure.subscription}/resourceGroups/${plan.azure.resourceGroup}`)
  : undefined;
const project = plan.gcp ? organizations.Project.get('company-ml-project', plan.gcp.project) : undefined;

const actionGroupId = config.get('azureActionGroupId');
const notificationChannel = config.get('gcpNotificationChannel');
const capacity = new HeadroomCapacity('headroom', {
  plan,
  azure: {
    ...(resourceGroup ? { resourceGroupName: resourceGroup.name } : {}),
    ...(actionGroupId ? { actionGroupId } : {}),
  },
  gcp: {
    ...(project ? { project: project.projectId } : {}),
    ...(notificationChannel ? { notificationChannels: [notificationChannel] } : {}),
  },
});

/** Where the router reaches each Azure and Vertex target (RouterConfig `endpoint`). */
export const endpoints = capacity.endpoints;
export const deploymentNames = capacity.deploymentNames;
export const quotaPreferenceNames = capacity.quotaPreferenceNames;
/** Set `azure.clientId` in the plan to `azureRouterIdentity.clientId` after the first `pulumi up`. */
export const azureRouterIdentity = capacity.azureRouterIdentity;
export const gcpRouterIdentity = capacity.gcpRouterIdentity;
