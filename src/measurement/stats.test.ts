import { describe, expect, it } from 'vitest';
import {
  bootstrapDifference,
  capAtPercentile,
  cuped,
  minimumDetectableMean,
  minimumDetectableProportion,
  newcombeDifference,
  normalQuantile,
  relativeLift,
  sampleRatioTest,
  sampleSizeForMeans,
  sampleSizeForProportions,
  summarize,
  tQuantile,
  twoProportionZTest,
  welchInterval,
  wilsonInterval,
} from './stats.ts';

/** |actual − expected| ≤ tolerance, with both numbers in the failure message. */
function expectNear(actual: number, expected: number, tolerance: number): void {
  expect(Math.abs(actual - expected), `${actual} vs ${expected} (± ${tolerance})`).toBeLessThanOrEqual(tolerance);
}

// Reference values marked "scipy" were computed with scipy 1.17 (stats.norm.ppf, stats.t.ppf,
// stats.binomtest(k, n).proportion_ci(method='wilson'), stats.ttest_ind(equal_var=False)).
const Z975 = 1.959963984540054; // norm.ppf(0.975); tables: 1.95996
const Z80 = 0.8416212335729143; // norm.ppf(0.8); tables: 0.84162

describe('quantiles', () => {
  it('match the normal and t tables', () => {
    expectNear(normalQuantile(0.975), Z975, 1e-12);
    expectNear(normalQuantile(0.8), Z80, 1e-12);
    expectNear(normalQuantile(0.5), 0, 1e-15);
    expectNear(tQuantile(0.975, 4), 2.7764451051977934, 1e-10); // tables: 2.776
    expectNear(tQuantile(0.975, 1), 12.706204736174694, 1e-9); // tables: 12.706; the Cauchy: tan(0.475π)
    expectNear(tQuantile(0.975, 1), Math.tan(0.475 * Math.PI), 1e-9);
  });
});

describe('wilsonInterval', () => {
  it('gives Newcombe’s (1998, Stat Med 17:857, Table I) score interval for 81/263: 0.2553 to 0.3662', () => {
    // p̂ = 0.307985, z²/n = 3.841459/263 = 0.014606, centre = (0.307985 + 0.007303)/1.014606 = 0.310749,
    // half = 1.959964·√(0.307985·0.692015/263 + 3.841459/(4·263²))/1.014606 = 0.055461.
    const interval = wilsonInterval(81, 263);
    expectNear(interval.estimate, 81 / 263, 1e-15);
    expectNear(interval.low, 0.255289, 1e-6); // scipy 0.2552885
    expectNear(interval.high, 0.36621, 1e-6); // scipy 0.3662096
    expectNear(interval.low, 0.2553, 5e-5);
    expectNear(interval.high, 0.3662, 5e-5);
  });

  it('runs from exactly 0 at 0/10 and to exactly 1 at 10/10 (0.2775 and 0.7225 at the other end)', () => {
    // At p̂ = 0 the half width equals the centre: high = 2·(z²/20)/(1 + z²/10) = 2·0.192073/1.384146 = 0.277533.
    const none = wilsonInterval(0, 10);
    expect(none.low).toBe(0);
    expectNear(none.high, 0.277533, 1e-6);
    const all = wilsonInterval(10, 10);
    expectNear(all.low, 1 - 0.277533, 1e-6);
    expect(all.high).toBe(1);
  });

  it('uses the confidence level it is given (90 %: z = 1.644854)', () => {
    // scipy binomtest(81, 263).proportion_ci(0.9, method='wilson'): 0.2633136 to 0.3565663.
    const interval = wilsonInterval(81, 263, 0.9);
    expectNear(interval.low, 0.26331361718848145, 1e-9);
    expectNear(interval.high, 0.3565663496084882, 1e-9);
  });

  it('is all of [0, 1] with NaN estimate for an empty group, and rejects impossible counts', () => {
    const empty = wilsonInterval(0, 0);
    expect(empty.estimate).toBeNaN();
    expect([empty.low, empty.high]).toEqual([0, 1]);
    expect(() => wilsonInterval(11, 10)).toThrow(RangeError);
    expect(() => wilsonInterval(-1, 10)).toThrow(RangeError);
    expect(() => wilsonInterval(1.5, 10)).toThrow(RangeError);
    expect(() => wilsonInterval(1, 10, 1)).toThrow(RangeError);
  });
});

