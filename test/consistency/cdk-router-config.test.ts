import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { alarmName, compileRouterConfig, loadPlanFileOrThrow, targetsOf, type RouterConfig } from '@headroom/plan';
import { Headroom, ROUTER_CONFIG_DEFINE } from '@headroom/cdk';

/**
 * For the example plan, the CDK template and the RouterConfig the router is compiled with agree
 * target by target: alarm dimensions, Bedrock ARNs, secrets and the embedded config.
 */
const ROOT = path.resolve(__dirname, '../..');
const { plan } = loadPlanFileOrThrow(path.join(ROOT, 'infra/headroom.yaml'));
const config: RouterConfig = compileRouterConfig(plan);
const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
const stack = new Stack(app, 'Consistency', { env: Headroom.envOf(plan) });
const headroom = new Headroom(stack, 'Headroom', { plan });
const resources = Template.fromStack(stack).toJSON().Resources as Record<string, { Type: string; Properties: any }>;
const alarms = Object.values(resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm').map((r) => r.Properties);
const statements: any[] = Object.values(resources).filter((r) => r.Type === 'AWS::IAM::Policy').flatMap((r) => r.Properties.PolicyDocument.Statement);
const keys = targetsOf(plan).map((r) => r.key);

describe('CDK template and RouterConfig agree on the example plan', () => {
  it('cover the same targets', () => {
    expect(Object.keys(config.targets).sort()).toEqual([...keys].sort());
  });

  it.each(keys)('%s: every alarm watches the RouterConfig dimensions', (key) => {
    const t = config.targets[key]!;
    for (const kind of ['throttle-rate', 'low-headroom', 'retry-budget-exhausted'] as const) {
      const alarm = alarms.find((a) => a.AlarmName === alarmName(plan, t.family, t.id, kind));
      const stats = alarm.Metrics.filter((m: any) => m.MetricStat);
      expect(stats.length).toBeGreaterThan(0);
      for (const m of stats) {
        const dims = Object.fromEntries(m.MetricStat.Metric.Dimensions.map((d: any) => [d.Name, d.Value]));
        expect(dims).toEqual(t.dimensions);
      }
    }
  });

  it.each(keys.filter((k) => config.targets[k]!.provider === 'bedrock'))('%s: IAM allows the upstream model in its region', (key) => {
    const t = config.targets[key]!;
    const profileArn = `arn:aws:bedrock:${t.region}:${plan.aws.account}:inference-profile/${t.upstreamModel}`;
    const bedrock = statements.filter((s) => [s.Action].flat().includes('bedrock:InvokeModelWithResponseStream'));
    expect(bedrock.some((s) => [s.Resource].flat().includes(profileArn) && !s.Condition)).toBe(true);
    const viaProfile = bedrock.filter((s) => s.Condition?.StringEquals?.['bedrock:InferenceProfileArn'] === profileArn);
    expect(viaProfile.length).toBeGreaterThan(0);
    // The endpoint the router calls is the profile in the target's region.
    expect(t.endpoint.baseUrl).toBe(`https://bedrock-runtime.${t.region}.amazonaws.com`);
    expect(decodeURIComponent(t.endpoint.path)).toBe(`/model/${t.upstreamModel}`);
  });

  it.each(keys)('%s: the typed metric helper addresses the RouterConfig dimensions', (key) => {
    const t = config.targets[key]!;
    const stat = headroom.metrics.target(t.family, t.id).requests().toMetricConfig().metricStat!;
    expect(Object.fromEntries((stat.dimensions ?? []).map((d) => [d.name, d.value]))).toEqual(t.dimensions);
  });

  it('grants exactly the api-key targets\' secrets', () => {
    const secrets = Object.values(config.targets).flatMap((t) => (t.auth.mode === 'api-key' ? [t.auth.secret] : [])).sort();
    const granted = statements.filter((s) => [s.Action].flat().includes('secretsmanager:GetSecretValue'))
      .flatMap((s) => [s.Resource].flat()).map((r) => JSON.stringify(r));
    expect(granted).toHaveLength(secrets.length);
    for (const secret of secrets) expect(granted.some((g) => g.includes(`:secret:${secret}-??????`))).toBe(true);
  });

  it('builds the bundle with exactly the compiled config substituted for process.env.HEADROOM_ROUTER_CONFIG', () => {
    // The define value is a JS string literal whose content is the config JSON (bundling.test.ts proves esbuild embeds it).
    const literal = headroom.router.define[ROUTER_CONFIG_DEFINE]!;
    expect(JSON.parse(JSON.parse(literal) as string)).toEqual(config);
    expect(JSON.parse(JSON.parse(literal) as string).planDigest).toBe(config.planDigest);
  });
});
