import { COMMENT_MARKER } from '@headroom/cli';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

const ROOT = resolve(__dirname, '..');
const PLAN = readFileSync(join(ROOT, 'infra/headroom.yaml'), 'utf8');
/** Each job runs bash, node and sometimes the real CLI; a busy 2-core machine may take a while. */
const JOB_TIMEOUT = 90_000;

interface Step { name?: string; id?: string; if?: string; run?: string; uses?: string; env?: Record<string, string>; with?: Record<string, unknown> }
interface Workflow { on: { pull_request: { paths: string[] } }; permissions: Record<string, string>; jobs: { diff: { steps: Step[] } } }

const workflow = (): Workflow => parse(readFileSync(join(ROOT, '.github/workflows/headroom-diff.yml'), 'utf8'));

/** The fake GitHub API the comment script talks to. The base repository is acme/infra. */
interface FakeGitHub {
  /** `owner/name` the pull request's head lives in; another name is a fork. @default 'acme/infra' */
  readonly headRepo?: string;
  readonly existingComments?: readonly { id: number; body: string }[];
  /** HTTP status every write answers with, e.g. 403 for a read-only token. @default success */
  readonly writeStatus?: number;
}

interface ApiCall { method: string; params: { body?: string; comment_id?: number; issue_number?: number } }
type Outcome = 'success' | 'failure' | 'skipped';
interface JobRun {
  conclusion: 'success' | 'failure';
  steps: { name: string; outcome: Outcome; outputs: Record<string, string> }[];
  calls: ApiCall[];
  summary: string;
  log: string;
}

/**
 * Runs actions/github-script's `script` as the action does (an async function of require, github,
 * context, core), against a fake API that records every call.
 */
const GITHUB_SCRIPT_HARNESS = `
const fs = require('node:fs');
const fake = JSON.parse(process.env.FAKE_GITHUB);
const calls = [];
const write = (method) => async (params) => {
  calls.push({ method, params });
  if (fake.writeStatus) throw Object.assign(new Error('Resource not accessible by integration'), { status: fake.writeStatus });
  return { data: { id: 1 } };
};
const listComments = async (params) => { calls.push({ method: 'listComments', params }); return { data: fake.existingComments ?? [] }; };
const github = {
  paginate: async (method, params) => (await method(params)).data,
  rest: { issues: { listComments, createComment: write('createComment'), updateComment: write('updateComment') } },
};
const core = {
  info: (m) => console.log(m),
  notice: (m) => console.log('::notice::' + m),
  warning: (m) => console.log('::warning::' + m),
  setFailed: (m) => { console.log('::error::' + m); process.exitCode = 1; },
};
const context = {
  repo: { owner: 'acme', repo: 'infra' },
  issue: { owner: 'acme', repo: 'infra', number: 7 },
  payload: { pull_request: { number: 7, head: { repo: { full_name: fake.headRepo ?? 'acme/infra' } } } },
};
const AsyncFunction = (async () => {}).constructor;
new AsyncFunction('require', 'github', 'context', 'core', process.env.SCRIPT)(require, github, context, core).then(
  () => fs.writeFileSync(process.env.FAKE_GITHUB_CALLS, JSON.stringify(calls)),
  (error) => { fs.writeFileSync(process.env.FAKE_GITHUB_CALLS, JSON.stringify(calls)); console.log('::error::' + error); process.exitCode = 1; },
);`;

interface ExpressionContext { status: 'success' | 'failure'; steps: Record<string, { outputs: Record<string, string> }>; github: unknown }

