import * as cognitiveservices from '@pulumi/azure-native/cognitiveservices';
import type { AzureAccountKind, AzureAccountSku } from './provider-values';

/** Provider defaults the Pulumi components apply, in one place (alarm defaults live in the plan). */
export const AZURE_DEFAULTS = {
  /** Account kind: the classic Azure OpenAI resource (custom subdomain `*.openai.azure.com`). */
  kind: 'OpenAI' satisfies AzureAccountKind,
  accountSku: 'S0' satisfies AzureAccountSku,
  /** Content filter applied when a target sets no `raiPolicy`. */
  raiPolicyName: 'Microsoft.DefaultV2',
  /**
   * Keep the reviewed model version until Azure retires it, then let Azure move the deployment
   * (with `NoAutoUpgrade` a retired version stops serving).
   */
  versionUpgradeOption: cognitiveservices.DeploymentModelVersionUpgradeOption.OnceCurrentVersionExpired,
  /** Azure Monitor metric alerts are global resources. */
  alertLocation: 'global',
  /** Window of the 429 alert, in minutes. */
  throttleWindowMinutes: 5,
  /** Windows Azure Monitor accepts for metric alerts, in minutes. */
  allowedWindowsMinutes: [1, 5, 15, 30, 60, 360, 720, 1440],
} as const;

/** Built-in role "Cognitive Services OpenAI User": inference calls, no keys, no management. */
export const COGNITIVE_SERVICES_OPENAI_USER_ROLE = '5e0bd9bd-7b93-4f28-af87-19fc36ad61bd';

/** Audience Entra ID expects in a federated token (Microsoft Graph federatedIdentityCredential docs). */
export const ENTRA_TOKEN_EXCHANGE_AUDIENCE = 'api://AzureADTokenExchange';

export const VERTEX_DEFAULTS = {
  service: 'aiplatform.googleapis.com',
  /** Cloud Quotas API, needed to file quota preferences. */
  quotaService: 'cloudquotas.googleapis.com',
  userRole: 'roles/aiplatform.user',
  invocationMetric: 'aiplatform.googleapis.com/publisher/online_serving/model_invocation_count',
  publisherModelResource: 'aiplatform.googleapis.com/PublisherModel',
  /** Alignment of the 429-ratio alert, in seconds. */
  alertWindowSeconds: 300,
} as const;
