import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, EXAMPLE_PLAN_PATH, headroom } from './testing';

const EXAMPLE = readFileSync(EXAMPLE_PLAN_PATH, 'utf8');
/** Each test spawns the CLI a few times; a busy 2-core machine may take many seconds per spawn. */
const SPAWNING = 60_000;

/** A real git repository with the example plan committed on main. */
function repoWithPlan(): { dir: string; commit: (text: string, message: string) => void } {
  const dir = mkdtempSync(join(tmpdir(), 'headroom-diff-'));
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'pipe' });
  git('init', '-q', '-b', 'main');
  git('config', 'user.email', 'test@example.com');
  git('config', 'user.name', 'Test');
  const commit = (text: string, message: string) => {
    writeFileSync(join(dir, 'headroom.yaml'), text);
    git('add', 'headroom.yaml');
    git('commit', '-q', '-m', message);
  };
  commit(EXAMPLE, 'base plan');
  return { dir, commit };
}

/** The CLI with a chosen environment, e.g. a PATH without git. */
function headroomWithEnv(args: string[], cwd: string, env: NodeJS.ProcessEnv): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd, env, encoding: 'utf8', timeout: SPAWNING });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const dropTarget = (text: string, targetId: string) => text.replace(new RegExp(`      ${targetId}:\\n(?:.*\\n){4}(?:        profile: .*\\n)?(?:        limits: .*\\n)?`), '');
// More us-east-1 for the chatbot; the EU Vertex target of claude-sonnet gone (a residency and a capacity risk).
const GROW_US_DROP_EU_VERTEX = dropTarget(EXAMPLE.replace(/(bedrock-us-east-1:\n(?:.*\n){4}\s+limits: \{ rpm: 1000, tpm: )30000/, '$160000'), 'vertex-europe-west1');

describe('the PR comment of headroom diff', () => {
  it('puts each family\'s net change first, then the risks most serious first, then the detail', () => {
    const { dir, commit } = repoWithPlan();
    expect(GROW_US_DROP_EU_VERTEX).not.toBe(EXAMPLE);
    commit(GROW_US_DROP_EU_VERTEX, 'more us-east-1, drop vertex europe');
    const { code, stdout, stderr } = headroom(['diff', '--base', 'HEAD~1', 'headroom.yaml'], dir);
    expect(stderr).toContain("warning families.claude-sonnet.pins[0]: 'eu'-pinned traffic has a single target");
    expect(code).toBe(0);
    expect(stdout.startsWith('<!-- headroom-diff -->\n## Headroom plan diff: `support-bot`')).toBe(true);

    const lines = stdout.split('\n');
    const at = (pattern: RegExp) => {
      const index = lines.findIndex((l) => pattern.test(l));
      expect({ pattern: String(pattern), index }).not.toEqual({ pattern: String(pattern), index: -1 });
      return index;
    };
    const counts = at(/^Comparing `headroom.yaml` with `HEAD~1`: \*\*2 risks\*\* · 2 target changes \(1 removed\) · 2 families$/);
    const chatbot = at(/^- `chatbot`: 90,000 → 120,000 tokens\/min \(\+33\.3%\), multiplier 3\.00x → 2\.00x$/);
    const sonnet = at(/^- `claude-sonnet`: 174,000 → 136,000 tokens\/min \(\u221221\.8%\), multiplier 4\.58x → 3\.58x$/);
    const residency = at(/^1\. \*\*residency-failover-lost\*\* `claude-sonnet`: 'eu' processing in 'claude-sonnet' drops from 2 targets to 1/);
    const capacity = at(/^2\. \*\*capacity-decreased\*\* `claude-sonnet`: 'claude-sonnet' loses capacity: RPM 6,000 → 5,000 \(\u221216\.7%\), ITPM 90,000 → 60,000 \(\u221233\.3%\)/);
    const removed = at(/^- `claude-sonnet\/vertex-europe-west1`: vertex europe-west1, 38,000 tokens\/min no longer routed$/);
    const table = at(/^<details><summary>Target changes \(2\)<\/summary>$/);
    const chart = at(/^```mermaid$/);
    expect([counts, chatbot, sonnet, residency, capacity, removed, table, chart]).toEqual([...[counts, chatbot, sonnet, residency, capacity, removed, table, chart]].sort((a, b) => a - b));

    expect(stdout).toContain('| `chatbot/bedrock-us-east-1` | changed | `limits.tpm` | 30,000 | 60,000 |');
    expect(stdout).toContain('| `claude-sonnet/vertex-europe-west1` | removed |');
    expect(stdout).toMatch(/\| `chatbot` \| 90,000 \| 120,000 \| \+33\.3% \| 3\.00x → 2\.00x \|/);
    expect(stdout).toContain('xychart-beta');
    expect(stdout).toContain('bar [30000, 30000, 60000]');
  }, SPAWNING);

  it('writes every number one way: separators, a U+2212 minus, 2-decimal multipliers, 1-decimal percentages', () => {
    const { dir, commit } = repoWithPlan();
    commit(GROW_US_DROP_EU_VERTEX.replace('limits: { tpm: 30000 }          # rpm', 'limits: { tpm: 50000 }          # rpm'), 'mixed');
    const { stdout } = headroom(['diff', '--base', 'HEAD~1', 'headroom.yaml'], dir);
    // Mermaid takes raw numbers; everything a person reads comes before the charts.
    const prose = stdout.slice(0, stdout.indexOf('```mermaid'));
    expect(prose).toContain('needs +20,000 TPM of gpt-5.1');
    expect(prose).not.toMatch(/(?<![\w.-])\d{4,}(?![\w-])/); // 30000 instead of 30,000
    expect(prose).not.toMatch(/(?<![\w])-\d/); // a hyphen as a minus sign
    for (const pct of prose.match(/[^\s(|]*\d%/g)!) expect(pct).toMatch(/^([+\u2212]\d+\.\d|0\.0)%$/);
    for (const multiplier of prose.match(/[\d.]+x\b/g)!) expect(multiplier).toMatch(/^(\d+\.\d\d|2\.7)x$/); // 2.7x is the rule's name
  }, SPAWNING);

  it('gives each removed target its own bullet, also when a whole family goes', () => {
    const { dir, commit } = repoWithPlan();
    commit(EXAMPLE.replace(/  # GPT on Azure[\s\S]*?\n\nrouting:/, '\nrouting:'), 'drop gpt');
    const { stdout } = headroom(['diff', '--base', 'HEAD~1', 'headroom.yaml'], dir);
    expect(stdout).toContain('- `gpt`: removed (was 90,000 tokens/min, multiplier 3.00x)');
    const bullets = stdout.split('\n').filter((l) => /^- `gpt\/[\w-]+`: .* no longer routed$/.test(l));
    expect(bullets.map((l) => /`(gpt\/[\w-]+)`/.exec(l)![1])).toEqual(['gpt/azure-eastus2', 'gpt/azure-swedencentral', 'gpt/openai']);
    expect(stdout).toMatch(/^1\. \*\*family-removed\*\* `gpt`/m);
  }, SPAWNING);

  it('--fail-on risk exits 2 when the change carries a risk, 0 when it does not', () => {
    const { dir, commit } = repoWithPlan();
    commit(EXAMPLE.replace('rpm: 500, tpm: 30000', 'rpm: 400, tpm: 30000'), 'less openai');
    expect(headroom(['diff', '--base', 'HEAD~1', '--fail-on', 'risk', 'headroom.yaml'], dir).code).toBe(2);
    commit(EXAMPLE, 'restore');
    const grow = headroom(['diff', '--base', 'HEAD~1', '--fail-on', 'risk', 'headroom.yaml'], dir);
    expect(grow.code).toBe(0);
    expect(grow.stdout).toContain('**no risks**');
    expect(grow.stdout).toContain('| `gpt/openai` | changed | `limits.rpm` | 400 | 500 |');
  }, SPAWNING);

  it('emits JSON for machines, risks in severity order', () => {
    const { dir, commit } = repoWithPlan();
    commit(EXAMPLE.replace('throttleRatePct: 1', 'throttleRatePct: 2'), 'alarm');
    const json = JSON.parse(headroom(['diff', '--base', 'HEAD~1', '--format', 'json', 'headroom.yaml'], dir).stdout);
    expect(json).toMatchObject({ baseExists: true, changed: true, planFields: [{ field: 'alarms.throttleRatePct', before: 1, after: 2 }], risks: [] });
    commit(GROW_US_DROP_EU_VERTEX, 'risky');
    const risky = JSON.parse(headroom(['diff', '--base', 'HEAD~1', '--format', 'json', 'headroom.yaml'], dir).stdout);
    expect(risky.risks.map((r: { code: string }) => r.code)).toEqual(['residency-failover-lost', 'capacity-decreased']);
  }, SPAWNING);

  it('--simulate adds each changed family\'s simulated multiplier before and after', () => {
    const { dir, commit } = repoWithPlan();
    commit(EXAMPLE.replace(/(bedrock-eu-west-1:\n(?:.*\n){4}\s+limits: \{ rpm: 1000, tpm: )30000/, '$110000'), 'shrink eu');
    const { code, stdout } = headroom(['diff', '--base', 'HEAD~1', '--simulate', 'headroom.yaml'], dir);
    expect(code).toBe(0);
    const row = stdout.split('\n').find((l) => l.startsWith('| `chatbot` |'))!;
    const [before, after] = /(\d+\.\d+)x → (\d+\.\d+)x \|$/.exec(row)!.slice(1).map(Number);
    expect(before).toBeGreaterThan(after!);
    expect(stdout).toContain('simulated multiplier (Headroom router)');
    expect(stdout).toMatch(/^- `chatbot`: .*, simulated \d+\.\d\dx → \d+\.\d\dx$/m);
  }, 120_000);

  it('says so when there is no change', () => {
    const { dir } = repoWithPlan();
    expect(headroom(['diff', '--base', 'HEAD', 'headroom.yaml'], dir).stdout).toContain('No capacity, routing or naming change.');
  }, SPAWNING);
});

describe('headroom diff and git', () => {
  it('treats a plan absent at the base as new', () => {
    const { dir, commit } = repoWithPlan();
    execFileSync('git', ['rm', '-q', 'headroom.yaml'], { cwd: dir });
    execFileSync('git', ['commit', '-q', '-m', 'remove'], { cwd: dir });
    commit(EXAMPLE, 'add again');
    const { code, stdout } = headroom(['diff', '--base', 'HEAD~1', 'headroom.yaml'], dir);
    expect(code).toBe(0);
    expect(stdout).toContain('(no plan there yet)');
    expect(stdout).toContain('- `chatbot`: new, 90,000 tokens/min, multiplier 3.00x');
    expect(stdout).toContain('**new-credentials**');
  }, SPAWNING);

  it('explains an unknown ref, with the fetch that brings it', () => {
    const { dir } = repoWithPlan();
    const { code, stderr } = headroom(['diff', '--base', 'origin/nope', 'headroom.yaml'], dir);
    expect(code).toBe(1);
    expect(stderr).toContain("git ref 'origin/nope' was not found");
    expect(stderr).toContain('hint: fetch it first (git fetch origin nope); in GitHub Actions check out with fetch-depth: 0');
  }, SPAWNING);

  it('says the directory is not inside a git repository, not that HEAD is missing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'headroom-nogit-'));
    writeFileSync(join(dir, 'headroom.yaml'), EXAMPLE);
    // Stop git from finding a repository above the temp directory.
    const { code, stdout, stderr } = headroomWithEnv(['diff', '--base', 'HEAD', 'headroom.yaml'], dir, { ...process.env, GIT_CEILING_DIRECTORIES: tmpdir() });
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain(`${dir} is not inside a git repository`);
    expect(stderr).toContain('hint: run headroom diff on the plan inside a clone of its repository');
    expect(stderr).not.toContain("git ref 'HEAD'");
    expect(stderr).not.toMatch(/\n\s+at .*\.js:\d+/);
  }, SPAWNING);

  it('says git is not installed when it is not on PATH', () => {
    const { dir } = repoWithPlan();
    const emptyPath = mkdtempSync(join(tmpdir(), 'headroom-nopath-'));
    mkdirSync(join(emptyPath, 'bin'));
    const { code, stderr } = headroomWithEnv(['diff', '--base', 'HEAD', 'headroom.yaml'], dir, { ...process.env, PATH: join(emptyPath, 'bin') });
    expect(code).toBe(1);
    expect(stderr).toContain('git is not installed (or not on PATH)');
    expect(stderr).toContain('hint: install git');
  }, SPAWNING);
});
