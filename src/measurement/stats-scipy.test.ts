import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Random, seededRandom } from '../analytics/clv/simulate.ts';
import {
  bootstrapDifference,
  capAtPercentile,
  cuped,
  newcombeDifference,
  normalQuantile,
  relativeLift,
  sampleSizeForMeans,
  sampleSizeForProportions,
  tQuantile,
  twoProportionZTest,
  welchInterval,
  wilsonInterval,
} from './stats.ts';

// Compares every method with scipy on seeded random data. Skipped (not failed) where python3 or
// scipy is missing; the hand-computed cases in stats.test.ts always run.
const hasScipy = spawnSync('python3', ['-c', 'import scipy'], { stdio: 'ignore' }).status === 0;

/** |actual − expected| ≤ tolerance, with both numbers in the failure message. */
function expectNear(actual: number, expected: number, tolerance: number, label = ''): void {
  expect(Math.abs(actual - expected), `${label} ${actual} vs ${expected} (± ${tolerance})`).toBeLessThanOrEqual(tolerance);
}

function normal(random: Random): number {
  return Math.sqrt(-2 * Math.log(random())) * Math.cos(2 * Math.PI * random());
}

/** Revenue per customer: a share `zeros` buys nothing, the others spend lognormal(mu, sigma). */
function revenue(random: Random, n: number, zeros: number, mu: number, sigma: number): number[] {
  return Array.from({ length: n }, () => (random() < zeros ? 0 : Math.round(100 * Math.exp(mu + sigma * normal(random))) / 100));
}

interface Dataset {
  treatment: number[];
  control: number[];
  covariate: number[];
}

function datasets(): Dataset[] {
  const random = seededRandom(2024);
  const shapes: [number, number, () => number, () => number][] = [
    [30, 45, () => 10 + 3 * normal(random), () => 9 + 5 * normal(random)],
    [5, 4, () => 100 * random(), () => 50 + 80 * random()],
    [1000, 800, () => -Math.log(random()) * 40, () => -Math.log(random()) * 36],
  ];
  const sets = shapes.map(([nt, nc, drawT, drawC]) => ({
    treatment: Array.from({ length: nt }, drawT),
    control: Array.from({ length: nc }, drawC),
  }));
  sets.push({ treatment: revenue(random, 400, 0.7, 3, 1.2), control: revenue(random, 300, 0.72, 3, 1.2) });
  sets.push({ treatment: revenue(random, 2000, 0.6, 4, 0.8), control: revenue(random, 200, 0.6, 3.9, 0.8) });
  return sets.map((set) => ({ ...set, covariate: [...set.treatment, ...set.control].map((y) => 0.5 * y + 20 * normal(random)) }));
}

const counts: [number, number][] = [
  [0, 7],
  [1, 29],
  [17, 40],
  [81, 263],
  [499, 500],
  [350, 5000],
  [12, 12],
];
const quantilePoints: [number, number][] = [
  [0.975, 1],
  [0.975, 2.5],
  [0.995, 7],
  [0.9, 13.37],
  [0.025, 40],
  [0.999, 250.5],
  [1e-6, 3],
  [0.5, 9],
];
const capPercentiles = [0.5, 0.9, 0.99, 0.999];
const BOOTSTRAP_RESAMPLES = 4000;

