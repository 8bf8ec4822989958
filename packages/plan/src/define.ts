import { validatePlan } from './load';
import { PlanValidationError, type PlanProblem } from './problems';
import type { KeyedPlan, KeyedPlanInput, PlanKeyShape } from './plan-keys';
import type { PlanInput } from './schema';
import type { Plan } from './types';

/**
 * The typed equivalent of headroom.yaml for TypeScript users. Runs every check the YAML loader
 * runs and throws a `PlanValidationError` listing every error (field paths instead of lines).
 */
export function definePlan<K extends PlanKeyShape>(input: KeyedPlanInput<K>): KeyedPlan<K> {
  // Validation keeps every family and target id, so the keys TypeScript inferred hold.
  return definePlanWithWarnings(input as PlanInput).plan as unknown as KeyedPlan<K>;
}

export function definePlanWithWarnings(input: PlanInput): { plan: Plan; warnings: PlanProblem[] } {
  const { plan, problems } = validatePlan(input);
  if (!plan) throw new PlanValidationError(problems);
  return { plan, warnings: problems };
}
