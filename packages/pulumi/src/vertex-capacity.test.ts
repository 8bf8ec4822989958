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
      justification: 'Headroom plan support-bot: claude-sonnet/vertex-us-east5 declares otpm 8000 for anthropic-claude-sonnet-4-6 in us-east5',
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

  it('files ONE preference per limit for two families on one Vertex quota, at the shared quota\'s limits, named from the quota', async () => {
    jest.spyOn(pulumi.log, 'warn').mockResolvedValue();
    const base = multiDeploymentPlan();
    const sonnet = { provider: 'vertex' as const, region: 'us-east5', model: 'claude-sonnet-4-6', quota: 'sonnet-us-east5' };
    const plan = definePlan({
      ...base,
      quotas: { 'sonnet-us-east5': { limits: { rpm: 200, itpm: 40000, otpm: 8000 } } },
      families: {
        support: { api: 'anthropic', aliases: ['support-sonnet'], targets: { vertex: { ...sonnet, limits: { rpm: 150, itpm: 30000, otpm: 6000 } } } },
        search: { api: 'anthropic', aliases: ['search-sonnet'], targets: { vertex: { ...sonnet, limits: { rpm: 100, itpm: 20000, otpm: 4000 } } } },
      },
    });
    const vertex = new VertexCapacity('vx', { plan });
    await settle();
    expect(mocks.violations).toEqual([]);
    // The regional Claude quota ids (catalog VERTEX_QUOTA_IDS), one preference each (Cloud Quotas keeps one per quota and dimensions).
    const byQuota = Object.fromEntries(mocks.ofType(PREF).map((r) => [r.inputs.quotaId, r]));
    expect(Object.keys(byQuota).sort()).toEqual([
      'OnlinePredictionInputTokensPerMinutePerRegionPerBaseModel',
      'OnlinePredictionOutputTokensPerMinutePerRegionPerBaseModel',
      'OnlinePredictionRequestsPerMinutePerProjectPerRegionPerBaseModel',
    ].sort());
    expect(mocks.ofType(PREF)).toHaveLength(3);
    expect(byQuota.OnlinePredictionRequestsPerMinutePerProjectPerRegionPerBaseModel!.inputs).toEqual({
      parent: 'projects/acme-ml',
      name: 'acme--sonnet-us-east5-rpm',
      service: 'aiplatform.googleapis.com',
      quotaId: 'OnlinePredictionRequestsPerMinutePerProjectPerRegionPerBaseModel',
      dimensions: { region: 'us-east5', base_model: 'anthropic-claude-sonnet-4-6' },
      quotaConfig: { preferredValue: '200' },
      contactEmail: 'quota@acme.example',
      justification: 'Headroom plan acme: quota sonnet-us-east5 (search/vertex, support/vertex) declares rpm 200 for anthropic-claude-sonnet-4-6 in us-east5',
    });
    expect(byQuota.OnlinePredictionInputTokensPerMinutePerRegionPerBaseModel!.inputs.quotaConfig).toEqual({ preferredValue: '40000' });
    expect(byQuota.OnlinePredictionOutputTokensPerMinutePerRegionPerBaseModel!.inputs.quotaConfig).toEqual({ preferredValue: '8000' });
    expect(mocks.ofType(PREF).map((r) => r.name).sort()).toEqual(['vx--sonnet-us-east5-itpm', 'vx--sonnet-us-east5-otpm', 'vx--sonnet-us-east5-rpm']);
    expect(await valueOf(vertex.quotaPreferenceNames)).toEqual({
      'sonnet-us-east5/rpm': 'acme--sonnet-us-east5-rpm', 'sonnet-us-east5/itpm': 'acme--sonnet-us-east5-itpm', 'sonnet-us-east5/otpm': 'acme--sonnet-us-east5-otpm',
    });
  });

  it('gives a shared quota and a target with its own quota distinct ids, even when the quota is named like the target key', async () => {
    jest.spyOn(pulumi.log, 'warn').mockResolvedValue();
    const base = multiDeploymentPlan();
    const claude = (region: string) => ({ provider: 'vertex' as const, region, model: 'claude-sonnet-4-6', limits: { rpm: 10, itpm: 1000, otpm: 1000 } });
    const plan = definePlan({
      ...base,
      quotas: { 'chat--vertex': { limits: { rpm: 10, itpm: 1000, otpm: 1000 } } },
      families: {
        chat: { api: 'anthropic', aliases: ['claude-a'], targets: { vertex: claude('us-east5') } },
        other: { api: 'anthropic', aliases: ['claude-b'], targets: { a: { ...claude('europe-west1'), quota: 'chat--vertex' }, b: { ...claude('europe-west1'), quota: 'chat--vertex' } } },
      },
    });
    new VertexCapacity('vx', { plan });
    await settle();
    expect(mocks.violations).toEqual([]);
    expect(mocks.ofType(PREF).map((r) => r.inputs.name).sort()).toEqual([
      'acme--chat--vertex-itpm', 'acme--chat--vertex-otpm', 'acme--chat--vertex-rpm',
      'acme-chat--vertex-itpm', 'acme-chat--vertex-otpm', 'acme-chat--vertex-rpm',
    ]);
  });

  it("sets ignoreSafetyChecks QUOTA_DECREASE_PERCENTAGE_TOO_HIGH on every preference only under gcp.allowQuotaDecrease (Cloud Quotas' 10% decrease check)", async () => {
    jest.spyOn(pulumi.log, 'warn').mockResolvedValue();
    const plan = examplePlan();
    new VertexCapacity('vx', { plan: { ...plan, gcp: { ...plan.gcp!, allowQuotaDecrease: true } } });
    await settle();
    expect(mocks.ofType(PREF)).toHaveLength(6);
    for (const p of mocks.ofType(PREF)) expect(p.inputs.ignoreSafetyChecks).toBe('QUOTA_DECREASE_PERCENTAGE_TOO_HIGH');
    mocks.assertValid();
    mocks.reset();
    new VertexCapacity('vx', { plan });
    await settle();
    for (const p of mocks.ofType(PREF)) expect(p.inputs).not.toHaveProperty('ignoreSafetyChecks');
  });

  it('refuses Vertex targets without a project', () => {
    const plan = { ...examplePlan(), gcp: undefined };
    expect(() => new VertexCapacity('vx', { plan })).toThrow(CapacityPlanError);
    expect(() => new VertexCapacity('vx', { plan })).toThrow(/\[gcp\/missing-project\]/);
  });
});
