import { draw, type Rng } from './rng';

/** A target that fits this request, as the selection sees it. */
export interface Candidate {
  readonly key: string;
  /** Headroom after this request as a share of its limit (lowest bucket), 0..1. */
  readonly score: number;
  /** Capacity weight: how many requests like this one the target takes per minute. */
  readonly weight: number;
  /**
   * How far the router's view of this target may be from the provider's, 0 (exact: own accounting,
   * or shared evidence nobody else moved) to 1 (others' unseen charges dominate). See freshness.ts.
   * @default 0
   */
  readonly staleness?: number;
}

/** A way to pick one candidate. Implementations must only use `rng` for randomness. */
export interface SelectionStrategy {
  readonly name: string;
  choose(candidates: readonly Candidate[], rng: Rng): Candidate;
}

/** Candidates in key order, so the config's ordering of targets never changes a decision. */
function canonical(candidates: readonly Candidate[]): Candidate[] {
  return [...candidates].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** One candidate drawn with probability proportional to its weight. */
export function weightedDraw(candidates: readonly Candidate[], weightOf: (c: Candidate) => number, rng: Rng): Candidate {
  const weights = candidates.map((c) => Math.max(0, Number.isFinite(weightOf(c)) ? weightOf(c) : 0));
  const total = weights.reduce((a, b) => a + b, 0);
  if (!(total > 0)) return candidates[Math.floor(draw(rng) * candidates.length)]!;
  let u = draw(rng) * total;
  for (let i = 0; i < candidates.length; i++) {
    u -= weights[i]!;
    if (u < 0) return candidates[i]!;
  }
  return candidates[candidates.length - 1]!;
}

function better(a: Candidate, b: Candidate): Candidate {
  if (b.score !== a.score) return b.score > a.score ? b : a;
  return b.weight > a.weight ? b : a;
}

/**
 * Capacity-weighted power of two choices, drawn WITH replacement: two candidates are drawn in
 * proportion to capacity and the one with more headroom after this request wins.
 *
 * Why with replacement: it bounds the herd. Under identical stale state the best-looking target
 * wins only when at least one draw hits it, so with capacity share p it gets 1 - (1 - p)^2 =
 * p(2 - p) < 2p of the placements, for any number of targets. Without replacement two targets
 * would always both be drawn and every instance would pile onto the same one. Fresh state still
 * steers most traffic to the emptiest target, since it wins every pair it is in.
 */
export const powerOfTwoChoices: SelectionStrategy = {
  name: 'capacity-weighted-p2c',
  choose(candidates, rng) {
    const sorted = canonical(candidates);
    if (sorted.length === 0) throw new RangeError('choose() needs at least one candidate');
    const first = weightedDraw(sorted, (c) => c.weight, rng);
    const second = weightedDraw(sorted, (c) => c.weight, rng);
    return better(first, second);
  },
};

/**
 * Alternative for the benchmark: one draw in proportion to the headroom left after the request
 * (score x capacity, i.e. free capacity in requests). Placements then follow believed free
 * capacity exactly; it steers less hard toward the emptiest target than two choices.
 */
export const headroomWeighted: SelectionStrategy = {
  name: 'headroom-weighted',
  choose(candidates, rng) {
    const sorted = canonical(candidates);
    if (sorted.length === 0) throw new RangeError('choose() needs at least one candidate');
    return weightedDraw(sorted, (c) => c.score * c.weight, rng);
  },
};

/**
 * The Router's default: argmax when the evidence is fresh, capacity-weighted power of two choices
 * in proportion to how stale it is. With staleness s (the highest among the candidates), one
 * uniform draw picks p2c with probability s, else the most headroom (ties: capacity, then key).
 *
 * Why: on fresh state (one instance, whose own accounting is exact) the most headroom is the best
 * decision, and two random choices lose 0.7-2.8% against it (issue #13). On stale state every
 * instance sees the same picture and argmax would herd them all onto one target; p2c bounds that at
 * p(2 - p) of placements. The blend herds at most (1 - s) + s * p(2 - p), so s near 1 (others'
 * charges dominate) keeps the p2c bound, and s = 0 draws nothing from the rng.
 */
export const argmaxWhenFresh: SelectionStrategy = {
  name: 'argmax-when-fresh',
  choose(candidates, rng) {
    const sorted = canonical(candidates);
    if (sorted.length === 0) throw new RangeError('choose() needs at least one candidate');
    const staleness = Math.min(1, sorted.reduce((s, c) => Math.max(s, Number.isFinite(c.staleness) ? c.staleness! : 0), 0));
    if (staleness > 0 && draw(rng) < staleness) return powerOfTwoChoices.choose(sorted, rng);
    return sorted.reduce(better);
  },
};

/** What a Router uses unless told otherwise (the simulator's Headroom strategy uses it too). */
export const DEFAULT_STRATEGY: SelectionStrategy = argmaxWhenFresh;

/** Deterministic baseline: always the most headroom (what a naive router does; herds). */
export const mostHeadroom: SelectionStrategy = {
  name: 'most-headroom',
  choose(candidates) {
    const sorted = canonical(candidates);
    if (sorted.length === 0) throw new RangeError('choose() needs at least one candidate');
    return sorted.reduce(better);
  },
};
