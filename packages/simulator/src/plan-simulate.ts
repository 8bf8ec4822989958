import { compileRouterConfig, PLANNING_RULE, settledCharge, type Plan } from '@headroom/plan';
import { runSimulation } from './engine';
import { bisect, referenceOf, TOLERANCES } from './measure';
import { headroomStrategy } from './strategies/headroom';
import { oracleStrategy } from './strategies/oracle';
import { TrafficStream, type TrafficModel } from './traffic';

export interface SimulatePlanOptions {
  readonly family: string;
  /** Chatbot-sized traffic by default: prompt lognormal median 800, ~300 output tokens, max_tokens 1024. */
  readonly traffic?: TrafficModel;
  /** Tolerance on client-visible refusals (429s and outage answers). @default 0.001 */
  readonly tolerance?: number;
  /** Virtual minutes per run. @default 60 */
  readonly durationMin?: number;
  /** @default 1 */
  readonly seed?: number;
  /** Bisection steps (precision ~ pooled / 2^n). @default 8 */
  readonly iterations?: number;
}

export interface PlanSimulation {
  readonly family: string;
  /** Headroom's sustainable load / the largest target's capacity: the 2.7x planning rule's measure (worked example: 80k / 30k = 2.7x). */
  readonly multiplier: number;
  /** The same for the pooled oracle: the family's limit. */
  readonly oracleMultiplier: number;
  /** multiplier / oracleMultiplier. */
  readonly efficiency: number;
  /** Headroom's sustainable load in quota tokens per minute of the reference target's token limit. */
  readonly sustainableTpm: number;
  readonly referenceTarget: string;
  readonly referenceTpm: number;
  /** The 2.7x planning rule for comparison (2.7x for three equal regions). */
  readonly ruleOfThumb: number;
  readonly tolerance: number;
}

/**
 * Predict a plan family's effective multiplier with the real router core in the simulator (for
 * `headroom plan --simulate`): bisect the highest load at which client refusals stay within the
 * tolerance, for Headroom and for the pooled oracle. About 2 x 9 runs of one virtual hour: ~1-3 s.
 */
export async function simulatePlanMultiplier(plan: Plan, options: SimulatePlanOptions): Promise<PlanSimulation> {
  const config = compileRouterConfig(plan);
  const family = config.families[options.family];
  if (!family) throw new Error(`plan ${plan.name} has no family ${JSON.stringify(options.family)}; families: ${Object.keys(config.families).sort().join(', ')}`);
  const durationMs = (options.durationMin ?? 60) * 60_000;
  const seed = options.seed ?? 1;
  const tolerance = options.tolerance ?? TOLERANCES.strict;
  const stream = new TrafficStream(options.traffic ?? {}, durationMs, seed);
  const reference = referenceOf({ config, family: options.family }, stream);
  const kind = reference.target.limits.tpm !== undefined ? 'tpm' : 'itpm';
  const meanCharge = stream.mean((r) => settledCharge(reference.target.cost, r, { inputTokens: r.inputTokens, outputTokens: r.outputTokens })[kind] ?? 0);
  const sustain = async (strategy = headroomStrategy()) => {
    const run = await bisect((rate) => runSimulation({ config, family: options.family, stream, ratePerMin: rate, strategy, seed }), {
      tolerance, hi: reference.pooled * 1.1, iterations: options.iterations ?? 8,
    });
    return run.ratePerMin;
  };
  const headroom = await sustain();
  const oracle = await sustain(oracleStrategy);
  const ruleOfThumb = (reference.pooled / reference.rate) * PLANNING_RULE.efficiency;
  return {
    family: options.family,
    multiplier: headroom / reference.rate,
    oracleMultiplier: oracle / reference.rate,
    efficiency: oracle > 0 ? headroom / oracle : Number.NaN,
    sustainableTpm: Math.round(headroom * meanCharge),
    referenceTarget: reference.target.key,
    referenceTpm: reference.target.limits[kind] ?? 0,
    ruleOfThumb,
    tolerance,
  };
}
