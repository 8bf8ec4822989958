import {
  definePlanWithWarnings, loadPlanFileOrThrow, type KeyedPlan, type KeyedPlanInput, type Plan as PlanModel, type PlanInput, type PlanKeyShape, type PlanProblem,
} from '@headroom/plan';

/** The validated quota plan every Headroom construct is compiled from. */
export type Plan = PlanModel;

const WARNINGS = new WeakMap<PlanModel, readonly PlanProblem[]>();

/**
 * Ways to obtain a validated plan. Plan warnings (e.g. `azure/tpm-not-whole-units`) travel with the
 * plan object and become acknowledgeable construct warnings (`headroom:plan:<code>`).
 */
export const Plan = {
  /** Load and validate `headroom.yaml`; throws `PlanValidationError` listing every problem with file:line. */
  fromFile(path: string): PlanModel {
    const { plan, warnings } = loadPlanFileOrThrow(path);
    WARNINGS.set(plan, warnings);
    return plan;
  },
  /** Validate a plan written in TypeScript (the `definePlan` input); its family and target ids stay typed. */
  fromObject<K extends PlanKeyShape>(input: KeyedPlanInput<K>): KeyedPlan<K> {
    const { plan, warnings } = definePlanWithWarnings(input as PlanInput);
    WARNINGS.set(plan, warnings);
    // Validation keeps every family and target id, so the keys TypeScript inferred hold.
    return plan as unknown as KeyedPlan<K>;
  },
  /** Warnings the loader found for a plan obtained from `Plan.fromFile` / `Plan.fromObject`. */
  warningsOf(plan: PlanModel): readonly PlanProblem[] {
    return WARNINGS.get(plan) ?? [];
  },
} as const;
