/**
 * Statistics over seeds: mean, 95% confidence interval (Student's t) and a two-sided paired t-test.
 * The t distribution comes from stdlib (https://github.com/stdlib-js/stats-base-dists-t-quantile,
 * https://github.com/stdlib-js/stats-base-dists-t-cdf); only the textbook formulas are written here:
 *   half-width = t_{0.975, n-1} * s / sqrt(n);  paired t = mean(d) / (s_d / sqrt(n)), df = n - 1,
 *   p = 2 * (1 - F_t(|t|; n - 1))  (e.g. NIST/SEMATECH e-Handbook 7.2.2, 7.3.1).
 */
import tCdf from '@stdlib/stats-base-dists-t-cdf';
import tQuantile from '@stdlib/stats-base-dists-t-quantile';

export interface Summary {
  readonly n: number;
  readonly mean: number;
  /** Sample standard deviation (n - 1 in the denominator); 0 for one value. */
  readonly sd: number;
  /** Half-width of the two-sided 95% confidence interval of the mean; null with fewer than 2 values. */
  readonly ci95: number | null;
  readonly min: number;
  readonly max: number;
}

export interface PairedTest {
  readonly n: number;
  /** mean(a_i - b_i). */
  readonly meanDifference: number;
  /** The t statistic; +-Infinity when every difference is the same non-zero value, 0 when all are zero. */
  readonly t: number;
  readonly df: number;
  /** Two-sided p-value. */
  readonly p: number;
}

/** Differences smaller than this (relative to the values compared) are float noise, not variance. */
const RELATIVE_EPSILON = 1e-12;

/** The t distribution's quantile: tQuantileOf(0.975, 7) = 2.3646 (the two-sided 95% critical value on 7 df). */
export function tQuantileOf(probability: number, degreesOfFreedom: number): number {
  return tQuantile(probability, degreesOfFreedom);
}

/** Two-sided p-value of a t statistic on `degreesOfFreedom`. */
export function twoSidedP(t: number, degreesOfFreedom: number): number {
  if (!Number.isFinite(t)) return 0;
  return Math.min(1, 2 * (1 - tCdf(Math.abs(t), degreesOfFreedom)));
}

function meanOf(values: readonly number[]): number {
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}

function sdOf(values: readonly number[], mean: number): number {
  if (values.length < 2) return 0;
  return Math.sqrt(values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / (values.length - 1));
}

/** Mean, sample sd and the 95% CI half-width of the mean (t on n - 1 df). Throws on no values. */
export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) throw new Error('summarize: no values');
  const n = values.length;
  const mean = meanOf(values);
  const sd = sdOf(values, mean);
  return {
    n,
    mean,
    sd,
    ci95: n >= 2 ? tQuantileOf(0.975, n - 1) * (sd / Math.sqrt(n)) : null,
    min: Math.min(...values),
    max: Math.max(...values),
  };
}

/**
 * Two-sided paired t-test of a against b (a_i and b_i measured on the same seed). Returns null for
 * fewer than 2 pairs. Zero variance (every difference the same, up to float noise): the t statistic
 * is undefined, so p = 0 when that common difference is non-zero (a certain, consistent gap) and
 * p = 1 when it is zero (no difference at all), instead of NaN.
 */
export function pairedTTest(a: readonly number[], b: readonly number[]): PairedTest | null {
  if (a.length !== b.length) throw new Error(`pairedTTest: ${a.length} values against ${b.length}`);
  const n = a.length;
  if (n < 2) return null;
  const differences = a.map((x, i) => x - b[i]!);
  const meanDifference = meanOf(differences);
  const sd = sdOf(differences, meanDifference);
  const scale = Math.max(1, ...a.map(Math.abs), ...b.map(Math.abs));
  const df = n - 1;
  if (sd <= RELATIVE_EPSILON * scale) {
    if (Math.abs(meanDifference) <= RELATIVE_EPSILON * scale) return { n, meanDifference: 0, t: 0, df, p: 1 };
    return { n, meanDifference, t: meanDifference > 0 ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY, df, p: 0 };
  }
  const t = meanDifference / (sd / Math.sqrt(n));
  return { n, meanDifference, t, df, p: twoSidedP(t, df) };
}
