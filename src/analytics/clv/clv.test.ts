import { describe, expect, it } from 'vitest';
import { dayNumber } from '../periods.ts';
import { conditionalExpectedPurchases, fitBgNbd, probabilityAlive } from './bg-nbd.ts';
import { readCdnowSample } from './cdnow-fixture.ts';
import { customerLifetimeValue, discountedExpectedPurchases, predictCustomerValue, summarisePurchaseDays } from './clv.ts';
import { conditionalExpectedSpend, fitGammaGamma } from './gamma-gamma.ts';

const d = (date: string): number => dayNumber(date);

describe('summarisePurchaseDays', () => {
  // Customer 0: two purchases on 01-08 make one purchase day; the 02-05 purchase is after calibration.
  // Customer 1: one purchase day of two orders. Customer 2 is acquired after calibration.
  // Customer 3 first buys on the last calibration day.
  const customerDays = {
    customer: [0, 0, 0, 0, 0, 1, 1, 2, 3],
    day: [
      d('2024-01-01'),
      d('2024-01-08'),
      d('2024-01-08'),
      d('2024-01-22'),
      d('2024-02-05'),
      d('2024-01-15'),
      d('2024-01-15'),
      d('2024-02-01'),
      d('2024-01-29'),
    ],
    amount: [10, 5, 7, 3, 100, 4, 6, 50, 8],
  };

  it('merges same-day purchases, counts repeat days, and leaves the first purchase out of the mean spend (weeks)', () => {
    const summary = summarisePurchaseDays({ customerDays, calibrationEnd: '2024-01-29', unit: 'week' });
    expect(Array.from(summary.customer)).toEqual([0, 1, 3]);
    expect(Array.from(summary.x)).toEqual([2, 0, 0]);
    expect(Array.from(summary.tx)).toEqual([3, 0, 0]);
    expect(Array.from(summary.T)).toEqual([4, 2, 0]);
    expect(Array.from(summary.monetary)).toEqual([(5 + 7 + 3) / 2, 0, 0]);
    expect(Array.from(summary.firstPurchaseDay)).toEqual([d('2024-01-01'), d('2024-01-15'), d('2024-01-29')]);
  });

  it('measures the same histories in days when the unit is day', () => {
    const summary = summarisePurchaseDays({ customerDays, calibrationEnd: '2024-01-29', unit: 'day' });
    expect(Array.from(summary.tx)).toEqual([21, 0, 0]);
    expect(Array.from(summary.T)).toEqual([28, 14, 0]);
  });

  it('counts a later calibration end’s purchases and no others', () => {
    const summary = summarisePurchaseDays({ customerDays, calibrationEnd: '2024-02-05', unit: 'day' });
    expect(Array.from(summary.customer)).toEqual([0, 1, 2, 3]);
    expect(Array.from(summary.x)).toEqual([3, 0, 0, 0]);
    expect(summary.monetary[0]).toBeCloseTo((12 + 3 + 100) / 3, 12);
  });

  it('refuses rows out of customer-then-day order, saying how to fix it', () => {
    expect(() => summarisePurchaseDays({ customerDays: { customer: [0, 0], day: [5, 3], amount: [1, 1] }, calibrationEnd: '2024-01-01', unit: 'day' })).toThrow(
      /row 1 is out of order: sort purchases by customer, then by day/,
    );
    expect(() => summarisePurchaseDays({ customerDays: { customer: [1, 0], day: [3, 5], amount: [1, 1] }, calibrationEnd: '2024-01-01', unit: 'day' })).toThrow(
      /out of order/,
    );
  });
});

