import stdlibNormalQuantile from '@stdlib/stats-base-dists-normal-quantile';
import stdlibTQuantile from '@stdlib/stats-base-dists-t-quantile';
import { seededUint32 } from '../analytics/clv/simulate.ts';

/**
 * The statistics for measuring a scenario against its control (holdout) group: intervals for a
 * difference in conversion (Wilson, Newcombe), in revenue per customer (Welch, the bootstrap,
 * CUPED), and the sample sizes a test needs. Every interval is two-sided at `confidence`
 * (default 0.95) and reads treatment − control.
 */

/** Customers who converted (`successes`) out of the `n` in one group. */
export interface ConversionCount {
  successes: number;
  n: number;
}

/** An estimate with the two ends of its confidence interval. */
export interface Interval {
  low: number;
  high: number;
}

/** The standard normal quantile Φ⁻¹(p) (stdlib, through erfinv; within about 1e-12 relative of scipy's norm.ppf). */
export function normalQuantile(p: number): number {
  return stdlibNormalQuantile(p, 0, 1);
}

/** The quantile of Student's t with `df` degrees of freedom (stdlib: the inverse incomplete beta function; df need not be an integer). */
export function tQuantile(p: number, df: number): number {
  return stdlibTQuantile(p, df);
}

/**
 * The Wilson score interval for one proportion (Wilson 1927; no continuity correction; Newcombe
 * 1998, Stat Med 17:857–872, method 3): the p with |p̂ − p| ≤ z·√(p(1−p)/n), i.e.
 *   (p̂ + z²/2n ± z·√(p̂(1−p̂)/n + z²/4n²)) / (1 + z²/n).
 * Unlike p̂ ± z·√(p̂(1−p̂)/n) it stays inside [0, 1] and keeps its coverage near 0 and 1 (0/10 gives
 * 0 to 0.2775). With n = 0 the estimate is NaN and the interval is all of [0, 1].
 */
export function wilsonInterval(successes: number, n: number, confidence = 0.95): Interval & { estimate: number } {
  if (n === 0 && successes === 0) return { estimate: Number.NaN, low: 0, high: 1 };
  checkCount({ successes, n }, 'wilsonInterval');
  const z = criticalValue(confidence);
  const rate = successes / n;
  const z2n = (z * z) / n;
  const centre = (rate + z2n / 2) / (1 + z2n);
  const halfWidth = (z * Math.sqrt((rate * (1 - rate)) / n + z2n / (4 * n))) / (1 + z2n);
  // At 0/n and n/n the bound is exactly 0 or 1; the formula gives it up to rounding.
  return {
    estimate: rate,
    low: successes === 0 ? 0 : Math.max(0, centre - halfWidth),
    high: successes === n ? 1 : Math.min(1, centre + halfWidth),
  };
}

/**
 * The difference treatment − control in conversion rate with Newcombe's hybrid score interval
 * (Newcombe 1998, Stat Med 17:873–890, method 10): with each group's Wilson interval [lᵢ, uᵢ]
 * around pᵢ and D = p_t − p_c,
 *   low  = D − √((p_t − l_t)² + (u_c − p_c)²),  high = D + √((u_t − p_t)² + (p_c − l_c)²).
 * It keeps close to nominal coverage where the Wald interval fails (small groups, rates near 0
 * or 1); 56/70 vs 48/80 gives 0.0524 to 0.3339. Throws a RangeError when a group is empty or a
 * count is not an integer with 0 ≤ successes ≤ n.
 */
export function newcombeDifference(
  treatment: ConversionCount,
  control: ConversionCount,
  confidence = 0.95,
): Interval & { difference: number; treatmentRate: number; controlRate: number } {
  checkCount(treatment, 'newcombeDifference', true);
  checkCount(control, 'newcombeDifference', true);
  const t = wilsonInterval(treatment.successes, treatment.n, confidence);
  const c = wilsonInterval(control.successes, control.n, confidence);
  const difference = t.estimate - c.estimate;
  return {
    difference,
    low: difference - Math.hypot(t.estimate - t.low, c.high - c.estimate),
    high: difference + Math.hypot(t.high - t.estimate, c.estimate - c.low),
    treatmentRate: t.estimate,
    controlRate: c.estimate,
  };
}

/**
 * The two-sided z test of equal conversion rates with the pooled standard error
 * √(p̄(1−p̄)(1/n_t + 1/n_c)), p̄ = (k_t + k_c)/(n_t + n_c); p = 2·(1 − Φ(|z|)). When no one or
 * everyone converted in both groups the rates are equal and z = 0, p = 1.
 */
