import * as pulumi from '@pulumi/pulumi';
import type { AzureOpenAiTarget, Plan } from '@headroom/plan';
import { CapacityPlanError } from './errors';
import { HeadroomCapacity } from './headroom-capacity';
import { examplePlan, multiDeploymentPlan, reversedKeys } from './plans.test.fixture';
import { constructionRecorder, installStrictMocks, settle, StrictMocks, valueOf } from './testing';

const mocks = new StrictMocks();
beforeAll(() => installStrictMocks(mocks));
beforeEach(() => { mocks.reset(); jest.spyOn(pulumi.log, 'warn').mockResolvedValue(); });
afterEach(() => { mocks.assertValid(); jest.restoreAllMocks(); });

async function build(plan: Plan) {
  const { transformation, constructions } = constructionRecorder();
  const capacity = new HeadroomCapacity('hr', { plan }, { transformations: [transformation] });
  await settle();
  const urns = await Promise.all(constructions.map((c) => valueOf(c.resource.urn)));
  return { capacity, constructions, urns };
}

describe('HeadroomCapacity', () => {
  it('composes the Azure accounts, the router identity and Vertex, every child parented', async () => {
    const { constructions } = await build(examplePlan());
    const components = constructions.filter((c) => c.type.startsWith('headroom:')).map((c) => `${c.type} ${c.name} <- ${c.parentName ?? '(root)'}`);
    expect(components).toEqual([
      'headroom:index:HeadroomCapacity hr <- (root)',
      'headroom:azure:RouterIdentity hr-azure-identity <- hr',
      'headroom:azure:OpenAiCapacity hr-azure-eastus2 <- hr',
      'headroom:azure:OpenAiCapacity hr-azure-swedencentral <- hr',
      'headroom:gcp:VertexCapacity hr-vertex <- hr',
    ]);
    expect(constructions.filter((c) => c.name !== 'hr' && c.parentName === undefined)).toEqual([]);
    // Each account's role assignment goes to the router's service principal.
    const principal = mocks.one('azuread:index/servicePrincipal:ServicePrincipal', 'hr-azure-identity-sp');
    expect(principal).toBeDefined();
    expect(mocks.ofType('azure-native:authorization:RoleAssignment').map((r) => r.name).sort()).toEqual([
      'hr-azure-eastus2-router-openai-user', 'hr-azure-swedencentral-router-openai-user',
    ]);
  });

  it('exports endpoints, deployment names, quota preference names and the router identity details', async () => {
    const { capacity } = await build(examplePlan());
    expect(await valueOf(capacity.endpoints)).toEqual({
      'gpt/azure-eastus2': { baseUrl: 'https://support-bot-eastus2-11e594.openai.azure.com', path: '/openai/deployments/gpt-azure-eastus2' },
      'gpt/azure-swedencentral': { baseUrl: 'https://support-bot-swedencentral-11e594.openai.azure.com', path: '/openai/deployments/gpt-azure-swedencentral' },
      'claude-sonnet/vertex-us-east5': { baseUrl: 'https://us-east5-aiplatform.googleapis.com', path: '/v1/projects/acme-ml/locations/us-east5/publishers/anthropic/models/claude-sonnet-4-6' },
      'claude-sonnet/vertex-europe-west1': { baseUrl: 'https://europe-west1-aiplatform.googleapis.com', path: '/v1/projects/acme-ml/locations/europe-west1/publishers/anthropic/models/claude-sonnet-4-6' },
    });
    expect(await valueOf(capacity.deploymentNames)).toEqual({ 'gpt/azure-eastus2': 'gpt-azure-eastus2', 'gpt/azure-swedencentral': 'gpt-azure-swedencentral' });
    expect(Object.keys(await valueOf(capacity.quotaPreferenceNames))).toHaveLength(6);
    expect(await valueOf(capacity.azureRouterIdentity)).toEqual({
      tenantId: '00000000-0000-4000-8000-000000000002', clientId: expect.stringMatching(/^[0-9a-f-]{36}$/), subject: 'arn:aws:iam::111122223333:role/support-bot-headroom-router',
    });
    expect(await valueOf(capacity.gcpRouterIdentity)).toEqual({
      project: 'acme-ml', poolId: 'support-bot-router', providerId: 'aws-111122223333',
      audience: '//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/support-bot-router/providers/aws-111122223333',
    });
  });

  it('never exports a key or a secret, and never lists keys', async () => {
    const { capacity } = await build(examplePlan());
    const outputs: pulumi.Output<unknown>[] = [capacity.endpoints, capacity.deploymentNames, capacity.quotaPreferenceNames, capacity.azureRouterIdentity, capacity.gcpRouterIdentity];
    for (const output of outputs) expect(await pulumi.isSecret(output)).toBe(false);
    const text = JSON.stringify(await Promise.all(outputs.map(valueOf)));
    expect(text).not.toMatch(/key|secret|password|token"/i);
    expect(mocks.resources.some((r) => /Password|Certificate|Key/.test(r.type))).toBe(false);
    for (const account of mocks.ofType('azure-native:cognitiveservices:Account')) expect(account.inputs.properties.disableLocalAuth).toBe(true);
    // StrictMocks records any invoke (such as listAccountKeys) as unexpected; afterEach fails on it.
  });

  it('renames nothing when the plan lists its families and targets in reverse order', async () => {
    const plan = multiDeploymentPlan();
    const forward = await build(plan);
    const forwardResources = mocks.resources.map((r) => JSON.stringify([r.type, r.name, r.inputs])).sort();
    mocks.reset();
    const reversed = await build(reversedKeys(plan));
    const reversedResources = mocks.resources.map((r) => JSON.stringify([r.type, r.name, r.inputs])).sort();
    expect(Object.keys(reversedKeys(plan).families)).toEqual(['gemini', 'claude', 'gpt']);
    expect([...reversed.urns].sort()).toEqual([...forward.urns].sort());
    expect(reversedResources).toEqual(forwardResources);
    const chain = (c: typeof forward.constructions) => c.filter((x) => x.type.endsWith(':Deployment')).map((x) => [x.name, x.dependsOnNames]).sort();
    expect(chain(reversed.constructions)).toEqual(chain(forward.constructions));
  });

  it('refuses an unprovisionable plan with one error listing every problem', () => {
    const plan = examplePlan();
    const gpt = plan.families.gpt!;
    const east = gpt.targets['azure-eastus2'] as AzureOpenAiTarget;
    const broken: Plan = {
      ...plan,
      gcp: undefined,
      families: { ...plan.families, gpt: { ...gpt, targets: { ...gpt.targets, 'azure-eastus2': { ...east, limits: { tpm: 4_001_000 } } } } },
    };
    let thrown: unknown;
    try { new HeadroomCapacity('hr', { plan: broken }); } catch (e) { thrown = e; }
    expect(thrown).toBeInstanceOf(CapacityPlanError);
    expect((thrown as CapacityPlanError).problems.filter((p) => p.severity === 'error').map((p) => p.code).sort()).toEqual(['azure/tpm-above-maximum', 'gcp/missing-project']);
    expect(mocks.resources).toEqual([]);
  });
});
