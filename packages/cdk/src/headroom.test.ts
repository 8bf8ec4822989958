import * as path from 'node:path';
import { App, Errors, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import { alarmName, alarmSettings, compileRouterConfig, dashboardName, METRIC_NAMESPACE, resolvedLimits, routerRoleName, stateTableName, targetsOf } from '@headroom/plan';
import { Headroom, HeadroomRouter, Plan, STATE_TABLE } from './index';

const ROOT = path.resolve(__dirname, '../../..');
const FIXTURE_ENTRY = path.resolve(__dirname, '../test/fixtures/router-entry.ts');
const plan = Plan.fromFile(path.join(ROOT, 'infra/headroom.yaml'));
const config = compileRouterConfig(plan);

/** Bundling is skipped here (the CDK's own `aws:cdk:bundling-stacks` switch); bundling.test.ts bundles for real. */
function synth(props: Partial<ConstructorParameters<typeof Headroom>[2]> = {}, stackEnv = Headroom.envOf(plan)) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Company', { env: stackEnv });
  const headroom = new Headroom(stack, 'Headroom', { plan, routerEntry: FIXTURE_ENTRY, ...props });
  return { app, stack, headroom };
}

const main = synth({ createAlarmTopic: true, requestQuotaIncreases: true });
const template = Template.fromStack(main.stack);
const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: any; Metadata?: any }>;
const ofType = (type: string) => Object.values(resources).filter((r) => r.Type === type);
const routerPolicy = Object.entries(resources).find(([id, r]) => r.Type === 'AWS::IAM::Policy' && id.startsWith('HeadroomRouterRole'))![1];
const statements: any[] = routerPolicy.Properties.PolicyDocument.Statement;
const dashboardBody = (): string => {
  const body = ofType('AWS::CloudWatch::Dashboard')[0]!.Properties.DashboardBody;
  // The body is a Fn::Join of literal strings and the alarm ARNs; render ARNs as placeholders.
  return body['Fn::Join'][1].map((part: unknown) => (typeof part === 'string' ? part : '<arn>')).join('');
};

