import * as path from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import { compileRouterConfig, loadPlanFileOrThrow, targetsOf, workloadIdentityProviderId, type RouterConfig } from '@headroom/plan';
import { testing } from '@headroom/pulumi';

/**
 * For the example plan, the resources the example Pulumi program creates and the RouterConfig the
 * router is compiled with agree target by target: endpoints, names and limits. (The CDK template
 * leg joins when packages/cdk exists.)
 */
const ROOT = path.resolve(__dirname, '../..');
const { plan } = loadPlanFileOrThrow(path.join(ROOT, 'infra/headroom.yaml'));
const config: RouterConfig = compileRouterConfig(plan);
const mocks = new testing.StrictMocks();
let endpoints: Record<string, { baseUrl: string; path: string }>;
let gcpIdentity: { project: string; poolId: string; providerId: string } | undefined;

beforeAll(async () => {
  jest.spyOn(pulumi.log, 'warn').mockResolvedValue();
  await testing.installStrictMocks(mocks, 'headroom', 'consistency');
  const program = require(path.join(ROOT, 'infra/pulumi/index.ts')) as Record<string, pulumi.Output<any>>;
  await testing.settle();
  endpoints = await testing.valueOf(program.endpoints!);
  gcpIdentity = await testing.valueOf(program.gcpRouterIdentity!);
  mocks.assertValid();
});
afterAll(() => jest.restoreAllMocks());

const azureKeys = targetsOf(plan).filter((r) => r.target.provider === 'azure-openai').map((r) => r.key);
const vertexKeys = targetsOf(plan).filter((r) => r.target.provider === 'vertex').map((r) => r.key);

describe('Pulumi resources and RouterConfig agree on the example plan', () => {
  it('covers every Azure and Vertex target of the plan', () => {
    expect(azureKeys).toEqual(['gpt/azure-eastus2', 'gpt/azure-swedencentral']);
    expect(vertexKeys).toEqual(['claude-sonnet/vertex-europe-west1', 'claude-sonnet/vertex-us-east5']);
    expect(Object.keys(endpoints).sort()).toEqual([...azureKeys, ...vertexKeys].sort());
  });

  it.each(azureKeys)('%s: account subdomain = endpoint host, deployment name = endpoint path, capacity x 1,000 = tpm', (key) => {
    const target = config.targets[key]!;
    const host = new URL(target.endpoint.baseUrl).hostname;
    const account = mocks.ofType('azure-native:cognitiveservices:Account').find((a) => a.inputs.location === target.region)!;
    expect(`${account.inputs.properties.customSubDomainName}.openai.azure.com`).toBe(host);
    expect(account.inputs.accountName).toBe(account.inputs.properties.customSubDomainName);
    const deployment = mocks.ofType('azure-native:cognitiveservices:Deployment').find((d) => d.inputs.accountName === account.inputs.accountName)!;
    expect(`/openai/deployments/${deployment.inputs.deploymentName}`).toBe(target.endpoint.path);
    expect(deployment.inputs.properties.model.name).toBe(target.upstreamModel);
    expect(deployment.inputs.sku.capacity * 1000).toBe(target.limits.tpm);
    expect(endpoints[key]).toEqual({ baseUrl: target.endpoint.baseUrl, path: target.endpoint.path });
  });

  it.each(vertexKeys)('%s: project, region and model = endpoint path; quota preferences = limits', (key) => {
    const target = config.targets[key]!;
    expect(endpoints[key]).toEqual({ baseUrl: target.endpoint.baseUrl, path: target.endpoint.path });
    const [familyId, targetId] = key.split('/') as [string, string];
    for (const limit of ['rpm', 'itpm', 'otpm'] as const) {
      const preference = mocks.one('gcp:cloudquota/sQuotaPreference:SQuotaPreference', `headroom-vertex-${familyId}--${targetId}-${limit}`);
      expect(preference.inputs.parent).toBe(`projects/${plan.gcp!.project}`);
      expect(target.endpoint.path).toBe(`/v1/projects/${plan.gcp!.project}/locations/${preference.inputs.dimensions.region}/publishers/anthropic/models/${target.upstreamModel}`);
      expect(Number(preference.inputs.quotaConfig.preferredValue)).toBe(target.limits[limit]);
    }
  });

  it('the Workload Identity pool is the one the router authenticates through', () => {
    for (const key of vertexKeys) {
      const auth = config.targets[key]!.auth;
      expect(auth.mode).toBe('google-federated');
      if (auth.mode !== 'google-federated') continue;
      expect(gcpIdentity).toMatchObject({ project: auth.project, poolId: auth.pool });
    }
  });

  it('the Workload Identity provider id is the one the router authenticates through', () => {
    const auth = config.targets[vertexKeys[0]!]!.auth;
    expect(auth.mode === 'google-federated' ? auth.provider : undefined).toBe(workloadIdentityProviderId(plan));
  });
});
