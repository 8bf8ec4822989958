/**
 * Randomness is injected: a function returning a number in [0, 1). The core never calls
 * Math.random, so a seeded generator makes every decision reproducible in tests and the simulator.
 */
export type Rng = () => number;

/** mulberry32: a small, fast, seeded 32-bit generator (good enough for load spreading, not for secrets). */
export function seededRng(seed: number): Rng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Draw from an injected generator, clamped to [0, 1) so a misbehaving source cannot index out of range. */
export function draw(rng: Rng): number {
  const value = rng();
  if (!(value > 0)) return 0; // also maps NaN to 0
  return value >= 1 ? 1 - Number.EPSILON : value;
}