describe('newcombeDifference (method 10)', () => {
  // Newcombe 1998, Stat Med 17:873–890, Table II, method 10, to 4 decimals; the 6-decimal values
  // are our independent scipy computation (Wilson limits from binomtest, combined as method 10).
  const published: [string, [number, number], [number, number], number, number, number, number][] = [
    ['56/70 − 48/80', [56, 70], [48, 80], 0.0524, 0.3339, 0.052431, 0.333873],
    ['9/10 − 3/10', [9, 10], [3, 10], 0.1705, 0.809, 0.170523, 0.809018],
    ['5/56 − 0/29', [5, 56], [0, 29], -0.0381, 0.1926, -0.038137, 0.19256],
    ['0/10 − 0/20', [0, 10], [0, 20], -0.1611, 0.2775, -0.161125, 0.277533],
    ['10/10 − 0/10', [10, 10], [0, 10], 0.6075, 1, 0.607509, 1],
  ];
  for (const [name, [kt, nt], [kc, nc], low4, high4, low6, high6] of published) {
    it(`reproduces the published interval for ${name}: ${low4} to ${high4}`, () => {
      const result = newcombeDifference({ successes: kt, n: nt }, { successes: kc, n: nc });
      expectNear(result.difference, kt / nt - kc / nc, 1e-15);
      expectNear(result.low, low4, 5e-5);
      expectNear(result.high, high4, 5e-5);
      expectNear(result.low, low6, 1e-6);
      expectNear(result.high, high6, 1e-6);
    });
  }

  it('builds 56/70 − 48/80 from the two Wilson intervals', () => {
    // Wilson (scipy): 56/70 → [0.691834, 0.876953]; 48/80 → [0.490455, 0.700382].
    // low  = 0.2 − √((0.8 − 0.691834)² + (0.700382 − 0.6)²) = 0.2 − √(0.011700 + 0.010077) = 0.2 − 0.147569 = 0.052431;
    // high = 0.2 + √((0.876953 − 0.8)² + (0.6 − 0.490455)²) = 0.2 + √(0.005922 + 0.012000) = 0.2 + 0.133873 = 0.333873.
    const t = wilsonInterval(56, 70);
    const c = wilsonInterval(48, 80);
    expectNear(t.low, 0.6918335550374693, 1e-9);
    expectNear(t.high, 0.8769526075163704, 1e-9);
    expectNear(c.low, 0.490454650051604, 1e-9);
    expectNear(c.high, 0.7003817240412907, 1e-9);
    const result = newcombeDifference({ successes: 56, n: 70 }, { successes: 48, n: 80 });
    expect(result.treatmentRate).toBe(0.8);
    expect(result.controlRate).toBe(0.6);
    expectNear(result.low, 0.2 - Math.hypot(0.8 - 0.6918335550374693, 0.7003817240412907 - 0.6), 1e-9);
    expectNear(result.high, 0.2 + Math.hypot(0.8769526075163704 - 0.8, 0.6 - 0.490454650051604), 1e-9);
  });

  it('rejects an empty group and impossible counts with a RangeError', () => {
    const valid = { successes: 3, n: 10 };
    expect(() => newcombeDifference({ successes: 0, n: 0 }, valid)).toThrow(RangeError);
    expect(() => newcombeDifference(valid, { successes: 0, n: 0 })).toThrow(RangeError);
    expect(() => newcombeDifference({ successes: 11, n: 10 }, valid)).toThrow(RangeError);
    expect(() => newcombeDifference({ successes: -1, n: 10 }, valid)).toThrow(RangeError);
    expect(() => newcombeDifference(valid, { successes: 2.5, n: 10 })).toThrow(RangeError);
    expect(() => newcombeDifference(valid, { successes: 2, n: 10.5 })).toThrow(RangeError);
  });
});

