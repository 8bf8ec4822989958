import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXAMPLE_PLAN_PATH, headroom } from './testing';

const EXAMPLE = readFileSync(EXAMPLE_PLAN_PATH, 'utf8');

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

describe('headroom diff against a git ref', () => {
  it('renders a PR comment with changes, totals, risks and a mermaid chart', () => {
    const { dir, commit } = repoWithPlan();
    const changed = EXAMPLE
      .replace(/(bedrock-us-east-1:\n(?:.*\n){4}\s+limits: \{ rpm: 1000, tpm: )30000/, '$160000')
      .replace(/      vertex-europe-west1:\n(?:.*\n){4}/, '');
    expect(changed).not.toBe(EXAMPLE);
    commit(changed, 'more us-east-1, drop vertex europe');
    const { code, stdout, stderr } = headroom(['diff', '--base', 'HEAD~1', 'headroom.yaml'], dir);
    expect(stderr).toContain("warning families.claude-sonnet.pins[0]: 'eu'-pinned traffic has a single target");
    expect(code).toBe(0);
    expect(stdout.startsWith('<!-- headroom-diff -->')).toBe(true);
    expect(stdout).toContain('| `chatbot/bedrock-us-east-1` | changed | `limits.tpm` | 30,000 | 60,000 |');
    expect(stdout).toContain('| `claude-sonnet/vertex-europe-west1` | removed |');
    expect(stdout).toMatch(/\| `chatbot` \| 90,000 \| 120,000 \| \+33\.3% \|/);
    expect(stdout).toContain("**residency-failover-lost** `claude-sonnet`: 'eu' processing in 'claude-sonnet' drops from 2 targets to 1");
    expect(stdout).toContain('**capacity-decreased** `claude-sonnet`');
    expect(stdout).toContain('```mermaid\nxychart-beta');
    expect(stdout).toContain('bar [30000, 30000, 60000]');
  });

  it('--fail-on risk exits 2 when the change carries a risk, 0 when it does not', () => {
    const { dir, commit } = repoWithPlan();
    commit(EXAMPLE.replace('rpm: 500, tpm: 30000', 'rpm: 400, tpm: 30000'), 'less openai');
    expect(headroom(['diff', '--base', 'HEAD~1', '--fail-on', 'risk', 'headroom.yaml'], dir).code).toBe(2);
    commit(EXAMPLE, 'restore');
    const grow = headroom(['diff', '--base', 'HEAD~1', '--fail-on', 'risk', 'headroom.yaml'], dir);
    expect(grow.code).toBe(0);
    expect(grow.stdout).toContain('| `gpt/openai` | changed | `limits.rpm` | 400 | 500 |');
  });

  it('emits JSON for machines', () => {
    const { dir, commit } = repoWithPlan();
    commit(EXAMPLE.replace('throttleRatePct: 1', 'throttleRatePct: 2'), 'alarm');
    const json = JSON.parse(headroom(['diff', '--base', 'HEAD~1', '--format', 'json', 'headroom.yaml'], dir).stdout);
    expect(json).toMatchObject({ baseExists: true, changed: true, planFields: [{ field: 'alarms.throttleRatePct', before: 1, after: 2 }], risks: [] });
  });

  it('--simulate adds each changed family\'s simulated multiplier before and after', () => {
    const { dir, commit } = repoWithPlan();
    commit(EXAMPLE.replace(/(bedrock-eu-west-1:\n(?:.*\n){4}\s+limits: \{ rpm: 1000, tpm: )30000/, '$110000'), 'shrink eu');
    const { code, stdout } = headroom(['diff', '--base', 'HEAD~1', '--simulate', 'headroom.yaml'], dir);
    expect(code).toBe(0);
    const row = stdout.split('\n').find((l) => l.startsWith('| `chatbot` |'))!;
    const [before, after] = /(\d+\.\d+)x → (\d+\.\d+)x \|$/.exec(row)!.slice(1).map(Number);
    expect(before).toBeGreaterThan(after!);
    expect(stdout).toContain('simulated multiplier (Headroom router)');
  }, 60_000);

  it('says so when there is no change', () => {
    const { dir } = repoWithPlan();
    expect(headroom(['diff', '--base', 'HEAD', 'headroom.yaml'], dir).stdout).toContain('No capacity, routing or naming change.');
  });

  it('treats a plan absent at the base as new', () => {
    const { dir, commit } = repoWithPlan();
    execFileSync('git', ['rm', '-q', 'headroom.yaml'], { cwd: dir });
    execFileSync('git', ['commit', '-q', '-m', 'remove'], { cwd: dir });
    commit(EXAMPLE, 'add again');
    const { code, stdout } = headroom(['diff', '--base', 'HEAD~1', 'headroom.yaml'], dir);
    expect(code).toBe(0);
    expect(stdout).toContain('(no plan there yet)');
    expect(stdout).toContain('**new-credentials**');
  });

  it('explains an unknown ref', () => {
    const { dir } = repoWithPlan();
    const { code, stderr } = headroom(['diff', '--base', 'origin/nope', 'headroom.yaml'], dir);
    expect(code).toBe(1);
    expect(stderr).toContain("git ref 'origin/nope' was not found");
    expect(stderr).toContain('hint: fetch it first');
  });
});