export function twoProportionZTest(treatment: ConversionCount, control: ConversionCount): { z: number; pValue: number } {
  checkCount(treatment, 'twoProportionZTest', true);
  checkCount(control, 'twoProportionZTest', true);
  const pooled = (treatment.successes + control.successes) / (treatment.n + control.n);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / treatment.n + 1 / control.n));
  if (se === 0) return { z: 0, pValue: 1 };
  const z = (treatment.successes / treatment.n - control.successes / control.n) / se;
  return { z, pValue: Math.min(1, 2 * upperNormalTail(Math.abs(z))) };
}

/**
 * The sample-ratio check: is `successes` of `n` consistent with the planned share `p`? The
 * one-sample z test z = (k − n·p)/√(n·p·(1−p)), p-value 2·(1 − Φ(|z|)) — the normal
 * approximation of the binomial test, fine at the hundreds of customers it is read at. A tiny
 * p-value (< 0.001) says the assignment went wrong (sample-ratio mismatch).
 */
export function sampleRatioTest(successes: number, n: number, p: number): { z: number; pValue: number } {
  checkCount({ successes, n }, 'sampleRatioTest', true);
  if (!(p > 0 && p < 1)) throw new RangeError(`sampleRatioTest: the planned share is between 0 and 1, not ${p}`);
  const z = (successes - n * p) / Math.sqrt(n * p * (1 - p));
  return { z, pValue: Math.min(1, 2 * upperNormalTail(Math.abs(z))) };
}

/**
 * The relative lift p_t/p_c − 1 with the Katz log interval (Katz et al. 1978, Biometrics 34:469–474):
 * the delta method gives Var(ln(p_t/p_c)) ≈ 1/k_t − 1/n_t + 1/k_c − 1/n_c, and the interval
 * exp(ln(p_t/p_c) ± z·SE) − 1 is asymmetric like the ratio itself. Null when either rate is 0
 * (the ratio or its logarithm is undefined).
 */
export function relativeLift(treatment: ConversionCount, control: ConversionCount, confidence = 0.95): (Interval & { lift: number }) | null {
  checkCount(treatment, 'relativeLift', true);
  checkCount(control, 'relativeLift', true);
  if (treatment.successes === 0 || control.successes === 0) return null;
  const logRatio = Math.log(treatment.successes / treatment.n) - Math.log(control.successes / control.n);
  const se = Math.sqrt(1 / treatment.successes - 1 / treatment.n + 1 / control.successes - 1 / control.n);
  const z = criticalValue(confidence);
  return { lift: Math.expm1(logRatio), low: Math.expm1(logRatio - z * se), high: Math.expm1(logRatio + z * se) };
}

/** Count, mean, sample variance (divisor n − 1, by two passes) and standard deviation; NaN where undefined (variance for n < 2). */
export function summarize(values: ArrayLike<number>): { n: number; mean: number; variance: number; sd: number } {
  const n = values.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i]!;
  const mean = sum / n;
  let squares = 0;
  for (let i = 0; i < n; i++) squares += (values[i]! - mean) ** 2;
  const variance = n < 2 ? Number.NaN : squares / (n - 1);
  return { n, mean, variance, sd: Math.sqrt(variance) };
}

/**
 * The difference in means treatment − control with Welch's interval (Welch 1947, Biometrika
 * 34:28–35), which does not assume equal variances: SE = √(s_t²/n_t + s_c²/n_c), degrees of
 * freedom by Welch–Satterthwaite, df = SE⁴ / ((s_t²/n_t)²/(n_t−1) + (s_c²/n_c)²/(n_c−1)), and
 * the interval D ± t(1 − α/2, df)·SE. When both variances are 0 the interval is [D, D] and
 * df = n_t + n_c − 2. Throws a RangeError when a group has fewer than 2 customers.
 */
export function welchInterval(
  treatment: ArrayLike<number>,
  control: ArrayLike<number>,
  confidence = 0.95,
): Interval & { difference: number; se: number; df: number } {
  if (treatment.length < 2 || control.length < 2) throw new RangeError('welchInterval needs at least 2 customers in each group');
  const t = summarize(treatment);
  const c = summarize(control);
  const difference = t.mean - c.mean;
  const vt = t.variance / t.n;
  const vc = c.variance / c.n;
  const se = Math.sqrt(vt + vc);
  if (se === 0) return { difference, low: difference, high: difference, se, df: t.n + c.n - 2 };
  const df = (vt + vc) ** 2 / ((vt * vt) / (t.n - 1) + (vc * vc) / (c.n - 1));
  const halfWidth = tQuantile(1 - (1 - confidence) / 2, df) * se;
  return { difference, low: difference - halfWidth, high: difference + halfWidth, se, df };
}

