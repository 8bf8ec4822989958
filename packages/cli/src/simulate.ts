import { PLANNING_RULE, type Plan } from '@headroom/plan';
import { simulatePlanMultiplier, type PlanSimulation } from '@headroom/simulator';

/**
 * A family's simulated result, measured against the pool it ran on. It carries no multiplier of its
 * own for the 2.7x planning rule: the rule is one share of the pool (`PLANNING_RULE.efficiency`),
 * and the capacity headline states it once.
 */
export interface FamilySimulation extends Omit<PlanSimulation, 'ruleOfThumb'> {
  /** Sum of every target's sustainable rate for this traffic / the best target's: the pool, on the simulation's own scale. */
  readonly pooledMultiplier: number;
  /** multiplier / pooledMultiplier: the share of the pool the router sustains, to set beside the rule's 90%. */
  readonly shareOfPool: number;
}

/** Effective multiplier per family, predicted by the simulator running the real router core. */
export type Simulations = Readonly<Record<string, FamilySimulation>>;

export async function simulateFamilies(plan: Plan): Promise<Simulations> {
  const out: Record<string, FamilySimulation> = {};
  for (const family of Object.keys(plan.families).sort()) out[family] = againstThePool(await simulatePlanMultiplier(plan, { family }));
  return out;
}

export function againstThePool(simulation: PlanSimulation): FamilySimulation {
  const { ruleOfThumb, ...rest } = simulation;
  // The simulator reports the rule as efficiency x its pooled multiplier; divide the efficiency back out.
  const pooledMultiplier = ruleOfThumb / PLANNING_RULE.efficiency;
  return { ...rest, pooledMultiplier, shareOfPool: pooledMultiplier > 0 ? simulation.multiplier / pooledMultiplier : Number.NaN };
}

const percent = (share: number) => `${Math.round(share * 100)}%`;

/** One line for people: the predicted multiplier, its share of the pool beside the rule's, and the oracle. */
export function describeSimulation(s: FamilySimulation): string {
  const reference = s.referenceTarget.slice(s.referenceTarget.indexOf('/') + 1);
  return `Simulated with the Headroom router: ${s.multiplier.toFixed(2)}x the best single target for this traffic (${reference}) at <= ${(s.tolerance * 100).toFixed(1)}% client 429s, `
    + `${Math.round(s.sustainableTpm).toLocaleString('en-US')} tokens/min: ${percent(s.shareOfPool)} of the pool's ${s.pooledMultiplier.toFixed(2)}x, `
    + `where the ${PLANNING_RULE.multiplier}x planning rule assumes ${percent(PLANNING_RULE.efficiency)}; a pooled oracle reaches ${s.oracleMultiplier.toFixed(2)}x`;
}
