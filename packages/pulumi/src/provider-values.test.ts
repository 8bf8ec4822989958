import * as fs from 'node:fs';
import * as path from 'node:path';
import * as monitor from '@pulumi/azure-native/monitor';
import { AZURE_VALUES, azureAlertDuration, GCP_CLOUD_QUOTAS, GCP_MONITORING, WIF_ID } from './provider-values';

/** The cited tables agree with what the provider packages themselves say, where they say it. */

function possibleValueLists(file: string): string[][] {
  const text = fs.readFileSync(file, 'utf8');
  return [...text.matchAll(/Possible values are: (.+?)\.?$/gm)].map((m) => [...m[1]!.matchAll(/`([^`]+)`/g)].map((v) => v[1]!));
}

describe('provider value tables', () => {
  const gcpDir = path.dirname(require.resolve('@pulumi/gcp/package.json'));
  const inputLists = possibleValueLists(path.join(gcpDir, 'types', 'input.d.ts'));
  const alertPolicyLists = possibleValueLists(path.join(gcpDir, 'monitoring', 'alertPolicy.d.ts'));

  it.each([
    ['aligner', GCP_MONITORING.aligner.values, inputLists],
    ['reducer', GCP_MONITORING.reducer.values, inputLists],
    ['comparison', GCP_MONITORING.comparison.values, inputLists],
    ['severity', GCP_MONITORING.severity.values, alertPolicyLists],
    ['combiner', GCP_MONITORING.combiner.values, alertPolicyLists],
  ] as const)('the Cloud Monitoring %s list is the one @pulumi/gcp documents', (_name, values, lists) => {
    expect(lists).toContainEqual([...values]);
  });

  it('the Cloud Quotas safety checks are the ones @pulumi/gcp documents for ignoreSafetyChecks', () => {
    expect(possibleValueLists(path.join(gcpDir, 'cloudquota', 'squotaPreference.d.ts'))).toContainEqual([...GCP_CLOUD_QUOTAS.ignoreSafetyChecks.values]);
  });

  it('Azure alert severities are the numbers of azure-native monitor.AlertSeverity (Sev0-Sev4)', () => {
    expect(Object.values(monitor.AlertSeverity).map((s) => Number(s.replace('Sev', '')))).toEqual([...AZURE_VALUES.alertSeverity.values]);
  });

  it('alert durations are spelled as the alert docs list them', () => {
    expect([1, 5, 15, 30, 60, 360, 720, 1440].map(azureAlertDuration)).toEqual([...AZURE_VALUES.alertWindowSize.values]);
  });

  it('Workload Identity ids: 4-32 characters, never the reserved gcp- prefix', () => {
    expect(['aws-111122223333', 'support-bot-router'].every((id) => WIF_ID.pattern.test(id))).toBe(true);
    expect(['gcp-router', 'abc', 'a'.repeat(33), 'Upper-case'].some((id) => WIF_ID.pattern.test(id))).toBe(false);
  });
});
