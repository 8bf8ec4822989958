import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { EXAMPLE_PLAN_PATH as EXAMPLE, headroom, SPAWN_TEST_TIMEOUT_MS } from './testing';

// Every test here spawns the built CLI; on a busy machine that takes seconds, never a failure.
jest.setTimeout(SPAWN_TEST_TIMEOUT_MS);

function writePlan(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'headroom-cli-'));
  const file = join(dir, 'headroom.yaml');
  writeFileSync(file, text);
  return file;
}

/** The example plan with only the named families (comments kept): a cheaper `--simulate`. */
function exampleWithFamilies(...keep: string[]): string {
  const doc = parseDocument(readFileSync(EXAMPLE, 'utf8'));
  for (const family of Object.keys((doc.toJS() as { families: object }).families)) {
    if (!keep.includes(family)) doc.deleteIn(['families', family]);
  }
  return writePlan(String(doc));
}

describe('headroom validate', () => {
  it('exits 0 for the example plan', () => {
    const { code, stdout } = headroom(['validate', EXAMPLE]);
    expect(code).toBe(0);
    expect(stdout).toContain('valid (3 families)');
  });

  it('exits 1 and lists every problem with file:line:column, without a stack trace', () => {
    const bad = readFileSync(EXAMPLE, 'utf8').replace('limits: { tpm: 30000 }          # rpm derived', 'limits: { tpm: 30500 }          # rpm derived').replace('rpm: 500, tpm: 30000', 'rpm: -1, tpm: 30000');
    const file = writePlan(bad);
    const { code, stderr } = headroom(['validate', file]);
    expect(code).toBe(1);
    expect(stderr).toMatch(new RegExp(`${file.replace(/[/.]/g, '\\$&')}:\\d+:\\d+: error families.gpt.targets.azure-eastus2.limits.tpm`));
    expect(stderr).toContain('error families.gpt.targets.openai.limits.rpm');
    expect(stderr).toContain('2 errors, 0 warnings');
    expect(stderr).not.toMatch(/\n\s+at .*\.js:\d+/);
  });

  it('explains a missing file', () => {
    const { code, stderr } = headroom(['validate', '/nonexistent/headroom.yaml']);
    expect(code).toBe(1);
    expect(stderr).toContain('cannot read the plan file (ENOENT)');
  });

  it('prints JSON for machines', () => {
    const { code, stdout } = headroom(['validate', EXAMPLE, '--format', 'json']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ valid: true, problems: [] });
  });

  it('rejects a plan with no families at the line of `families`, with the fix', () => {
    const text = readFileSync(EXAMPLE, 'utf8');
    const file = writePlan(`${text.slice(0, text.indexOf('families:'))}families: {}\n`);
    const { code, stderr } = headroom(['validate', file]);
    expect(code).toBe(1);
    const line = text.slice(0, text.indexOf('families:')).split('\n').length;
    expect(stderr).toContain(`${file}:${line}:1: error families: a plan needs at least one family`);
    expect(stderr).toContain('received: an empty map {}');
    expect(stderr).toMatch(/allowed: +a map of family id to/);
    expect(stderr).toMatch(/fix: +add a family/);
  });

  it('suggests the catalog model one edit away from a misspelt one', () => {
    // anthropic.claude-sonnet-4-6 is a Bedrock catalog model the example plan uses.
    const text = readFileSync(EXAMPLE, 'utf8');
    expect(text).toContain('model: anthropic.claude-sonnet-4-6');
    const file = writePlan(text.replace('model: anthropic.claude-sonnet-4-6', 'model: anthropic.claude-sonet-4-6'));
    const { code, stdout } = headroom(['validate', file]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/warning families\.claude-sonnet\.targets\.bedrock-\S+\.model: model not in the Bedrock catalog/);
    expect(stdout).toContain('received: "anthropic.claude-sonet-4-6"');
    expect(stdout).toContain("fix:      did you mean 'anthropic.claude-sonnet-4-6'?");
  });
});

describe('a directory given as the plan file', () => {
  it.each(['validate', 'plan', 'config'])('%s says it is a directory and names the headroom.yaml inside it', (command) => {
    const dir = join(resolve(EXAMPLE), '..');
    const { code, stderr } = headroom([command, dir]);
    expect(code).toBe(1);
    expect(stderr).toContain(`headroom: ${dir} is a directory, not a plan file`);
    expect(stderr).toContain(`hint: did you mean ${join(dir, 'headroom.yaml')}?`);
    expect(stderr).not.toMatch(/permission/i);
  });

  it('finds infra/headroom.yaml inside a checkout root, and suggests a file name where there is none', () => {
    const root = resolve(__dirname, '../../..');
    expect(headroom(['validate', root]).stderr).toContain(`hint: did you mean ${join(root, 'infra/headroom.yaml')}?`);
    const empty = mkdtempSync(join(tmpdir(), 'headroom-cli-'));
    mkdirSync(join(empty, 'plans'));
    const { code, stderr } = headroom(['validate', join(empty, 'plans')]);
    expect(code).toBe(1);
    expect(stderr).toContain(`hint: pass the plan file itself, e.g. ${join(empty, 'plans', 'headroom.yaml')}`);
  });
});

