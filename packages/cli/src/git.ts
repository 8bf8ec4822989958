import { execFileSync } from 'node:child_process';
import { basename, dirname, resolve } from 'node:path';
import { UserError } from './errors';

/** The file's text at a git ref, or undefined when the file did not exist there. */
export function readAtRef(file: string, ref: string): string | undefined {
  const dir = dirname(resolve(file));
  const run = (args: string[]) => execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    run(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  } catch {
    throw new UserError(`git ref '${ref}' was not found from ${dir}`, 'fetch it first (e.g. git fetch origin main) or pass an existing ref to --base');
  }
  try {
    return run(['show', `${ref}:./${basename(file)}`]);
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? '');
    if (/does not exist|exists on disk, but not in/.test(stderr)) return undefined;
    throw new UserError(`git could not read ${file} at ${ref}: ${stderr.trim()}`);
  }
}
