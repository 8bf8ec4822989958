import { pairedTTest, summarize, tQuantileOf, twoSidedP } from './stats';

// Student's sleep data (Cushny & Peebles via Student 1908), R's `datasets::sleep`:
// https://stat.ethz.ch/R-manual/R-devel/library/datasets/html/sleep.html
// R: t.test(extra ~ group, data = sleep, paired = TRUE) gives t = -4.0621, df = 9,
// p-value = 0.002833, 95 percent CI of the mean difference -2.4598858 .. -0.7001142, mean -1.58.
const SLEEP_DRUG_1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0];
const SLEEP_DRUG_2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4];

describe('t distribution (stdlib) against printed tables', () => {
  it('t_{0.975} on 7 and 9 df and the normal limit', () => {
    expect(tQuantileOf(0.975, 7)).toBeCloseTo(2.3646, 4); // NIST/SEMATECH e-Handbook table 1.3.6.7.2
    expect(tQuantileOf(0.975, 9)).toBeCloseTo(2.2622, 4);
    expect(tQuantileOf(0.975, 1e6)).toBeCloseTo(1.96, 2);
  });

  it('the issue\'s example: t = 1.87 on 7 df is p ~ 0.1035, not significant', () => {
    expect(twoSidedP(1.87, 7)).toBeCloseTo(0.1035, 3);
    expect(twoSidedP(-1.87, 7)).toBeCloseTo(0.1035, 3);
    expect(twoSidedP(2.3646, 7)).toBeCloseTo(0.05, 4);
  });
});

describe('summarize', () => {
  it('gives R\'s 95% interval for the sleep differences', () => {
    const differences = SLEEP_DRUG_1.map((x, i) => x - SLEEP_DRUG_2[i]!);
    const s = summarize(differences);
    expect(s.n).toBe(10);
    expect(s.mean).toBeCloseTo(-1.58, 10);
    expect(s.mean - s.ci95!).toBeCloseTo(-2.4598858, 6);
    expect(s.mean + s.ci95!).toBeCloseTo(-0.7001142, 6);
    expect(s.min).toBeCloseTo(-4.6, 10);
    expect(s.max).toBe(0);
  });

  it('has no interval for one value and a zero-width one for equal values', () => {
    expect(summarize([2.7]).ci95).toBeNull();
    expect(summarize([2.7]).sd).toBe(0);
    expect(summarize([2.7, 2.7, 2.7]).ci95).toBeCloseTo(0, 12);
    expect(() => summarize([])).toThrow();
  });
});

describe('pairedTTest', () => {
  it('matches R on the sleep data', () => {
    const test = pairedTTest(SLEEP_DRUG_1, SLEEP_DRUG_2)!;
    expect(test.df).toBe(9);
    expect(test.meanDifference).toBeCloseTo(-1.58, 10);
    expect(test.t).toBeCloseTo(-4.0621, 4);
    expect(test.p).toBeCloseTo(0.002833, 6);
    expect(pairedTTest(SLEEP_DRUG_2, SLEEP_DRUG_1)!.p).toBeCloseTo(0.002833, 6);
  });

  it('reproduces the issue\'s Headroom vs round robin figure: +0.0097x, t = 1.87 on 7 df', () => {
    // Differences with mean 0.0097 and the sd that gives t = 1.87: s_d = 0.0097 * sqrt(8) / 1.87.
    const sd = (0.0097 * Math.sqrt(8)) / 1.87;
    const unit = Math.sqrt(7 / 8); // +-unit alternating has sample sd exactly 1 over 8 values
    const differences = [1, -1, 1, -1, 1, -1, 1, -1].map((sign) => 0.0097 + sign * unit * sd);
    const roundRobin = [2.70, 2.75, 2.80, 2.72, 2.78, 2.74, 2.76, 2.77];
    const headroom = roundRobin.map((r, i) => r + differences[i]!);
    const test = pairedTTest(headroom, roundRobin)!;
    expect(test.meanDifference).toBeCloseTo(0.0097, 10);
    expect(test.t).toBeCloseTo(1.87, 8);
    expect(test.p).toBeCloseTo(0.1035, 3);
    expect(test.p).toBeGreaterThan(0.05);
  });

  it('zero variance: p = 0 for a consistent non-zero gap, p = 1 for no difference', () => {
    const peer = [2.70, 2.75, 2.80];
    const ahead = pairedTTest(peer.map((x) => x + 0.01), peer)!;
    expect(ahead.p).toBe(0);
    expect(ahead.t).toBe(Number.POSITIVE_INFINITY);
    expect(pairedTTest(peer, peer.map((x) => x + 0.01))!.t).toBe(Number.NEGATIVE_INFINITY);
    const same = pairedTTest(peer, [...peer])!;
    expect(same.p).toBe(1);
    expect(same.meanDifference).toBe(0);
  });

  it('needs two pairs of equal length', () => {
    expect(pairedTTest([1], [2])).toBeNull();
    expect(() => pairedTTest([1, 2], [1])).toThrow();
  });
});
