import { definePlan } from './define';
import { bySeverity, diffPlans, formatCount, formatCountChange, formatMultiplier, formatPercentChange, RISK_SEVERITY, type Risk } from './diff';
import type { PlanInput } from './schema';
import { examplePlanInput } from './testing';

/* eslint-disable @typescript-eslint/no-explicit-any */
function variant(mutate: (p: any) => void): PlanInput {
  const input = examplePlanInput() as any;
  mutate(input);
  return input;
}

const base = definePlan(examplePlanInput());
const diffTo = (mutate: (p: any) => void) => diffPlans(base, definePlan(variant(mutate)));

describe('diffPlans', () => {
  it('reports nothing for an identical plan in another key order', () => {
    const input = examplePlanInput();
    const reordered = definePlan({ ...input, families: Object.fromEntries(Object.entries(input.families).reverse()) });
    expect(diffPlans(base, reordered)).toMatchObject({ changed: false, targets: [], risks: [] });
  });

  it('reports a changed limit field by field, with family totals before and after', () => {
    const diff = diffTo((p) => { p.families.gpt.targets['azure-eastus2'].limits.tpm = 20000; });
    expect(diff.targets).toEqual([
      expect.objectContaining({ key: 'gpt/azure-eastus2', kind: 'changed', fields: [
        { field: 'limits.rpm', before: 300, after: 200 },
        { field: 'limits.tpm', before: 30000, after: 20000 },
      ] }),
    ]);
    const gpt = diff.families.find((f) => f.familyId === 'gpt')!;
    expect(gpt.before!.tokens.sum).toBe(60000);
    expect(gpt.after!.tokens.sum).toBe(50000);
    expect(diff.risks).toEqual([
      { code: 'capacity-decreased', subject: 'gpt', message: '\'gpt\' loses capacity: RPM 800 → 700 (\u221212.5%), TPM 60,000 → 50,000 (\u221216.7%)' },
    ]);
  });

  it('flags a Vertex limit falling by more than 10% (Cloud Quotas\' safety check) and names gcp.allowQuotaDecrease', () => {
    const itpm = (value: number, allow?: boolean) => diffTo((p) => {
      p.families.claude.targets['vertex-europe-west1'].limits.itpm = value;
      if (allow !== undefined) p.gcp.allowQuotaDecrease = allow;
    }).risks.filter((r) => r.code === 'vertex-quota-decrease');
    const [risk] = itpm(20000);
    expect(risk).toMatchObject({ code: 'vertex-quota-decrease', subject: 'claude/vertex-europe-west1' });
    expect(risk!.message).toContain('itpm 30,000 -> 20,000');
    expect(risk!.message).toContain('gcp.allowQuotaDecrease: true');
    expect(risk!.message).toContain('QUOTA_DECREASE_PERCENTAGE_TOO_HIGH');
    // 30,000 -> 27,000 is exactly 10%: Cloud Quotas accepts it; 26,999 is more.
    expect(itpm(27000)).toEqual([]);
    expect(itpm(26999)).toHaveLength(1);
    expect(itpm(40000)).toEqual([]);
    expect(itpm(20000, true)[0]!.message).toContain('gcp.allowQuotaDecrease is set');
  });

  it('flags an Azure increase as needing quota', () => {
    const diff = diffTo((p) => { p.families.gpt.targets['azure-eastus2'].limits.tpm = 50000; });
    expect(diff.risks.map((r) => r.code)).toEqual(['azure-quota-request']);
    expect(diff.risks[0]!.message).toMatch(/\+20,000 TPM of gpt-5.1 GlobalStandard quota in eastus2/);
  });

  it('flags a residency group losing failover', () => {
    const diff = diffTo((p) => { delete p.families.claude.targets['vertex-europe-west1']; });
    expect(diff.risks.map((r) => r.code)).toContain('residency-failover-lost');
    expect(diff.risks.find((r) => r.code === 'residency-failover-lost')!.message).toMatch(/'eu' processing in 'claude' drops from 2 targets to 1/);
  });

  it('flags a provider that needs new credentials', () => {
    const withNew = diffPlans(definePlan(variant((p) => { delete p.families.gpt.targets.openai; })), base);
    expect(withNew.risks).toContainEqual({ code: 'new-credentials', subject: 'gpt/openai', message: 'first openai target (gpt/openai): needs an OpenAI API key in Secrets Manager' });
  });

  it('recognises a renamed target id that would replace resources', () => {
    const diff = diffTo((p) => {
      p.families.gpt.targets['azure-east-us-2'] = p.families.gpt.targets['azure-eastus2'];
      delete p.families.gpt.targets['azure-eastus2'];
    });
    expect(diff.targets.map((t) => [t.key, t.kind])).toEqual([['gpt/azure-east-us-2', 'added'], ['gpt/azure-eastus2', 'removed']]);
    expect(diff.risks.find((r) => r.code === 'target-renamed')!.message).toMatch(/gpt\/azure-eastus2 looks renamed to gpt\/azure-east-us-2/);
  });

  it('flags a region move that replaces an Azure deployment', () => {
    const diff = diffTo((p) => { p.families.gpt.targets['azure-eastus2'].region = 'westus3'; });
    expect(diff.risks.map((r) => r.code)).toContain('resource-replaced');
  });

  it('reports plan-level setting changes and removed families', () => {
    const diff = diffTo((p) => { p.alarms.throttleRatePct = 2; delete p.families.gpt; });
    expect(diff.planFields).toEqual([{ field: 'alarms.throttleRatePct', before: 1, after: 2 }]);
    expect(diff.risks.map((r) => r.code)).toContain('family-removed');
  });

  it('treats a missing base as a new plan: everything added, credentials called out', () => {
    const diff = diffPlans(undefined, base);
    expect(diff.targets.every((t) => t.kind === 'added')).toBe(true);
    expect(diff.risks.map((r) => r.code).sort()).toEqual(['new-credentials', 'new-credentials', 'new-credentials', 'new-credentials', 'new-credentials']);
  });

  it('lists risks most serious first: a lost residency failover before a capacity loss', () => {
    // Dropping the EU Vertex target both shrinks the family and leaves 'eu' with one target.
    const diff = diffTo((p) => { delete p.families.claude.targets['vertex-europe-west1']; });
    const codes = diff.risks.map((r) => r.code);
    expect(codes[0]).toBe('residency-failover-lost');
    expect(codes).toContain('capacity-decreased');
    expect(codes.indexOf('residency-failover-lost')).toBeLessThan(codes.indexOf('capacity-decreased'));
  });

  it('ranks every risk code once, family removal first and new credentials last', () => {
    const ranked = Object.entries(RISK_SEVERITY).sort(([, a], [, b]) => a - b).map(([code]) => code);
    expect(ranked).toEqual([
      'family-removed', 'residency-failover-lost', 'resource-replaced', 'target-renamed',
      'capacity-decreased', 'vertex-quota-decrease', 'azure-quota-request', 'new-credentials',
    ]);
    expect(new Set(Object.values(RISK_SEVERITY)).size).toBe(ranked.length);
  });

  it('sorts by severity and keeps the found order within a code', () => {
    const risk = (code: Risk['code'], subject: string): Risk => ({ code, subject, message: '' });
    const sorted = bySeverity([risk('new-credentials', 'a'), risk('capacity-decreased', 'b'), risk('family-removed', 'c'), risk('capacity-decreased', 'd')]);
    expect(sorted.map((r) => r.subject)).toEqual(['c', 'b', 'd', 'a']);
  });
});

