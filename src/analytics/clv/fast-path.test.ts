import { describe, expect, it } from 'vitest';
import { dayNumber, formatDay } from '../periods.ts';
import { fitBgNbdReference } from './bg-nbd-reference.ts';
import { conditionalExpectedPurchases, fitBgNbd, probabilityAlive, type BgNbdFit } from './bg-nbd.ts';
import { customerLifetimeValue, predictCustomerValue } from './clv.ts';
import { groupCustomers, groupPurchaseSummary } from './customer-groups.ts';
import { fitGammaGammaReference } from './gamma-gamma-reference.ts';
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
    bgNbd: { r: 1.2, alpha: 70, a: 0.5, b: 7 }, gammaGamma: { p: 6, q: 4, gamma: 15 }, firstPurchaseDay, lastDay: LAST_DAY, random, splitShare: 0.05,
  });
}

const relative = (value: number, reference: number): number => Math.abs(value / reference - 1);

function expectSameBgNbd(fast: BgNbdFit, reference: BgNbdFit): void {
  expect(fast.converged).toBe(true);
  expect(relative(fast.logLikelihood, reference.logLikelihood)).toBeLessThan(1e-6);
  for (const name of ['r', 'alpha', 'a', 'b'] as const) {
    expect(relative(fast[name], reference[name])).toBeLessThan(1e-6);
    // Analytic against numerical second derivatives.
    expect(relative(fast.standardErrors[name], reference.standardErrors[name])).toBeLessThan(1e-3);
  }
}

function expectSameGammaGamma(fast: GammaGammaFit, reference: GammaGammaFit): void {
  expect(fast.converged).toBe(true);
  expect(relative(fast.logLikelihood, reference.logLikelihood)).toBeLessThan(1e-6);
  for (const name of ['p', 'q', 'gamma'] as const) {
    expect(relative(fast[name], reference[name])).toBeLessThan(1e-6);
    expect(relative(fast.standardErrors[name], reference.standardErrors[name])).toBeLessThan(1e-3);
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
    expectSameGammaGamma(fitGammaGamma({ frequency: summary.x, monetary: summary.monetary }), fitGammaGammaReference({ frequency: summary.x, monetary: summary.monetary }));
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
      expect(fromSummary.expectedPurchases[i]).toBe(conditionalExpectedPurchases({ params: bgNbd, t: terms.periods * terms.periodLength, ...history }));
      expect(fromSummary.clv[i]).toBe(customerLifetimeValue({ bgNbd, expectedSpend: spend, ...history, ...terms }));
    }
    expect(byGroups).toEqual(fromSummary);
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
  });
});
