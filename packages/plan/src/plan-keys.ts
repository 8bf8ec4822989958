import type { PlanInput } from './schema';
import type { Family, Plan, Target } from './types';

/**
 * Family ids and target ids as TypeScript infers them from a `definePlan({...})` call, so that
 * code reading a plan (e.g. the CDK construct's metric helpers) can refuse unknown keys at
 * compile time. A plan loaded from YAML has plain `string` keys.
 */
export type PlanKeyShape = Record<string, Record<string, unknown>>;

type FamilyInput = PlanInput['families'][string];
type TargetInput = FamilyInput['targets'][string];

/** `PlanInput` with its family and target ids captured in `K`; every other field is checked as `PlanInput`. */
export type KeyedPlanInput<K extends PlanKeyShape> = Omit<PlanInput, 'families'> & {
  families: { [F in keyof K]: Omit<FamilyInput, 'targets'> & { targets: { [T in keyof K[F]]: NoInfer<TargetInput> } } };
};

/** A validated plan whose family and target ids are known to TypeScript. */
export type KeyedPlan<K extends PlanKeyShape> = Omit<Plan, 'families'> & {
  readonly families: { readonly [F in keyof K]: Omit<Family, 'targets'> & { readonly targets: { readonly [T in keyof K[F]]: Target } } };
};

/** The family ids of a plan: literal ids for a `definePlan` result, `string` otherwise. */
export type FamilyIdOf<P extends Plan> = keyof P['families'] & string;

/** The target ids of one family of a plan: literal ids for a `definePlan` result, `string` otherwise. */
export type TargetIdOf<P extends Plan, F extends FamilyIdOf<P>> = keyof P['families'][F]['targets'] & string;