describe('wiring to the plan', () => {
  const settings = alarmSettings(plan);

  it.each(targetsOf(plan).map((r) => [r.key, r] as const))('%s: three alarms with stable names and the plan\'s thresholds', (_key, ref) => {
    const alarms = ofType('AWS::CloudWatch::Alarm').map((a) => a.Properties);
    const byName = (kind: Parameters<typeof alarmName>[3]) => alarms.find((a) => a.AlarmName === alarmName(plan, ref.familyId, ref.targetId, kind));
    const throttle = byName('throttle-rate')!;
    expect(throttle.Threshold).toBe(settings.throttleRatePct);
    expect(throttle.ComparisonOperator).toBe('GreaterThanThreshold');
    const rate = throttle.Metrics.find((m: any) => m.Expression);
    expect(rate.Expression).toContain('100 * throttles / requests');
    const dims = throttle.Metrics.find((m: any) => m.Id === 'throttles').MetricStat.Metric.Dimensions;
    expect(Object.fromEntries(dims.map((d: any) => [d.Name, d.Value]))).toEqual(config.targets[ref.key]!.dimensions);
    const headroom = byName('low-headroom')!;
    expect(headroom).toMatchObject({
      Threshold: settings.headroomBelowPct, ComparisonOperator: 'LessThanThreshold',
      EvaluationPeriods: settings.headroomPeriods, DatapointsToAlarm: settings.headroomPeriods,
    });
    expect(headroom.Metrics[0].MetricStat).toMatchObject({ Stat: 'Minimum', Period: 60, Metric: { MetricName: 'HeadroomPercent', Namespace: 'Headroom' } });
    const retry = byName('retry-budget-exhausted')!;
    expect(retry).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
    expect(retry.Metrics[0].MetricStat).toMatchObject({ Stat: 'Sum', Metric: { MetricName: 'RetryBudgetDenials' } });
    // The budget is the family's; an outage is answered with the API's own overloaded status, not a 429.
    expect(retry.AlarmDescription).toContain(`retry budget of family ${ref.familyId}`);
    expect(retry.AlarmDescription).toContain(ref.family.api === 'anthropic' ? '529 overloaded_error' : '503 server_error');
    expect(retry.AlarmDescription.length).toBeLessThanOrEqual(1024); // CloudWatch's AlarmDescription limit
    for (const kind of ['throttle-rate', 'low-headroom', 'retry-budget-exhausted'] as const) {
      expect(byName(kind)!.AlarmActions).toHaveLength(1);
    }
  });

  it('has exactly three alarms per target and nothing else', () => {
    expect(ofType('AWS::CloudWatch::Alarm')).toHaveLength(targetsOf(plan).length * 3);
  });

  it.each(targetsOf(plan).map((r) => [r.key, r] as const))('%s: dashboard annotations are the plan\'s limits', (key, ref) => {
    const widgets = JSON.parse(dashboardBody()).widgets as any[];
    const annotationsOf = (title: string) => {
      const w = widgets.find((x) => x.properties.title === title);
      expect(w).toBeDefined();
      return (w.properties.annotations?.horizontal ?? []).map((a: any) => [a.yAxis ?? 'left', a.value]);
    };
    const limits = resolvedLimits(ref.target);
    expect(limits).toEqual(config.targets[key]!.limits);
    expect(annotationsOf(`${key}: RPM`)).toEqual([['left', limits.rpm]]);
    if (limits.tpm !== undefined) expect(annotationsOf(`${key}: TPM`)).toEqual([['left', limits.tpm]]);
    else expect(annotationsOf(`${key}: ITPM / OTPM`)).toEqual([['left', limits.itpm], ['right', limits.otpm]]);
    expect(annotationsOf(`${key}: headroom %`)).toEqual([['left', alarmSettings(plan).headroomBelowPct]]);
    expect(annotationsOf(`${key}: upstream 429 rate %`)).toEqual([['left', alarmSettings(plan).throttleRatePct]]);
    if (ref.target.provider === 'bedrock') {
      expect(annotationsOf(`${key}: AWS/Bedrock EstimatedTPMQuotaUsage (${ref.target.region})`)).toEqual([['left', limits.tpm]]);
    }
  });

  it('names the dashboard, table and role from the plan', () => {
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: dashboardName(plan) });
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: stateTableName(plan), BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: STATE_TABLE.partitionKey, KeyType: 'HASH' }, { AttributeName: STATE_TABLE.sortKey, KeyType: 'RANGE' }],
      TimeToLiveSpecification: { AttributeName: STATE_TABLE.ttlAttribute, Enabled: true },
    });
    template.hasResourceProperties('AWS::IAM::Role', { RoleName: routerRoleName(plan) });
  });

  it('creates the router Lambda for streaming: nodejs22.x, arm64, IAM-auth streaming URL, state table env, log retention', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x', Architectures: ['arm64'], MemorySize: 1024,
      // 600 s total + 10 s headers timeout x 4 failed attempts (claude-sonnet has 5 targets) + 30 s margin
      Timeout: 670,
      Environment: { Variables: { HEADROOM_STATE_TABLE: { Ref: Match.stringLikeRegexp('^HeadroomRouterState') } } },
    });
    template.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'AWS_IAM', InvokeMode: 'RESPONSE_STREAM' });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  it('agrees with the router store on the table schema', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const store = require('../../../router-lambda/src/store/dynamodb-store') as { STATE_TABLE: typeof STATE_TABLE };
    expect(STATE_TABLE).toEqual(store.STATE_TABLE);
  });
});

