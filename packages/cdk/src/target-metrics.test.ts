import * as path from 'node:path';
import { App, Errors, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { compileRouterConfig, definePlan, METRIC_NAMESPACE, METRICS, targetsOf, type Plan } from '@headroom/plan';
import { Headroom, Plan as PlanSource } from './index';

const ROOT = path.resolve(__dirname, '../../..');
const FIXTURE_ENTRY = path.resolve(__dirname, '../test/fixtures/router-entry.ts');
jest.setTimeout(120_000);

function headroomFor<P extends Plan>(plan: P) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Company', { env: Headroom.envOf(plan) });
  return { stack, headroom: new Headroom(stack, 'Headroom', { plan, routerEntry: FIXTURE_ENTRY }) };
}

/** A plan written in TypeScript: its family and target ids are literal types. */
const typedPlan = definePlan({
  version: 1,
  name: 'typed-bot',
  aws: { account: '111122223333', region: 'us-east-1' },
  families: {
    chatbot: {
      api: 'anthropic',
      aliases: ['chatbot'],
      targets: {
        'bedrock-us-east-1': { provider: 'bedrock', region: 'us-east-1', model: 'anthropic.claude-haiku-4-5-20251001-v1:0', profile: 'us', limits: { rpm: 1000, tpm: 30000 } },
        'bedrock-eu-west-1': { provider: 'bedrock', region: 'eu-west-1', model: 'anthropic.claude-haiku-4-5-20251001-v1:0', profile: 'eu', limits: { rpm: 1000, tpm: 30000 } },
      },
    },
    claude: {
      api: 'anthropic',
      aliases: ['claude-sonnet-4-6'],
      targets: { anthropic: { provider: 'anthropic', model: 'claude-sonnet-4-6', limits: { rpm: 2000, itpm: 30000, otpm: 8000 } } },
    },
  },
});
const yamlPlan = PlanSource.fromFile(path.join(ROOT, 'infra/headroom.yaml'));

describe('metrics.target(family, target)', () => {
  const { headroom } = headroomFor(typedPlan);
  const config = compileRouterConfig(typedPlan);

  it.each([
    ['requests', METRICS.requests, 'Sum'],
    ['upstreamThrottles', METRICS.upstreamThrottles, 'Sum'],
    ['upstreamErrors', METRICS.upstreamErrors, 'Sum'],
    ['retries', METRICS.retries, 'Sum'],
    ['retryBudgetDenials', METRICS.retryBudgetDenials, 'Sum'],
    ['headroomPercent', METRICS.headroomPercent, 'Minimum'],
    ['inputTokens', METRICS.inputTokens, 'Sum'],
    ['outputTokens', METRICS.outputTokens, 'Sum'],
    ['latency', METRICS.latency, 'p99'],
    ['timeToFirstByte', METRICS.timeToFirstByte, 'p90'],
  ] as const)('%s() reads %s with the RouterConfig dimensions, one-minute %s', (method, metricName, statistic) => {
    const metric = headroom.metrics.target('chatbot', 'bedrock-eu-west-1')[method]();
    const stat = metric.toMetricConfig().metricStat!;
    expect(stat).toMatchObject({ namespace: METRIC_NAMESPACE, metricName, statistic });
    expect(stat.period.toSeconds()).toBe(60);
    expect(Object.fromEntries((stat.dimensions ?? []).map((d) => [d.name, d.value]))).toEqual(config.targets['chatbot/bedrock-eu-west-1']!.dimensions);
  });

  it('options override the default statistic and period', () => {
    const stat = headroom.metrics.target('claude', 'anthropic').latency({ statistic: 'p50' }).toMetricConfig().metricStat!;
    expect(stat.statistic).toBe('p50');
  });

  it('bedrock() reads AWS/Bedrock in the target\'s own region, by the inference profile id the router calls', () => {
    const target = config.targets['chatbot/bedrock-eu-west-1']!;
    const stat = headroom.metrics.target('chatbot', 'bedrock-eu-west-1').bedrock('InvocationThrottles').toMetricConfig().metricStat!;
    expect(stat).toMatchObject({ namespace: 'AWS/Bedrock', metricName: 'InvocationThrottles', region: target.region, dimensions: [{ name: 'ModelId', value: target.upstreamModel }] });
    expect(() => headroom.metrics.target('claude', 'anthropic').bedrock('Invocations')).toThrow(/anthropic, not bedrock/);
  });

  it('an alarm on a helper\'s metric watches exactly that target', () => {
    const { stack, headroom: h } = headroomFor(typedPlan);
    h.metrics.target('chatbot', 'bedrock-us-east-1').upstreamThrottles().createAlarm(stack, 'MyAlarm', { threshold: 5, evaluationPeriods: 1 });
    const alarm = Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm', { Properties: { Threshold: 5 } }));
    expect(alarm).toHaveLength(1);
    // The helper's metric carries a label, so the alarm uses the Metrics (MetricDataQuery) form.
    const stat = alarm[0]!.Properties.Metrics[0].MetricStat;
    expect(stat).toMatchObject({ Metric: { Namespace: METRIC_NAMESPACE, MetricName: METRICS.upstreamThrottles }, Stat: 'Sum', Period: 60 });
    const dims = Object.fromEntries(stat.Metric.Dimensions.map((d: { Name: string; Value: string }) => [d.Name, d.Value]));
    expect(dims).toEqual(config.targets['chatbot/bedrock-us-east-1']!.dimensions);
  });

  it('rejects keys the plan does not have, at compile time for a definePlan plan and at synth time for any plan', () => {
    // @ts-expect-error 'gpt' is not a family of typedPlan
    expect(() => headroom.metrics.target('gpt', 'openai')).toThrow(/familyId: no such family[\s\S]*allowed: chatbot, claude/);
    // @ts-expect-error 'anthropic' is a target of 'claude', not of 'chatbot'
    expect(() => headroom.metrics.target('chatbot', 'anthropic')).toThrow(/targetId: no such target in family 'chatbot'[\s\S]*allowed: bedrock-eu-west-1, bedrock-us-east-1/);
  });
});