/**
 * Winsorises from above: every value over the `percentile` (0 < percentile ≤ 1, e.g. 0.999)
 * of `values` is lowered to it, so that a few very large orders do not dominate a mean's
 * variance. The caller passes both groups pooled, so that both are capped at the same amount.
 * The percentile is the nearest rank: the ⌈percentile·N⌉-th smallest value (1-based), always
 * one of the values (numpy's method 'inverted_cdf'); percentile·N is rounded to 1e-9 first, so
 * that 0.07·100 = 7.000000000000001 gives rank 7. `capped` counts the values lowered.
 */
export function capAtPercentile(values: ArrayLike<number>, percentile: number): { values: Float64Array; cap: number; capped: number } {
  const n = values.length;
  if (n === 0) throw new RangeError('capAtPercentile needs at least one value');
  if (!(percentile > 0 && percentile <= 1)) throw new RangeError(`capAtPercentile: percentile must be in (0, 1], got ${percentile}`);
  const capped = Float64Array.from(values);
  const rank = Math.min(n, Math.max(1, Math.ceil(percentile * n - 1e-9)));
  const cap = Float64Array.from(values).sort()[rank - 1]!;
  let count = 0;
  for (let i = 0; i < n; i++) {
    if (capped[i]! > cap) {
      capped[i] = cap;
      count++;
    }
  }
  return { values: capped, cap, capped: count };
}

/**
 * The difference in means treatment − control with a percentile bootstrap interval (Efron &
 * Tibshirani 1993, An Introduction to the Bootstrap, ch. 13): each of `resamples` replicates
 * draws n_t customers with replacement from the treatment group and n_c from the control group
 * and takes the difference of the means; the interval runs between the replicates' α/2 and
 * 1 − α/2 quantiles, interpolated linearly between order statistics (Hyndman & Fan type 7, as
 * numpy and scipy.stats.bootstrap). A seeded xoshiro128** generator makes it reproducible.
 * Throws a RangeError when a group has fewer than 2 customers.
 */
export function bootstrapDifference(
  treatment: ArrayLike<number>,
  control: ArrayLike<number>,
  { resamples = 2000, confidence = 0.95, seed = 1 }: { resamples?: number; confidence?: number; seed?: number } = {},
): Interval & { difference: number; resamples: number } {
  if (treatment.length < 2 || control.length < 2) throw new RangeError('bootstrapDifference needs at least 2 customers in each group');
  if (!(Number.isInteger(resamples) && resamples >= 1)) throw new RangeError(`bootstrapDifference: resamples must be a positive integer, got ${resamples}`);
  const alpha = 1 - checkConfidence(confidence);
  const t = Float64Array.from(treatment);
  const c = Float64Array.from(control);
  const next = seededUint32(seed);
  const replicates = new Float64Array(resamples);
  for (let b = 0; b < resamples; b++) replicates[b] = resampledMean(t, next) - resampledMean(c, next);
  replicates.sort();
  return {
    difference: summarize(t).mean - summarize(c).mean,
    low: sortedQuantile(replicates, alpha / 2),
    high: sortedQuantile(replicates, 1 - alpha / 2),
    resamples,
  };
}

/**
 * CUPED (Deng, Xu, Kohavi & Walker 2013, WSDM, "Improving the sensitivity of online controlled
 * experiments by utilizing pre-experiment data"): Y − θ(X − X̄) with θ = cov(X, Y)/var(X), X a
 * pre-period covariate (e.g. last year's spend). X is unaffected by the assignment, so the
 * adjustment leaves the difference in means unbiased and removes the share ρ² of Y's variance
 * that X explains. Pass both groups pooled (one θ for both), then split `adjusted` by index.
 * θ = 0 when X is constant; varianceReduction = 1 − var(adjusted)/var(Y) (0 when Y is constant).
 */
