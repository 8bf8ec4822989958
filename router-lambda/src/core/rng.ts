import { seededRandom } from '@headroom/plan/runtime';

/**
 * Randomness is injected: a function returning a number in [0, 1). The core never calls
 * Math.random, so a seeded generator makes every decision reproducible in tests and the simulator.
 */
export type Rng = () => number;

/** A seeded generator (mulberry32, shared with the emulator and the demo through the plan package). */
export function seededRng(seed: number): Rng {
  return seededRandom(seed);
}

/** Draw from an injected generator, clamped to [0, 1) so a misbehaving source cannot index out of range. */
export function draw(rng: Rng): number {
  const value = rng();
  if (!(value > 0)) return 0; // also maps NaN to 0
  return value >= 1 ? 1 - Number.EPSILON : value;
}
