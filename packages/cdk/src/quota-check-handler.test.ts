import { checkBedrockQuotas, checkProfileDestinations, describeFindings, quotaCheckHandlerSource, type ProfileGrant, type QuotaCheckInput } from './quota-check-handler';
import { quotaDemands } from './quota-check';
import { Plan } from './plan-source';
import * as path from 'node:path';

class ListServiceQuotasCommand { constructor(readonly input: any) {} }
class ListAWSDefaultServiceQuotasCommand { constructor(readonly input: any) {} }
class RequestServiceQuotaIncreaseCommand { constructor(readonly input: any) {} }
const sdk = { ListServiceQuotasCommand, ListAWSDefaultServiceQuotasCommand, RequestServiceQuotaIncreaseCommand };

/** A fake Service Quotas: applied quotas in pages of two, defaults for the rest, records increase requests. */
function fakeClient(applied: { QuotaName: string; QuotaCode: string; Value: number }[], defaults: typeof applied = []) {
  const requests: any[] = [];
  const pages = (list: typeof applied, token?: string) => {
    const start = token ? Number(token) : 0;
    const next = start + 2 < list.length ? String(start + 2) : undefined;
    return { Quotas: list.slice(start, start + 2), ...(next ? { NextToken: next } : {}) };
  };
  return {
    requests,
    async send(command: any) {
      if (command instanceof ListServiceQuotasCommand) return pages(applied, command.input.NextToken);
      if (command instanceof ListAWSDefaultServiceQuotasCommand) return pages(defaults, command.input.NextToken);
      requests.push(command.input);
      return {};
    },
  };
}

// Names in the two spellings AWS documents: "Cross-Region InvokeModel {tokens|requests} per minute for ${model}"
// (Bedrock user guide, quotas-runtime and quotas-increase) and "... model inference {tokens|requests} per minute
// for ..." (older names still listed by Service Quotas). Codes are made up: the check resolves them by name.
const quotas = [
  { QuotaName: 'On-demand InvokeModel tokens per minute for Anthropic Claude Sonnet 4.6', QuotaCode: 'L-AAA', Value: 200000 },
  { QuotaName: 'Cross-Region InvokeModel tokens per minute for Anthropic Claude Sonnet 4.6 V1 1M Context Length', QuotaCode: 'L-BBB', Value: 900000 },
  { QuotaName: 'Cross-Region InvokeModel tokens per minute for Anthropic Claude Sonnet 4.6', QuotaCode: 'L-CCC', Value: 20000 },
  { QuotaName: 'Global Cross-region model inference tokens per minute for Anthropic Claude Haiku 4.5', QuotaCode: 'L-DDD', Value: 50000 },
  { QuotaName: 'Cross-Region InvokeModel requests per minute for Anthropic Claude Sonnet 4.6', QuotaCode: 'L-RRR', Value: 200 },
  { QuotaName: 'Global cross-region model inference requests per minute for Anthropic Claude Haiku 4.5', QuotaCode: 'L-SSS', Value: 5000 },
];