/** A GitHub expression, evaluated as JS: the subset this workflow uses (`!`, `&&`, `==`, `!=`, paths, status functions) means the same there. */
function evaluate(expression: string, ctx: ExpressionContext): unknown {
  const body = expression.trim().replace(/^\$\{\{([\s\S]*)\}\}$/, '$1').trim();
  if (!/^[\w\s.'!=&|()-]*$/.test(body) || /\b(contains|startsWith|endsWith|format|join|toJSON|fromJSON|hashFiles)\(/.test(body)) {
    throw new Error(`the test's expression evaluator does not cover: ${body}`);
  }
  const steps = new Proxy(ctx.steps, { get: (all, id: string) => all[id] ?? { outputs: {} } });
  const fn = new Function('steps', 'github', 'success', 'failure', 'always', 'cancelled', `return (${body});`);
  return fn(steps, ctx.github, () => ctx.status === 'success', () => ctx.status === 'failure', () => true, () => false);
}

const interpolate = (value: string, ctx: ExpressionContext): string => value.replace(/\$\{\{([\s\S]*?)\}\}/g, (_, e: string) => String(evaluate(e, ctx) ?? ''));

/** Runs the job from the diff step on, as the runner would: `if:` conditions, outputs, the job summary. */
function runJob(repo: string, fake: FakeGitHub = {}, extraEnv: Record<string, string> = {}): JobRun {
  const steps = workflow().jobs.diff.steps;
  const first = steps.findIndex((s) => s.run?.includes(' diff --base '));
  if (first < 0) throw new Error('the workflow has no headroom diff step');
  const ctx: ExpressionContext = {
    status: 'success',
    steps: {},
    github: { base_ref: 'main', repository: 'acme/infra', event: { pull_request: { number: 7, head: { repo: { full_name: fake.headRepo ?? 'acme/infra' } } } } },
  };
  const summaryFile = join(repo, '.job-summary');
  writeFileSync(summaryFile, '');
  const run: JobRun = { conclusion: 'success', steps: [], calls: [], summary: '', log: '' };
  for (const [index, step] of steps.slice(first).entries()) {
    const name = step.name ?? step.uses ?? step.run!;
    if (!evaluate(step.if ?? 'success()', ctx)) {
      run.steps.push({ name, outcome: 'skipped', outputs: {} });
      continue;
    }
    const outputFile = join(repo, `.step-${index}-output`);
    writeFileSync(outputFile, '');
    const env = {
      ...process.env, ...extraEnv, GITHUB_OUTPUT: outputFile, GITHUB_STEP_SUMMARY: summaryFile,
      ...Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, interpolate(String(v), ctx)])),
    };
    let result;
    if (step.run) {
      result = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', step.run], { cwd: repo, env, encoding: 'utf8' });
    } else if (step.uses?.startsWith('actions/github-script@')) {
      const callsFile = join(repo, `.step-${index}-calls`);
      const harnessEnv = { ...env, SCRIPT: String(step.with!.script), FAKE_GITHUB: JSON.stringify(fake), FAKE_GITHUB_CALLS: callsFile };
      result = spawnSync(process.execPath, ['-e', GITHUB_SCRIPT_HARNESS], { cwd: repo, env: harnessEnv, encoding: 'utf8' });
      if (existsSync(callsFile)) run.calls.push(...(JSON.parse(readFileSync(callsFile, 'utf8')) as ApiCall[]));
    } else {
      throw new Error(`the test cannot run step '${name}'`);
    }
    run.log += `## ${name}\n${result.stdout}${result.stderr}`;
    const outputs = Object.fromEntries(readFileSync(outputFile, 'utf8').split('\n').filter(Boolean).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    if (step.id) ctx.steps[step.id] = { outputs };
    const outcome: Outcome = result.status === 0 ? 'success' : 'failure';
    if (outcome === 'failure') ctx.status = 'failure';
    run.steps.push({ name, outcome, outputs });
  }
  run.conclusion = ctx.status;
  run.summary = readFileSync(summaryFile, 'utf8');
  return run;
}

/**
 * A checkout as the workflow sees it: the plan committed on origin/main, the PR's version on HEAD,
 * and packages/cli/dist either the real build or a fake CLI that exits with FAKE_HEADROOM_EXIT.
 */
function pullRequestCheckout(headPlan: string, cli: 'built' | 'fake'): string {
  const repo = mkdtempSync(join(tmpdir(), 'headroom-workflow-'));
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, stdio: 'pipe' });
  git('init', '-q', '-b', 'main');
  git('config', 'user.email', 'ci@example.com');
  git('config', 'user.name', 'CI');
  mkdirSync(join(repo, 'infra'));
  writeFileSync(join(repo, 'infra/headroom.yaml'), PLAN);
  git('add', '.');
  git('commit', '-q', '-m', 'base');
  git('update-ref', 'refs/remotes/origin/main', 'HEAD');
  writeFileSync(join(repo, 'infra/headroom.yaml'), headPlan);
  git('commit', '-q', '--allow-empty', '-am', 'change');
  mkdirSync(join(repo, 'packages/cli'), { recursive: true });
  if (cli === 'built') {
    execFileSync('ln', ['-s', join(ROOT, 'packages/cli/dist'), join(repo, 'packages/cli/dist')]);
  } else {
    mkdirSync(join(repo, 'packages/cli/dist'));
    writeFileSync(join(repo, 'packages/cli/dist/bin.js'), [
      'const code = Number(process.env.FAKE_HEADROOM_EXIT);',
      `process.stdout.write(${JSON.stringify(`${COMMENT_MARKER}\n## fake rendered diff\n`)});`,
      'process.stderr.write(`fake headroom stderr (exit ${code})\\n`);',
      'process.exit(code);',
    ].join('\n'));
  }
  return repo;
}

const outcomeOf = (run: JobRun, name: RegExp) => run.steps.find((s) => name.test(s.name))?.outcome;
const posted = (run: JobRun) => run.calls.filter((c) => c.method === 'createComment' || c.method === 'updateComment');