describe('diffPlans with shared quotas', () => {
  const twinOnSharedQuota = (p: any) => {
    const first = p.families.claude.targets['bedrock-us-east-1'];
    p.quotas = { 'sonnet-us-east-1': { limits: { rpm: 1000, tpm: 30000 } } };
    first.quota = 'sonnet-us-east-1';
    p.families.claude.targets['bedrock-us-east-1-twin'] = { ...first };
  };

  it('adds nothing to the family totals for a second target on a shared quota already counted', () => {
    const diff = diffTo(twinOnSharedQuota);
    const claude = diff.families.find((f) => f.familyId === 'claude')!;
    expect(claude.after!.tokens.sum).toBe(claude.before!.tokens.sum);
    expect(claude.after!.limits.tpm!.sum).toBe(claude.before!.limits.tpm!.sum);
    expect(diff.planFields.map((f) => f.field)).toContain('quotas.sonnet-us-east-1.limits.tpm');
  });

  it('reports a shrinking shared quota as lost capacity, once', () => {
    const shared = definePlan(variant(twinOnSharedQuota));
    const diff = diffPlans(shared, definePlan(variant((p) => { twinOnSharedQuota(p); p.quotas['sonnet-us-east-1'].limits.tpm = 20000; })));
    expect(diff.risks).toEqual([expect.objectContaining({ code: 'capacity-decreased', subject: 'claude', message: expect.stringContaining('TPM 60,000 → 50,000') })]);
  });

  it('asks for Azure quota once per quota that deployments share', () => {
    const diff = diffTo((p) => {
      const first = p.families.gpt.targets['azure-eastus2'];
      p.quotas = { 'gpt-eastus2': { limits: { tpm: 100000 } } };
      first.quota = 'gpt-eastus2';
      p.families.gpt.targets['azure-eastus2-b'] = { ...first, limits: { tpm: 20000 } };
      first.limits = { tpm: 40000 };
    });
    const requests = diff.risks.filter((r) => r.code === 'azure-quota-request');
    expect(requests).toHaveLength(1);
    expect(requests[0]!.message).toMatch(/gpt\/azure-eastus2 and gpt\/azure-eastus2-b \(one quota\) need \+30,000 TPM of gpt-5.1 GlobalStandard quota in eastus2/);
  });
});

describe('number formats', () => {
  it('writes counts with separators and a real minus sign', () => {
    expect([formatCount(60000), formatCount(-1234.6), formatCount(-0.2)]).toEqual(['60,000', '\u22121,235', '0']);
    expect([formatCountChange(20000), formatCountChange(-500), formatCountChange(0)]).toEqual(['+20,000', '\u2212500', '0']);
  });

  it('writes one multiplier and one percentage format', () => {
    expect(formatMultiplier(2.776)).toBe('2.78x');
    expect([formatPercentChange(120, 90), formatPercentChange(60, 90), formatPercentChange(90, 90)]).toEqual(['+33.3%', '\u221233.3%', '0.0%']);
    expect([formatPercentChange(100000, 100001), formatPercentChange(5, 0), formatPercentChange(0, 0)]).toEqual(['0.0%', 'new', '0.0%']);
  });
});
