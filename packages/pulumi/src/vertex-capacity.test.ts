import * as pulumi from '@pulumi/pulumi';
import { definePlan } from '@headroom/plan';
import { CapacityPlanError } from './errors';
import { examplePlan, multiDeploymentPlan } from './plans.test.fixture';
import { constructionRecorder, installStrictMocks, settle, StrictMocks, valueOf } from './testing';
import { VertexCapacity } from './vertex-capacity';

const mocks = new StrictMocks();
beforeAll(() => installStrictMocks(mocks));
beforeEach(() => mocks.reset());
afterEach(() => { mocks.assertValid(); jest.restoreAllMocks(); });

const PREF = 'gcp:cloudquota/sQuotaPreference:SQuotaPreference';

describe('VertexCapacity', () => {
  it('enables the APIs and files a quota preference per region x model x limit with the plan values', async () => {
    jest.spyOn(pulumi.log, 'warn').mockResolvedValue();
    const { transformation, constructions } = constructionRecorder();
    const vertex = new VertexCapacity('vx', { plan: examplePlan() }, { transformations: [transformation] });
    await settle();
    expect(mocks.one('gcp:projects/service:Service', 'vx-aiplatform-api').inputs).toEqual({ project: 'acme-ml', service: 'aiplatform.googleapis.com', disableOnDestroy: false });
    expect(mocks.one('gcp:projects/service:Service', 'vx-cloudquotas-api').inputs).toEqual({ project: 'acme-ml', service: 'cloudquotas.googleapis.com', disableOnDestroy: false });
    expect(mocks.ofType(PREF).map((r) => r.name).sort()).toEqual([
      'vx-claude-sonnet--vertex-europe-west1-itpm', 'vx-claude-sonnet--vertex-europe-west1-otpm', 'vx-claude-sonnet--vertex-europe-west1-rpm',
      'vx-claude-sonnet--vertex-us-east5-itpm', 'vx-claude-sonnet--vertex-us-east5-otpm', 'vx-claude-sonnet--vertex-us-east5-rpm',
    ]);
    expect(mocks.one(PREF, 'vx-claude-sonnet--vertex-us-east5-otpm').inputs).toEqual({
      parent: 'projects/acme-ml',
      name: 'support-bot-claude-sonnet--vertex-us-east5-otpm',
      service: 'aiplatform.googleapis.com',
      quotaId: 'OnlinePredictionOutputTokensPerMinutePerRegionPerBaseModel',
      dimensions: { region: 'us-east5', base_model: 'anthropic-claude-sonnet-4-6' },
      quotaConfig: { preferredValue: '8000' },
      contactEmail: 'llm-platform@acme.example',
      justification: 'Headroom plan support-bot: claude-sonnet/vertex-us-east5 declares otpm 8000 for claude-sonnet-4-6 in us-east5',
    });
    for (const c of constructions.filter((x) => x.type === PREF)) expect(c.dependsOnNames).toEqual(['vx-aiplatform-api', 'vx-cloudquotas-api']);
    expect(await valueOf(vertex.quotaPreferenceNames)).toMatchObject({ 'claude-sonnet/vertex-us-east5/rpm': 'support-bot-claude-sonnet--vertex-us-east5-rpm' });
  });

  it("trusts the router's AWS role through Workload Identity Federation and grants roles/aiplatform.user to its principalSet", async () => {
    jest.spyOn(pulumi.log, 'warn').mockResolvedValue();
    const vertex = new VertexCapacity('vx', { plan: examplePlan() });
    await settle();
    expect(mocks.one('gcp:iam/workloadIdentityPool:WorkloadIdentityPool', 'vx-pool').inputs).toMatchObject({ project: 'acme-ml', workloadIdentityPoolId: 'support-bot-router' });
    const provider = mocks.one('gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider', 'vx-aws').inputs;
    expect(provider).toMatchObject({
      project: 'acme-ml',
      workloadIdentityPoolId: 'support-bot-router',
      workloadIdentityPoolProviderId: 'aws-111122223333',
      aws: { accountId: '111122223333' },
      attributeCondition: 'attribute.aws_role == "arn:aws:sts::111122223333:assumed-role/support-bot-headroom-router"',
    });
    expect(provider.attributeMapping['google.subject']).toBe('assertion.arn');
    const principalSet = 'principalSet://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/support-bot-router/attribute.aws_role/arn:aws:sts::111122223333:assumed-role/support-bot-headroom-router';
    expect(mocks.one('gcp:projects/iAMMember:IAMMember', 'vx-aiplatform-user').inputs).toEqual({ project: 'acme-ml', role: 'roles/aiplatform.user', member: principalSet });
    expect(await valueOf(vertex.audience)).toBe('//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/support-bot-router/providers/aws-111122223333');
  });

  it('alerts per region when 429s exceed the plan share of invocations', async () => {
    jest.spyOn(pulumi.log, 'warn').mockResolvedValue();
    new VertexCapacity('vx', { plan: examplePlan(), notificationChannels: ['projects/acme-ml/notificationChannels/1'] });
    await settle();
    const policies = mocks.ofType('gcp:monitoring/alertPolicy:AlertPolicy');
    expect(policies.map((p) => p.name).sort()).toEqual(['vx-europe-west1-throttles', 'vx-us-east5-throttles']);
    const policy = mocks.one('gcp:monitoring/alertPolicy:AlertPolicy', 'vx-us-east5-throttles').inputs;
    expect(policy).toMatchObject({ project: 'acme-ml', displayName: 'support-bot-vertex-us-east5-throttles', combiner: 'OR', notificationChannels: ['projects/acme-ml/notificationChannels/1'] });
    const threshold = policy.conditions[0].conditionThreshold;
    const base = 'metric.type = "aiplatform.googleapis.com/publisher/online_serving/model_invocation_count" AND resource.type = "aiplatform.googleapis.com/PublisherModel" AND resource.label.location = "us-east5"';
    expect(threshold).toMatchObject({ filter: `${base} AND metric.label.response_code = "429"`, denominatorFilter: base, comparison: 'COMPARISON_GT', thresholdValue: 0.01 });
  });

  it('files no preference for Gemini on dynamic shared quota, only a warning; honours quota id overrides', async () => {
    const warn = jest.spyOn(pulumi.log, 'warn').mockResolvedValue();
    new VertexCapacity('vx', { plan: multiDeploymentPlan() });
    await settle();
    expect(mocks.ofType(PREF).some((r) => r.name.includes('gemini'))).toBe(false);
    expect(mocks.one(PREF, 'vx-claude--vertex-global-rpm').inputs).toMatchObject({ quotaId: 'CustomRpmQuotaId', dimensions: { base_model: 'anthropic-claude-sonnet-4-6' }, contactEmail: 'quota@acme.example' });
    expect(warn.mock.calls.map((c) => c[0])).toEqual([expect.stringContaining('[vertex/advisory-quota]')]);
  });

  it('gives chat-eu/vertex and chat/eu-vertex distinct preference ids and logical names (a hyphen join made them one)', async () => {
    jest.spyOn(pulumi.log, 'warn').mockResolvedValue();
    const base = multiDeploymentPlan();
    const claude = (region: string) => ({ provider: 'vertex' as const, region, model: 'claude-sonnet-4-6', limits: { rpm: 10, itpm: 1000, otpm: 1000 } });
    const plan = definePlan({
      ...base,
      families: {
        'chat-eu': { api: 'anthropic', aliases: ['claude-a'], targets: { vertex: claude('us-east5') } },
        chat: { api: 'anthropic', aliases: ['claude-b'], targets: { 'eu-vertex': claude('europe-west1') } },
      },
    });
    new VertexCapacity('vx', { plan });
    await settle();
    const preferences = mocks.ofType(PREF);
    expect(preferences).toHaveLength(6);
    expect(new Set(preferences.map((r) => r.name)).size).toBe(6);
    expect(new Set(preferences.map((r) => r.inputs.name)).size).toBe(6);
    expect(mocks.violations).toEqual([]);
  });

  it('refuses Vertex targets without a project', () => {
    const plan = { ...examplePlan(), gcp: undefined };
    expect(() => new VertexCapacity('vx', { plan })).toThrow(CapacityPlanError);
    expect(() => new VertexCapacity('vx', { plan })).toThrow(/\[gcp\/missing-project\]/);
  });
});
