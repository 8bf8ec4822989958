import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { capacityOf, compileRouterConfig, definePlan, planCapacityOf, quotaBucketsOf, type PlanInput } from '@headroom/plan';
import { Headroom } from '@headroom/cdk';

/**
 * Two apps on one Bedrock quota (same account, source region, model and profile), declared shared:
 * the CDK dashboard and the RouterConfig count it once and agree on its limits and its targets.
 */
const sonnet = { provider: 'bedrock', region: 'us-west-2', model: 'anthropic.claude-sonnet-4-6', profile: 'us' } as const;
const input: PlanInput = {
  version: 1, name: 'two-apps', aws: { account: '111122223333', region: 'us-east-1' },
  quotas: { 'sonnet-us-west-2': { limits: { rpm: 1000, tpm: 30000 } } },
  families: {
    support: {
      api: 'anthropic', aliases: ['support-sonnet'],
      targets: {
        'bedrock-us-west-2': { ...sonnet, quota: 'sonnet-us-west-2', limits: { rpm: 1000, tpm: 30000 } },
        'bedrock-eu-central-1': { ...sonnet, region: 'eu-central-1', profile: 'eu', limits: { rpm: 1000, tpm: 30000 } },
      },
    },
    search: { api: 'anthropic', aliases: ['search-sonnet'], targets: { 'bedrock-us-west-2': { ...sonnet, quota: 'sonnet-us-west-2', limits: { rpm: 400, tpm: 12000 } } } },
  },
};
const plan = definePlan(input);
const config = compileRouterConfig(plan);
const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
const stack = new Stack(app, 'SharedQuotas', { env: Headroom.envOf(plan) });
new Headroom(stack, 'Headroom', { plan });
const resources = Template.fromStack(stack).toJSON().Resources as Record<string, { Type: string; Properties: any }>;
const body = Object.values(resources).find((r) => r.Type === 'AWS::CloudWatch::Dashboard')!.Properties.DashboardBody;
const widgets = JSON.parse(body['Fn::Join'][1].map((p: unknown) => (typeof p === 'string' ? p : '<arn>')).join('')).widgets as any[];
const titled = (pattern: RegExp) => widgets.filter((w) => pattern.test(w.properties.title ?? ''));
const annotations = (w: any) => (w.properties.annotations?.horizontal ?? []).map((a: any) => a.value);

describe('CDK dashboard and RouterConfig agree on a shared quota', () => {
  it('the RouterConfig carries the quota once, with the plan\'s limits and both families\' targets', () => {
    const [bucket] = quotaBucketsOf(plan).filter((b) => b.shared);
    expect(config.quotas).toEqual({ [bucket!.id]: { id: bucket!.id, provider: 'bedrock', scope: bucket!.providerQuota.label, limits: bucket!.limits, targets: bucket!.targets } });
    expect(bucket!.targets).toEqual(['search/bedrock-us-west-2', 'support/bedrock-us-west-2']);
    for (const key of bucket!.targets) expect(config.targets[key]!.quota).toBe(bucket!.id);
  });

  it('draws the AWS/Bedrock quota row once for the shared quota, at the quota\'s TPM, beside the unshared target\'s own', () => {
    const usage = titled(/AWS\/Bedrock EstimatedTPMQuotaUsage/);
    expect(usage.map((w) => w.properties.title).sort()).toEqual([
      'quota sonnet-us-west-2: AWS/Bedrock EstimatedTPMQuotaUsage (us-west-2)',
      'support/bedrock-eu-central-1: AWS/Bedrock EstimatedTPMQuotaUsage (eu-central-1)',
    ]);
    expect(annotations(usage.find((w) => w.properties.title.startsWith('quota '))!)).toEqual([config.quotas['sonnet-us-west-2']!.limits.tpm]);
  });

  it('each family\'s "sum of quotas" line counts the shared quota once, as capacityOf does', () => {
    for (const family of capacityOf(plan)) {
      const [row] = titled(new RegExp(`^${family.familyId}: served TPM vs sum of quotas$`));
      expect(annotations(row)).toEqual([family.tokens.sum]);
    }
    // support: 30,000 shared + 30,000 eu; search: its own 12,000 cap inside the shared quota.
    expect(capacityOf(plan).map((f) => [f.familyId, f.tokens.sum])).toEqual([['search', 12000], ['support', 60000]]);
    expect(planCapacityOf(plan).tokensPerMinute).toBe(60000);
  });
});
