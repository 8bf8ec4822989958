import { ALARM_DEFAULTS } from '@headroom/plan';
import { azureAlertWindow, azureAccounts } from './azure-layout';
import { examplePlan, multiDeploymentPlan, reversedKeys } from './plans.test.fixture';

describe('azureAccounts', () => {
  it('makes one account per region with a deployment per target, capacity = TPM / 1,000', () => {
    const plan = examplePlan();
    const accounts = azureAccounts(plan);
    expect(accounts.map((a) => [a.region, a.accountName, a.customSubDomainName, a.endpoint])).toEqual([
      ['eastus2', 'support-bot-eastus2-11e594', 'support-bot-eastus2-11e594', 'https://support-bot-eastus2-11e594.openai.azure.com'],
      ['swedencentral', 'support-bot-swedencentral-11e594', 'support-bot-swedencentral-11e594', 'https://support-bot-swedencentral-11e594.openai.azure.com'],
    ]);
    for (const account of accounts) {
      for (const d of account.deployments) {
        const target = plan.families[d.familyId]!.targets[d.targetId]!;
        if (target.provider !== 'azure-openai') throw new Error(`${d.key} is not an Azure target`);
        expect(d.capacity).toBe(target.limits.tpm / 1000);
        expect(d).toMatchObject({ model: 'gpt-5.1', version: '2025-11-13', sku: 'DataZoneStandard', raiPolicyName: 'Microsoft.DefaultV2' });
      }
    }
  });

  it('orders deployments by key whatever the plan order, and the order is the same reversed', () => {
    const plan = multiDeploymentPlan();
    const keys = azureAccounts(plan).map((a) => a.deployments.map((d) => d.key));
    expect(keys).toEqual([['gpt/eastus2-a', 'gpt/eastus2-b', 'gpt/eastus2-c'], ['gpt/sweden']]);
    expect(azureAccounts(reversedKeys(plan))).toEqual(azureAccounts(plan));
  });

  it("derives alert thresholds from the plan's alarm settings and declared limits", () => {
    // Example plan: throttleRatePct 1, headroomBelowPct 15; 30,000 TPM gpt-5.1 DataZoneStandard = 300 RPM.
    const [eastus2] = azureAccounts(examplePlan());
    expect(eastus2!.alerts.throttles).toMatchObject({ metricName: 'AzureOpenAIRequests', threshold: (300 * 5 * 1) / 100, windowMinutes: 5, ruleName: 'support-bot-eastus2-throttles' });
    expect(eastus2!.alerts.tokens).toMatchObject({ metricName: 'TokenTransaction', threshold: (30000 * 5 * 85) / 100, windowMinutes: 5, ruleName: 'support-bot-eastus2-tokens' });

    // throttleRatePct 2, headroomBelowPct 20, headroomPeriods 10 -> a 15-minute token window (Azure has no 10).
    const [acmeEast] = azureAccounts(multiDeploymentPlan());
    const rpm = 10 + 20 + 30; // gpt-5.1 GlobalStandard: 10 RPM per 1,000 TPM
    expect(acmeEast!.alerts.throttles.threshold).toBe((rpm * 5 * 2) / 100);
    expect(acmeEast!.alerts.tokens).toMatchObject({ threshold: (6000 * 15 * 80) / 100, windowMinutes: 15 });
  });

  it('falls back to the documented alarm defaults', () => {
    const plan = { ...examplePlan(), alarms: undefined };
    const [account] = azureAccounts(plan);
    expect(ALARM_DEFAULTS).toEqual({ throttleRatePct: 1, headroomBelowPct: 15, headroomPeriods: 5 });
    expect(account!.alerts.throttles.threshold).toBe(15);
    expect(account!.alerts.tokens.threshold).toBe(127500);
  });

  it('picks the smallest Azure Monitor window covering the periods', () => {
    expect([1, 2, 5, 6, 15, 16, 60, 5000].map(azureAlertWindow)).toEqual([1, 5, 5, 15, 15, 30, 60, 1440]);
  });

  it('filters to one region', () => {
    expect(azureAccounts(examplePlan(), 'swedencentral').map((a) => a.region)).toEqual(['swedencentral']);
  });
});
