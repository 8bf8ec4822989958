import {
  azureAccountName, azureAlertName, azureCapacityUnits, azureDeploymentName, azureEndpoint, resolvedLimits,
  type AzureSku, type Plan, alarmSettings } from '@headroom/plan';
import { AZURE_DEFAULTS } from './defaults';
import type { AzureMetricName } from './provider-values';
import { azureRefs } from './validate';

/**
 * The Azure side of a plan as plain data: one account per region, its deployments in key order,
 * and its alert thresholds. Pure; the component only turns this into resources.
 */

export interface AzureDeploymentSpec {
  /** `family/target` */
  readonly key: string;
  readonly familyId: string;
  readonly targetId: string;
  readonly deploymentName: string;
  readonly model: string;
  readonly version: string;
  readonly sku: AzureSku;
  /** sku.capacity: declared TPM / 1,000. */
  readonly capacity: number;
  readonly tpm: number;
  readonly rpm: number;
  readonly raiPolicyName: string;
}

export interface MetricAlertSpec {
  readonly ruleName: string;
  readonly metricName: AzureMetricName;
  readonly threshold: number;
  readonly windowMinutes: number;
  readonly description: string;
}

export interface AzureAccountSpec {
  readonly region: string;
  readonly accountName: string;
  /** The custom subdomain: the same as the account name, so the host is `<accountName>.openai.azure.com`. */
  readonly customSubDomainName: string;
  readonly endpoint: string;
  /** Sorted by key: the order deployments are chained in. */
  readonly deployments: readonly AzureDeploymentSpec[];
  readonly alerts: { readonly throttles: MetricAlertSpec; readonly tokens: MetricAlertSpec };
}

/** The smallest window Azure Monitor accepts that covers `minutes`. */
export function azureAlertWindow(minutes: number): number {
  const windows = AZURE_DEFAULTS.allowedWindowsMinutes;
  return windows.find((w) => w >= minutes) ?? windows[windows.length - 1]!;
}

/** Accounts for the plan's Azure targets, optionally only one region's. Sorted by region. */
export function azureAccounts(plan: Plan, region?: string): AzureAccountSpec[] {
  const byRegion = new Map<string, AzureDeploymentSpec[]>();
  for (const ref of azureRefs(plan, region)) {
    const { target } = ref;
    const limits = resolvedLimits(target);
    const list = byRegion.get(target.region) ?? [];
    list.push({
      key: ref.key,
      familyId: ref.familyId,
      targetId: ref.targetId,
      deploymentName: azureDeploymentName(ref.familyId, ref.targetId),
      model: target.model,
      version: target.version,
      sku: target.sku,
      capacity: azureCapacityUnits(target.limits.tpm),
      tpm: target.limits.tpm,
      rpm: limits.rpm,
      raiPolicyName: target.raiPolicy ?? AZURE_DEFAULTS.raiPolicyName,
    });
    byRegion.set(target.region, list);
  }
  const alarms = alarmSettings(plan);
  return [...byRegion.keys()].sort().map((accountRegion) => {
    const deployments = byRegion.get(accountRegion)!.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const rpm = deployments.reduce((sum, d) => sum + d.rpm, 0);
    const tpm = deployments.reduce((sum, d) => sum + d.tpm, 0);
    const throttleWindow = AZURE_DEFAULTS.throttleWindowMinutes;
    const tokenWindow = azureAlertWindow(alarms.headroomPeriods);
    const accountName = azureAccountName(plan, accountRegion);
    return {
      region: accountRegion,
      accountName,
      customSubDomainName: accountName,
      endpoint: azureEndpoint(plan, accountRegion),
      deployments,
      alerts: {
        throttles: {
          ruleName: azureAlertName(plan, accountRegion, 'throttles'),
          metricName: 'AzureOpenAIRequests',
          // 429s above throttleRatePct % of the requests the account's deployments admit in the window.
          threshold: (rpm * throttleWindow * alarms.throttleRatePct) / 100,
          windowMinutes: throttleWindow,
          description: `Upstream 429s in ${accountName} above ${alarms.throttleRatePct}% of the declared ${rpm} RPM (Headroom plan ${plan.name}).`,
        },
        tokens: {
          ruleName: azureAlertName(plan, accountRegion, 'tokens'),
          metricName: 'TokenTransaction',
          // Tokens processed above (100 - headroomBelowPct) % of the declared TPM over the window.
          threshold: (tpm * tokenWindow * (100 - alarms.headroomBelowPct)) / 100,
          windowMinutes: tokenWindow,
          description: `Tokens in ${accountName} within ${alarms.headroomBelowPct}% of the declared ${tpm} TPM (Headroom plan ${plan.name}).`,
        },
      },
    };
  });
}
