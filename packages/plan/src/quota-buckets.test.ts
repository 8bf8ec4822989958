import fc from 'fast-check';
import { stringify } from 'yaml';
import { capacityOf, planCapacityOf } from './capacity';
import { definePlanWithWarnings } from './define';
import { parsePlan, validatePlan } from './load';
import { formatPath } from './problems';
import { providerQuotaOf, quotaBucketsOf } from './quota-buckets';
import type { PlanInput } from './schema';
import { examplePlanInput } from './testing';
import type { Target } from './types';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Mutable = any;

const ctx = { name: 'support-bot', aws: { account: '111122223333' }, azure: { subscription: 'sub-1' }, gcp: { project: 'acme-ml' } };
const same = (a: Target, b: Target, c = ctx) => providerQuotaOf(c, a).key === providerQuotaOf(c, b).key;

const bedrock = (over: Partial<Target & { provider: 'bedrock' }> = {}): Target => ({
  provider: 'bedrock', region: 'us-east-1', model: 'anthropic.claude-sonnet-4-6', profile: 'us', limits: { rpm: 1000, tpm: 30000 }, ...over,
} as Target);
const azure = (over: Record<string, unknown> = {}): Target => ({
  provider: 'azure-openai', region: 'eastus2', model: 'gpt-5.1', version: '2025-11-13', sku: 'GlobalStandard', limits: { tpm: 30000 }, ...over,
} as Target);
const vertex = (over: Record<string, unknown> = {}): Target => ({
  provider: 'vertex', region: 'us-east5', model: 'claude-sonnet-4-6', limits: { rpm: 100, itpm: 1000, otpm: 100 }, ...over,
} as Target);
const anthropic = (over: Record<string, unknown> = {}): Target => ({
  provider: 'anthropic', model: 'claude-sonnet-4-6', limits: { rpm: 100, itpm: 1000, otpm: 100 }, ...over,
} as Target);
const openai = (over: Record<string, unknown> = {}): Target => ({ provider: 'openai', model: 'gpt-5.1', limits: { rpm: 100, tpm: 1000 }, ...over } as Target);

// Each case restates the provider's documentation (cited in catalog/quota-scopes.ts), not the code.
describe('the provider quota a target draws on', () => {
  it('Bedrock: per model per Region; on-demand and cross-Region are separate quotas, the global profile its own (quotas-runtime)', () => {
    expect(same(bedrock(), bedrock())).toBe(true);
    expect(same(bedrock({ profile: undefined }), bedrock())).toBe(false);
    expect(same(bedrock({ profile: 'global' }), bedrock())).toBe(false);
    expect(same(bedrock({ region: 'us-west-2' }), bedrock())).toBe(false);
    expect(same(bedrock({ model: 'anthropic.claude-haiku-4-5-20251001-v1:0' }), bedrock())).toBe(false);
    expect(same(bedrock(), bedrock(), { ...ctx, aws: { account: '444455556666' } })).toBe(true);
    expect(providerQuotaOf({ ...ctx, aws: { account: '444455556666' } }, bedrock()).key).not.toBe(providerQuotaOf(ctx, bedrock()).key);
  });

  it('Azure OpenAI: per subscription, region, model and deployment type; deployments share it (quotas-limits)', () => {
    expect(same(azure(), azure({ version: '2026-01-01', limits: { tpm: 1000 } }))).toBe(true);
    expect(same(azure(), azure({ sku: 'DataZoneStandard' }))).toBe(false);
    expect(same(azure(), azure({ region: 'swedencentral' }))).toBe(false);
    expect(same(azure(), azure({ model: 'gpt-5-mini' }))).toBe(false);
  });

  it('Vertex: per project, region and base model (Claude quotas page)', () => {
    expect(same(vertex(), vertex({ limits: { rpm: 1, itpm: 1, otpm: 1 } }))).toBe(true);
    expect(same(vertex(), vertex({ region: 'europe-west1' }))).toBe(false);
    expect(same(vertex(), vertex({ model: 'claude-haiku-4-5@20251001' }))).toBe(false);
    expect(providerQuotaOf(ctx, vertex()).label).toContain('base model anthropic-claude-sonnet-4-6');
  });

  it('Anthropic API: per organization and model class: "Sonnet 4.x (Sonnet 4.6 and 4.5 combined)" (rate-limits)', () => {
    expect(same(anthropic(), anthropic({ model: 'claude-sonnet-4-5-20250929' }))).toBe(true);
    expect(same(anthropic({ model: 'claude-opus-4-6' }), anthropic({ model: 'claude-opus-4-5' }))).toBe(true);
    expect(same(anthropic(), anthropic({ model: 'claude-haiku-4-5' }))).toBe(false);
    expect(same(anthropic(), anthropic({ secret: 'other-org/anthropic-api-key' }))).toBe(false);
  });

  it('OpenAI: per organization and model (rate-limits guide)', () => {
    expect(same(openai(), openai())).toBe(true);
    expect(same(openai(), openai({ model: 'gpt-5-mini' }))).toBe(false);
    expect(same(openai(), openai({ secret: 'other/openai-api-key' }))).toBe(false);
  });
});

