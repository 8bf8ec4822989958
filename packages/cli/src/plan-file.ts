import { existsSync } from 'node:fs';
import { formatProblems, loadPlanFile, type Plan, type PlanProblem } from '@headroom/plan';
import { UserError } from './errors';

/** Where `headroom` looks when no file is given. */
export const DEFAULT_PLAN_FILES = ['headroom.yaml', 'infra/headroom.yaml'];

export function resolvePlanFile(file: string | undefined): string {
  if (file) return file;
  const found = DEFAULT_PLAN_FILES.find((f) => existsSync(f));
  if (!found) throw new UserError(`no plan file given and none found at ${DEFAULT_PLAN_FILES.join(' or ')}`, 'pass the path, e.g. headroom plan infra/headroom.yaml');
  return found;
}

/** Load and validate, or fail with every problem listed; warnings go to stderr. */
export function loadOrFail(file: string, io: { stderr: (s: string) => void }): { plan: Plan; warnings: readonly PlanProblem[] } {
  const result = loadPlanFile(file);
  if (!result.ok) throw new UserError(`${file} is not a valid plan:\n\n${formatProblems(result.problems)}`);
  if (result.warnings.length > 0) io.stderr(`${formatProblems(result.warnings)}\n`);
  return result;
}