export function cuped(y: ArrayLike<number>, x: ArrayLike<number>): { adjusted: Float64Array; theta: number; varianceReduction: number } {
  const n = y.length;
  if (x.length !== n) throw new RangeError(`cuped: y has ${n} values but x has ${x.length}`);
  if (n < 2) throw new RangeError('cuped needs at least 2 customers');
  const meanX = summarize(x).mean;
  const meanY = summarize(y).mean;
  let covariance = 0;
  let varianceX = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i]! - meanX;
    covariance += dx * (y[i]! - meanY);
    varianceX += dx * dx;
  }
  const theta = varianceX === 0 ? 0 : covariance / varianceX;
  const adjusted = new Float64Array(n);
  for (let i = 0; i < n; i++) adjusted[i] = y[i]! - theta * (x[i]! - meanX);
  const varianceY = summarize(y).variance;
  const varianceReduction = varianceY === 0 ? 0 : 1 - summarize(adjusted).variance / varianceY;
  return { adjusted, theta, varianceReduction };
}

/** Group sizes for a planned test; `controlShare` is the share of customers held out as control. */
interface PowerSettings {
  mde: number;
  alpha?: number;
  power?: number;
  controlShare: number;
}

/**
 * Customers needed for a two-sided test at `alpha` to detect an absolute difference `mde` in
 * conversion (0.02 = 2 points) from `baseline` with probability `power`, when a share
 * `controlShare` of customers is in control. With p_c = baseline, p_t = baseline + mde,
 * κ = controlShare/(1 − controlShare) and n_c = κ·n_t (unpooled variances; Chow, Shao & Wang,
 * Sample Size Calculations in Clinical Research, 2008, §4.2):
 *   n_t = (z(1−α/2) + z(power))² · (p_t(1−p_t) + p_c(1−p_c)/κ) / mde².
 * Each group is rounded up (after rounding n to 1e-9, so that float noise adds no customer).
 */
export function sampleSizeForProportions({ baseline, mde, alpha = 0.05, power = 0.8, controlShare }: PowerSettings & { baseline: number }): {
  treatment: number;
  control: number;
  total: number;
} {
  const treatmentRate = baseline + mde;
  if (!(baseline > 0 && baseline < 1) || !(treatmentRate >= 0 && treatmentRate <= 1) || mde === 0) {
    throw new RangeError(`sampleSizeForProportions: needs 0 < baseline < 1, mde ≠ 0 and 0 ≤ baseline + mde ≤ 1 (got ${baseline}, ${mde})`);
  }
  const kappa = allocationRatio(controlShare);
  const variance = treatmentRate * (1 - treatmentRate) + (baseline * (1 - baseline)) / kappa;
  return groupSizes((zSum(alpha, power) ** 2 * variance) / (mde * mde), kappa);
}

/**
 * The same for a difference in means (revenue per customer) with a common standard deviation `sd`:
 *   n_t = (z(1−α/2) + z(power))² · sd² · (1 + 1/κ) / mde²,  n_c = κ·n_t, each rounded up.
 */
export function sampleSizeForMeans({ sd, mde, alpha = 0.05, power = 0.8, controlShare }: PowerSettings & { sd: number }): {
  treatment: number;
  control: number;
  total: number;
} {
  if (!(sd > 0) || mde === 0) throw new RangeError(`sampleSizeForMeans: needs sd > 0 and mde ≠ 0 (got ${sd}, ${mde})`);
  const kappa = allocationRatio(controlShare);
  return groupSizes((zSum(alpha, power) ** 2 * sd * sd * (1 + 1 / kappa)) / (mde * mde), kappa);
}

/** Group sizes and significance settings of a test that has run (or will run). */
interface GroupSizes {
  treatment: number;
  control: number;
  alpha?: number;
  power?: number;
}

/**
 * The smallest absolute rise in conversion over `baseline` that groups of these sizes detect
 * with probability `power` at `alpha` (two-sided): the inverse of sampleSizeForProportions, the
 * root Δ of Δ = (z(1−α/2) + z(power))·√((baseline+Δ)(1−baseline−Δ)/n_t + baseline(1−baseline)/n_c),
 * found by bisection (the right side is concave in Δ, so the root is unique). NaN when no rise up
 * to a rate of 1 is detectable.
 */
export function minimumDetectableProportion({ baseline, treatment, control, alpha = 0.05, power = 0.8 }: GroupSizes & { baseline: number }): number {
  if (!(baseline > 0 && baseline < 1)) throw new RangeError(`minimumDetectableProportion: needs 0 < baseline < 1, got ${baseline}`);
  checkGroupSizes(treatment, control);
  const multiplier = zSum(alpha, power);
  const gap = (delta: number): number =>
    delta - multiplier * Math.sqrt(((baseline + delta) * (1 - baseline - delta)) / treatment + (baseline * (1 - baseline)) / control);
  let low = 0;
  let high = 1 - baseline;
  if (gap(high) < 0) return Number.NaN;
  for (let i = 0; i < 100 && high - low > 1e-12; i++) {
    const middle = (low + high) / 2;
    if (gap(middle) < 0) low = middle;
    else high = middle;
  }
  return high;
}