describe('twoProportionZTest', () => {
  it('gives z = 2.6502, p = 0.0080 for 56/70 vs 48/80', () => {
    // p̄ = 104/150 = 0.693333; SE = √(0.693333·0.306667·(1/70 + 1/80)) = √0.0056952 = 0.075467;
    // z = 0.2/0.075467 = 2.650172; p = 2·norm.sf(2.650172) = 0.0080451 (scipy).
    const result = twoProportionZTest({ successes: 56, n: 70 }, { successes: 48, n: 80 });
    expectNear(result.z, 2.650172, 1e-6);
    expectNear(result.pValue, 0.00804508136819658, 1e-12);
  });

  it('is symmetric in sign and gives p = 1 when both groups are all-zero', () => {
    const result = twoProportionZTest({ successes: 48, n: 80 }, { successes: 56, n: 70 });
    expectNear(result.z, -2.650172, 1e-6);
    expectNear(result.pValue, 0.00804508136819658, 1e-12);
    expect(twoProportionZTest({ successes: 0, n: 10 }, { successes: 0, n: 20 })).toEqual({ z: 0, pValue: 1 });
  });
});

describe('relativeLift', () => {
  it('gives +33.3 % (7.7 % to 65.1 %) for 0.8 vs 0.6 by the Katz log method', () => {
    // ln(0.8/0.6) = 0.287682; SE = √(1/56 − 1/70 + 1/48 − 1/80) = √0.0119048 = 0.109109;
    // exp(0.287682 ∓ 1.959964·0.109109) − 1 = exp(0.073834) − 1, exp(0.501530) − 1 = 0.076626, 0.651249.
    const result = relativeLift({ successes: 56, n: 70 }, { successes: 48, n: 80 });
    expect(result).not.toBeNull();
    expectNear(result!.lift, 1 / 3, 1e-12);
    expectNear(result!.low, 0.07662642276319276, 1e-9);
    expectNear(result!.high, 0.651248511266387, 1e-9);
  });

  it('is null when either rate is 0', () => {
    expect(relativeLift({ successes: 0, n: 10 }, { successes: 3, n: 10 })).toBeNull();
    expect(relativeLift({ successes: 3, n: 10 }, { successes: 0, n: 10 })).toBeNull();
  });
});

describe('summarize', () => {
  it('gives the sample variance with divisor n − 1', () => {
    // mean 40/8 = 5; squared deviations 9+1+1+1+0+0+4+16 = 32; variance 32/7 = 4.571429.
    const result = summarize([2, 4, 4, 4, 5, 5, 7, 9]);
    expect(result.n).toBe(8);
    expectNear(result.mean, 5, 1e-15);
    expectNear(result.variance, 32 / 7, 1e-14);
    expectNear(result.sd, Math.sqrt(32 / 7), 1e-14);
    expect(summarize(Float64Array.of(3)).variance).toBeNaN();
  });
});

