import type { Plan } from '@headroom/plan';
import { CapacityPlanError } from './errors';
import { examplePlan, multiDeploymentPlan } from './plans.test.fixture';
import { checkAzure, checkAzureIdentity, checkVertex, planErrors, throwOnErrors } from './validate';

const codes = (problems: { code: string; severity: string }[]) => problems.map((p) => `${p.severity} ${p.code}`);

/** A plan built by hand (no plan validator): Azure TPM above the maximum and in part-units, Vertex without a project. */
function unprovisionable(): Plan {
  const plan = multiDeploymentPlan();
  const gpt = plan.families.gpt!;
  return {
    ...plan,
    gcp: undefined,
    families: {
      ...plan.families,
      gpt: {
        ...gpt,
        targets: {
          ...gpt.targets,
          'eastus2-a': { provider: 'azure-openai', region: 'eastus2', model: 'gpt-5.1', version: '2025-11-13', sku: 'GlobalStandard', limits: { tpm: 16_000_000 } },
          'eastus2-b': { provider: 'azure-openai', region: 'eastus2', model: 'gpt-5.1', version: '2025-11-13', sku: 'DataZoneStandard', limits: { tpm: 1500 } },
        },
      },
    },
  };
}

describe('checkAzure / checkVertex / checkAzureIdentity', () => {
  it('accepts the example plan; a missing issuer or quota contact is only a warning', () => {
    const plan = examplePlan(null);
    expect(codes(checkAzure(plan))).toEqual([]);
    expect(codes(checkAzureIdentity(plan))).toEqual(['warning azure/keyless-trust-skipped']);
    expect(codes(checkVertex(plan))).toEqual([]);
    expect(codes(checkVertex({ ...plan, gcp: { project: 'acme-ml' } }))).toEqual(['warning vertex/quota-contact-missing']);
  });

  it('refuses a shared Vertex quota whose targets override its quota id differently, or whose preference id is too long', () => {
    const base = multiDeploymentPlan();
    const sonnet = { provider: 'vertex' as const, region: 'us-east5', model: 'claude-sonnet-4-6', limits: { rpm: 10, itpm: 1000, otpm: 1000 } };
    const shared = (name: string, rpmId?: string): Plan => ({
      ...base,
      quotas: { [name]: { limits: { rpm: 10, itpm: 1000, otpm: 1000 } } },
      families: {
        a: { api: 'anthropic', aliases: ['a'], targets: { v: { ...sonnet, quota: name } } },
        b: { api: 'anthropic', aliases: ['b'], targets: { v: { ...sonnet, quota: name, ...(rpmId ? { quotaIds: { rpm: rpmId } } : {}) } } },
      },
    });
    expect(codes(checkVertex(shared('sonnet')))).toEqual([]);
    const ids = checkVertex(shared('sonnet', 'CustomRpmQuotaId'));
    expect(codes(ids)).toEqual(['error vertex/shared-quota-ids']);
    expect(ids[0]!.path).toEqual(['families', 'a', 'targets', 'v', 'quotaIds', 'rpm']);
    // acme--<name>-itpm: 63 characters is the most a preference id may have.
    expect(codes(checkVertex(shared('q'.repeat(63 - 'acme--'.length - '-itpm'.length))))).toEqual([]);
    expect(codes(checkVertex(shared('q'.repeat(64 - 'acme--'.length - '-itpm'.length))))).toEqual(['error naming/derived-name', 'error naming/derived-name']);
  });

  it('warns for a model on dynamic shared quota instead of filing a preference', () => {
    expect(codes(checkVertex(multiDeploymentPlan()))).toEqual(['warning vertex/advisory-quota']);
  });

  it('runs the plan validator on a hand-built plan: every provisioning error at once', () => {
    const plan = unprovisionable();
    const errors = planErrors(plan);
    expect(codes(errors)).toEqual(expect.arrayContaining(['error azure/tpm-above-maximum', 'error azure/tpm-not-whole-units', 'error gcp/missing-project']));
    expect(errors.find((p) => p.code === 'azure/tpm-above-maximum')).toMatchObject({ path: ['families', 'gpt', 'targets', 'eastus2-a', 'limits', 'tpm'], received: '16000000', allowed: 'at most 15000000' });
  });

  it('rejects an issuer that is not an https URL', () => {
    const plan = examplePlan('sts.amazonaws.com');
    expect(codes(checkAzureIdentity(plan))).toEqual(['error aws/identity-issuer']);
  });

  it('rejects a Vertex model without a base_model dimension and derived names that break naming rules', () => {
    const plan = multiDeploymentPlan();
    const claude = plan.families.claude!;
    const longId = 'x'.repeat(40);
    const broken: Plan = {
      ...plan,
      name: 'a'.repeat(20),
      families: {
        ...plan.families,
        claude: { ...claude, targets: { [longId]: { provider: 'vertex', region: 'us-east5', model: 'claude-unknown', limits: { rpm: 1, itpm: 1, otpm: 1 } } } },
      },
    };
    expect(codes(checkVertex(broken)).sort()).toEqual(['error vertex/unknown-base-model', 'warning vertex/advisory-quota']);
    expect(codes(planErrors(broken))).toEqual(expect.arrayContaining(['error naming/derived-name']));
  });

  it('throws one CapacityPlanError listing every error, and returns warnings otherwise', () => {
    const plan = unprovisionable();
    let thrown: unknown;
    try {
      throwOnErrors('headroom:index:HeadroomCapacity (capacity)', plan, [...checkAzure(plan), ...checkVertex(plan)]);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(CapacityPlanError);
    const error = thrown as CapacityPlanError;
    expect(error.problems.filter((p) => p.severity === 'error').map((p) => p.code).sort()).toEqual(['azure/tpm-above-maximum', 'azure/tpm-not-whole-units', 'gcp/missing-project']);
    expect(error.message).toContain('headroom:index:HeadroomCapacity (capacity) cannot provision this plan');
    expect(error.message).toContain('[azure/tpm-above-maximum]');
    expect(error.message).toContain('[gcp/missing-project]');
    expect(throwOnErrors('x', multiDeploymentPlan(), checkVertex(multiDeploymentPlan())).map((w) => w.code)).toEqual(['vertex/advisory-quota']);
  });
});