describe('IAM', () => {
  const bedrockStatements = statements.filter((s) => [s.Action].flat().some((a: string) => a.startsWith('bedrock:')));
  const resourcesOf = (s: any): string[] => [s.Resource].flat();

  it('grants only InvokeModel and InvokeModelWithResponseStream, never on a wildcard', () => {
    for (const s of bedrockStatements) {
      expect([s.Action].flat().sort()).toEqual(['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream']);
      for (const r of resourcesOf(s)) expect(r).not.toContain('*');
    }
  });

  it('covers exactly the declared inference profiles and their destination foundation models', () => {
    const bedrockTargets = Object.values(config.targets).filter((t) => t.provider === 'bedrock');
    const profiles = bedrockStatements.filter((s) => !s.Condition).flatMap(resourcesOf).sort();
    expect(profiles).toEqual([...new Set(bedrockTargets.map((t) => `arn:aws:bedrock:${t.region}:${plan.aws.account}:inference-profile/${t.upstreamModel}`))].sort());
    // Foundation-model ARNs only through the profile that routes there.
    for (const s of bedrockStatements.filter((x) => x.Condition)) {
      const profile = s.Condition.StringEquals['bedrock:InferenceProfileArn'];
      expect(profiles).toContain(profile);
      const model = profile.split('/')[1].replace(/^(us|eu|apac|jp|au|global)\./, '');
      for (const r of resourcesOf(s)) expect(r).toMatch(new RegExp(`^arn:aws:bedrock:[a-z0-9-]*::foundation-model/${model.replace(/[.:]/g, '\\$&')}$`));
    }
    // The global profile (ap-southeast-1 haiku) adds the region-less ARN with RequestedRegion unspecified.
    const global = bedrockStatements.find((s) => resourcesOf(s).includes('arn:aws:bedrock:::foundation-model/anthropic.claude-haiku-4-5-20251001-v1:0'));
    expect(global.Condition.StringEquals['aws:RequestedRegion']).toBe('unspecified');
    // The eu profile of Sonnet reaches the eu destination regions and nothing else.
    const euSonnet = bedrockStatements.find((s) => s.Condition?.StringEquals['bedrock:InferenceProfileArn']?.endsWith('eu.anthropic.claude-sonnet-4-6'));
    expect(resourcesOf(euSonnet).map((r) => r.split(':')[3])).toEqual(['eu-central-1', 'eu-central-2', 'eu-north-1', 'eu-south-1', 'eu-south-2', 'eu-west-1', 'eu-west-2', 'eu-west-3']);
  });

  it('reads only the api-key targets\' secrets, by name, never a value', () => {
    const secretStatements = statements.filter((s) => [s.Action].flat().includes('secretsmanager:GetSecretValue'));
    const names = secretStatements.flatMap(resourcesOf).map((r: any) => JSON.stringify(r));
    const expected = Object.values(config.targets).flatMap((t) => (t.auth.mode === 'api-key' ? [t.auth.secret] : []));
    expect(expected.sort()).toEqual(['support-bot/anthropic-api-key', 'support-bot/openai-api-key']);
    for (const secret of expected) expect(names.some((n) => n.includes(`secret:${secret}-??????`))).toBe(true);
    expect(names).toHaveLength(expected.length);
    expect(ofType('AWS::SecretsManager::Secret')).toHaveLength(0);
  });

  it('allows outbound web identity tokens only for Entra ID (Vertex federates with a signed GetCallerIdentity instead)', () => {
    const sts = statements.find((s) => s.Action === 'sts:GetWebIdentityToken');
    expect(sts.Condition['ForAllValues:StringLike']['sts:IdentityTokenAudience']).toEqual(['api://AzureADTokenExchange']);
  });

  it('grantInvoke grants the Function URL and is idempotent', () => {
    const { stack, headroom } = synth();
    const caller = new iam.Role(stack, 'Caller', { assumedBy: new iam.AccountRootPrincipal() });
    const first = headroom.grantInvoke(caller);
    expect(headroom.grantInvoke(caller)).toBe(first);
    const policy = Template.fromStack(stack).findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^Caller') }] } });
    const callerStatements = Object.values(policy)[0]!.Properties.PolicyDocument.Statement;
    expect(callerStatements.map((s: any) => s.Action).sort()).toEqual(['lambda:InvokeFunction', 'lambda:InvokeFunctionUrl']);
  });
});

describe('cdk-nag', () => {
  it('passes the AwsSolutions checks', () => {
    const report = new AwsSolutionsChecks().validateScope(main.app);
    expect(report.violations).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('every acknowledgement carries a written reason', () => {
    const acks = main.app.node.findAll().flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY).map((m) => ({ path: c.node.path, data: m.data })));
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      // Recorded as { 'Annotation::<rule id>': reason }.
      const entries = Object.entries(ack.data as Record<string, unknown>);
      expect(entries.length).toBeGreaterThan(0);
      for (const [id, reason] of entries) {
        expect(id).toMatch(/^Annotation::AwsSolutions-/);
        expect(typeof reason).toBe('string');
        expect((reason as string).length).toBeGreaterThan(40);
      }
    }
  });

  it('fails without the acknowledgements (the checks are real)', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'Bare', { env: Headroom.envOf(plan) });
    new lambda.Function(stack, 'Old', { runtime: lambda.Runtime.NODEJS_20_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler=()=>1') });
    expect(new AwsSolutionsChecks().validateScope(app).success).toBe(false);
  });
});

