import { stringify } from 'yaml';
import { parsePlan } from './load';
import { formatPath, type PlanProblem } from './problems';
import { examplePlanInput } from './testing';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Mutable = any;

interface Case {
  readonly name: string;
  readonly mutate: (plan: Mutable) => void;
  readonly code: string;
  readonly path: string;
  readonly message: RegExp;
  /** Text on the line the problem points at. */
  readonly line: string;
  readonly received?: string;
}

const T = (plan: Mutable, family: string, target: string) => plan.families[family].targets[target];

const CASES: Case[] = [
  { name: 'negative limit', mutate: (p) => { T(p, 'gpt', 'openai').limits.rpm = -5; }, code: 'schema/too-small', path: 'families.gpt.targets.openai.limits.rpm', message: /'rpm' is out of range/, line: 'rpm: -5', received: '-5' },
  { name: 'zero limit', mutate: (p) => { T(p, 'claude', 'anthropic').limits.otpm = 0; }, code: 'schema/too-small', path: 'families.claude.targets.anthropic.limits.otpm', message: /out of range/, line: 'otpm: 0', received: '0' },
  { name: 'fractional limit', mutate: (p) => { T(p, 'claude', 'bedrock-us-east-1').limits.tpm = 1500.5; }, code: 'schema/wrong-type', path: 'families.claude.targets.bedrock-us-east-1.limits.tpm', message: /must be a whole number/, line: 'tpm: 1500.5', received: '1500.5' },
  { name: 'limit as string', mutate: (p) => { T(p, 'gpt', 'openai').limits.tpm = '30k'; }, code: 'schema/wrong-type', path: 'families.gpt.targets.openai.limits.tpm', message: /must be a number/, line: 'tpm: 30k', received: '"30k"' },
  { name: 'missing limit is never unlimited', mutate: (p) => { delete T(p, 'claude', 'bedrock-us-east-1').limits.tpm; }, code: 'schema/missing-field', path: 'families.claude.targets.bedrock-us-east-1.limits.tpm', message: /missing required field 'tpm'/, line: 'limits:', received: 'nothing (the field is missing)' },
  { name: 'wrong limit kind for provider', mutate: (p) => { T(p, 'claude', 'vertex-europe-west1').limits.tpm = 30000; }, code: 'schema/unknown-field', path: 'families.claude.targets.vertex-europe-west1.limits.tpm', message: /unknown field 'tpm'/, line: 'tpm: 30000' },
  { name: 'misspelt limit', mutate: (p) => { const l = T(p, 'gpt', 'openai').limits; l.tmp = l.tpm; delete l.tpm; }, code: 'schema/unknown-field', path: 'families.gpt.targets.openai.limits.tmp', message: /unknown field 'tmp'/, line: 'tmp: 30000' },
  { name: 'azure tpm not whole units', mutate: (p) => { T(p, 'gpt', 'azure-eastus2').limits.tpm = 30500; }, code: 'azure/tpm-not-whole-units', path: 'families.gpt.targets.azure-eastus2.limits.tpm', message: /units of 1,000 TPM/, line: 'tpm: 30500', received: '30500' },
  { name: 'azure rpm above granted', mutate: (p) => { T(p, 'gpt', 'azure-eastus2').limits.rpm = 301; }, code: 'azure/rpm-above-granted', path: 'families.gpt.targets.azure-eastus2.limits.rpm', message: /Azure grants 300 RPM for 30000 TPM/, line: 'rpm: 301', received: '301' },
  { name: 'azure tpm above the per-region maximum', mutate: (p) => { T(p, 'gpt', 'azure-eastus2').limits.tpm = 16_000_000; }, code: 'azure/tpm-above-maximum', path: 'families.gpt.targets.azure-eastus2.limits.tpm', message: /largest quota Azure grants/, line: 'tpm: 16000000' },
  { name: 'azure sku not offered for model', mutate: (p) => { T(p, 'gpt', 'azure-eastus2').model = 'gpt-5-mini'; T(p, 'gpt', 'azure-eastus2').sku = 'Standard'; }, code: 'azure/sku-not-offered', path: 'families.gpt.targets.azure-eastus2.sku', message: /not offered as Standard/, line: 'sku: Standard' },
  { name: 'azure data zone outside US/EU', mutate: (p) => { const t = T(p, 'gpt', 'azure-eastus2'); t.region = 'japaneast'; t.sku = 'DataZoneStandard'; }, code: 'azure/sku-not-in-geo', path: 'families.gpt.targets.azure-eastus2.sku', message: /only in the us and eu data zones/, line: 'sku: DataZoneStandard' },
  { name: 'azure unknown sku', mutate: (p) => { T(p, 'gpt', 'azure-eastus2').sku = 'GlobalStandrd'; }, code: 'schema/not-allowed', path: 'families.gpt.targets.azure-eastus2.sku', message: /not one of the allowed values/, line: 'sku: GlobalStandrd' },
  { name: 'azure rpm cannot be derived', mutate: (p) => { T(p, 'gpt', 'azure-eastus2').model = 'gpt-9-experimental'; }, code: 'azure/rpm-unknown', path: 'families.gpt.targets.azure-eastus2.limits', message: /no RPM ratio for gpt-9-experimental/, line: 'limits:' },
  { name: 'unknown bedrock region', mutate: (p) => { T(p, 'claude', 'bedrock-us-east-1').region = 'us-east-9'; }, code: 'catalog/unknown-region', path: 'families.claude.targets.bedrock-us-east-1.region', message: /not a bedrock region/, line: 'region: us-east-9' },
  { name: 'azure region spelt AWS-style', mutate: (p) => { T(p, 'gpt', 'azure-eastus2').region = 'east-us-2'; }, code: 'catalog/unknown-region', path: 'families.gpt.targets.azure-eastus2.region', message: /not a azure-openai region/, line: 'region: east-us-2' },
  { name: 'unknown vertex region', mutate: (p) => { T(p, 'claude', 'vertex-europe-west1').region = 'europe-west99'; }, code: 'catalog/unknown-region', path: 'families.claude.targets.vertex-europe-west1.region', message: /not a vertex region/, line: 'region: europe-west99' },
  { name: 'bedrock region outside its profile geo', mutate: (p) => { T(p, 'claude', 'bedrock-us-east-1').profile = 'eu'; }, code: 'bedrock/region-outside-profile', path: 'families.claude.targets.bedrock-us-east-1.region', message: /cannot call the 'eu' inference profile/, line: 'region: us-east-1' },
  { name: 'bedrock Claude 4 without profile', mutate: (p) => { delete T(p, 'claude', 'bedrock-us-east-1').profile; }, code: 'bedrock/profile-required', path: 'families.claude.targets.bedrock-us-east-1.profile', message: /needs an inference profile/, line: 'bedrock-us-east-1:' },
  { name: 'unknown provider', mutate: (p) => { T(p, 'gpt', 'openai').provider = 'opneai'; }, code: 'schema/unknown-provider', path: 'families.gpt.targets.openai.provider', message: /unknown provider/, line: 'provider: opneai', received: '"opneai"' },
  { name: 'provider cannot serve the front door', mutate: (p) => { p.families.gpt.targets.bedrock = structuredClone(T(p, 'claude', 'bedrock-us-east-1')); }, code: 'family/provider-api-mismatch', path: 'families.gpt.targets.bedrock.provider', message: /cannot serve the openai front door/, line: 'provider: bedrock' },
  { name: 'family with no targets', mutate: (p) => { p.families.gpt.targets = {}; }, code: 'family/no-targets', path: 'families.gpt.targets', message: /at least one target/, line: 'targets: {}' },
  { name: 'alias in two families', mutate: (p) => { p.families.gpt.aliases.push('claude-sonnet-4-6'); }, code: 'family/duplicate-alias', path: 'families.gpt.aliases[1]', message: /already served by family 'claude'/, line: '- claude-sonnet-4-6' },
  { name: 'alias listed twice', mutate: (p) => { p.families.gpt.aliases.push('gpt-5.1'); }, code: 'family/duplicate-alias', path: 'families.gpt.aliases[1]', message: /listed twice/, line: '- gpt-5.1' },
  { name: 'no aliases', mutate: (p) => { p.families.gpt.aliases = []; }, code: 'schema/too-small', path: 'families.gpt.aliases', message: /out of range/, line: 'aliases: []' },
  { name: 'unknown api', mutate: (p) => { p.families.gpt.api = 'responses'; }, code: 'schema/not-allowed', path: 'families.gpt.api', message: /not one of the allowed values/, line: 'api: responses' },
  { name: 'vertex without gcp', mutate: (p) => { delete p.gcp; }, code: 'gcp/missing-project', path: 'gcp.project', message: /Vertex targets need gcp.project/, line: 'provider: vertex' },
  { name: 'azure without azure block', mutate: (p) => { delete p.azure; }, code: 'azure/missing-block', path: 'azure', message: /need the plan's azure block/, line: 'provider: azure-openai' },
  { name: 'plan name breaks naming rules', mutate: (p) => { p.name = 'Support_Bot'; }, code: 'naming/plan-name', path: 'name', message: /breaks naming rules/, line: 'name: Support_Bot' },
  { name: 'target id breaks naming rules', mutate: (p) => { p.families.gpt.targets['Azure.EastUS2'] = structuredClone(T(p, 'gpt', 'azure-eastus2')); delete p.families.gpt.targets['azure-eastus2']; }, code: 'naming/key', path: 'families.gpt.targets["Azure.EastUS2"]', message: /target id 'Azure.EastUS2'/, line: 'Azure.EastUS2:' },
  { name: 'derived quota preference id too long', mutate: (p) => { p.families.claude.targets['v'.repeat(40)] = T(p, 'claude', 'vertex-europe-west1'); delete p.families.claude.targets['vertex-europe-west1']; }, code: 'naming/derived-name', path: `families.claude.targets.${'v'.repeat(40)}`, message: /derived Vertex quota preference id 'support-bot-claude--v+-rpm'/, line: `${'v'.repeat(40)}:` },
  { name: 'aws account not 12 digits', mutate: (p) => { p.aws.account = '12345'; }, code: 'aws/account', path: 'aws.account', message: /not an AWS account id/, line: 'account: "12345"' },
  { name: 'aws region display name', mutate: (p) => { p.aws.region = 'US East'; }, code: 'aws/region', path: 'aws.region', message: /not an AWS region name/, line: 'region: US East' },
  { name: 'azure subscription not a GUID', mutate: (p) => { p.azure.subscription = 'my-sub'; }, code: 'azure/guid', path: 'azure.subscription', message: /not a GUID/, line: 'subscription: my-sub' },
  { name: 'gcp project id invalid', mutate: (p) => { p.gcp.project = 'Acme ML'; }, code: 'gcp/project', path: 'gcp.project', message: /not a GCP project id/, line: 'project: Acme ML' },
  { name: 'retry budget above 1', mutate: (p) => { p.routing.retryBudget = 1.5; }, code: 'schema/too-big', path: 'routing.retryBudget', message: /out of range/, line: 'retryBudget: 1.5' },
  { name: 'the retired single timeout names its replacements', mutate: (p) => { p.routing.timeoutMs = 60000; }, code: 'schema/retired-field', path: 'routing.timeoutMs', message: /replaced by routing.timeouts/, line: 'timeoutMs: 60000', received: '60000' },
  { name: 'total timeout beyond the Lambda maximum', mutate: (p) => { p.routing.timeouts = { totalMs: 900_000 }; }, code: 'schema/too-big', path: 'routing.timeouts.totalMs', message: /out of range/, line: 'totalMs: 900000' },
  { name: 'headers timeout longer than the total', mutate: (p) => { p.routing.timeouts = { headersMs: 30_000, totalMs: 20_000 }; }, code: 'routing/timeout-above-total', path: 'routing.timeouts.headersMs', message: /longer than totalMs \(20000\)/, line: 'headersMs: 30000' },
  { name: 'idle timeout longer than the default total', mutate: (p) => { p.routing.timeouts = { idleMs: 700_000 }; }, code: 'routing/timeout-above-total', path: 'routing.timeouts.idleMs', message: /the default totalMs \(600000\)/, line: 'idleMs: 700000' },
  { name: 'cooldown cap above an hour', mutate: (p) => { p.routing.maxCooldownMs = 7_200_000; }, code: 'schema/too-big', path: 'routing.maxCooldownMs', message: /out of range/, line: 'maxCooldownMs: 7200000' },
  { name: 'unknown top-level field', mutate: (p) => { p.familes = {}; }, code: 'schema/unknown-field', path: 'familes', message: /unknown field 'familes'/, line: 'familes: {}' },
  { name: 'unsupported plan version', mutate: (p) => { p.version = 2; }, code: 'schema/not-allowed', path: 'version', message: /not one of the allowed values/, line: 'version: 2' },
  { name: 'residency pin nobody serves', mutate: (p) => { p.families.gpt.pins = ['apac']; }, code: 'residency/pin-unserved', path: 'families.gpt.pins[0]', message: /no target of 'gpt' processes in 'apac'/, line: '- apac' },
  { name: 'more deployments than an Azure account holds', mutate: (p) => { for (let i = 1; i <= 32; i++) p.families.gpt.targets[`azure-eastus2-${String(i).padStart(2, '0')}`] = { ...T(p, 'gpt', 'azure-eastus2'), limits: { tpm: 1000 } }; }, code: 'azure/too-many-deployments', path: 'families.gpt.targets.azure-eastus2-32', message: /the eastus2 account would hold 33 deployments/, line: 'azure-eastus2-32:' },
  { name: 'no families', mutate: (p) => { p.families = {}; }, code: 'plan/no-families', path: 'families', message: /at least one family/, line: 'families: {}', received: 'an empty map {}' },
  { name: 'identity issuer not https', mutate: (p) => { p.aws.identityIssuer = 'http://issuer.example'; }, code: 'schema/invalid', path: 'aws.identityIssuer', message: /URL/i, line: 'identityIssuer: http://issuer.example' },
];

function problemsOf(text: string): PlanProblem[] {
  const result = parsePlan(text, 'plans/headroom.yaml');
  return result.ok ? [...result.warnings] : [...result.problems];
}

describe('invalid plans', () => {
  it('the base plan is valid with no warnings', () => {
    const result = parsePlan(stringify(examplePlanInput()), 'plans/headroom.yaml');
    expect(result.ok && result.warnings).toEqual([]);
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const plan = examplePlanInput() as Mutable;
    c.mutate(plan);
    const text = stringify(plan);
    const problems = problemsOf(text);
    const match = problems.find((p) => p.code === c.code && formatPath(p.path) === c.path);
    if (!match) throw new Error(`expected ${c.code} at ${c.path}; got:\n${problems.map((p) => `${p.code} ${formatPath(p.path)}`).join('\n')}`);
    expect(match.severity).toBe('error');
    expect(match.message).toMatch(c.message);
    expect(match.allowed.length).toBeGreaterThan(3);
    expect(match.fix.length).toBeGreaterThan(3);
    if (c.received) expect(match.received).toBe(c.received);
    expect(match.location?.file).toBe('plans/headroom.yaml');
    expect(text.split('\n')[match.location!.line - 1]).toContain(c.line);
  });

  it('has at least 30 cases', () => expect(CASES.length).toBeGreaterThanOrEqual(30));

  it('reports every problem at once', () => {
    const plan = examplePlanInput() as Mutable;
    T(plan, 'gpt', 'openai').limits.rpm = -1;
    T(plan, 'gpt', 'azure-eastus2').limits.tpm = 30500;
    T(plan, 'claude', 'bedrock-us-east-1').region = 'mars-1';
    plan.name = 'X';
    const codes = problemsOf(stringify(plan)).map((p) => p.code).sort();
    expect(codes).toEqual(['azure/tpm-not-whole-units', 'catalog/unknown-region', 'naming/plan-name', 'schema/too-small']);
  });
});

describe('YAML-level problems', () => {
  it('rejects duplicate keys with their line', () => {
    const text = 'version: 1\nname: support-bot\nname: other\n';
    const [problem] = problemsOf(text);
    expect(problem).toMatchObject({ code: 'yaml/duplicate-key', message: "duplicate key 'name'", location: { line: 3, column: 1 } });
  });

  it('rejects a duplicate target id inside a family', () => {
    const text = stringify(examplePlanInput()).replace('      openai:\n', '      openai:\n        provider: openai\n      openai:\n');
    const problems = problemsOf(text);
    expect(problems[0]).toMatchObject({ code: 'yaml/duplicate-key', message: "duplicate key 'openai'" });
  });

  it('reports broken syntax with the line, not a stack trace', () => {
    const problems = problemsOf('version: 1\nfamilies:\n  gpt: [unclosed\n');
    expect(problems[0]!.code).toMatch(/^yaml\//);
    expect(problems[0]!.location!.line).toBeGreaterThanOrEqual(3);
  });

  it('rejects a file that is not a map', () => {
    expect(problemsOf('- a\n- b\n')[0]).toMatchObject({ code: 'yaml/not-a-map' });
    expect(problemsOf('')[0]).toMatchObject({ code: 'yaml/not-a-map', received: 'an empty file' });
  });
});

describe('warnings', () => {
  it('warns about a model the catalog does not know in a region, and keeps the plan usable', () => {
    const plan = examplePlanInput() as Mutable;
    T(plan, 'claude', 'vertex-europe-west1').region = 'asia-northeast1';
    plan.families.claude.pins = [];
    const result = parsePlan(stringify(plan), 'p.yaml');
    expect(result.ok).toBe(true);
    expect(result.ok && result.warnings.map((w) => w.code)).toContain('catalog/model-not-in-region');
  });

  it('warns that Gemini limits are advisory under dynamic shared quota', () => {
    const plan = examplePlanInput() as Mutable;
    plan.families.gemini = { api: 'anthropic', aliases: ['g'], targets: {} };
    delete plan.families.gemini;
    T(plan, 'claude', 'vertex-europe-west1').model = 'gemini-2.5-pro';
    const result = parsePlan(stringify(plan), 'p.yaml');
    expect(result.ok && result.warnings.map((w) => w.code)).toContain('vertex/advisory-quota');
  });

  it('warns when a residency pin is left with a single target', () => {
    const plan = examplePlanInput() as Mutable;
    delete plan.families.claude.targets['vertex-europe-west1'];
    const result = parsePlan(stringify(plan), 'p.yaml');
    const warning = result.ok ? result.warnings.find((w) => w.code === 'residency/single-target') : undefined;
    expect(warning).toMatchObject({ path: ['families', 'claude', 'pins', 0], message: "'eu'-pinned traffic has a single target (bedrock-eu-west-1) and no failover" });
  });
});
