import * as pulumi from '@pulumi/pulumi';
import { compileRouterConfig, definePlan, type PlanInput } from '@headroom/plan';
import { HeadroomCapacity, testing } from '@headroom/pulumi';

/**
 * Two apps on one Vertex quota (same project, region and base model), declared shared, beside a
 * target with its quota to itself: the Pulumi quota preferences and the RouterConfig agree quota by
 * quota. One preference per quota and limit, at the limits the router charges.
 */
const sonnet = { provider: 'vertex', region: 'us-east5', model: 'claude-sonnet-4-6' } as const;
const input: PlanInput = {
  version: 1, name: 'two-apps', aws: { account: '111122223333', region: 'us-east-1' },
  gcp: { project: 'acme-ml', projectNumber: '123456789012', quotaContactEmail: 'quota@acme.example' },
  quotas: { 'sonnet-us-east5': { limits: { rpm: 200, itpm: 40000, otpm: 8000 } } },
  families: {
    support: {
      api: 'anthropic', aliases: ['support-sonnet'],
      targets: {
        'vertex-us-east5': { ...sonnet, quota: 'sonnet-us-east5', limits: { rpm: 150, itpm: 30000, otpm: 6000 } },
        'vertex-europe-west1': { ...sonnet, region: 'europe-west1', limits: { rpm: 50, itpm: 10000, otpm: 2000 } },
      },
    },
    search: { api: 'anthropic', aliases: ['search-sonnet'], targets: { 'vertex-us-east5': { ...sonnet, quota: 'sonnet-us-east5', limits: { rpm: 100, itpm: 20000, otpm: 4000 } } } },
  },
};
const plan = definePlan(input);
const config = compileRouterConfig(plan);
const mocks = new testing.StrictMocks();
const PREF = 'gcp:cloudquota/sQuotaPreference:SQuotaPreference';
let names: Record<string, string>;

beforeAll(async () => {
  jest.spyOn(pulumi.log, 'warn').mockResolvedValue();
  await testing.installStrictMocks(mocks, 'headroom', 'shared-quotas');
  const capacity = new HeadroomCapacity('headroom', { plan });
  await testing.settle();
  names = await testing.valueOf(capacity.quotaPreferenceNames);
  mocks.assertValid();
});
afterAll(() => jest.restoreAllMocks());

/** The RouterConfig's Vertex quotas: its shared `quotas`, and each other Vertex target's own bucket. */
const vertexTargets = Object.entries(config.targets).filter(([, t]) => t.provider === 'vertex');
const routerQuotas = new Map<string, { region: string; limits: Record<string, number | undefined>; targets: string[] }>();
for (const [key, target] of vertexTargets) {
  const shared = config.quotas[target.quota];
  const entry = routerQuotas.get(target.quota) ?? { region: target.region, limits: { ...(shared ?? target).limits }, targets: [] };
  entry.targets.push(key);
  routerQuotas.set(target.quota, entry);
}

describe('Pulumi quota preferences and RouterConfig agree on a shared Vertex quota', () => {
  it('the RouterConfig charges two quotas: the shared one (both families) and the unshared target\'s own', () => {
    expect([...routerQuotas.keys()].sort()).toEqual(['sonnet-us-east5', 'support/vertex-europe-west1']);
    expect(routerQuotas.get('sonnet-us-east5')!.targets.sort()).toEqual(['search/vertex-us-east5', 'support/vertex-us-east5']);
  });

  it('files exactly one preference per quota and limit, no more', () => {
    expect(mocks.ofType(PREF)).toHaveLength(3 * routerQuotas.size);
    const perQuota = new Set(mocks.ofType(PREF).map((p) => `${p.inputs.quotaId}|${JSON.stringify(p.inputs.dimensions)}`));
    expect(perQuota.size).toBe(3 * routerQuotas.size);
  });

  it.each([...routerQuotas.keys()])('%s: one preference per limit, in its region, at the limits the router charges', (id) => {
    const quota = routerQuotas.get(id)!;
    const inRegion = mocks.ofType(PREF).filter((p) => p.inputs.dimensions.region === quota.region);
    expect(inRegion).toHaveLength(3);
    for (const limit of ['rpm', 'itpm', 'otpm'] as const) {
      const preference = inRegion.find((p) => p.inputs.name === names[`${id}/${limit}`])!;
      expect(preference).toBeDefined();
      expect(preference.inputs.quotaId).toMatch(limit === 'rpm' ? /Requests/ : limit === 'itpm' ? /InputTokens/ : /OutputTokens/);
      expect(Number(preference.inputs.quotaConfig.preferredValue)).toBe(quota.limits[limit]);
    }
  });

  it('sizes the shared quota\'s preferences to the plan\'s quotas: limits, not to either target\'s or their sum', () => {
    expect(routerQuotas.get('sonnet-us-east5')!.limits).toEqual(input.quotas!['sonnet-us-east5']!.limits);
    const values = mocks.ofType(PREF).filter((p) => p.inputs.dimensions.region === 'us-east5').map((p) => Number(p.inputs.quotaConfig.preferredValue)).sort((a, b) => a - b);
    expect(values).toEqual([200, 8000, 40000]);
  });
});
