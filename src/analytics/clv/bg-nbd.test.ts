import { beforeAll, describe, expect, it } from 'vitest';
import { dayNumber } from '../periods.ts';
import {
  bgNbdCustomerLogLikelihood,
  bgNbdLogLikelihood,
  conditionalExpectedPurchases,
  expectedCumulativeRepeatPurchases,
  expectedPurchases,
  fitBgNbd,
  probabilityAlive,
  scoreBgNbd,
  type BgNbdFit,
} from './bg-nbd.ts';
import { readCdnowSample } from './cdnow-fixture.ts';
import { summarisePurchaseDays, type PurchaseSummary } from './clv.ts';

/**
 * Published values, CDNOW sample, calibration to 1997-09-30, weeks:
 * - Fader, Hardie & Lee (2005), "Counting Your Customers the Easy Way", Marketing Science 24(2):
 *   r = 0.243, α = 4.414, a = 0.793, b = 2.426, LL = −9582.4; E[Y(39) | x=2, t_x=30.43, T=38.86] = 1.226.
 * - Fader, Hardie & Lee (2005), "Implementing the BG/NBD Model for Customer Base Analysis in
 *   Excel" (the bgnbd.xls workbook, as checked in lifetimes' tests): E[X(t)] at t = 0.1429, 1,
 *   3, 31.8571, 32, 78 weeks = 0.0078, 0.0532, 0.1506, 1.0405, 1.0437, 1.8576.
 * - CLVTools' correctness test (test_correctness_bgnbd.R): r = 0.2425945, α = 4.4136019,
 *   a = 0.7929199, b = 2.4258881, LL = −9582.429.
 * - lifetimes' documentation (Quickstart, BetaGeoFitter summary): standard errors
 *   0.012557, 0.378221, 0.185719, 0.705345.
 */
const PUBLISHED = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };

let summary: PurchaseSummary;
let fit: BgNbdFit;

beforeAll(() => {
  summary = summarisePurchaseDays({ customerDays: readCdnowSample(), calibrationEnd: '1997-09-30', unit: 'week' });
  fit = fitBgNbd(summary);
});

describe('BG/NBD on the CDNOW sample', () => {
  it('summarises 2,357 customers with 2,457 repeat purchase days, T measured to the last calibration day', () => {
    expect(summary.x.length).toBe(2357);
    expect(summary.x.reduce((sum, x) => sum + x, 0)).toBe(2457);
    // Customer 1 (first purchase 1997-01-01) is lifetimes' and BTYD's (2, 30.43, 38.86).
    expect([summary.x[0], summary.tx[0]!.toFixed(2), summary.T[0]!.toFixed(2)]).toEqual([2, '30.43', '38.86']);
  });

  it('reproduces the published maximum-likelihood estimates and log-likelihood', () => {
    expect(fit.converged).toBe(true);
    for (const name of ['r', 'alpha', 'a', 'b'] as const) expect(fit[name]).toBeCloseTo(PUBLISHED[name], 3);
    expect(fit.r).toBeCloseTo(0.2425945, 5);
    expect(fit.alpha).toBeCloseTo(4.4136019, 4);
    expect(fit.a).toBeCloseTo(0.7929199, 4);
    expect(fit.b).toBeCloseTo(2.4258881, 4);
    expect(fit.logLikelihood).toBeCloseTo(-9582.429, 3);
  });

  it('reports standard errors from the observed information that match lifetimes', () => {
    const published = { r: 0.012557, alpha: 0.378221, a: 0.185719, b: 0.705345 };
    for (const name of ['r', 'alpha', 'a', 'b'] as const) {
      expect(Math.abs(fit.standardErrors[name]! / published[name] - 1)).toBeLessThan(0.005);
    }
  });

  it('gives the published conditional expectation for customer (2, 30.43, 38.86) over the 39-week holdout', () => {
    expect(conditionalExpectedPurchases({ params: fit, t: 39, x: 2, tx: 30.43, T: 38.86 })).toBeCloseTo(1.226, 3);
  });

  it('gives the published expected repeat purchases of a new customer, E[X(t)]', () => {
    const times = [0.1429, 1, 3, 31.8571, 32, 78];
    const published = [0.0078, 0.0532, 0.1506, 1.0405, 1.0437, 1.8576];
    times.forEach((t, i) => {
      expect(Math.abs(expectedPurchases({ params: fit, t }) - published[i]!)).toBeLessThan(0.001);
    });
  });

  it('tracks the cohort’s actual cumulative repeat purchases through calibration and the 39-week holdout', () => {
    const origin = dayNumber('1997-01-01');
    const firstPurchaseTimes = Array.from(summary.firstPurchaseDay, (day) => (day - origin) / 7);
    const [atCalibrationEnd, atHoldoutEnd] = expectedCumulativeRepeatPurchases({ params: fit, firstPurchaseTimes, times: [39, 78] });
    const holdout = summarisePurchaseDays({ customerDays: readCdnowSample(), calibrationEnd: '1998-06-30', unit: 'week' });
    const actualAtHoldoutEnd = holdout.x.reduce((sum, x) => sum + x, 0);
    expect(actualAtHoldoutEnd).toBe(4339);
    // The model's known fit on this data: 1.8% above actual in calibration, 4% below at week 78.
    expect(atCalibrationEnd! / 2457 - 1).toBeCloseTo(0.018, 2);
    expect(atHoldoutEnd! / actualAtHoldoutEnd - 1).toBeCloseTo(-0.04, 2);
  });
});

