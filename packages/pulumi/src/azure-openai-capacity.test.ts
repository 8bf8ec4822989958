import * as pulumi from '@pulumi/pulumi';
import type { AzureOpenAiTarget } from '@headroom/plan';
import { AzureOpenAiCapacity, type AzureOpenAiCapacityArgs } from './azure-openai-capacity';
import { CapacityPlanError } from './errors';
import { examplePlan, multiDeploymentPlan } from './plans.test.fixture';
import { constructionRecorder, installStrictMocks, MOCK_AZURE_CLIENT_CONFIG, settle, StrictMocks, valueOf } from './testing';

const mocks = new StrictMocks();
beforeAll(() => installStrictMocks(mocks));
let warn: jest.SpyInstance;
beforeEach(() => { mocks.reset(); warn = jest.spyOn(pulumi.log, 'warn').mockResolvedValue(); });
afterEach(() => { mocks.assertValid(); jest.restoreAllMocks(); });

async function build(args: AzureOpenAiCapacityArgs, name = 'cap') {
  const { transformation, constructions } = constructionRecorder();
  const component = new AzureOpenAiCapacity(name, args, { transformations: [transformation] });
  await settle();
  return { component, constructions };
}

describe('AzureOpenAiCapacity', () => {
  it('creates a keyless OpenAI account with the plan-derived custom subdomain', async () => {
    const { component } = await build({ plan: examplePlan(), region: 'eastus2' });
    expect(mocks.resources.map((r) => `${r.type} ${r.name}`).sort()).toEqual([
      'azure-native:cognitiveservices:Account cap-account',
      'azure-native:cognitiveservices:Deployment cap-gpt-azure-eastus2',
      'azure-native:monitor:MetricAlert cap-throttles',
      'azure-native:monitor:MetricAlert cap-tokens',
      'headroom:azure:OpenAiCapacity cap',
    ]);
    expect(mocks.one('azure-native:cognitiveservices:Account', 'cap-account').inputs).toEqual({
      accountName: 'support-bot-eastus2-11e594',
      resourceGroupName: 'llm-capacity',
      location: 'eastus2',
      kind: 'OpenAI',
      sku: { name: 'S0' },
      properties: { customSubDomainName: 'support-bot-eastus2-11e594', disableLocalAuth: true, publicNetworkAccess: 'Enabled' },
      tags: { 'headroom-plan': 'support-bot', 'headroom-region': 'eastus2' },
    });
    expect(await valueOf(component.endpoint)).toBe('https://support-bot-eastus2-11e594.openai.azure.com');
    expect(await valueOf(component.deploymentNames)).toEqual({ 'gpt/azure-eastus2': 'gpt-azure-eastus2' });
  });

  it('deploys each target with sku.capacity = TPM / 1,000, the model, a RAI policy and an upgrade option', async () => {
    await build({ plan: examplePlan(), region: 'swedencentral', versionUpgradeOption: 'NoAutoUpgrade' });
    expect(mocks.one('azure-native:cognitiveservices:Deployment', 'cap-gpt-azure-swedencentral').inputs).toEqual({
      accountName: 'support-bot-swedencentral-11e594',
      resourceGroupName: 'llm-capacity',
      deploymentName: 'gpt-azure-swedencentral',
      sku: { name: 'DataZoneStandard', capacity: 30 },
      properties: { model: { format: 'OpenAI', name: 'gpt-5.1', version: '2025-11-13' }, raiPolicyName: 'Microsoft.DefaultV2', versionUpgradeOption: 'NoAutoUpgrade' },
      tags: { 'headroom-plan': 'support-bot', 'headroom-region': 'swedencentral', 'headroom-target': 'gpt.azure-swedencentral' },
    });
  });

  it('chains the deployments of one account with dependsOn, in key order, all parented to the component', async () => {
    const plan = multiDeploymentPlan();
    const { constructions } = await build({ plan, region: 'eastus2' });
    const deployments = constructions.filter((c) => c.type === 'azure-native:cognitiveservices:Deployment');
    expect(deployments.map((d) => [d.name, d.dependsOnNames])).toEqual([
      ['cap-gpt-eastus2-a', []],
      ['cap-gpt-eastus2-b', ['cap-gpt-eastus2-a']],
      ['cap-gpt-eastus2-c', ['cap-gpt-eastus2-b']],
    ]);
    expect(constructions.filter((c) => c.name !== 'cap').every((c) => c.parentName === 'cap')).toBe(true);
    const capacities = mocks.ofType('azure-native:cognitiveservices:Deployment').map((r) => [r.inputs.deploymentName, r.inputs.sku.capacity]);
    expect(capacities.sort()).toEqual([['gpt-eastus2-a', 1], ['gpt-eastus2-b', 2], ['gpt-eastus2-c', 3]]);
  });

  it('alerts on 429s and on token usage near the declared TPM, with the plan thresholds', async () => {
    const actionGroupId = '/subscriptions/s/resourceGroups/ops/providers/microsoft.insights/actionGroups/oncall';
    await build({ plan: examplePlan(), region: 'eastus2', actionGroupId });
    const throttles = mocks.one('azure-native:monitor:MetricAlert', 'cap-throttles').inputs;
    expect(throttles).toMatchObject({
      ruleName: 'support-bot-eastus2-throttles',
      location: 'global',
      enabled: true,
      windowSize: 'PT5M',
      evaluationFrequency: 'PT1M',
      scopes: [`/subscriptions/${MOCK_AZURE_CLIENT_CONFIG.subscriptionId}/resourceGroups/llm-capacity/providers/Microsoft.CognitiveServices/accounts/support-bot-eastus2-11e594`],
      actions: [{ actionGroupId }],
      criteria: {
        odataType: 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria',
        allOf: [{
          criterionType: 'StaticThresholdCriterion', metricName: 'AzureOpenAIRequests', metricNamespace: 'Microsoft.CognitiveServices/accounts',
          operator: 'GreaterThan', timeAggregation: 'Total', threshold: 15,
          dimensions: [{ name: 'StatusCode', operator: 'Include', values: ['429'] }],
        }],
      },
    });
    const tokens = mocks.one('azure-native:monitor:MetricAlert', 'cap-tokens').inputs;
    expect(tokens.criteria.allOf).toEqual([expect.objectContaining({ metricName: 'TokenTransaction', threshold: 127500, dimensions: [] })]);
  });

  it("warns when the provider's subscription is not the plan's, and only then", async () => {
    await build({ plan: examplePlan(), region: 'eastus2' });
    expect(warn.mock.calls.map((c) => String(c[0]))).toEqual([expect.stringContaining('[azure/subscription-mismatch]')]);
    expect(String(warn.mock.calls[0]![0])).toContain(MOCK_AZURE_CLIENT_CONFIG.subscriptionId);
    warn.mockClear();
    const matching = new StrictMocks({ 'azure-native:authorization:getClientConfig': () => ({ ...MOCK_AZURE_CLIENT_CONFIG, subscriptionId: examplePlan().azure!.subscription.toUpperCase() }) });
    await installStrictMocks(matching);
    try {
      await build({ plan: examplePlan(), region: 'eastus2' });
      matching.assertValid();
      expect(warn).not.toHaveBeenCalled();
    } finally {
      await installStrictMocks(mocks);
    }
  });

  it('assigns Cognitive Services OpenAI User to the router principal on the account only when given one', async () => {
    await build({ plan: examplePlan(), region: 'eastus2', routerPrincipalId: 'sp-object-id', resourceGroupName: pulumi.output('company-rg') });
    expect(mocks.one('azure-native:authorization:RoleAssignment', 'cap-router-openai-user').inputs).toMatchObject({
      scope: `/subscriptions/${MOCK_AZURE_CLIENT_CONFIG.subscriptionId}/resourceGroups/company-rg/providers/Microsoft.CognitiveServices/accounts/support-bot-eastus2-11e594`,
      principalId: 'sp-object-id',
      principalType: 'ServicePrincipal',
      // The provider's subscription (getClientConfig), not the plan's 00000000-0000-4000-8000-000000000001.
      roleDefinitionId: `/subscriptions/${MOCK_AZURE_CLIENT_CONFIG.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/5e0bd9bd-7b93-4f28-af87-19fc36ad61bd`,
    });
    mocks.reset();
    await build({ plan: examplePlan(), region: 'eastus2' });
    expect(mocks.ofType('azure-native:authorization:RoleAssignment')).toEqual([]);
  });

  it('keeps local auth and closes public access only when the plan says so', async () => {
    const plan = examplePlan();
    await build({ plan: { ...plan, azure: { ...plan.azure!, keepLocalAuth: true, publicNetworkAccess: false } }, region: 'eastus2' });
    expect(mocks.one('azure-native:cognitiveservices:Account', 'cap-account').inputs.properties).toEqual({
      customSubDomainName: 'support-bot-eastus2-11e594', disableLocalAuth: false, publicNetworkAccess: 'Disabled',
    });
  });

  it('refuses a TPM above the per-deployment maximum before creating anything', () => {
    const plan = examplePlan();
    const gpt = plan.families.gpt!;
    const target = gpt.targets['azure-eastus2'] as AzureOpenAiTarget;
    const tooBig = { ...plan, families: { ...plan.families, gpt: { ...gpt, targets: { ...gpt.targets, 'azure-eastus2': { ...target, limits: { tpm: 5_000_000 } } } } } };
    expect(() => new AzureOpenAiCapacity('cap', { plan: tooBig, region: 'eastus2' })).toThrow(CapacityPlanError);
    expect(() => new AzureOpenAiCapacity('cap', { plan: tooBig, region: 'eastus2' })).toThrow(/tpm-above-maximum[\s\S]*received: 5000000[\s\S]*at most 4000000/);
    expect(() => new AzureOpenAiCapacity('cap', { plan, region: 'westeurope' })).toThrow(/no Azure OpenAI target in region 'westeurope'/);
    expect(mocks.resources).toEqual([]);
  });
});