describe('the PR workflow', () => {
  it('triggers on plan changes, may write PR comments and checks out the full history', () => {
    const wf = workflow();
    expect(wf.on.pull_request.paths).toEqual(['infra/headroom.yaml']);
    expect(wf.permissions['pull-requests']).toBe('write');
    expect(wf.jobs.diff.steps.find((s) => s.uses?.startsWith('actions/checkout@'))!.with).toEqual({ 'fetch-depth': 0 });
  });

  it('a risk (exit 2) fails the job, after the sticky comment is posted and the summary written', () => {
    const repo = pullRequestCheckout(PLAN.replace('rpm: 500, tpm: 30000', 'rpm: 500, tpm: 20000'), 'built');
    const run = runJob(repo);
    expect(run.steps[0]!.outputs).toEqual({ exit: '2' });
    expect(run.steps.map((s) => s.outcome)).toEqual(['success', 'success', 'failure']);
    expect(run.conclusion).toBe('failure');
    const [comment] = posted(run);
    expect(comment).toMatchObject({ method: 'createComment', params: { issue_number: 7 } });
    expect(comment!.params.body!.startsWith(COMMENT_MARKER)).toBe(true);
    expect(comment!.params.body).toContain('| `gpt/openai` | changed | `limits.tpm` | 30,000 | 20,000 |');
    expect(comment!.params.body).toMatch(/^1\. \*\*capacity-decreased\*\* `gpt`/m);
    expect(run.summary).toBe(comment!.params.body);
    expect(run.log).toContain('::error title=headroom diff::the plan change carries a risk');
  }, JOB_TIMEOUT);

  it('a change without risk passes and updates the existing sticky comment', () => {
    const repo = pullRequestCheckout(PLAN.replace('rpm: 500, tpm: 30000', 'rpm: 600, tpm: 30000'), 'built');
    const run = runJob(repo, { existingComments: [{ id: 1, body: 'unrelated' }, { id: 42, body: `${COMMENT_MARKER}\nold` }] });
    expect(run.steps[0]!.outputs).toEqual({ exit: '0' });
    expect(posted(run)).toEqual([{ method: 'updateComment', params: expect.objectContaining({ comment_id: 42 }) }]);
    expect(posted(run)[0]!.params.body).toContain('**no risks**');
    expect(outcomeOf(run, /^Fail/)).toBe('skipped');
    expect(run.conclusion).toBe('success');
  }, JOB_TIMEOUT);

  it('an invalid plan (exit 1) fails the job, and the comment shows why', () => {
    const repo = pullRequestCheckout(PLAN.replace('rpm: 500, tpm: 30000', 'rpm: -1, tpm: 30000'), 'built');
    const run = runJob(repo);
    expect(run.steps[0]!.outputs).toEqual({ exit: '1' });
    const body = posted(run)[0]!.params.body!;
    expect(body.startsWith(COMMENT_MARKER)).toBe(true);
    expect(body).toContain('`headroom diff` could not compare the plan (exit 1):');
    expect(body).toContain('error families.gpt.targets.openai.limits.rpm');
    expect(run.conclusion).toBe('failure');
  }, JOB_TIMEOUT);

  it.each([
    [0, 'success'],
    [1, 'failure'],
    [2, 'failure'],
    [70, 'failure'],
  ] as const)('exit %i of headroom diff: the comment is posted and the job ends in %s', (exit, conclusion) => {
    const repo = pullRequestCheckout(PLAN, 'fake');
    const run = runJob(repo, {}, { FAKE_HEADROOM_EXIT: String(exit) });
    expect(run.steps[0]!.outputs).toEqual({ exit: String(exit) });
    expect(outcomeOf(run, /comment/)).toBe('success');
    expect(posted(run)).toHaveLength(1);
    expect(run.conclusion).toBe(conclusion);
    expect(outcomeOf(run, /^Fail/)).toBe(exit === 0 ? 'skipped' : 'failure');
  }, JOB_TIMEOUT);

  it.each([[0, 'success'], [2, 'failure']] as const)(
    'a fork\'s pull request (exit %i): no comment attempted, the result in the job summary, the job ends in %s',
    (exit, conclusion) => {
      const repo = pullRequestCheckout(PLAN, 'fake');
      const run = runJob(repo, { headRepo: 'someone/infra', writeStatus: 403 }, { FAKE_HEADROOM_EXIT: String(exit) });
      expect(run.calls).toEqual([]);
      expect(outcomeOf(run, /comment/)).toBe('success');
      expect(run.log).toContain('::notice::The pull request comes from someone/infra, whose token cannot comment');
      expect(run.summary).toContain('## fake rendered diff');
      expect(run.conclusion).toBe(conclusion);
    },
    JOB_TIMEOUT,
  );

  it('a 403 from the API warns, keeps the result in the job summary and does not fail the job', () => {
    const repo = pullRequestCheckout(PLAN, 'fake');
    const run = runJob(repo, { writeStatus: 403 }, { FAKE_HEADROOM_EXIT: '0' });
    expect(posted(run)).toHaveLength(1);
    expect(run.log).toContain('::warning::The token may not comment on this pull request (403');
    expect(run.summary).toContain('## fake rendered diff');
    expect(run.conclusion).toBe('success');
  }, JOB_TIMEOUT);

  it('any other API error fails the job', () => {
    const repo = pullRequestCheckout(PLAN, 'fake');
    const run = runJob(repo, { writeStatus: 500 }, { FAKE_HEADROOM_EXIT: '0' });
    expect(outcomeOf(run, /comment/)).toBe('failure');
    expect(run.conclusion).toBe('failure');
  }, JOB_TIMEOUT);
});