describe('BG/NBD P(alive)', () => {
  it('equals the closed form, hand-computed for customer (2, 30.43, 38.86) at the published estimates', () => {
    // 1 / (1 + 0.793/3.426 · (43.274/34.844)^2.243) = 1 / (1 + 0.2314653 · 1.6257888) = 0.7265786
    expect(probabilityAlive({ params: PUBLISHED, x: 2, tx: 30.43, T: 38.86 })).toBeCloseTo(0.7265786, 6);
  });

  it('is 1 without repeat purchases and falls with frequency at a fixed recency (the increasing frequency paradox)', () => {
    expect(probabilityAlive({ params: PUBLISHED, x: 0, tx: 0, T: 39 })).toBe(1);
    const alive = Array.from({ length: 16 }, (_, i) => probabilityAlive({ params: PUBLISHED, x: i + 5, tx: 30, T: 39 }));
    for (let i = 1; i < alive.length; i++) expect(alive[i]!).toBeLessThan(alive[i - 1]!);
    // Bought at the very end of calibration: only the dropout after that purchase is left, 1 / (1 + 0.793/24.426).
    expect(probabilityAlive({ params: PUBLISHED, x: 23, tx: 39, T: 39 })).toBeCloseTo(0.9685555, 6);
  });

  it('stays finite for histories far beyond the data (x = 5,000, T = 100,000)', () => {
    const huge = { x: 5000, tx: 99_000, T: 100_000 };
    expect(Number.isFinite(bgNbdCustomerLogLikelihood({ params: PUBLISHED, ...huge }))).toBe(true);
    const alive = probabilityAlive({ params: PUBLISHED, ...huge });
    expect(alive).toBeGreaterThan(0);
    expect(alive).toBeLessThan(1);
    const expected = conditionalExpectedPurchases({ params: PUBLISHED, t: 52, ...huge });
    expect(expected).toBeGreaterThan(0);
    expect(expected).toBeLessThan((5000 / 100_000) * 52);
  });
});

describe('BG/NBD expectations', () => {
  it('match the published hypergeometric form, summed term by term, for moderate histories', () => {
    for (const [x, tx, T, t] of [
      [0, 0, 0, 10],
      [3, 20, 35, 39],
      [12, 30, 38, 52],
      [1, 2, 2, 5],
    ] as const) {
      expect(conditionalExpectedPurchases({ params: PUBLISHED, t, x, tx, T })).toBeCloseTo(publishedConditionalExpectation(PUBLISHED, t, x, tx, T), 10);
    }
  });

  it('are continuous through a = 1, where the published form is 0/0', () => {
    const at = (a: number): number => conditionalExpectedPurchases({ params: { ...PUBLISHED, a }, t: 39, x: 2, tx: 30, T: 39 });
    expect(at(1)).toBeCloseTo((at(1 - 1e-7) + at(1 + 1e-7)) / 2, 8);
    expect(at(1)).toBeCloseTo(publishedConditionalExpectation({ ...PUBLISHED, a: 1 + 1e-6 }, 39, 2, 30, 39), 5);
  });

  it('have a closed form when a + b − 1 = r: E[Y(t) | alive] = (x + a + b − 1) · t / (α + T + t)', () => {
    const params = { r: 2, alpha: 1, a: 2, b: 1 };
    expect(expectedPurchases({ params, t: 3 })).toBeCloseTo((2 * 3) / (1 + 3), 12);
    // P(alive | 1, 1, 2) = 1 / (1 + 2/1 · (3/2)³) = 1 / 7.75.
    expect(conditionalExpectedPurchases({ params, t: 4, x: 1, tx: 1, T: 2 })).toBeCloseTo((1 / 7.75) * ((3 * 4) / (1 + 2 + 4)), 12);
  });
});

