import * as path from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import { testing } from '@headroom/pulumi';

/**
 * Runs the example company program (infra/pulumi/index.ts, what `pulumi up` runs via Pulumi.yaml)
 * under strict mocks. Without mocks a Pulumi program silently does nothing, so this test asserts
 * that resources were actually observed.
 */
const PROGRAM = path.resolve(__dirname, '../../infra/pulumi/index.ts');
const mocks = new testing.StrictMocks();
let program: Record<string, pulumi.Output<unknown>>;
const warnings: string[] = [];

beforeAll(async () => {
  jest.spyOn(pulumi.log, 'warn').mockImplementation(async (message) => { warnings.push(message); });
  await testing.installStrictMocks(mocks, 'headroom', 'example');
  program = require(PROGRAM) as Record<string, pulumi.Output<unknown>>;
  await testing.settle();
});
afterAll(() => jest.restoreAllMocks());

describe('infra/pulumi example program', () => {
  it('provisions through HeadroomCapacity beside the stand-ins for the company resource group and project', () => {
    mocks.assertValid();
    expect(mocks.resources.length).toBeGreaterThan(20);
    expect(mocks.one('azure-native:resources:ResourceGroup', 'company-llm-capacity').readId).toBe('/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/llm-capacity');
    expect(mocks.one('gcp:organizations/project:Project', 'company-ml-project').readId).toBe('acme-ml');
    expect(mocks.ofType('headroom:index:HeadroomCapacity').map((r) => r.name)).toEqual(['headroom']);
    expect(mocks.ofType('azure-native:cognitiveservices:Deployment')).toHaveLength(2);
    expect(mocks.ofType('gcp:cloudquota/sQuotaPreference:SQuotaPreference')).toHaveLength(6);
    for (const account of mocks.ofType('azure-native:cognitiveservices:Account')) expect(account.inputs.resourceGroupName).toBe('llm-capacity');
  });

  it('exports what the router needs and no key or secret', async () => {
    expect(Object.keys(program).sort()).toEqual(['azureRouterIdentity', 'deploymentNames', 'endpoints', 'gcpRouterIdentity', 'quotaPreferenceNames']);
    for (const [name, output] of Object.entries(program)) {
      expect([name, await pulumi.isSecret(output)]).toEqual([name, false]);
      expect(JSON.stringify(await testing.valueOf(output))).not.toMatch(/password|secret|apikey|api-key/i);
    }
  });

  it("trusts the router role through the plan's outbound identity issuer, with no warning", () => {
    const [credential] = mocks.ofType('azuread:index/applicationFederatedIdentityCredential:ApplicationFederatedIdentityCredential');
    expect(credential!.inputs).toMatchObject({
      issuer: 'https://a1b2c3d4-0000-4000-8000-000000000000.tokens.sts.global.api.aws',
      subject: 'arn:aws:iam::111122223333:role/support-bot-headroom-router',
    });
    expect(warnings.filter((w) => w.includes('[azure/keyless-trust-skipped]'))).toEqual([]);
  });
});
