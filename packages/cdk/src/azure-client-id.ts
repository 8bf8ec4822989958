import { Annotations } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { RouterConfig } from '@headroom/plan';

/** Acknowledgeable id of the warning below. */
export const AZURE_CLIENT_ID_MISSING = 'headroom:azureClientIdMissing';

/** Azure targets the router signs in to with an Entra application whose client id the plan does not name yet. */
export function targetsMissingAzureClientId(config: RouterConfig): string[] {
  return Object.values(config.targets)
    .filter((t) => t.auth.mode === 'entra-federated' && !t.auth.clientId)
    .map((t) => t.key)
    .sort();
}

/**
 * The Entra application (and so its client id) is created by the Pulumi side, after the plan was
 * first written. Without it the router cannot get a token for Azure, and only finds out per request.
 */
export function warnIfAzureClientIdMissing(scope: Construct, config: RouterConfig): void {
  const targets = targetsMissingAzureClientId(config);
  if (targets.length === 0) return;
  Annotations.of(scope).addWarningV2(AZURE_CLIENT_ID_MISSING,
    `The plan has Azure OpenAI targets (${targets.join(', ')}) but no azure.clientId: the router cannot sign in to Entra ID, ` +
    'so every call to these targets would fail at run time (the router answers from the family\'s other targets, if any). ' +
    'Deploy the Pulumi side first (pulumi up), copy its azureRouterIdentity.clientId output into azure.clientId in the plan, then synth and deploy again.');
}