describe('BG/NBD likelihood and scoring over grouped histories', () => {
  const rows = { x: [2, 1, 0, 0, 2, 7], tx: [30.43, 1.71, 0, 0, 30.43, 29.43], T: [38.86, 38.86, 38.86, 38.86, 38.86, 38.86] };

  it('sums per-customer log-likelihoods, and weights count repeated histories', () => {
    const perCustomer = rows.x.reduce((sum, x, i) => sum + bgNbdCustomerLogLikelihood({ params: PUBLISHED, x, tx: rows.tx[i]!, T: rows.T[i]! }), 0);
    expect(bgNbdLogLikelihood({ params: PUBLISHED, ...rows })).toBeCloseTo(perCustomer, 10);
    const grouped = { x: [2, 1, 0, 7], tx: [30.43, 1.71, 0, 29.43], T: [38.86, 38.86, 38.86, 38.86], weights: [2, 1, 2, 1] };
    expect(bgNbdLogLikelihood({ params: PUBLISHED, ...grouped })).toBeCloseTo(perCustomer, 10);
  });

  it('fits the same model from one row per customer or one weighted row per distinct history', () => {
    const counts = new Map<string, { x: number; tx: number; T: number; weight: number }>();
    summary.x.forEach((x, i) => {
      const key = `${x}:${summary.tx[i]}:${summary.T[i]}`;
      const group = counts.get(key) ?? { x, tx: summary.tx[i]!, T: summary.T[i]!, weight: 0 };
      group.weight++;
      counts.set(key, group);
    });
    const groups = [...counts.values()];
    const weighted = fitBgNbd({ x: groups.map((g) => g.x), tx: groups.map((g) => g.tx), T: groups.map((g) => g.T), weights: groups.map((g) => g.weight) });
    expect(weighted.r).toBeCloseTo(fit.r, 6);
    expect(weighted.b).toBeCloseTo(fit.b, 5);
    expect(weighted.logLikelihood).toBeCloseTo(fit.logLikelihood, 6);
  });

  it('scores every customer like the scalar functions do', () => {
    const scores = scoreBgNbd({ params: PUBLISHED, ...rows, horizon: 39 });
    rows.x.forEach((x, i) => {
      const history = { x, tx: rows.tx[i]!, T: rows.T[i]! };
      expect(scores.probabilityAlive[i]).toBe(probabilityAlive({ params: PUBLISHED, ...history }));
      expect(scores.expectedPurchases[i]).toBeCloseTo(conditionalExpectedPurchases({ params: PUBLISHED, t: 39, ...history }), 12);
    });
  });

  it('rejects impossible histories with the row and the rule', () => {
    expect(() => fitBgNbd({ x: [1, 2], tx: [3, 5], T: [4, 4] })).toThrow(/row 1: tx must lie between 0 and T/);
    expect(() => fitBgNbd({ x: [0], tx: [1], T: [4] })).toThrow(/tx must be 0 for a customer without repeat purchases/);
    expect(() => fitBgNbd({ x: [1.5], tx: [1], T: [4] })).toThrow(/whole number/);
  });
});

/**
 * FHL 2005 eq. 10 as published, with ₂F₁ summed as its plain Gauss series: an independent check
 * of the transformed series the library uses (valid here because z < 1 and the terms stay small).
 */
function publishedConditionalExpectation({ r, alpha, a, b }: typeof PUBLISHED, t: number, x: number, tx: number, T: number): number {
  const z = t / (alpha + T + t);
  let term = 1;
  let hypergeometric = 1;
  for (let k = 0; k < 5000; k++) {
    term *= ((r + x + k) * (b + x + k) * z) / ((a + b + x - 1 + k) * (k + 1));
    hypergeometric += term;
  }
  const aliveOdds = x > 0 ? (a / (b + x - 1)) * ((alpha + T) / (alpha + tx)) ** (r + x) : 0;
  return (((a + b + x - 1) / (a - 1)) * (1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hypergeometric)) / (1 + aliveOdds);
}