describe('--format', () => {
  it.each([
    [['validate', EXAMPLE], 'text, json'],
    [['plan', EXAMPLE], 'text, markdown, json'],
    [['diff', '--base', 'HEAD', EXAMPLE], 'markdown, json'],
  ])('%j rejects an unknown format with the allowed ones', (args, allowed) => {
    const { code, stdout, stderr } = headroom([...args, '--format', 'yaml']);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain("headroom: unknown --format 'yaml'");
    expect(stderr).toContain(`hint: use one of: ${allowed}`);
  });
});

describe('headroom plan', () => {
  it('shows 90,000 TPM theoretical beside the 2.7x planning rule of 81,000 for the chatbot', () => {
    const { code, stdout } = headroom(['plan', EXAMPLE]);
    expect(code).toBe(0);
    const chatbot = stdout.slice(stdout.indexOf('chatbot'), stdout.indexOf('claude-sonnet  ('));
    expect(chatbot).toContain('Theoretical: 90,000 tokens/min = 3.00x the best single target');
    expect(chatbot).toContain('2.7x planning rule (90% of the pool): 81,000 tokens/min = 2.70x the best single target');
  });

  it('speaks of the 2.7x planning rule, never of a seed or an issue', () => {
    for (const args of [['plan', EXAMPLE], ['plan', EXAMPLE, '--format', 'markdown'], ['plan', EXAMPLE, '--format', 'json'], ['plan', '--help'], ['--help']]) {
      const { stdout } = headroom(args);
      expect(stdout).not.toMatch(/\bseed\b|\bissue\b/i);
    }
    expect(headroom(['plan', '--help']).stdout).toContain('2.7x planning rule');
    expect(JSON.parse(headroom(['plan', EXAMPLE, '--format', 'json']).stdout).planningRule).toEqual({ regions: 3, multiplier: 2.7, efficiency: 0.9 });
  });

  it('renders markdown and json', () => {
    expect(headroom(['plan', EXAMPLE, '--format', 'markdown']).stdout).toContain('| target | provider | region |');
    const json = JSON.parse(headroom(['plan', EXAMPLE, '--format', 'json']).stdout);
    expect(json.families.find((f: { familyId: string }) => f.familyId === 'chatbot').tokens.sum).toBe(90000);
  });

  // gpt is the family where the rule's old two figures disagreed (2.70x on declared quota, 2.08x on
  // the simulator's scale, because Azure reserves max_tokens); simulating it alone keeps the test cheap.
  it('--simulate states the 2.7x planning rule once per family and sets the simulated share of the pool beside its 90%', () => {
    const file = exampleWithFamilies('gpt');
    const text = headroom(['plan', file, '--simulate']);
    expect(text.stderr).toBe('');
    expect(text.code).toBe(0);
    // The rule appears once as a figure, and elsewhere only as its share of the pool.
    const mentions = [...text.stdout.matchAll(/2\.7x (?:planning )?rule([^;\n]*)/g)].map((m) => m[1]);
    expect(mentions).toEqual([' (90% of the pool): 81,000 tokens/min = 2.70x the best single target', ' assumes 90%']);
    const simulated = /Simulated with the Headroom router: (\d+\.\d\d)x the best single target for this traffic \(openai\) at <= 0\.1% client 429s, [\d,]+ tokens\/min: (\d+)% of the pool's (\d+\.\d\d)x, where the 2\.7x planning rule assumes 90%; a pooled oracle reaches (\d+\.\d\d)x/.exec(text.stdout);
    expect(simulated).not.toBeNull();
    const [, multiplier, share, pooled] = simulated!.map(Number);
    expect(Math.abs(share! - (multiplier! / pooled!) * 100)).toBeLessThanOrEqual(1); // both sides are rounded for print
    expect(text.stdout).not.toMatch(/2\.7x rule \d/);

    const json = headroom(['plan', file, '--simulate', '--format', 'json']);
    expect(json.code).toBe(0);
    const { simulations, families } = JSON.parse(json.stdout) as {
      simulations: Record<string, { multiplier: number; oracleMultiplier: number; pooledMultiplier: number; shareOfPool: number; ruleOfThumb?: number }>;
      families: { familyId: string; ruleOfThumb: { multiplier: number } }[];
    };
    const gpt = simulations.gpt!;
    expect(Object.keys(simulations)).toEqual(['gpt']);
    expect(gpt.ruleOfThumb).toBeUndefined();
    expect(families.map((f) => f.familyId)).toEqual(['gpt']);
    expect(families[0]!.ruleOfThumb.multiplier).toBeCloseTo(2.7, 5);
    expect(gpt.shareOfPool).toBeCloseTo(gpt.multiplier / gpt.pooledMultiplier, 10);
    expect(gpt.multiplier).toBeGreaterThan(1);
    expect(gpt.multiplier).toBeLessThanOrEqual(gpt.pooledMultiplier * 1.001);
    expect(gpt.multiplier).toBeLessThanOrEqual(gpt.oracleMultiplier * 1.02);
  });

  it('finds infra/headroom.yaml when no file is given', () => {
    expect(headroom(['plan'], resolve(__dirname, '../../..')).code).toBe(0);
  });
});