const SCRIPT = `
import json, sys
import numpy as np
from scipy import stats

data = json.load(sys.stdin)
out = {'welch': [], 'bootstrap': [], 'quantiles': [], 'wilson': [], 'newcombe': [], 'ztest': [], 'lift': [], 'caps': [], 'cuped': [], 'power': []}

def diff_of_means(x, y, axis=-1):
    return np.mean(x, axis=axis) - np.mean(y, axis=axis)

for i, d in enumerate(data['datasets']):
    a, b = np.array(d['treatment']), np.array(d['control'])
    res = stats.ttest_ind(a, b, equal_var=False)
    ci = res.confidence_interval(0.95)
    out['welch'].append([float(ci.low), float(ci.high), float(res.df)])
    boot = stats.bootstrap((a, b), diff_of_means, n_resamples=data['resamples'], method='percentile',
                           confidence_level=0.95, vectorized=True, rng=np.random.default_rng(100 + i))
    out['bootstrap'].append([float(boot.confidence_interval.low), float(boot.confidence_interval.high), float(boot.standard_error)])
    pooled = np.concatenate([a, b])
    out['caps'].append([[float(np.quantile(pooled, q, method='inverted_cdf')), int(np.sum(pooled > np.quantile(pooled, q, method='inverted_cdf')))] for q in data['capPercentiles']])
    x = np.array(d['covariate'])
    theta = np.cov(x, pooled, ddof=1)[0, 1] / np.var(x, ddof=1)
    adjusted = pooled - theta * (x - x.mean())
    out['cuped'].append([float(theta), float(1 - np.var(adjusted, ddof=1) / np.var(pooled, ddof=1)), adjusted.tolist()])

for p, df in data['quantiles']:
    out['quantiles'].append([float(stats.t.ppf(p, df)), float(stats.norm.ppf(p))])

def wilson(k, n):
    ci = stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method='wilson')
    return float(ci.low), float(ci.high)

for k, n in data['counts']:
    out['wilson'].append(wilson(k, n))

# Newcombe (1998) method 10, written out from the Wilson limits above.
for (k1, n1) in data['counts']:
    for (k2, n2) in data['counts']:
        p1, p2 = k1 / n1, k2 / n2
        l1, u1 = wilson(k1, n1)
        l2, u2 = wilson(k2, n2)
        d = p1 - p2
        out['newcombe'].append([d - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2), d + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)])
        pooled = (k1 + k2) / (n1 + n2)
        se = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
        z = 0.0 if se == 0 else d / se
        out['ztest'].append([z, float(2 * stats.norm.sf(abs(z)))])
        if k1 == 0 or k2 == 0:
            out['lift'].append(None)
        else:
            log_ratio = np.log(p1 / p2)
            se_log = np.sqrt(1 / k1 - 1 / n1 + 1 / k2 - 1 / n2)
            zc = stats.norm.ppf(0.975)
            out['lift'].append([p1 / p2 - 1, np.exp(log_ratio - zc * se_log) - 1, np.exp(log_ratio + zc * se_log) - 1])

# Power of each planned design by the normal approximation, at the planned sizes and one customer fewer in each group.
za = stats.norm.ppf(0.975)
for plan in data['plans']:
    def power(nt, nc):
        if plan['kind'] == 'proportions':
            p1, p2 = plan['baseline'], plan['baseline'] + plan['mde']
            se = np.sqrt(p2 * (1 - p2) / nt + p1 * (1 - p1) / nc)
        else:
            se = plan['sd'] * np.sqrt(1 / nt + 1 / nc)
        return float(stats.norm.cdf(abs(plan['mde']) / se - za))
    out['power'].append([power(plan['treatment'], plan['control']), power(plan['treatment'] - 1, plan['control'] - 1)])

json.dump(out, sys.stdout)
`;

interface ScipyResults {
  welch: [number, number, number][];
  bootstrap: [number, number, number][];
  quantiles: [number, number][];
  wilson: [number, number][];
  newcombe: [number, number][];
  ztest: [number, number][];
  lift: ([number, number, number] | null)[];
  caps: [number, number][][];
  cuped: [number, number, number[]][];
  power: [number, number][];
}

const plans = [
  { kind: 'proportions' as const, baseline: 0.05, mde: 0.02, controlShare: 0.1 },
  { kind: 'proportions' as const, baseline: 0.3, mde: -0.05, controlShare: 0.5 },
  { kind: 'proportions' as const, baseline: 0.01, mde: 0.003, controlShare: 0.2 },
  { kind: 'means' as const, sd: 45, mde: 2.5, controlShare: 0.1 },
  { kind: 'means' as const, sd: 1, mde: 0.1, controlShare: 0.5 },
].map((plan) => ({ ...plan, ...(plan.kind === 'proportions' ? sampleSizeForProportions(plan) : sampleSizeForMeans(plan)) }));

