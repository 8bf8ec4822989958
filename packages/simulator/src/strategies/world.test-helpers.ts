import { compileRouterConfig, definePlan, type PlanInput } from '@headroom/plan';
import type { World } from '../model';
import { Random } from '../random';

/** A world of the plan's first family for driving a peer directly; peers never read the upstreams (only the oracle does). */
export function worldOf(plan: PlanInput, seed = 1): World {
  const config = compileRouterConfig(definePlan(plan));
  const family = Object.keys(config.families)[0]!;
  const targets = config.families[family]!.targets.map((key) => config.targets[key]!);
  return { config, family, targets, upstreams: new Map(), random: new Random(seed) };
}
