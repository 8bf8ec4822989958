import { checkBedrockQuotas, describeFindings, quotaCheckHandlerSource, type QuotaCheckInput } from './quota-check-handler';
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

const quotas = [
  { QuotaName: 'On-demand InvokeModel tokens per minute for Anthropic Claude Sonnet 4.6', QuotaCode: 'L-AAA', Value: 200000 },
  { QuotaName: 'Cross-Region InvokeModel tokens per minute for Anthropic Claude Sonnet 4.6 V1 1M Context Length', QuotaCode: 'L-BBB', Value: 900000 },
  { QuotaName: 'Cross-Region InvokeModel tokens per minute for Anthropic Claude Sonnet 4.6', QuotaCode: 'L-CCC', Value: 20000 },
  { QuotaName: 'Global Cross-region model inference tokens per minute for Anthropic Claude Haiku 4.5', QuotaCode: 'L-DDD', Value: 50000 },
];

describe('checkBedrockQuotas', () => {
  const input = (requestIncreases: boolean): QuotaCheckInput => ({
    region: 'us-west-2', requestIncreases,
    demands: [
      { targets: ['claude-sonnet/bedrock-us-west-2'], model: 'anthropic.claude-sonnet-4-6', kind: 'cross-region', tpm: 30000 },
      { targets: ['chatbot/x'], model: 'anthropic.claude-haiku-4-5-20251001-v1:0', kind: 'global', tpm: 30000 },
      { targets: ['chatbot/y'], model: 'anthropic.claude-opus-4-5-20251101-v1:0', kind: 'cross-region', tpm: 1000 },
    ],
  });

  it('pages through quotas, resolves codes by name (not the 1M-context variant) and compares with the plan', async () => {
    const client = fakeClient(quotas);
    const findings = await checkBedrockQuotas(input(false), client, sdk);
    expect(findings.map((f) => [f.status, f.quotaCode, f.applied])).toEqual([['short', 'L-CCC', 20000], ['ok', 'L-DDD', 50000], ['not-found', undefined, undefined]]);
    expect(client.requests).toEqual([]);
    expect(describeFindings('us-west-2', findings)).toEqual([
      "us-west-2 claude-sonnet/bedrock-us-west-2: 'Cross-Region InvokeModel tokens per minute for Anthropic Claude Sonnet 4.6' (L-CCC) is 20000, the plan needs 30000",
      'us-west-2 chatbot/y: no cross-region TPM quota matched anthropic.claude-opus-4-5-20251101-v1:0; set quotaModelNames for it',
    ]);
  });

  it('falls back to default quotas and honours a quota model name override', async () => {
    const client = fakeClient([], [{ QuotaName: 'Cross-region model inference tokens per minute for Anthropic Claude Opus 4.5 V1', QuotaCode: 'L-EEE', Value: 5000 }]);
    const findings = await checkBedrockQuotas({ region: 'us-east-1', requestIncreases: false, demands: [
      { targets: ['a/b'], model: 'anthropic.claude-opus-4-5-20251101-v1:0', kind: 'cross-region', tpm: 1000, quotaModelName: 'Anthropic Claude Opus 4.5' },
    ] }, client, sdk);
    expect(findings[0]).toMatchObject({ status: 'ok', quotaCode: 'L-EEE' });
  });

  it('files increase requests to the planned value only when asked', async () => {
    const client = fakeClient(quotas);
    const findings = await checkBedrockQuotas(input(true), client, sdk);
    expect(client.requests).toEqual([{ ServiceCode: 'bedrock', QuotaCode: 'L-CCC', DesiredValue: 30000 }]);
    expect(findings[0]).toMatchObject({ status: 'short', increaseRequested: true });
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
    await expect(run('fail')).rejects.toThrow(/Bedrock quotas below the plan: us-west-2 claude-sonnet\/bedrock-us-west-2/);
    await expect(run('warn')).resolves.toMatchObject({ PhysicalResourceId: 'bedrock-quota-check-us-west-2', Data: { Shortfalls: expect.stringContaining('L-CCC') } });
  });
});

describe('quotaDemands', () => {
  it('groups the example plan\'s Bedrock targets by source region and quota kind', () => {
    const plan = Plan.fromFile(path.resolve(__dirname, '../../../infra/headroom.yaml'));
    const demands = quotaDemands(plan);
    expect([...demands.keys()]).toEqual(['ap-southeast-1', 'eu-central-1', 'eu-west-1', 'us-east-1', 'us-west-2']);
    expect(demands.get('ap-southeast-1')).toEqual([{ targets: ['chatbot/bedrock-ap-southeast-1'], model: 'anthropic.claude-haiku-4-5-20251001-v1:0', kind: 'global', tpm: 30000 }]);
    expect(demands.get('us-west-2')).toEqual([{ targets: ['claude-sonnet/bedrock-us-west-2'], model: 'anthropic.claude-sonnet-4-6', kind: 'cross-region', tpm: 30000 }]);
  });
});
