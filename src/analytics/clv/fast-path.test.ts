import { describe, expect, it } from 'vitest';
import { dayNumber, formatDay } from '../periods.ts';
import { bgNbdReferenceLogLikelihood, fitBgNbdReference } from './bg-nbd-reference.ts';
import { bgNbdLogLikelihood, conditionalExpectedPurchases, fitBgNbd, probabilityAlive, scoreBgNbd, type BgNbdFit } from './bg-nbd.ts';
import { customerLifetimeValue, predictCustomerValue } from './clv.ts';
import { groupCustomers, groupPurchaseSummary } from './customer-groups.ts';
import { fitGammaGammaReference, gammaGammaReferenceLogLikelihood, repeatBuyersOf } from './gamma-gamma-reference.ts';
import { readCdnowSample } from './cdnow-fixture.ts';
import { fitAndScoreCustomers } from './fit-and-score.ts';
import { conditionalExpectedSpend, fitGammaGamma, type GammaGammaFit } from './gamma-gamma.ts';
import { summarisePurchaseDays, type TimeUnit } from './purchase-days.ts';
import { seededRandom, simulatePurchases } from './simulate.ts';

/**
 * The fast fits (tabulated likelihood passes, Newton with the analytic Hessian, a start from
 * a sample) against the plain reference implementations (customer by customer, BFGS,
 * numerical Hessian), on purchases simulated day by day and summarised in days and in weeks.
 */
const LAST_DAY = dayNumber('2025-12-31');

function simulatedPurchases(customers: number, seed: number) {
  const random = seededRandom(seed);
  const firstPurchaseDay = new Int32Array(customers);
  for (let i = 0; i < customers; i++) firstPurchaseDay[i] = LAST_DAY - 1095 + Math.floor(730 * random());
  firstPurchaseDay.sort();
  return simulatePurchases({
    bgNbd: { r: 1.2, alpha: 70, a: 0.5, b: 7 },
    gammaGamma: { p: 6, q: 4, gamma: 15 },
    firstPurchaseDay,
    lastDay: LAST_DAY,
    random,
    splitShare: 0.05,
  });
}

const relative = (value: number, reference: number): number => Math.abs(value / reference - 1);

function expectSameBgNbd(fast: BgNbdFit, reference: BgNbdFit): void {
  expect(fast.converged).toBe(true);
  expect(relative(fast.logLikelihood, reference.logLikelihood)).toBeLessThan(1e-6);
  for (const name of ['r', 'alpha', 'a', 'b'] as const) {
    expect(relative(fast[name], reference[name])).toBeLessThan(1e-6);
    // Analytic against numerical second derivatives.
    expect(relative(fast.standardErrors[name]!, reference.standardErrors[name]!)).toBeLessThan(1e-3);
  }
}

function expectSameGammaGamma(fast: GammaGammaFit, reference: GammaGammaFit): void {
  expect(fast.converged).toBe(true);
  expect(relative(fast.logLikelihood, reference.logLikelihood)).toBeLessThan(1e-6);
  for (const name of ['p', 'q', 'gamma'] as const) {
    expect(relative(fast[name], reference[name])).toBeLessThan(1e-6);
    expect(relative(fast.standardErrors[name]!, reference.standardErrors[name]!)).toBeLessThan(1e-3);
  }
}

describe.each<TimeUnit>(['day', 'week'])('the fast fits in %s units', (unit) => {
  const summary = summarisePurchaseDays({ customerDays: simulatedPurchases(3000, 7), calibrationEnd: formatDay(LAST_DAY), unit });

  it('give the reference BG/NBD fit to 1e-6 in parameters and log-likelihood, from rows or from the summary’s groups', () => {
    const reference = fitBgNbdReference(summary);
    expectSameBgNbd(fitBgNbd(summary), reference);
    expectSameBgNbd(fitBgNbd({ groups: groupPurchaseSummary(summary) }), reference);
  });

  it('give the reference Gamma-Gamma fit to 1e-6', () => {
    expectSameGammaGamma(
      fitGammaGamma({ frequency: summary.x, monetary: summary.monetary }),
      fitGammaGammaReference({ frequency: summary.x, monetary: summary.monetary }),
    );
  });

  it('score every customer of the summary as the per-customer functions do, and as scoring by groups does', () => {
    const bgNbd = fitBgNbd(summary);
    const gammaGamma = fitGammaGamma({ frequency: summary.x, monetary: summary.monetary });
    const terms = { periods: 12, periodLength: 365.25 / 12 / (unit === 'week' ? 7 : 1), margin: 0.4, discountRate: 0.01 };
    const fromSummary = predictCustomerValue({ bgNbd, gammaGamma, summary, ...terms });
    const byGroups = predictCustomerValue({ bgNbd, gammaGamma, ...summary, ...terms });
    for (let i = 0; i < summary.x.length; i++) {
      const history = { x: summary.x[i]!, tx: summary.tx[i]!, T: summary.T[i]! };
      const spend = conditionalExpectedSpend({ params: gammaGamma, frequency: history.x, monetary: summary.monetary[i]! });
      expect(fromSummary.probabilityAlive[i]).toBe(probabilityAlive({ params: bgNbd, ...history }));
      expect(fromSummary.expectedSpend[i]).toBe(spend);
      // Expectations sum the same series for all horizons at once: equal to rounding.
      expect(
        relative(fromSummary.expectedPurchases[i]!, conditionalExpectedPurchases({ params: bgNbd, t: terms.periods * terms.periodLength, ...history })),
      ).toBeLessThan(1e-13);
      expect(relative(fromSummary.clv[i]!, customerLifetimeValue({ bgNbd, expectedSpend: spend, ...history, ...terms }))).toBeLessThan(1e-13);
    }
    // The holdout check's scoring, over the summary's groups: the same P(alive) and expectations.
    const holdout = scoreBgNbd({ params: bgNbd, groups: groupPurchaseSummary(summary), horizon: terms.periods * terms.periodLength });
    expect(holdout.probabilityAlive).toEqual(fromSummary.probabilityAlive);
    holdout.expectedPurchases.forEach((expected, i) => {
      expect(relative(expected, fromSummary.expectedPurchases[i]!)).toBeLessThan(1e-13);
    });
    expect(byGroups.probabilityAlive).toEqual(fromSummary.probabilityAlive);
    expect(byGroups.expectedSpend).toEqual(fromSummary.expectedSpend);
    byGroups.clv.forEach((clv, i) => {
      expect(relative(clv, fromSummary.clv[i]!)).toBeLessThan(1e-13);
    });
  });
});