describe.skipIf(!hasScipy)('stats against scipy', () => {
  const sets = datasets();
  let scipy: ScipyResults;

  beforeAll(() => {
    const input = JSON.stringify({ datasets: sets, resamples: BOOTSTRAP_RESAMPLES, quantiles: quantilePoints, counts, capPercentiles, plans });
    const run = spawnSync('python3', ['-c', SCRIPT], { input, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (run.status !== 0) throw new Error(`the scipy script failed: ${run.stderr}`);
    scipy = JSON.parse(run.stdout) as ScipyResults;
  });

  it('t and normal quantiles agree with scipy.stats.t.ppf and norm.ppf', () => {
    quantilePoints.forEach(([p, df], i) => {
      const [t, z] = scipy.quantiles[i]!;
      expectNear(tQuantile(p, df), t, 1e-9 * Math.max(1, Math.abs(t)), `t(${p}, ${df})`);
      // stdlib's erfinv-based quantile is within ~1e-12 relative of scipy's (1.1e-12 at p = 1e-6).
      expectNear(normalQuantile(p), z, 1e-11 * Math.max(1, Math.abs(z)), `z(${p})`);
    });
  });

  it('Welch intervals agree with ttest_ind(equal_var=False).confidence_interval(0.95)', () => {
    sets.forEach((set, i) => {
      const [low, high, df] = scipy.welch[i]!;
      const result = welchInterval(set.treatment, set.control);
      const scale = Math.max(1, high - low);
      expectNear(result.low, low, 1e-9 * scale, `set ${i} low`);
      expectNear(result.high, high, 1e-9 * scale, `set ${i} high`);
      expectNear(result.df, df, 1e-9 * df, `set ${i} df`);
    });
  });

  it('Wilson intervals agree with binomtest(k, n).proportion_ci(method="wilson")', () => {
    counts.forEach(([k, n], i) => {
      const [low, high] = scipy.wilson[i]!;
      const result = wilsonInterval(k, n);
      expectNear(result.low, low, 1e-12, `${k}/${n} low`);
      expectNear(result.high, high, 1e-12, `${k}/${n} high`);
    });
  });

  it('Newcombe’s method 10, the pooled z test and the Katz lift agree with independent Python versions', () => {
    let index = 0;
    for (const [k1, n1] of counts) {
      for (const [k2, n2] of counts) {
        const treatment = { successes: k1, n: n1 };
        const control = { successes: k2, n: n2 };
        const [low, high] = scipy.newcombe[index]!;
        const result = newcombeDifference(treatment, control);
        expectNear(result.low, low, 1e-12, `${k1}/${n1} − ${k2}/${n2} low`);
        expectNear(result.high, high, 1e-12, `${k1}/${n1} − ${k2}/${n2} high`);
        const [z, pValue] = scipy.ztest[index]!;
        const test = twoProportionZTest(treatment, control);
        expectNear(test.z, z, 1e-9 * Math.max(1, Math.abs(z)), 'z');
        // Relative error 1e-7: far in the tail the p value is tiny and only its relative size matters.
        expectNear(test.pValue, pValue, Math.max(1e-14, 1e-7 * pValue), `p for z = ${z}`);
        const lift = scipy.lift[index]!;
        const ours = relativeLift(treatment, control);
        if (lift === null) expect(ours).toBeNull();
        else {
          expect(ours).not.toBeNull();
          expectNear(ours!.lift, lift[0], 1e-9 * Math.max(1, Math.abs(lift[0])), 'lift');
          expectNear(ours!.low, lift[1], 1e-9 * Math.max(1, Math.abs(lift[1])), 'lift low');
          expectNear(ours!.high, lift[2], 1e-9 * Math.max(1, Math.abs(lift[2])), 'lift high');
        }
        index++;
      }
    }
  });

  it('the percentile bootstrap agrees loosely with scipy.stats.bootstrap (different generators)', () => {
    sets.forEach((set, i) => {
      const [low, high, standardError] = scipy.bootstrap[i]!;
      const result = bootstrapDifference(set.treatment, set.control, { resamples: BOOTSTRAP_RESAMPLES, seed: 100 + i });
      // Each end is a Monte Carlo estimate with a standard deviation of about 0.05 standard errors at
      // 4,000 replicates (more for skewed data); the two runs may differ by twice that. 0.35 SE is ≈ 5σ.
      expectNear(result.low, low, 0.35 * standardError, `set ${i} low`);
      expectNear(result.high, high, 0.35 * standardError, `set ${i} high`);
    });
  });

  it('the cap is numpy’s inverted_cdf quantile of the pooled values, and CUPED matches numpy', () => {
    sets.forEach((set, i) => {
      const pooled = [...set.treatment, ...set.control];
      capPercentiles.forEach((percentile, j) => {
        const [cap, capped] = scipy.caps[i]![j]!;
        const result = capAtPercentile(pooled, percentile);
        expect(result.cap, `set ${i} p ${percentile}`).toBe(cap);
        expect(result.capped, `set ${i} p ${percentile}`).toBe(capped);
      });
      const [theta, reduction, adjusted] = scipy.cuped[i]!;
      const result = cuped(pooled, set.covariate);
      expectNear(result.theta, theta, 1e-9 * Math.max(1, Math.abs(theta)), `set ${i} theta`);
      expectNear(result.varianceReduction, reduction, 1e-9, `set ${i} reduction`);
      const worst = adjusted.reduce((max, value, k) => Math.max(max, Math.abs(value - result.adjusted[k]!)), 0);
      expect(worst).toBeLessThanOrEqual(1e-9 * Math.max(...adjusted.map(Math.abs)));
    });
  });

  it('planned group sizes reach the power asked for, and one customer fewer per group does not', () => {
    plans.forEach((plan, i) => {
      const [power, powerWithFewer] = scipy.power[i]!;
      const label = `${plan.kind} ${plan.mde}: ${plan.treatment} + ${plan.control}`;
      expect(power, label).toBeGreaterThanOrEqual(0.8);
      expect(powerWithFewer, label).toBeLessThan(0.8);
    });
  });
});