describe('checkBedrockQuotas', () => {
  const input = (requestIncreases: boolean): QuotaCheckInput => ({
    region: 'us-west-2', requestIncreases,
    demands: [
      { targets: ['claude-sonnet/bedrock-us-west-2'], model: 'anthropic.claude-sonnet-4-6', kind: 'cross-region', tpm: 30000, rpm: 500 },
      { targets: ['chatbot/x'], model: 'anthropic.claude-haiku-4-5-20251001-v1:0', kind: 'global', tpm: 30000, rpm: 1000 },
      { targets: ['chatbot/y'], model: 'anthropic.claude-opus-4-5-20251101-v1:0', kind: 'cross-region', tpm: 1000, rpm: 10 },
    ],
  });

  it('pages through quotas, resolves codes by name (not the 1M-context variant) and compares with the plan', async () => {
    const client = fakeClient(quotas);
    const findings = await checkBedrockQuotas(input(false), client, sdk);
    expect(findings.map((f) => [f.metric, f.status, f.quotaCode, f.applied, f.planned])).toEqual([
      ['tpm', 'short', 'L-CCC', 20000, 30000], ['rpm', 'short', 'L-RRR', 200, 500],
      ['tpm', 'ok', 'L-DDD', 50000, 30000], ['rpm', 'ok', 'L-SSS', 5000, 1000],
      ['tpm', 'not-found', undefined, undefined, 1000], ['rpm', 'not-listed', undefined, undefined, 10],
    ]);
    expect(client.requests).toEqual([]);
    expect(describeFindings('us-west-2', findings)).toEqual([
      "us-west-2 claude-sonnet/bedrock-us-west-2: TPM 'Cross-Region InvokeModel tokens per minute for Anthropic Claude Sonnet 4.6' (L-CCC) is 20000, the plan needs 30000",
      "us-west-2 claude-sonnet/bedrock-us-west-2: RPM 'Cross-Region InvokeModel requests per minute for Anthropic Claude Sonnet 4.6' (L-RRR) is 200, the plan needs 500",
      'us-west-2 chatbot/y: no cross-region TPM quota matched anthropic.claude-opus-4-5-20251101-v1:0; set quotaModelNames for it',
    ]);
  });

  it('compares RPM with the plan: an RPM quota below the plan is a shortfall even when TPM fits', async () => {
    const client = fakeClient([
      { QuotaName: 'On-demand model inference tokens per minute for Anthropic Claude Sonnet 4.6', QuotaCode: 'L-T1', Value: 1000000 },
      { QuotaName: 'On-demand model inference requests per minute for Anthropic Claude Sonnet 4.6', QuotaCode: 'L-R1', Value: 50 },
      // Another kind and another model: neither may be taken for the on-demand Sonnet 4.6 RPM quota.
      { QuotaName: 'Cross-region model inference requests per minute for Anthropic Claude Sonnet 4.6', QuotaCode: 'L-R2', Value: 10000 },
      { QuotaName: 'On-demand model inference requests per minute for Anthropic Claude Sonnet 4.5', QuotaCode: 'L-R3', Value: 10000 },
    ]);
    const findings = await checkBedrockQuotas({ region: 'us-east-1', requestIncreases: false, demands: [
      { targets: ['a/b'], model: 'anthropic.claude-sonnet-4-6', kind: 'on-demand', tpm: 30000, rpm: 60 },
    ] }, client, sdk);
    expect(findings.map((f) => [f.metric, f.status, f.quotaCode])).toEqual([['tpm', 'ok', 'L-T1'], ['rpm', 'short', 'L-R1']]);
    expect(describeFindings('us-east-1', findings)).toEqual([
      "us-east-1 a/b: RPM 'On-demand model inference requests per minute for Anthropic Claude Sonnet 4.6' (L-R1) is 50, the plan needs 60",
    ]);
  });

  it('an RPM quota that Service Quotas does not list is recorded, not a shortfall (Bedrock enforces token quotas)', async () => {
    const client = fakeClient([{ QuotaName: 'Cross-Region InvokeModel tokens per minute for Anthropic Claude Sonnet 4.6', QuotaCode: 'L-T', Value: 90000 }]);
    const findings = await checkBedrockQuotas({ region: 'us-west-2', requestIncreases: true, demands: [
      { targets: ['a/b'], model: 'anthropic.claude-sonnet-4-6', kind: 'cross-region', tpm: 30000, rpm: 500 },
    ] }, client, sdk);
    expect(findings.map((f) => [f.metric, f.status])).toEqual([['tpm', 'ok'], ['rpm', 'not-listed']]);
    expect(describeFindings('us-west-2', findings)).toEqual([]);
    expect(client.requests).toEqual([]);
  });

  it('falls back to default quotas and honours a quota model name override', async () => {
    const client = fakeClient([], [{ QuotaName: 'Cross-region model inference tokens per minute for Anthropic Claude Opus 4.5 V1', QuotaCode: 'L-EEE', Value: 5000 }]);
    const findings = await checkBedrockQuotas({ region: 'us-east-1', requestIncreases: false, demands: [
      { targets: ['a/b'], model: 'anthropic.claude-opus-4-5-20251101-v1:0', kind: 'cross-region', tpm: 1000, rpm: 10, quotaModelName: 'Anthropic Claude Opus 4.5' },
    ] }, client, sdk);
    expect(findings[0]).toMatchObject({ status: 'ok', quotaCode: 'L-EEE' });
  });

  it('files increase requests to the planned value only when asked', async () => {
    const client = fakeClient(quotas);
    const findings = await checkBedrockQuotas(input(true), client, sdk);
    expect(client.requests).toEqual([
      { ServiceCode: 'bedrock', QuotaCode: 'L-CCC', DesiredValue: 30000 },
      { ServiceCode: 'bedrock', QuotaCode: 'L-RRR', DesiredValue: 500 },
    ]);
    expect(findings[0]).toMatchObject({ metric: 'tpm', status: 'short', increaseRequested: true });
    expect(findings[1]).toMatchObject({ metric: 'rpm', status: 'short', increaseRequested: true });
  });

  it('the inline Lambda source is self-contained and fails or warns as told', async () => {
    const source = quotaCheckHandlerSource();
    const run = async (onShortfall: string) => {
      const module = { exports: {} as { handler?: (e: unknown) => Promise<any> } };
      const client = fakeClient(quotas);
      const fakeSdk = { ...sdk, ServiceQuotasClient: class { send = client.send } };
      new Function('exports', 'require', 'console', source)(module.exports, () => fakeSdk, { log() {}, warn() {} });
      return module.exports.handler!({ RequestType: 'Create', ResourceProperties: {
        Region: 'us-west-2', Demands: JSON.stringify(input(false).demands.slice(0, 1)), OnShortfall: onShortfall, RequestIncreases: 'false',
      } });
    };
    // 'fail': the error (CloudFormation's status reason) names each shortfall, TPM and RPM.
    const failure = await run('fail').then(() => undefined, (e: Error) => e.message);
    expect(failure).toMatch(/^Bedrock quotas or grants below the plan: us-west-2 claude-sonnet\/bedrock-us-west-2: TPM .*\(L-CCC\) is 20000, the plan needs 30000; us-west-2 claude-sonnet\/bedrock-us-west-2: RPM .*\(L-RRR\) is 200, the plan needs 500$/);
    const warned = await run('warn');
    expect(warned).toMatchObject({ PhysicalResourceId: 'bedrock-quota-check-us-west-2', Data: { Shortfalls: expect.stringContaining('L-CCC') } });
    expect(warned.Data.Report).toBe(warned.Data.Shortfalls);
    expect(warned.Data.Shortfalls).toContain('(L-RRR) is 200, the plan needs 500');
  });
});