/** The smallest absolute difference in means these groups detect: (z(1−α/2) + z(power))·sd·√(1/n_t + 1/n_c). */
export function minimumDetectableMean({ sd, treatment, control, alpha = 0.05, power = 0.8 }: GroupSizes & { sd: number }): number {
  if (!(sd >= 0)) throw new RangeError(`minimumDetectableMean: needs sd ≥ 0, got ${sd}`);
  checkGroupSizes(treatment, control);
  return zSum(alpha, power) * sd * Math.sqrt(1 / treatment + 1 / control);
}

function checkCount({ successes, n }: ConversionCount, caller: string, nonEmpty = false): void {
  const valid = Number.isInteger(successes) && Number.isInteger(n) && successes >= 0 && successes <= n && (n > 0 || !nonEmpty);
  if (!valid) throw new RangeError(`${caller}: needs integer counts with 0 ≤ successes ≤ n${nonEmpty ? ' and n > 0' : ''}, got ${successes}/${n}`);
}

function checkConfidence(confidence: number): number {
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
  return confidence;
}

function checkGroupSizes(treatment: number, control: number): void {
  if (!(treatment > 0 && control > 0)) throw new RangeError(`needs positive group sizes, got ${treatment} and ${control}`);
}

/** z(1 − α/2) for a two-sided interval at `confidence`. */
function criticalValue(confidence: number): number {
  return normalQuantile(1 - (1 - checkConfidence(confidence)) / 2);
}

function zSum(alpha: number, power: number): number {
  if (!(alpha > 0 && alpha < 1 && power > 0 && power < 1)) throw new RangeError(`alpha and power must be in (0, 1), got ${alpha} and ${power}`);
  return normalQuantile(1 - alpha / 2) + normalQuantile(power);
}

function allocationRatio(controlShare: number): number {
  if (!(controlShare > 0 && controlShare < 1)) throw new RangeError(`controlShare must be in (0, 1), got ${controlShare}`);
  return controlShare / (1 - controlShare);
}

function groupSizes(treatmentExact: number, kappa: number): { treatment: number; control: number; total: number } {
  const treatment = Math.ceil(treatmentExact - 1e-9);
  const control = Math.ceil(kappa * treatmentExact - 1e-9);
  return { treatment, control, total: treatment + control };
}

/**
 * 1 − Φ(x) for x ≥ 0, computed directly so that the tail does not cancel as 1 − Φ(x) would:
 * Hart's algorithm 5666 (Computer Approximations, 1968) as given by West (2005), "Better
 * approximations to cumulative normal functions", Wilmott Magazine, Figure 2. Absolute error
 * near 1e-16, relative error below 1e-8 far in the tail (checked against scipy.stats.norm.sf).
 */
function upperNormalTail(x: number): number {
  if (x > 37) return 0;
  const exponential = Math.exp((-x * x) / 2);
  if (x >= 7.07106781186547) {
    const fraction = x + 1 / (x + 2 / (x + 3 / (x + 4 / (x + 0.65))));
    return exponential / fraction / 2.506628274631;
  }
  const numerator = horner(x, [0.0352624965998911, 0.700383064443688, 6.37396220353165, 33.912866078383, 112.079291497871, 221.213596169931, 220.206867912376]);
  const denominator = horner(
    x,
    [0.0883883476483184, 1.75566716318264, 16.064177579207, 86.7807322029461, 296.564248779674, 637.333633378831, 793.826512519948, 440.413735824752],
  );
  return (exponential * numerator) / denominator;
}

/** The polynomial with `coefficients` (highest power first) at x. */
function horner(x: number, coefficients: readonly number[]): number {
  let value = 0;
  for (const coefficient of coefficients) value = value * x + coefficient;
  return value;
}

/** The mean of `values.length` draws with replacement from `values`. */
function resampledMean(values: Float64Array, next: () => number): number {
  const n = values.length;
  // next() / 2³² is in [0, 1 − 2⁻³²], so the index stays below n after rounding.
  const scale = n / 4294967296;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[Math.floor(next() * scale)]!;
  return sum / n;
}

/** The q quantile of ascending `sorted`, interpolating between order statistics (Hyndman & Fan type 7). */
function sortedQuantile(sorted: Float64Array, q: number): number {
  const position = q * (sorted.length - 1);
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below]! + (position - below) * (sorted[above]! - sorted[below]!);
}