describe('CLV', () => {
  // With a + b − 1 = r, E[Y(t) | alive] = (x + a + b − 1) · t / (α + T + t): here 2t / (1 + t) for a new customer.
  const bgNbd = { r: 2, alpha: 1, a: 2, b: 1 };

  it('is margin × spend × Σₖ (E[Y(k·L)] − E[Y((k−1)·L)]) / (1 + d)ᵏ, hand-computed on a closed-form case', () => {
    // E[Y(1)] = 1, E[Y(2)] = 4/3: 0.5 · 10 · (1/1.1 + (1/3)/1.21) = 5.9228650
    const terms = { periods: 2, periodLength: 1, margin: 0.5, discountRate: 0.1 };
    expect(customerLifetimeValue({ bgNbd, expectedSpend: 10, x: 0, tx: 0, T: 0, ...terms })).toBeCloseTo(5.922865, 6);
    // Undiscounted, one period: margin × spend × E[Y(L)] = 0.5 · 10 · 2·3/4.
    expect(customerLifetimeValue({ bgNbd, expectedSpend: 10, x: 0, tx: 0, T: 0, periods: 1, periodLength: 3, margin: 0.5, discountRate: 0 })).toBeCloseTo(
      7.5,
      12,
    );
  });

  it('weighs a returning customer’s purchases by her P(alive)', () => {
    // P(alive | 1, 1, 2) = 1/7.75; E[Y(t) | alive] = 3t / (3 + t); one period of 3: 1.5.
    const terms = { periods: 1, periodLength: 3, discountRate: 0 };
    expect(discountedExpectedPurchases({ params: bgNbd, x: 1, tx: 1, T: 2, ...terms })).toBeCloseTo(1.5 / 7.75, 12);
  });

  it('scores a population like the per-customer functions, from each customer’s own spend', () => {
    const gammaGamma = { p: 6, q: 4, gamma: 15 };
    const customers = { x: [0, 1, 1, 3], tx: [0, 1, 1, 2.5], T: [2, 2, 2, 4], monetary: [0, 20, 40, 35] };
    const terms = { periods: 3, periodLength: 2, margin: 0.3, discountRate: 0.05 };
    const value = predictCustomerValue({ bgNbd, gammaGamma, ...customers, ...terms });
    customers.x.forEach((x, i) => {
      const history = { x, tx: customers.tx[i]!, T: customers.T[i]! };
      const spend = conditionalExpectedSpend({ params: gammaGamma, frequency: x, monetary: customers.monetary[i]! });
      expect(value.probabilityAlive[i]).toBeCloseTo(probabilityAlive({ params: bgNbd, ...history }), 14);
      expect(value.expectedPurchases[i]).toBeCloseTo(conditionalExpectedPurchases({ params: bgNbd, t: 6, ...history }), 14);
      expect(value.expectedSpend[i]).toBe(spend);
      expect(value.clv[i]).toBeCloseTo(customerLifetimeValue({ bgNbd, expectedSpend: spend, ...history, ...terms }), 12);
    });
    // Same history, different spend: CLV in proportion to expected spend.
    expect(value.clv[2]! / value.clv[1]!).toBeCloseTo(value.expectedSpend[2]! / value.expectedSpend[1]!, 12);
  });

  it('matches lifetimes’ documented CDNOW CLVs (12 periods of 30 time units, 1% per period)', () => {
    // lifetimes' Quickstart calls customer_lifetime_value(time=12, discount_rate=0.01) with its
    // default freq='D', i.e. periods of 30 time units; on weekly CDNOW data that is 30 weeks.
    const summary = summarisePurchaseDays({ customerDays: readCdnowSample(), calibrationEnd: '1997-09-30', unit: 'week' });
    const value = predictCustomerValue({
      bgNbd: fitBgNbd(summary),
      gammaGamma: fitGammaGamma({ frequency: summary.x, monetary: summary.monetary }),
      ...summary,
      periods: 12,
      periodLength: 30,
      margin: 1,
      discountRate: 0.01,
    });
    const documented = [140.096211, 18.943467, 38.180574, 38.180574, 38.180574, 1003.868107, 28.109683, 38.180574, 167.418216, 38.180574];
    documented.forEach((clv, i) => {
      expect(Math.abs(value.clv[i]! / clv - 1)).toBeLessThan(1e-3);
    });
  });
});