/** The report: a second Bedrock target on the same account, source region and model. */
function chatbotWithTwin(declare: boolean): PlanInput {
  const plan: Mutable = examplePlanInput();
  const first = plan.families.claude.targets['bedrock-us-east-1'];
  plan.families.claude.targets['bedrock-us-east-1-twin'] = { ...first };
  if (declare) {
    plan.quotas = { 'sonnet-us-east-1': { limits: { rpm: 1000, tpm: 30000 } } };
    first.quota = 'sonnet-us-east-1';
    plan.families.claude.targets['bedrock-us-east-1-twin'].quota = 'sonnet-us-east-1';
  }
  return plan;
}

describe('sharing a provider quota', () => {
  it('is an error, located and naming both targets and the quota, when the plan does not say so', () => {
    const text = stringify(chatbotWithTwin(false));
    const result = parsePlan(text, 'headroom.yaml');
    expect(result.ok).toBe(false);
    const problem = (result.ok ? [] : result.problems).find((p) => p.code === 'quota/unintended-share')!;
    expect(formatPath(problem.path)).toBe('families.claude.targets.bedrock-us-east-1-twin.quota');
    expect(problem.message).toContain('claude/bedrock-us-east-1-twin and claude/bedrock-us-east-1');
    expect(problem.message).toContain('bedrock account 111122223333, region us-east-1, model anthropic.claude-sonnet-4-6, invocation cross-region profile');
    expect(problem.received).toBe('nothing (the field is missing)');
    expect(problem.fix).toMatch(/quotas: \{ .*limits/);
    expect(text.split('\n')[problem.location!.line - 1]).toContain('bedrock-us-east-1-twin:');
  });

  it('across families too (two apps on one account)', () => {
    const plan: Mutable = examplePlanInput();
    plan.families.other = { api: 'anthropic', aliases: ['other-sonnet'], targets: { b: { ...plan.families.claude.targets['bedrock-us-east-1'] } } };
    const codes = validatePlan(plan).problems.filter((p) => p.code === 'quota/unintended-share');
    expect(codes.map((p) => p.message)).toEqual([expect.stringContaining('other/b and claude/bedrock-us-east-1')]);
  });

  it('is counted once when declared: the twin adds nothing, so the multiplier stays at the true value', () => {
    const single = capacityOf(definePlanWithWarnings(examplePlanInput()).plan).find((f) => f.familyId === 'claude')!;
    const { plan, warnings } = definePlanWithWarnings(chatbotWithTwin(true));
    expect(warnings.filter((w) => w.code.startsWith('quota/'))).toEqual([]);
    const claude = capacityOf(plan).find((f) => f.familyId === 'claude')!;
    expect(claude.tokens.sum).toBe(single.tokens.sum);
    expect(claude.tokens.multiplier).toBe(single.tokens.multiplier);
    expect(claude.limits.tpm!.sum).toBe(60000);
    expect(quotaBucketsOf(plan).find((b) => b.id === 'sonnet-us-east-1')).toMatchObject({
      shared: true, targets: ['claude/bedrock-us-east-1', 'claude/bedrock-us-east-1-twin'], limits: { rpm: 1000, tpm: 30000 },
    });
  });

  it('rejects a declared quota spanning two provider quotas, an unknown name, and missing limit kinds', () => {
    const plan: Mutable = chatbotWithTwin(true);
    plan.families.claude.targets['bedrock-eu-west-1'].quota = 'sonnet-us-east-1';
    plan.families.gpt.targets.openai.quota = 'nope';
    plan.quotas['sonnet-us-east-1'].limits = { rpm: 1000 };
    const codes = validatePlan(plan).problems.map((p) => p.code);
    expect(codes).toEqual(expect.arrayContaining(['quota/spans-provider-quotas', 'quota/unknown', 'quota/missing-limit']));
  });
});

describe('capacity counts each provider quota once (property)', () => {
  // Targets drawn from a small pool so collisions are common; every colliding group is declared shared.
  const slot = fc.record({
    family: fc.constantFrom('a', 'b', 'c'),
    region: fc.constantFrom('us-east-1', 'us-west-2'),
    profile: fc.constantFrom<('us' | 'global')[]>('us', 'global'),
    tpm: fc.integer({ min: 1, max: 100 }).map((n) => n * 1000),
  });
  const planFrom = (slots: { family: string; region: string; profile: 'us' | 'global'; tpm: number }[], quotaTpm: number, reverse: boolean): Mutable => {
    const families: Mutable = {};
    const quotas: Mutable = {};
    slots.forEach((s, i) => {
      const name = `q-${s.region}-${s.profile}`;
      quotas[name] = { limits: { rpm: 1000, tpm: quotaTpm } };
      families[s.family] ??= { api: 'anthropic', aliases: [`alias-${s.family}`], targets: {} };
      families[s.family].targets[`t${i}`] = { provider: 'bedrock', region: s.region, model: 'anthropic.claude-sonnet-4-6', profile: s.profile, quota: name, limits: { rpm: 500, tpm: s.tpm } };
    });
    const order = (o: Mutable) => Object.fromEntries(reverse ? Object.entries(o).reverse() : Object.entries(o));
    for (const f of Object.values(families) as Mutable[]) f.targets = order(f.targets);
    return { version: 1, name: 'prop-plan', aws: { account: '111122223333', region: 'us-east-1' }, families: order(families), quotas: order(quotas) };
  };

  it('never exceeds the sum of its distinct provider quotas, per family and for the plan; key order changes nothing', () => {
    fc.assert(fc.property(fc.array(slot, { minLength: 1, maxLength: 8 }), fc.integer({ min: 1, max: 200 }).map((n) => n * 1000), (slots, quotaTpm) => {
      const { plan } = definePlanWithWarnings(planFrom(slots, quotaTpm, false));
      const distinct = new Set(slots.map((s) => `${s.region}|${s.profile}`)).size;
      const whole = planCapacityOf(plan);
      expect(whole.tokensPerMinute).toBeLessThanOrEqual(distinct * quotaTpm);
      for (const family of capacityOf(plan)) {
        const familyDistinct = new Set(slots.filter((s) => s.family === family.familyId).map((s) => `${s.region}|${s.profile}`)).size;
        expect(family.tokens.sum).toBeLessThanOrEqual(familyDistinct * quotaTpm);
        expect(family.tokens.sum).toBeLessThanOrEqual(whole.tokensPerMinute);
      }
      const reordered = definePlanWithWarnings(planFrom(slots, quotaTpm, true)).plan;
      expect(capacityOf(reordered)).toEqual(capacityOf(plan));
      expect(quotaBucketsOf(reordered)).toEqual(quotaBucketsOf(plan));
    }), { numRuns: 150 });
  });
});

describe('Azure deployments on one quota (subscription, region, model, deployment type)', () => {
  const twoDeployments = (aTpm: number, bTpm: number, quotaTpm: number): Mutable => {
    const plan: Mutable = examplePlanInput();
    const first = plan.families.gpt.targets['azure-eastus2'];
    plan.quotas = { 'gpt-eastus2': { limits: { tpm: quotaTpm } } };
    Object.assign(first, { quota: 'gpt-eastus2', limits: { tpm: aTpm } });
    plan.families.gpt.targets['azure-eastus2-b'] = { ...first, limits: { tpm: bTpm } };
    return plan;
  };
  const problemsOf = (plan: Mutable) => validatePlan(plan).problems.filter((p) => p.code.startsWith('azure/quota'));

  it('fit when their sku.capacity adds up to at most the declared quota', () => {
    expect(problemsOf(twoDeployments(40000, 60000, 100000)).filter((p) => p.severity === 'error')).toEqual([]);
  });

  it('must add up to at most the declared quota', () => {
    const [problem] = problemsOf(twoDeployments(60000, 60000, 100000));
    expect(problem).toMatchObject({ severity: 'error', code: 'azure/quota-exceeded', received: '120000' });
    expect(problem!.message).toContain("gpt/azure-eastus2, gpt/azure-eastus2-b add up to 120000 TPM, above the shared quota 'gpt-eastus2' (100000 TPM)");
  });

  it('must fit the largest quota tier Azure grants, named (gpt-5.1 GlobalStandard: 15M TPM at tier 6)', () => {
    const problems = problemsOf(twoDeployments(10_000_000, 10_000_000, 15_000_000));
    expect(problems).toEqual([expect.objectContaining({ severity: 'error', code: 'azure/quota-tier-exceeded', message: expect.stringContaining('above quota tier 6 (15000000 TPM)') })]);
  });
});

describe('a target limit above its shared quota', () => {
  it('is a warning at the target\'s limit: the quota caps it', () => {
    const plan: Mutable = chatbotWithTwin(true);
    plan.families.claude.targets['bedrock-us-east-1-twin'].limits = { rpm: 1000, tpm: 40000 };
    const problems = validatePlan(plan).problems.filter((p) => p.code === 'quota/target-above-quota');
    expect(problems).toEqual([expect.objectContaining({ severity: 'warning', path: ['families', 'claude', 'targets', 'bedrock-us-east-1-twin', 'limits', 'tpm'], received: '40000' })]);
  });
});
