import { formatProblems, type PlanProblem } from '@headroom/plan';

/** Thrown by a Headroom component when the plan cannot be provisioned; lists every problem. */
export class CapacityPlanError extends Error {
  override readonly name = 'CapacityPlanError';
  constructor(
    /** The component that refused the plan, e.g. `headroom:azure:OpenAiCapacity (prod-eastus2)`. */
    readonly component: string,
    readonly problems: readonly PlanProblem[],
  ) {
    super(`${component} cannot provision this plan:\n\n${formatProblems(problems)}`);
  }
}