describe('dashboard', () => {
  it('matches the snapshot', () => {
    expect(JSON.parse(dashboardBody())).toMatchSnapshot();
  });

  it('parses back into an alarm row, a summary row per family and rows per target', () => {
    const widgets = JSON.parse(dashboardBody()).widgets as any[];
    const titles = widgets.map((w) => w.properties.title as string);
    expect(titles[0]).toBe('support-bot: Headroom alarms');
    for (const familyId of Object.keys(plan.families)) {
      const summary = widgets.find((w) => w.properties.title === `${familyId}: served TPM vs sum of quotas`);
      const declared = targetsOf(plan).filter((r) => r.familyId === familyId)
        .reduce((sum, r) => { const l = resolvedLimits(r.target); return sum + (l.tpm ?? (l.itpm ?? 0) + (l.otpm ?? 0)); }, 0);
      expect(summary.properties.annotations.horizontal[0].value).toBe(declared);
      const clients = widgets.find((w) => w.properties.title === `${familyId}: client-visible 429s and holds`);
      // Both counts and the held time, addressed by the Family dimension only, as telemetry.ts emits them.
      expect(clients.properties.metrics.map((m: unknown[]) => m.slice(0, 4))).toEqual([
        [METRIC_NAMESPACE, 'ClientThrottles', 'Family', familyId],
        [METRIC_NAMESPACE, 'Holds', 'Family', familyId],
        [METRIC_NAMESPACE, 'HeldMs', 'Family', familyId],
      ]);
      expect(clients.properties.metrics[2][4]).toMatchObject({ stat: 'p90', yAxis: 'right' });
    }
    for (const ref of targetsOf(plan)) {
      for (const suffix of ['RPM', 'headroom %', 'upstream 429 rate %', 'retries and retry-budget denials', 'latency (ms)']) {
        expect(titles).toContain(`${ref.key}: ${suffix}`);
      }
    }
    // Native Bedrock metrics carry the target's own region.
    for (const ref of targetsOf(plan).filter((r) => r.target.provider === 'bedrock')) {
      const region = (ref.target as { region: string }).region;
      const w = widgets.find((x) => x.properties.title === `${ref.key}: AWS/Bedrock InvocationThrottles (${region})`);
      const metric = w.properties.metrics[0];
      expect(metric.slice(0, 4)).toEqual(['AWS/Bedrock', 'InvocationThrottles', 'ModelId', config.targets[ref.key]!.upstreamModel]);
      expect(metric[4].region).toBe(region);
    }
    // Every widget fits the 24-column grid.
    for (const w of widgets) expect(w.x + w.width).toBeLessThanOrEqual(24);
  });
});

describe('bad props and soft problems', () => {
  const build = (props: Record<string, unknown>, env = Headroom.envOf(plan)) => () => synth(props as never, env);

  it.each([
    ['memorySize', () => new HeadroomRouter(new Stack(new App(), 'Bad', { env: Headroom.envOf(plan) }), 'Router', { plan, entry: FIXTURE_ENTRY, memorySize: 64 }), 'Bad/Router', '64'],
    ['reservedConcurrentExecutions', build({ reservedConcurrentExecutions: 0 }), 'Company/Headroom/Router', '0'],
    ['routerEntry', build({ routerEntry: '/nowhere/lambda.ts' }), 'Company/Headroom/Router', '/nowhere/lambda.ts'],
    ['account', build({}, { account: '999999999999', region: 'us-east-1' }), 'Company/Headroom/Router', '999999999999'],
    ['alarm topic twice', () => {
      const { stack } = synth();
      new Headroom(stack, 'Second', { plan, routerEntry: FIXTURE_ENTRY, createAlarmTopic: true, alarmTopic: new sns.Topic(stack, 'T') });
    }, 'Company/Second/Monitoring', 'createAlarmTopic'],
    ['onQuotaShortfall', build({ onQuotaShortfall: 'explode' }), 'Company/Headroom/BedrockQuotaCheck', 'explode'],
  ])('%s: throws a ValidationError naming the construct path, the value and the fix', (_name, make, constructPath, received) => {
    let error: unknown;
    try { make(); } catch (e) { error = e; }
    expect(Errors.isValidationError(error)).toBe(true);
    const message = (error as Error).message;
    expect(message).toContain(constructPath);
    expect(message).toContain(received);
    expect(message).toMatch(/fix: \S+/);
    expect((error as { constructPath?: string }).constructPath).toBe(constructPath);
  });

  it('an unknown target in a metric helper is a ValidationError', () => {
    expect(() => main.headroom.router.metricRequests('chatbot/nope')).toThrow(/Company\/Headroom\/Router: target: no such target[\s\S]*chatbot\/bedrock-us-east-1/);
    expect(main.headroom.router.metricRequests('chatbot/bedrock-us-east-1').toMetricConfig().metricStat).toMatchObject({ statistic: 'Sum', metricName: 'Requests' });
  });

  it('opening the Function URL needs an explicit prop and raises an acknowledgeable warning', () => {
    const { stack } = synth({ functionUrlAuthType: lambda.FunctionUrlAuthType.NONE });
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Url', { AuthType: 'NONE' });
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('functionUrlAuthType is NONE'));
    expect(warnings).toHaveLength(1);
    expect(Annotations.fromStack(main.stack).findWarning('*', Match.stringLikeRegexp('functionUrlAuthType'))).toHaveLength(0);
  });

  it('a routing timeout beyond Lambda\'s limit caps at 15 minutes with a warning', () => {
    const slow = Plan.fromObject({ ...JSON.parse(JSON.stringify(plan)), routing: { timeouts: { totalMs: 840_000 } } });
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'Slow', { env: Headroom.envOf(slow) });
    new HeadroomRouter(stack, 'Router', { plan: slow, entry: FIXTURE_ENTRY });
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', { Timeout: 900 });
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('capped at 15 minutes'))).toHaveLength(1);
  });
});