class GetInferenceProfileCommand { constructor(readonly input: any) {} }
/** A fake Bedrock control plane: GetInferenceProfile answers with one foundation-model ARN per destination region. */
function fakeBedrock(destinations: Record<string, string[]>) {
  return {
    async send(command: any) {
      const arn: string = command.input.inferenceProfileIdentifier;
      const id = arn.split('/')[1]!;
      if (!destinations[id]) throw Object.assign(new Error('not found'), { name: 'ResourceNotFoundException' });
      const model = id.slice(id.indexOf('.') + 1);
      return { inferenceProfileArn: arn, models: destinations[id]!.map((r) => ({ modelArn: `arn:aws:bedrock:${r}::foundation-model/${model}` })) };
    },
  };
}

describe('checkProfileDestinations', () => {
  const sonnetEu: ProfileGrant = {
    targets: ['claude-sonnet/bedrock-eu-central-1'], profileId: 'eu.anthropic.claude-sonnet-4-6',
    profileArn: 'arn:aws:bedrock:eu-central-1:111122223333:inference-profile/eu.anthropic.claude-sonnet-4-6',
    granted: ['eu-central-1', 'eu-north-1', 'eu-west-1', 'eu-west-3'],
  };

  it('names a destination AWS added that the role is not granted (the 403 to come), and nothing when all are granted', async () => {
    const sdkB = { GetInferenceProfileCommand };
    const added = await checkProfileDestinations('eu-central-1', [sonnetEu], fakeBedrock({ 'eu.anthropic.claude-sonnet-4-6': ['eu-central-1', 'eu-west-1', 'eu-south-2', 'eu-west-3'] }), sdkB);
    expect(added.problems).toEqual([
      "eu-central-1 claude-sonnet/bedrock-eu-central-1: eu.anthropic.claude-sonnet-4-6 now routes to eu-south-2, which IAM does not grant; add the region to the catalog's destinations (BEDROCK_GEOS) and deploy again",
    ]);
    const fine = await checkProfileDestinations('eu-central-1', [sonnetEu], fakeBedrock({ 'eu.anthropic.claude-sonnet-4-6': ['eu-central-1', 'eu-west-1'] }), sdkB);
    expect(fine).toEqual({ problems: [], unchecked: [] });
    const unreadable = await checkProfileDestinations('eu-central-1', [sonnetEu], fakeBedrock({}), sdkB);
    expect(unreadable).toEqual({ problems: [], unchecked: ['eu-central-1 eu.anthropic.claude-sonnet-4-6: destinations not read (ResourceNotFoundException)'] });
  });

  it('the inline handler fails the deployment on an ungranted destination when told to fail', async () => {
    const module = { exports: {} as { handler?: (e: unknown) => Promise<any> } };
    const quotasClient = fakeClient([
      { QuotaName: 'Cross-Region InvokeModel tokens per minute for Anthropic Claude Sonnet 4.6', QuotaCode: 'L-T', Value: 900000 },
    ]);
    const bedrockClient = fakeBedrock({ 'eu.anthropic.claude-sonnet-4-6': ['eu-central-1', 'eu-south-2'] });
    const modules: Record<string, unknown> = {
      '@aws-sdk/client-service-quotas': { ...sdk, ServiceQuotasClient: class { send = quotasClient.send } },
      '@aws-sdk/client-bedrock': { GetInferenceProfileCommand, BedrockClient: class { send = bedrockClient.send } },
    };
    new Function('exports', 'require', 'console', quotaCheckHandlerSource())(module.exports, (name: string) => modules[name], { log() {}, warn() {} });
    const event = (onShortfall: string) => ({ RequestType: 'Create', ResourceProperties: {
      Region: 'eu-central-1', OnShortfall: onShortfall, RequestIncreases: 'false', Profiles: JSON.stringify([sonnetEu]),
      Demands: JSON.stringify([{ targets: ['claude-sonnet/bedrock-eu-central-1'], model: 'anthropic.claude-sonnet-4-6', kind: 'cross-region', tpm: 30000, rpm: 1000 }]),
    } });
    await expect(module.exports.handler!(event('fail'))).rejects.toThrow(/below the plan: eu-central-1 claude-sonnet\/bedrock-eu-central-1: eu\.anthropic\.claude-sonnet-4-6 now routes to eu-south-2/);
    const warned = await module.exports.handler!(event('warn'));
    expect(warned.Data.Report).toContain('now routes to eu-south-2');
  });

  it('without the Bedrock SDK in the runtime, the destination check is skipped with a warning, not a failed deploy', async () => {
    const module = { exports: {} as { handler?: (e: unknown) => Promise<any> } };
    const quotasClient = fakeClient([{ QuotaName: 'Cross-Region InvokeModel tokens per minute for Anthropic Claude Sonnet 4.6', QuotaCode: 'L-T', Value: 900000 }]);
    const warnings: string[] = [];
    const require = (name: string) => {
      if (name === '@aws-sdk/client-service-quotas') return { ...sdk, ServiceQuotasClient: class { send = quotasClient.send } };
      throw new Error(`Cannot find module '${name}'`);
    };
    new Function('exports', 'require', 'console', quotaCheckHandlerSource())(module.exports, require, { log() {}, warn: (m: string) => warnings.push(m) });
    const result = await module.exports.handler!({ RequestType: 'Create', ResourceProperties: {
      Region: 'eu-central-1', OnShortfall: 'fail', RequestIncreases: 'false', Profiles: JSON.stringify([sonnetEu]),
      Demands: JSON.stringify([{ targets: ['claude-sonnet/bedrock-eu-central-1'], model: 'anthropic.claude-sonnet-4-6', kind: 'cross-region', tpm: 30000, rpm: 1000 }]),
    } });
    expect(result.Data.Report).toBe('eu-central-1: none');
    expect(warnings).toEqual([expect.stringContaining("Bedrock profile destinations not checked: Error: Cannot find module '@aws-sdk/client-bedrock'")]);
  });
});