describe('headroom config', () => {
  it('prints the RouterConfig', () => {
    const config = JSON.parse(headroom(['config', EXAMPLE]).stdout);
    expect(config.schema).toBe('headroom.router-config/v1');
    expect(Object.keys(config.targets)).toHaveLength(11);
  });
});

describe('help and usage errors', () => {
  it.each(['validate', 'plan', 'diff', 'config', 'emulate', 'serve', 'demo'])('%s --help', (command) => {
    const { code, stdout } = headroom([command, '--help']);
    expect(code).toBe(0);
    expect(stdout).toContain(`Usage: headroom ${command}`);
  });

  it('an unknown command exits 1 with usage help and no stack', () => {
    const { code, stderr } = headroom(['deploy']);
    expect(code).toBe(1);
    expect(stderr).toContain("unknown command 'deploy'");
    expect(stderr).not.toContain('    at ');
  });
});

/** The example plan with a second app on the chatbot's us-east-1 Bedrock quota (same account, region, model, profile). */
function exampleWithSecondApp(declared: boolean): string {
  const doc = parseDocument(readFileSync(EXAMPLE, 'utf8'));
  const first = doc.getIn(['families', 'chatbot', 'targets', 'bedrock-us-east-1']) as { toJSON(): Record<string, unknown> };
  const twin = { ...first.toJSON(), limits: { rpm: 500, tpm: 15000 } };
  if (declared) {
    doc.setIn(['quotas'], doc.createNode({ 'haiku-us-east-1': { limits: { rpm: 1000, tpm: 30000 } } }));
    doc.setIn(['families', 'chatbot', 'targets', 'bedrock-us-east-1', 'quota'], 'haiku-us-east-1');
    Object.assign(twin, { quota: 'haiku-us-east-1' });
  }
  doc.setIn(['families', 'faq'], doc.createNode({ api: 'anthropic', aliases: ['faq-haiku'], targets: { 'bedrock-us-east-1': twin } }));
  return writePlan(String(doc));
}

describe('shared provider quotas', () => {
  it('validate rejects an undeclared share at the second target, naming both targets and the quota, with the fix', () => {
    const file = exampleWithSecondApp(false);
    const { code, stderr } = headroom(['validate', file]);
    expect(code).toBe(1);
    const line = /:(\d+):\d+: error families\.faq\.targets\.bedrock-us-east-1\.quota: faq\/bedrock-us-east-1 and chatbot\/bedrock-us-east-1 draw on one provider quota \(bedrock account 111122223333, region us-east-1, model anthropic\.claude-haiku-4-5-20251001-v1:0, invocation cross-region profile\)/.exec(stderr);
    expect(line).not.toBeNull();
    expect(readFileSync(file, 'utf8').split('\n')[Number(line![1]) - 1]).toContain('bedrock-us-east-1:');
    expect(stderr).toContain('[quota/unintended-share]');
    expect(stderr).toMatch(/fix: +declare quotas: \{ .* \} and set quota: .* on both targets/);
  });

  it('plan counts a declared shared quota once: the chatbot stays at 90,000 (3.00x) and the plan total counts us-east-1 once', () => {
    const { code, stdout, stderr } = headroom(['plan', exampleWithSecondApp(true)]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('Theoretical: 90,000 tokens/min = 3.00x the best single target');
    expect(stdout).toContain('Shared quota haiku-us-east-1 (bedrock account 111122223333, region us-east-1');
    expect(stdout).toContain('also drawn on by faq/bedrock-us-east-1');
    // 90,000 chatbot + 174,000 claude-sonnet + 90,000 gpt; the faq app's 15,000 is inside the shared 30,000.
    expect(stdout).toContain("Plan total, each provider quota once (a quota shared by families is in each family's total above): 354,000 tokens/min");
  });
});
