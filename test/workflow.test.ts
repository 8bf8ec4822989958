import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

const ROOT = resolve(__dirname, '..');

interface Step { name?: string; run?: string; env?: Record<string, string> }

/** The exact shell the PR workflow runs to render the diff. */
function diffStep(): Step {
  const workflow = parse(readFileSync(join(ROOT, '.github/workflows/headroom-diff.yml'), 'utf8'));
  const steps = workflow.jobs.diff.steps as Step[];
  const step = steps.find((s) => s.run?.includes(' diff --base '));
  if (!step) throw new Error('the workflow has no headroom diff step');
  return step;
}

describe('the PR workflow', () => {
  it('triggers on plan changes and may write PR comments', () => {
    const workflow = parse(readFileSync(join(ROOT, '.github/workflows/headroom-diff.yml'), 'utf8'));
    expect(workflow.on.pull_request.paths).toEqual(['infra/headroom.yaml']);
    expect(workflow.permissions['pull-requests']).toBe('write');
  });

  it('runs a diff step whose command renders the sticky comment and records its exit code', () => {
    const repo = mkdtempSync(join(tmpdir(), 'headroom-workflow-'));
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, stdio: 'pipe' });
    git('init', '-q', '-b', 'main');
    git('config', 'user.email', 'ci@example.com');
    git('config', 'user.name', 'CI');
    mkdirSync(join(repo, 'infra'));
    const plan = readFileSync(join(ROOT, 'infra/headroom.yaml'), 'utf8');
    copyFileSync(join(ROOT, 'infra/headroom.yaml'), join(repo, 'infra/headroom.yaml'));
    git('add', '.');
    git('commit', '-q', '-m', 'base');
    git('update-ref', 'refs/remotes/origin/main', 'HEAD');
    writeFileSync(join(repo, 'infra/headroom.yaml'), plan.replace('rpm: 500, tpm: 30000', 'rpm: 500, tpm: 20000'));
    git('commit', '-q', '-am', 'shrink openai');

    // The workflow runs from the repository root with the built CLI at packages/cli/dist.
    mkdirSync(join(repo, 'packages/cli'), { recursive: true });
    execFileSync('ln', ['-s', join(ROOT, 'packages/cli/dist'), join(repo, 'packages/cli/dist')]);
    const step = diffStep();
    const output = join(repo, 'github-output');
    writeFileSync(output, '');
    const result = spawnSync('bash', ['-e', '-c', step.run!], {
      cwd: repo, encoding: 'utf8', env: { ...process.env, BASE_REF: 'origin/main', GITHUB_OUTPUT: output },
    });
    expect(result.status).toBe(0);
    expect(readFileSync(output, 'utf8')).toBe('exit=2\n');
    const comment = readFileSync(join(repo, 'headroom-diff.md'), 'utf8');
    expect(comment.startsWith('<!-- headroom-diff -->')).toBe(true);
    expect(comment).toContain('| `gpt/openai` | changed | `limits.tpm` | 30,000 | 20,000 |');
    expect(comment).toContain('**capacity-decreased** `gpt`');
  });
});