describe('quotaDemands', () => {
  it('groups the example plan\'s Bedrock targets by source region and quota kind', () => {
    const plan = Plan.fromFile(path.resolve(__dirname, '../../../infra/headroom.yaml'));
    const demands = quotaDemands(plan);
    expect([...demands.keys()]).toEqual(['ap-southeast-1', 'eu-central-1', 'eu-west-1', 'us-east-1', 'us-west-2']);
    expect(demands.get('ap-southeast-1')).toEqual([{ targets: ['chatbot/bedrock-ap-southeast-1'], model: 'anthropic.claude-haiku-4-5-20251001-v1:0', kind: 'global', tpm: 30000, rpm: 1000 }]);
    expect(demands.get('us-west-2')).toEqual([{ targets: ['claude-sonnet/bedrock-us-west-2'], model: 'anthropic.claude-sonnet-4-6', kind: 'cross-region', tpm: 30000, rpm: 1000 }]);
  });

  it('adds up the RPM as well as the TPM of targets on one quota', () => {
    const base = {
      version: 1, name: 'two-apps', aws: { account: '111122223333', region: 'us-east-1' },
      families: {
        a: { api: 'anthropic', aliases: ['a'], targets: { t: { provider: 'bedrock', region: 'us-east-1', model: 'anthropic.claude-haiku-4-5-20251001-v1:0', profile: 'us', limits: { rpm: 100, tpm: 10000 } } } },
        b: { api: 'anthropic', aliases: ['b'], targets: { t: { provider: 'bedrock', region: 'us-east-1', model: 'anthropic.claude-haiku-4-5-20251001-v1:0', profile: 'us', limits: { rpm: 250, tpm: 20000 } } } },
      },
    };
    const withShared = (limits: { rpm: number; tpm: number }) => Plan.fromObject({
      ...base,
      quotas: { haiku: { limits } },
      families: Object.fromEntries(Object.entries(base.families).map(([id, f]) => [id, { ...f, targets: { t: { ...f.targets.t, quota: 'haiku' } } }])),
    } as never);
    // The shared quota above the sum: the targets' own limits add up (100 + 250 RPM, 10k + 20k TPM).
    expect(quotaDemands(withShared({ rpm: 1000, tpm: 100000 })).get('us-east-1')).toEqual([
      { targets: ['a/t', 'b/t'], model: 'anthropic.claude-haiku-4-5-20251001-v1:0', kind: 'cross-region', tpm: 30000, rpm: 350 },
    ]);
    // The shared quota below the sum: the router caps both at it, so that is what the account must grant.
    expect(quotaDemands(withShared({ rpm: 300, tpm: 25000 })).get('us-east-1')).toEqual([
      { targets: ['a/t', 'b/t'], model: 'anthropic.claude-haiku-4-5-20251001-v1:0', kind: 'cross-region', tpm: 25000, rpm: 300 },
    ]);
  });
});
