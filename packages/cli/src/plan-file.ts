import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { formatProblems, loadPlanFile, type Plan, type PlanProblem } from '@headroom/plan';
import { UserError } from './errors';

/** Where `headroom` looks when no file is given, and inside a directory given as the plan file. */
export const DEFAULT_PLAN_FILES = ['headroom.yaml', 'infra/headroom.yaml'];

export function resolvePlanFile(file: string | undefined): string {
  if (file) {
    failIfDirectory(file);
    return file;
  }
  const found = DEFAULT_PLAN_FILES.find((f) => existsSync(f));
  if (!found) throw new UserError(`no plan file given and none found at ${DEFAULT_PLAN_FILES.join(' or ')}`, 'pass the path, e.g. headroom plan infra/headroom.yaml');
  return found;
}

/** A directory is a wrong path, not a permissions problem: name the plan file inside it when there is one. */
function failIfDirectory(file: string): void {
  if (!isDirectory(file)) return;
  const inside = DEFAULT_PLAN_FILES.map((name) => join(file, name)).find((candidate) => existsSync(candidate));
  throw new UserError(
    `${file} is a directory, not a plan file`,
    inside ? `did you mean ${inside}? pass the file itself` : `pass the plan file itself, e.g. ${join(file, DEFAULT_PLAN_FILES[0]!)}`,
  );
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false; // missing or unreadable: the loader reports it with its reason
  }
}

/** Load and validate, or fail with every problem listed; warnings go to stderr. */
export function loadOrFail(file: string, io: { stderr: (s: string) => void }): { plan: Plan; warnings: readonly PlanProblem[] } {
  failIfDirectory(file);
  const result = loadPlanFile(file);
  if (!result.ok) throw new UserError(`${file} is not a valid plan:\n\n${formatProblems(result.problems)}`);
  if (result.warnings.length > 0) io.stderr(`${formatProblems(result.warnings)}\n`);
  return result;
}
