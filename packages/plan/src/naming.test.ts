import fc from 'fast-check';
import { stringify } from 'yaml';
import { parsePlan } from './load';
import {
  azureAccountName, azureEndpoint, azureNameSuffix, checkName, NAME_RULES, targetKeySegment, vertexQuotaPreferenceId, workloadIdentityPoolId,
} from './naming';
import { formatPath } from './problems';
import { examplePlanInput } from './testing';

/** Family and target ids as the plan allows them (NAME_RULES.key): lowercase words joined by single hyphens. */
const word = fc.stringMatching(/^[a-z][a-z0-9]{0,3}$/);
const key = fc.array(word, { minLength: 1, maxLength: 4 }).map((words) => words.join('-'));
const plan = { name: 'support-bot' };
const SUBSCRIPTION = '00000000-0000-4000-8000-000000000001';

describe('Vertex quota preference ids', () => {
  it('never collide for distinct target keys, with the same or another limit', () => {
    fc.assert(fc.property(key, key, key, key, fc.constantFrom('rpm', 'itpm', 'otpm'), fc.constantFrom('rpm', 'itpm', 'otpm'), (f1, t1, f2, t2, l1, l2) => {
      expect(checkName(NAME_RULES.key, f1) && checkName(NAME_RULES.key, t1)).toBe(true);
      fc.pre(f1 !== f2 || t1 !== t2 || l1 !== l2);
      expect(vertexQuotaPreferenceId(plan, f1, t1, l1)).not.toBe(vertexQuotaPreferenceId(plan, f2, t2, l2));
    }), { numRuns: 2000 });
  });

  it("tell chat-eu/vertex from chat/eu-vertex, which a plain hyphen join confused", () => {
    expect(targetKeySegment('chat-eu', 'vertex')).toBe('chat-eu--vertex');
    expect(targetKeySegment('chat', 'eu-vertex')).toBe('chat--eu-vertex');
    expect(vertexQuotaPreferenceId(plan, 'chat-eu', 'vertex', 'rpm')).not.toBe(vertexQuotaPreferenceId(plan, 'chat', 'eu-vertex', 'rpm'));
  });
});

describe('Azure account names and custom subdomains', () => {
  const azure = (subscription: string, subdomainSuffix?: string) => ({ name: 'support-bot', azure: { subscription, ...(subdomainSuffix !== undefined ? { subdomainSuffix } : {}) } });

  it('carry a suffix from the subscription id: the same subscription, the same names; another, other names', () => {
    expect(azureAccountName(azure(SUBSCRIPTION), 'eastus2')).toMatch(/^support-bot-eastus2-[0-9a-f]{6}$/);
    expect(azureAccountName(azure(SUBSCRIPTION.toUpperCase()), 'eastus2')).toBe(azureAccountName(azure(SUBSCRIPTION), 'eastus2'));
    const suffixes = new Set(Array.from({ length: 50 }, (_, i) => azureNameSuffix(azure(`00000000-0000-4000-8000-${String(i).padStart(12, '0')}`))));
    expect(suffixes.size).toBe(50);
  });

  it('take the plan override instead, and none for an empty override', () => {
    expect(azureAccountName(azure(SUBSCRIPTION, 'acme1'), 'eastus2')).toBe('support-bot-eastus2-acme1');
    expect(azureEndpoint(azure(SUBSCRIPTION, ''), 'swedencentral')).toBe('https://support-bot-swedencentral.openai.azure.com');
  });

  it('fit the account naming rule for the longest plan name, region and suffix', () => {
    const longest = { name: 'a'.repeat(24), azure: { subscription: SUBSCRIPTION, subdomainSuffix: '12345678' } };
    expect(checkName(NAME_RULES.azureAccount, azureAccountName(longest, 'australiasoutheast'))).toBe(true);
  });

  it('the override is checked by the schema, with its location', () => {
    const input = examplePlanInput() as { azure: Record<string, unknown> };
    input.azure.subdomainSuffix = 'Acme_1';
    const result = parsePlan(stringify(input), 'headroom.yaml');
    expect(result.ok).toBe(false);
    const problem = !result.ok ? result.problems.find((p) => formatPath(p.path) === 'azure.subdomainSuffix') : undefined;
    expect(problem?.location?.line).toBeGreaterThan(0);
  });
});

describe('the gcp- prefix', () => {
  it('is refused as a plan name: the pool id <name>-router would carry the prefix GCP reserves', () => {
    const input = { ...examplePlanInput(), name: 'gcp-support' };
    const text = stringify(input);
    const result = parsePlan(text, 'headroom.yaml');
    const problem = !result.ok ? result.problems.find((p) => p.code === 'naming/reserved-prefix') : undefined;
    expect(problem).toMatchObject({ severity: 'error', path: ['name'], received: '"gcp-support"' });
    expect(problem?.message).toContain(`'${workloadIdentityPoolId(input)}'`);
    expect(text.split('\n')[problem!.location!.line - 1]).toContain('name: gcp-support');
  });
});