describe('metrics.family(family)', () => {
  const { headroom } = headroomFor(typedPlan);

  it('clientThrottles() is the family\'s client-visible 429s, by the Family dimension only', () => {
    const stat = headroom.metrics.family('chatbot').clientThrottles().toMetricConfig().metricStat!;
    expect(stat).toMatchObject({ namespace: METRIC_NAMESPACE, metricName: METRICS.clientThrottles, statistic: 'Sum', dimensions: [{ name: 'Family', value: 'chatbot' }] });
  });

  it('holds() counts the family\'s held requests (Sum) and heldMs() their wait (p90), by the Family dimension only', () => {
    const family = headroom.metrics.family('chatbot');
    expect(family.holds().toMetricConfig().metricStat!).toMatchObject({ namespace: METRIC_NAMESPACE, metricName: 'Holds', statistic: 'Sum', dimensions: [{ name: 'Family', value: 'chatbot' }] });
    expect(family.heldMs().toMetricConfig().metricStat!).toMatchObject({ namespace: METRIC_NAMESPACE, metricName: 'HeldMs', statistic: 'p90', dimensions: [{ name: 'Family', value: 'chatbot' }] });
  });

  it('lists the family\'s targets; all() lists every target of the plan', () => {
    expect(headroom.metrics.family('chatbot').targets.map((t) => t.key)).toEqual(['chatbot/bedrock-eu-west-1', 'chatbot/bedrock-us-east-1']);
    expect(headroom.metrics.all().map((t) => t.key)).toEqual(targetsOf(typedPlan).map((r) => r.key));
  });
});

describe('a YAML plan (string keys)', () => {
  const { headroom } = headroomFor(yamlPlan);

  it('an unknown key is a ValidationError with the construct path and the valid keys', () => {
    let error: unknown;
    try { headroom.metrics.target('gpt', 'azure-westus'); } catch (e) { error = e; }
    expect(Errors.isValidationError(error)).toBe(true);
    const message = (error as Error).message;
    expect(message).toContain('Company/Headroom: targetId');
    const gptTargets = targetsOf(yamlPlan).filter((r) => r.familyId === 'gpt').map((r) => r.targetId);
    expect(message).toContain(`allowed: ${gptTargets.join(', ')}`);
  });

  it('a known key works without a cast', () => {
    expect(headroom.metrics.target('gpt', 'openai').requests().toMetricConfig().metricStat!.metricName).toBe(METRICS.requests);
  });
});
