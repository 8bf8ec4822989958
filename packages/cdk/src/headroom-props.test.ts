import * as path from 'node:path';
import { App, Annotations as CdkAnnotations, Duration, Errors, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import { testing, targetsOf } from '@headroom/plan';
import { AZURE_CLIENT_ID_MISSING, Headroom, Plan, type HeadroomProps } from './index';

/**
 * What `Headroom` passes to its parts, read back from the template as CloudFormation documents it
 * (AWS::Lambda::Function MemorySize/Timeout/LoggingConfig, AWS::Logs::LogGroup RetentionInDays,
 * the DeletionPolicy and UpdateReplacePolicy attributes, AWS::Lambda::Url FunctionUrl).
 */
const ROOT = path.resolve(__dirname, '../../..');
const FIXTURE_ENTRY = path.resolve(__dirname, '../test/fixtures/router-entry.ts');
const yamlPlan = Plan.fromFile(path.join(ROOT, 'infra/headroom.yaml'));
// Synthesis is CPU-bound; a busy 2-core machine can take far longer than jest's 5 s default.
const SYNTH_TIMEOUT_MS = 120_000;
jest.setTimeout(SYNTH_TIMEOUT_MS);

/** Bundling is skipped (the CDK's `aws:cdk:bundling-stacks` switch); bundling.test.ts bundles for real. */
function synth(props: Partial<HeadroomProps> = {}, plan: Plan = yamlPlan) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Company', { env: Headroom.envOf(plan) });
  const headroom = new Headroom(stack, 'Headroom', { plan, routerEntry: FIXTURE_ENTRY, ...props });
  return { stack, headroom, template: Template.fromStack(stack) };
}

function thrown(make: () => unknown): Error {
  try {
    make();
  } catch (error) {
    expect(Errors.isValidationError(error)).toBe(true);
    return error as Error;
  }
  throw new Error('expected a ValidationError');
}

type Resource = { Type: string; Properties: Record<string, any>; DeletionPolicy?: string; UpdateReplacePolicy?: string };
const resourcesOf = (template: Template) => template.toJSON().Resources as Record<string, Resource>;
/** The router function: the one whose environment names the state table. */
const routerFunction = (template: Template) => Object.entries(resourcesOf(template))
  .find(([, r]) => r.Type === 'AWS::Lambda::Function' && r.Properties.Environment?.Variables?.HEADROOM_STATE_TABLE)!;

describe('router sizing passes through Headroom', () => {
  it('memorySize and timeout become the function\'s MemorySize (MB) and Timeout (seconds)', () => {
    const { template } = synth({ memorySize: 2048, timeout: Duration.minutes(2) });
    expect(routerFunction(template)[1].Properties).toMatchObject({ MemorySize: 2048, Timeout: 120 });
  });

  it('logRetention sets RetentionInDays of the log group the function logs to (LoggingConfig.LogGroup)', () => {
    const { template } = synth({ logRetention: logs.RetentionDays.ONE_WEEK });
    const logGroupRef = routerFunction(template)[1].Properties.LoggingConfig.LogGroup.Ref as string;
    const logGroup = resourcesOf(template)[logGroupRef]!;
    expect(logGroup.Type).toBe('AWS::Logs::LogGroup');
    expect(logGroup.Properties.RetentionInDays).toBe(7);
  });

  it.each([
    [undefined, 'Delete', 'Delete'],
    [RemovalPolicy.RETAIN, 'Retain', 'Retain'],
    [RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE, 'RetainExceptOnCreate', 'Retain'],
  ])('stateTableRemovalPolicy %s: the table\'s DeletionPolicy is %s and UpdateReplacePolicy %s', (policy, deletion, updateReplace) => {
    const { template } = synth(policy ? { stateTableRemovalPolicy: policy } : {});
    const tables = Object.values(resourcesOf(template)).filter((r) => r.Type === 'AWS::DynamoDB::Table');
    expect(tables).toHaveLength(1);
    expect(tables[0]).toMatchObject({ DeletionPolicy: deletion, UpdateReplacePolicy: updateReplace });
  });

  it('quotaModelNames reach the quota check\'s custom resource for the model\'s region', () => {
    const model = 'anthropic.claude-haiku-4-5-20251001-v1:0';
    const { template } = synth({ quotaModelNames: { [model]: 'Anthropic Claude Haiku 4.5' } });
    const checks = Object.values(resourcesOf(template)).filter((r) => r.Type === 'Custom::HeadroomBedrockQuotaCheck');
    const regionsWithModel = new Set(targetsOf(yamlPlan).flatMap((r) => (r.target.provider === 'bedrock' && r.target.model === model ? [r.target.region] : [])));
    expect(regionsWithModel.size).toBeGreaterThan(0);
    for (const check of checks) {
      const demands = JSON.parse(check.Properties.Demands as string) as { model: string; quotaModelName?: string }[];
      for (const demand of demands) {
        expect(demand.quotaModelName).toBe(demand.model === model ? 'Anthropic Claude Haiku 4.5' : undefined);
      }
      expect(demands.some((d) => d.model === model)).toBe(regionsWithModel.has(check.Properties.Region as string));
    }
  });
});