describe('welchInterval', () => {
  it('computes [4,5,6] − [1,2,3] by hand: 3 ± 2.7764·√(2/3), df 4', () => {
    // s² = 1 in both; SE = √(1/3 + 1/3) = 0.816497; df = (2/3)²/((1/3)²/2·2) = 4;
    // half = 2.776445·0.816497 = 2.266958 → 0.733042 to 5.266958 (scipy ttest_ind: 0.7330421, 5.2669579).
    const result = welchInterval([4, 5, 6], [1, 2, 3]);
    expectNear(result.difference, 3, 1e-15);
    expectNear(result.se, Math.sqrt(2 / 3), 1e-15);
    expectNear(result.df, 4, 1e-12);
    expectNear(result.low, 0.7330420644724809, 1e-9);
    expectNear(result.high, 5.266957935527519, 1e-9);
  });

  it('computes unequal variances by hand: [2,4,6,8] − [1,2,3], df = 216/53', () => {
    // s_t² = 20/3, s_c² = 1; SE² = (20/3)/4 + 1/3 = 2; df = 2²/((5/3)²/3 + (1/3)²/2) = 4/(53/54) = 216/53 = 4.075472;
    // t(0.975, 216/53) = 2.756285 (scipy); half = 2.756285·√2 = 3.897975 → −0.897975 to 6.897975.
    const result = welchInterval(Float64Array.of(2, 4, 6, 8), Float64Array.of(1, 2, 3));
    expectNear(result.se, Math.SQRT2, 1e-15);
    expectNear(result.df, 216 / 53, 1e-12);
    expectNear(result.low, -0.8979754510831279, 1e-9);
    expectNear(result.high, 6.897975451083128, 1e-9);
  });

  it('has df = n_c − 1 when only the control varies, and a point interval when neither does', () => {
    // [5,5,5] − [1,3]: D = 5 − 2 = 3; SE² = 0 + 2/2 = 1; df = 1²/(1²/1) = 1; t(0.975, 1) = 12.706205 → 3 ± 12.706205.
    const oneSided = welchInterval([5, 5, 5], [1, 3]);
    expectNear(oneSided.df, 1, 1e-12);
    expectNear(oneSided.low, 3 - 12.706204736174694, 1e-8);
    expectNear(oneSided.high, 3 + 12.706204736174694, 1e-8);
    expect(welchInterval([5, 5, 5], [3, 3])).toEqual({ difference: 2, low: 2, high: 2, se: 0, df: 3 });
  });

  it('needs two customers in each group', () => {
    expect(() => welchInterval([1], [1, 2])).toThrow(RangeError);
    expect(() => welchInterval([1, 2], [])).toThrow(RangeError);
  });
});

describe('capAtPercentile', () => {
  it('caps at the nearest-rank percentile: rank ⌈p·N⌉', () => {
    const values = [7, 3, 10, 1, 9, 2, 8, 4, 6, 5];
    // p = 0.9: rank ⌈9⌉ = 9 → 9; only the 10 is lowered.
    const result = capAtPercentile(values, 0.9);
    expect(result.cap).toBe(9);
    expect(result.capped).toBe(1);
    expect(Array.from(result.values)).toEqual([7, 3, 9, 1, 9, 2, 8, 4, 6, 5]);
    // p = 0.85: rank ⌈8.5⌉ = 9 → 9 as well; p = 0.8: rank 8 → 8, two lowered; p = 1: the maximum, none.
    expect(capAtPercentile(values, 0.85).cap).toBe(9);
    expect(capAtPercentile(values, 0.8)).toMatchObject({ cap: 8, capped: 2 });
    expect(capAtPercentile(values, 1)).toMatchObject({ cap: 10, capped: 0 });
  });

  it('is not pushed up a rank by float noise (0.07·100 = 7.000000000000001 is rank 7)', () => {
    const hundred = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(capAtPercentile(hundred, 0.07)).toMatchObject({ cap: 7, capped: 93 });
  });

  it('counts only values strictly above the cap, and rejects a percentile outside (0, 1]', () => {
    // [1,1,1,100], p = 0.75: rank 3 → 1; only the 100 is lowered.
    expect(capAtPercentile([1, 100, 1, 1], 0.75)).toMatchObject({ cap: 1, capped: 1 });
    expect(() => capAtPercentile([1, 2], 0)).toThrow(RangeError);
    expect(() => capAtPercentile([1, 2], 1.5)).toThrow(RangeError);
    expect(() => capAtPercentile([], 0.9)).toThrow(RangeError);
  });
});

