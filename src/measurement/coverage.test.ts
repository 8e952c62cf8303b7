import { describe, expect, it } from 'vitest';
import { type Random, seededRandom } from '../analytics/clv/simulate.ts';
import { bootstrapDifference, cuped, newcombeDifference, welchInterval } from './stats.ts';

// Simulated experiments with a known true effect: a 95 % interval must contain it in about 95 %
// of them. With N experiments the count covering has a standard deviation of √(N·0.95·0.05)
// (6.9 for 1,000; 3.8 for 300), so the bands below are 2 to 2.5 standard deviations wide on each
// side. The generators are seeded, so each count is the same on every run; the observed count
// is noted beside each band.

function normal(random: Random): number {
  return Math.sqrt(-2 * Math.log(random())) * Math.cos(2 * Math.PI * random());
}

function conversions(random: Random, n: number, rate: number): number {
  let successes = 0;
  for (let i = 0; i < n; i++) if (random() < rate) successes++;
  return successes;
}

/**
 * Revenue per customer: a share `zeros` buys nothing, the others spend lognormal(mu, sigma)
 * (skewness about 6 among buyers at sigma = 1.2). Its mean is (1 − zeros)·exp(mu + sigma²/2).
 */
interface Spend {
  zeros: number;
  mu: number;
  sigma: number;
}

function spend(random: Random, n: number, { zeros, mu, sigma }: Spend): Float64Array {
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) if (random() >= zeros) values[i] = Math.exp(mu + sigma * normal(random));
  return values;
}

function meanSpend({ zeros, mu, sigma }: Spend): number {
  return (1 - zeros) * Math.exp(mu + (sigma * sigma) / 2);
}

const control: Spend = { zeros: 0.7, mu: 3, sigma: 1.2 };
const treatment: Spend = { zeros: 0.68, mu: 3.05, sigma: 1.2 };
// 0.32·e^(3.05 + 0.72) − 0.30·e^(3 + 0.72) = 13.882 − 12.378 = 1.504.
const trueRevenueLift = meanSpend(treatment) - meanSpend(control);

describe('coverage of 95 % intervals in simulated experiments', () => {
  it('Newcombe covers a 5 % → 7 % conversion lift in 93.5–96.5 % of 1,000 experiments of 2,000 + 2,000', () => {
    const random = seededRandom(11);
    let covered = 0;
    for (let experiment = 0; experiment < 1000; experiment++) {
      const result = newcombeDifference({ successes: conversions(random, 2000, 0.07), n: 2000 }, { successes: conversions(random, 2000, 0.05), n: 2000 });
      if (result.low <= 0.02 && 0.02 <= result.high) covered++;
    }
    expect(covered).toBeGreaterThanOrEqual(935); // observed: 946 (944, 953, 945 with other seeds)
    expect(covered).toBeLessThanOrEqual(965);
  });

  it('Welch covers the true revenue lift of zero-inflated lognormal spend in 93–97 % of 1,000 experiments', () => {
    const random = seededRandom(12);
    let covered = 0;
    for (let experiment = 0; experiment < 1000; experiment++) {
      const result = welchInterval(spend(random, 2000, treatment), spend(random, 2000, control));
      if (result.low <= trueRevenueLift && trueRevenueLift <= result.high) covered++;
    }
    expect(covered).toBeGreaterThanOrEqual(930); // observed: 947 (954, 960, 945 with other seeds)
    expect(covered).toBeLessThanOrEqual(970);
  });

  it('the percentile bootstrap covers it in 92–98 % of 300 experiments (500 resamples each)', () => {
    const random = seededRandom(13);
    let covered = 0;
    for (let experiment = 0; experiment < 300; experiment++) {
      const result = bootstrapDifference(spend(random, 1000, treatment), spend(random, 1000, control), { resamples: 500, seed: experiment + 1 });
      if (result.low <= trueRevenueLift && trueRevenueLift <= result.high) covered++;
    }
    expect(covered).toBeGreaterThanOrEqual(276); // 92 %; observed: 282 (279, 281, 281 with other seeds: the percentile interval runs a little short on skewed data)
    expect(covered).toBeLessThanOrEqual(294); // 98 %
  });

  it('CUPED with a covariate at ρ = 0.7 still covers ~95 % and narrows the interval by 1 − √(1 − ρ²) ≈ 0.286', () => {
    // Spend this period Y = 50 + 0.7·(X − 50) + √(1 − 0.49)·10·ε (+ 2 in treatment) with last period's
    // X ~ N(50, 10²): corr(X, Y) = 0.7 in each group, so CUPED leaves √(1 − 0.49) = 0.714 of the SE.
    const random = seededRandom(14);
    const n = 1000;
    const trueLift = 2;
    let covered = 0;
    let ratioSum = 0;
    for (let experiment = 0; experiment < 1000; experiment++) {
      const x = new Float64Array(2 * n);
      const y = new Float64Array(2 * n);
      for (let i = 0; i < 2 * n; i++) {
        x[i] = 50 + 10 * normal(random);
        y[i] = 50 + 0.7 * (x[i]! - 50) + Math.sqrt(0.51) * 10 * normal(random) + (i < n ? trueLift : 0);
      }
      const { adjusted } = cuped(y, x);
      const plain = welchInterval(y.subarray(0, n), y.subarray(n));
      const result = welchInterval(adjusted.subarray(0, n), adjusted.subarray(n));
      if (result.low <= trueLift && trueLift <= result.high) covered++;
      ratioSum += (result.high - result.low) / (plain.high - plain.low);
    }
    expect(covered).toBeGreaterThanOrEqual(930); // observed: 942 (942, 947, 951 with other seeds)
    expect(covered).toBeLessThanOrEqual(970);
    const narrowing = 1 - ratioSum / 1000;
    // The ratio's spread across experiments is ≈ 0.03; its mean over 1,000 is within ±0.002 of 0.714.
    expect(narrowing).toBeGreaterThan(1 - Math.sqrt(0.51) - 0.01); // observed: 0.2860
    expect(narrowing).toBeLessThan(1 - Math.sqrt(0.51) + 0.01);
  });
});
