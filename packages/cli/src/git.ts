import { spawnSync } from 'node:child_process';
import { basename, dirname, resolve } from 'node:path';
import { UserError } from './errors';

interface GitResult { readonly status: number | null; readonly stdout: string; readonly stderr: string }

function git(dir: string, args: readonly string[]): GitResult {
  const result = spawnSync('git', ['-C', dir, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (result.error) {
    if ((result.error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new UserError('git is not installed (or not on PATH), and headroom diff reads the base plan through git', 'install git, or compare by hand with headroom plan on both versions');
    }
    throw new UserError(`could not run git: ${result.error.message}`);
  }
  return { status: result.status, stdout: result.stdout, stderr: result.stderr.trim() };
}

/** `git fetch origin main` for `origin/main`; the generic form for anything else. */
function fetchHint(ref: string): string {
  const remoteBranch = /^(origin|upstream)\/(.+)$/.exec(ref);
  const fetch = remoteBranch ? `git fetch ${remoteBranch[1]} ${remoteBranch[2]}` : 'git fetch origin <base branch>';
  return `fetch it first (${fetch}); in GitHub Actions check out with fetch-depth: 0. Or pass an existing ref to --base`;
}

/**
 * The file's text at a git ref, or undefined when the file did not exist there (a new plan).
 * Every other failure is a UserError that says which of git, the repository or the ref is missing.
 */
export function readAtRef(file: string, ref: string): string | undefined {
  const dir = dirname(resolve(file));
  const inside = git(dir, ['rev-parse', '--is-inside-work-tree']);
  if (inside.status !== 0) {
    if (/not a git repository/i.test(inside.stderr)) {
      throw new UserError(
        `${dir} is not inside a git repository, so there is no base version of ${file} to compare with`,
        'run headroom diff on the plan inside a clone of its repository (e.g. cd my-infra && headroom diff --base origin/main); to see this plan alone, run headroom plan',
      );
    }
    throw new UserError(`git failed in ${dir}: ${inside.stderr}`);
  }
  if (git(dir, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]).status !== 0) {
    const shallow = git(dir, ['rev-parse', '--is-shallow-repository']).stdout.trim() === 'true';
    throw new UserError(`git ref '${ref}' was not found in the repository at ${dir}${shallow ? ' (a shallow clone)' : ''}`, fetchHint(ref));
  }
  const shown = git(dir, ['show', `${ref}:./${basename(file)}`]);
  if (shown.status === 0) return shown.stdout;
  if (/does not exist|exists on disk, but not in/.test(shown.stderr)) return undefined;
  throw new UserError(`git could not read ${file} at ${ref}: ${shown.stderr}`);
}