describe('bootstrapDifference', () => {
  it('gives the exact percentiles of a two-point resampling distribution', () => {
    // Resampling [0, 1] twice gives a mean of 0, ½ or 1 with probabilities ¼, ½, ¼; the control is always 0.
    // With 2,000 replicates the 2.5 % point (order statistics 50–51) is 0 and the 97.5 % point is 1
    // unless fewer than 51 of 2,000 replicates are 0 or 1 (probability < 1e-100).
    const result = bootstrapDifference([0, 1], [0, 0]);
    expect(result).toEqual({ difference: 0.5, low: 0, high: 1, resamples: 2000 });
  });

  it('is a point interval when each group is constant', () => {
    expect(bootstrapDifference([3, 3, 3], [1, 1], { resamples: 50 })).toEqual({ difference: 2, low: 2, high: 2, resamples: 50 });
  });

  it('is reproducible for a seed, and close to the normal interval for a large symmetric sample', () => {
    // Values 0..999 in both groups shifted by 10: SE = √(2·83416.67/1000) = 12.9164; the bootstrap's
    // SE is √((n−1)/n) of that, so its 95 % interval is 10 ± 1.96·12.9164 within Monte Carlo error
    // (≈ 0.06·SE per end with 2,000 replicates; tolerance 0.3·SE = 3.9).
    const treatment = Array.from({ length: 1000 }, (_, i) => i + 10);
    const control = Array.from({ length: 1000 }, (_, i) => i);
    const first = bootstrapDifference(treatment, control, { seed: 7 });
    expect(bootstrapDifference(treatment, control, { seed: 7 })).toEqual(first);
    expect(bootstrapDifference(treatment, control, { seed: 8 })).not.toEqual(first);
    const se = Math.sqrt((2 * 83416.66666666667) / 1000);
    expectNear(first.difference, 10, 1e-12);
    expectNear(first.low, 10 - Z975 * se, 0.3 * se);
    expectNear(first.high, 10 + Z975 * se, 0.3 * se);
  });

  it('needs two customers in each group and a positive number of resamples', () => {
    expect(() => bootstrapDifference([1], [1, 2])).toThrow(RangeError);
    expect(() => bootstrapDifference([1, 2], [1, 2], { resamples: 0 })).toThrow(RangeError);
  });
});

describe('cuped', () => {
  it('computes θ = cov/var on a tiny dataset by hand', () => {
    // x̄ = 2.5, ȳ = 4; dx = (−1.5, −0.5, 0.5, 1.5), dy = (−2, −1, 1, 2); cov = (3 + 0.5 + 0.5 + 3)/3 = 7/3,
    // var x = 5/3, θ = 7/5 = 1.4; adjusted = y − 1.4·dx = (4.1, 3.7, 4.3, 3.9), variance 0.2/3 against
    // var y = 10/3, so the reduction is 1 − 0.02 = 0.98 = ρ² = (7/3)²/((5/3)(10/3)) = 49/50.
    const result = cuped([2, 3, 5, 6], [1, 2, 3, 4]);
    expectNear(result.theta, 1.4, 1e-14);
    for (const [i, expected] of [4.1, 3.7, 4.3, 3.9].entries()) expectNear(result.adjusted[i]!, expected, 1e-14);
    expectNear(result.varianceReduction, 0.98, 1e-12);
  });

  it('leaves Y as it is when the covariate is constant, and rejects unequal lengths', () => {
    const result = cuped([2, 3, 5], [4, 4, 4]);
    expect(result.theta).toBe(0);
    expect(Array.from(result.adjusted)).toEqual([2, 3, 5]);
    expect(result.varianceReduction).toBe(0);
    expect(() => cuped([1, 2, 3], [1, 2])).toThrow(RangeError);
  });
});

