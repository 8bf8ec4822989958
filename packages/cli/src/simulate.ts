import type { Plan } from '@headroom/plan';
import { simulatePlanMultiplier, type PlanSimulation } from '@headroom/simulator';

/** Effective multiplier per family, predicted by the simulator running the real router core. */
export type Simulations = Readonly<Record<string, PlanSimulation>>;

export async function simulateFamilies(plan: Plan): Promise<Simulations> {
  const out: Record<string, PlanSimulation> = {};
  for (const family of Object.keys(plan.families).sort()) out[family] = await simulatePlanMultiplier(plan, { family });
  return out;
}

/** One line for people: the predicted multiplier beside the oracle and the 2.7x rule. */
export function describeSimulation(s: PlanSimulation): string {
  return `Simulated with the Headroom router: ${s.multiplier.toFixed(2)}x the best single target at <= ${(s.tolerance * 100).toFixed(1)}% client 429s `
    + `(${Math.round(s.sustainableTpm).toLocaleString('en-US')} tokens/min; pooled oracle ${s.oracleMultiplier.toFixed(2)}x, efficiency ${s.efficiency.toFixed(3)}; 2.7x rule ${s.ruleOfThumb.toFixed(2)}x)`;
}
