import { seededRng, type Rng } from '@headroom/router-lambda';

/** Seeded draws for traffic generation. Every stream is derived from one seed, so a run is reproducible. */
export class Random {
  private readonly rng: Rng;
  private spare: number | undefined;

  constructor(seed: number) {
    this.rng = seededRng(seed);
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    return this.rng();
  }

  /** Exponential with the given mean. */
  exponential(mean: number): number {
    return -Math.log(1 - this.rng()) * mean;
  }

  /** Standard normal (Box–Muller, one spare kept). */
  normal(): number {
    if (this.spare !== undefined) {
      const value = this.spare;
      this.spare = undefined;
      return value;
    }
    const u = Math.max(Number.MIN_VALUE, this.rng());
    const v = this.rng();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Lognormal with the given median and log-space sigma. */
  lognormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }

  /** A derived generator: independent stream for a named purpose. */
  fork(salt: number): Random {
    return new Random(Math.floor(this.rng() * 0xffffffff) ^ salt);
  }

  /** As the core's Rng type. */
  asRng(): Rng {
    return () => this.rng();
  }
}

/** The p-th percentile (0..100) of values, nearest-rank; 0 for an empty list. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}