describe('sample sizes', () => {
  // (z(0.975) + z(0.8))² = (1.959964 + 0.841621)² = 2.801585² = 7.848880.
  it('for proportions: 5 % → 7 %, 80 % power, half in control needs 2,210 per group', () => {
    // n = 7.848880·(0.07·0.93 + 0.05·0.95)/0.02² = 7.848880·0.1126/0.0004 = 2209.46 → 2210.
    expect(sampleSizeForProportions({ baseline: 0.05, mde: 0.02, controlShare: 0.5 })).toEqual({ treatment: 2210, control: 2210, total: 4420 });
  });

  it('for proportions with a 10 % holdout: κ = 1/9', () => {
    // n_t = 7.848880·(0.0651 + 9·0.0475)/0.0004 = 7.848880·1231.5 = 9665.90 → 9666; n_c = 9665.90/9 = 1073.99 → 1074.
    expect(sampleSizeForProportions({ baseline: 0.05, mde: 0.02, controlShare: 0.1 })).toEqual({ treatment: 9666, control: 1074, total: 10740 });
  });

  it('for means: sd 10, difference 1', () => {
    // Half in control: n = 7.848880·100·2/1 = 1569.78 → 1570 each.
    // 10 % holdout: n_t = 7.848880·100·(1 + 9) = 7848.88 → 7849; n_c = 872.10 → 873.
    expect(sampleSizeForMeans({ sd: 10, mde: 1, controlShare: 0.5 })).toEqual({ treatment: 1570, control: 1570, total: 3140 });
    expect(sampleSizeForMeans({ sd: 10, mde: 1, controlShare: 0.1 })).toEqual({ treatment: 7849, control: 873, total: 8722 });
  });

  it('inverts: the minimum detectable effect of the planned groups', () => {
    // 2.801585·10·√(2/1570) = 0.999929 (just under the planned 1, as 1569.78 was rounded up).
    expectNear(minimumDetectableMean({ sd: 10, treatment: 1570, control: 1570 }), 0.9999286429540278, 1e-12);
    // Roots of Δ = 2.801585·√((0.05 + Δ)(0.95 − Δ)/n + 0.0475/n), by scipy brentq:
    // n = 2,000 → 0.0211100; 2,210 → 0.0199974 (under 0.02); 2,209 → 0.0200023 (over).
    expectNear(minimumDetectableProportion({ baseline: 0.05, treatment: 2000, control: 2000 }), 0.021110032533267917, 1e-10);
    expectNear(minimumDetectableProportion({ baseline: 0.05, treatment: 2210, control: 2210 }), 0.01999735263254102, 1e-10);
    expectNear(minimumDetectableProportion({ baseline: 0.05, treatment: 2209, control: 2209 }), 0.020002252749906226, 1e-10);
    expectNear(minimumDetectableProportion({ baseline: 0.05, treatment: 9666, control: 1074 }), 0.019999889855007953, 1e-10);
  });

  it('says NaN when no rise is detectable, and rejects impossible settings', () => {
    // baseline 0.5, one customer each: at Δ = 0.5 the right side is 2.8·√(0 + 0.25) = 1.4 > 0.5.
    expect(minimumDetectableProportion({ baseline: 0.5, treatment: 1, control: 1 })).toBeNaN();
    expect(() => sampleSizeForProportions({ baseline: 0.05, mde: 0.02, controlShare: 0 })).toThrow(RangeError);
    expect(() => sampleSizeForProportions({ baseline: 0.99, mde: 0.02, controlShare: 0.1 })).toThrow(RangeError);
    expect(() => sampleSizeForMeans({ sd: 10, mde: 0, controlShare: 0.1 })).toThrow(RangeError);
    expect(() => minimumDetectableMean({ sd: 1, treatment: 0, control: 10 })).toThrow(RangeError);
  });
});

describe('sampleRatioTest', () => {
  it('tests the holdout count against the planned share (values from scipy.stats.norm.sf)', () => {
    // 120 of 1,000 held out against 10 %: z = (120 − 100)/√(1000·0.1·0.9) = 20/9.486833 = 2.108185; p = 2·sf(2.108185) = 0.035015.
    const high = sampleRatioTest(120, 1000, 0.1);
    expect(high.z).toBeCloseTo(2.1081851, 6);
    expect(high.pValue).toBeCloseTo(0.035015, 5);
    // 95 of 1,000: z = −5/9.486833 = −0.527046; p = 0.598161.
    const low = sampleRatioTest(95, 1000, 0.1);
    expect(low.z).toBeCloseTo(-0.5270463, 6);
    expect(low.pValue).toBeCloseTo(0.598161, 5);
    expect(() => sampleRatioTest(5, 10, 0)).toThrow(RangeError);
    expect(() => sampleRatioTest(11, 10, 0.1)).toThrow(RangeError);
  });
});