/**
 * Whether `fitted` is the optimum of a likelihood, given its gradient there and the fit's
 * standard errors: a Newton step from it moves each parameter by |Σⱼ Covᵢⱼ gⱼ| ≤ SEᵢ Σⱼ SEⱼ |gⱼ|
 * (|Covᵢⱼ| ≤ SEᵢ SEⱼ); that bound must be under 1e-6 of the parameter.
 */
function expectOptimum(fitted: number[], estimates: (number | null)[], gradient: Float64Array): void {
  expect(estimates).not.toContain(null);
  const standardErrors = estimates as number[];
  const reach = standardErrors.reduce((sum, se, j) => sum + se * Math.abs(gradient[j]!), 0);
  fitted.forEach((value, i) => {
    expect(standardErrors[i]! * reach).toBeLessThan(1e-6 * value);
  });
}

describe('large fits, started from fits on samples', () => {
  // 50,000 customers: above the 40,000 from which a fit starts from a sample's.
  const summary = summarisePurchaseDays({ customerDays: simulatedPurchases(50_000, 13), calibrationEnd: formatDay(LAST_DAY), unit: 'day' });

  it('land on the optimum of the per-customer BG/NBD likelihood', () => {
    const fit = fitBgNbd({ groups: groupPurchaseSummary(summary) });
    expect(fit.converged).toBe(true);
    const gradient = new Float64Array(4);
    bgNbdReferenceLogLikelihood(fit, { x: summary.x, tx: summary.tx, T: summary.T, weight: new Float64Array(summary.x.length).fill(1) }, gradient);
    expectOptimum([fit.r, fit.alpha, fit.a, fit.b], [fit.standardErrors.r, fit.standardErrors.alpha, fit.standardErrors.a, fit.standardErrors.b], gradient);
  });

  it('land on the optimum of the per-customer Gamma-Gamma likelihood', () => {
    const fit = fitGammaGamma({ frequency: summary.x, monetary: summary.monetary });
    expect(fit.converged).toBe(true);
    const gradient = new Float64Array(3);
    gammaGammaReferenceLogLikelihood(fit, repeatBuyersOf({ frequency: summary.x, monetary: summary.monetary }), gradient);
    expectOptimum([fit.p, fit.q, fit.gamma], [fit.standardErrors.p, fit.standardErrors.q, fit.standardErrors.gamma], gradient);
  });
});

describe('groupPurchaseSummary', () => {
  it('gives groups with the same likelihood as the full grouping, every customer in the group of her history', () => {
    const summary = summarisePurchaseDays({ customerDays: simulatedPurchases(3000, 11), calibrationEnd: formatDay(LAST_DAY), unit: 'week' });
    const fast = groupPurchaseSummary(summary);
    const full = groupCustomers(summary);
    expect(fast.count).toBeGreaterThanOrEqual(full.count);
    for (let i = 0; i < summary.x.length; i++) {
      const g = fast.groupOf[i]!;
      expect([fast.x[g], fast.tx[g], fast.T[g]]).toEqual([summary.x[i], summary.tx[i], summary.T[i]]);
      expect(fast.members.subarray(fast.memberStart[g]!, fast.memberStart[g + 1]!)).toContain(i);
    }
    let weight = 0;
    for (let g = 0; g < fast.count; g++) weight += fast.weight[g]!;
    expect(weight).toBe(summary.x.length);
    const params = { r: 0.9, alpha: 8, a: 0.6, b: 4 };
    expect(bgNbdLogLikelihood({ params, groups: fast }) / bgNbdLogLikelihood({ params, groups: full }) - 1).toBeCloseTo(0, 12);
  });
});

describe('fitAndScoreCustomers', () => {
  it('reproduces the published CDNOW fits and lifetimes’ documented CLVs from the purchases, in one call', () => {
    const { bgNbd, gammaGamma, value } = fitAndScoreCustomers({
      customerDays: readCdnowSample(),
      calibrationEnd: '1997-09-30',
      unit: 'week',
      periods: 12,
      periodLength: 30,
      margin: 1,
      discountRate: 0.01,
    });
    expect([bgNbd.r, bgNbd.alpha, bgNbd.a, bgNbd.b].map((v) => Number(v.toFixed(3)))).toEqual([0.243, 4.414, 0.793, 2.426]);
    expect([gammaGamma.p, gammaGamma.q, gammaGamma.gamma].map((v) => Number(v.toFixed(2)))).toEqual([6.25, 3.74, 15.44]);
    // lifetimes' Quickstart, as in clv.test.ts.
    const documented = [140.096211, 18.943467, 38.180574, 38.180574, 38.180574, 1003.868107, 28.109683, 38.180574, 167.418216, 38.180574];
    documented.forEach((clv, i) => {
      expect(relative(value.clv[i]!, clv)).toBeLessThan(1e-3);
    });
  });
});