describe('absurd values fail at synth time, naming the prop, the value and the fix', () => {
  it.each([
    ['timeout', { timeout: Duration.minutes(16) }, ['timeout', '16 minutes', '15 minutes']],
    ['timeout', { timeout: Duration.millis(500) }, ['timeout', '500 millis', '1 second']],
    ['memorySize', { memorySize: 20_000 }, ['memorySize', '20000', '10240']],
    ['logRetention', { logRetention: 42 as logs.RetentionDays }, ['logRetention', '42', 'RetentionDays']],
    ['stateTableRemovalPolicy', { stateTableRemovalPolicy: RemovalPolicy.SNAPSHOT }, ['stateTableRemovalPolicy', 'snapshot', 'RemovalPolicy.RETAIN']],
  ] as const)('%s', (_prop, props, fragments) => {
    const error = thrown(() => synth(props as Partial<HeadroomProps>));
    expect(error.message).toContain('Company/Headroom/Router');
    for (const fragment of fragments) expect(error.message).toContain(fragment);
    expect(error.message).toMatch(/fix: \S+/);
  });

  it('quotaModelNames for a model the plan does not call on Bedrock', () => {
    const error = thrown(() => synth({ quotaModelNames: { 'anthropic.claude-opus-9': 'Claude Opus 9' } }));
    expect(error.message).toContain('Company/Headroom/BedrockQuotaCheck');
    expect(error.message).toContain('anthropic.claude-opus-9');
    expect(error.message).toContain('anthropic.claude-haiku-4-5-20251001-v1:0');
  });
});

describe('url', () => {
  it('is the Function URL (AWS::Lambda::Url FunctionUrl) and the RouterUrl output', () => {
    const { stack, headroom, template } = synth();
    const urls = Object.entries(resourcesOf(template)).filter(([, r]) => r.Type === 'AWS::Lambda::Url');
    expect(urls).toHaveLength(1);
    const functionUrl = { 'Fn::GetAtt': [urls[0]![0], 'FunctionUrl'] };
    expect(stack.resolve(headroom.url)).toEqual(functionUrl);
    const outputs = Object.values(template.findOutputs('*'));
    expect(outputs.filter((o) => JSON.stringify(o.Value) === JSON.stringify(functionUrl))).toHaveLength(1);
  });
});

describe('azure.clientId', () => {
  const warningsOf = (stack: Stack) => Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp(`\\[ack: ${AZURE_CLIENT_ID_MISSING}\\]`));

  it('missing with Azure targets: one acknowledgeable warning naming the targets and the fix', () => {
    const { stack } = synth();
    const warnings = warningsOf(stack);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.id).toBe('/Company/Headroom/Router');
    const message = String(warnings[0]!.entry.data);
    const azureTargets = targetsOf(yamlPlan).filter((r) => r.target.provider === 'azure-openai').map((r) => r.key);
    expect(azureTargets.length).toBeGreaterThan(0);
    for (const key of azureTargets) expect(message).toContain(key);
    expect(message).toContain('fail at run time');
    expect(message).toContain('pulumi up');
    expect(message).toContain('azureRouterIdentity.clientId');
  });

  it('can be acknowledged from the company stack', () => {
    const { stack } = synth();
    CdkAnnotations.of(stack).acknowledgeWarning(AZURE_CLIENT_ID_MISSING, 'Azure side not deployed yet; the GPT family serves from OpenAI meanwhile.');
    expect(warningsOf(stack)).toHaveLength(0);
  });

  it('set: no warning', () => {
    const input = testing.examplePlanInput();
    const plan = Plan.fromObject({ ...input, azure: { ...input.azure!, clientId: '00000000-0000-4000-8000-000000000003' } });
    expect(warningsOf(synth({}, plan).stack)).toHaveLength(0);
  });

  it('no Azure targets: no warning', () => {
    const input = testing.examplePlanInput();
    const { gpt: _gpt, ...families } = input.families;
    const plan = Plan.fromObject({ ...input, families });
    expect(targetsOf(plan).some((r) => r.target.provider === 'azure-openai')).toBe(false);
    expect(warningsOf(synth({}, plan).stack)).toHaveLength(0);
  });
});
