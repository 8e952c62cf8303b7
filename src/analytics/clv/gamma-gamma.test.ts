import { beforeAll, describe, expect, it } from 'vitest';
import { readCdnowSample } from './cdnow-fixture.ts';
import { summarisePurchaseDays, type PurchaseSummary } from './clv.ts';
import { conditionalExpectedSpend, fitGammaGamma, gammaGammaLogLikelihood, scoreGammaGamma, type GammaGammaFit } from './gamma-gamma.ts';

/**
 * Published values, CDNOW sample, the 946 customers with repeat purchases by 1997-09-30, mean
 * spend per repeat purchase day (first purchase excluded):
 * - Fader, Hardie & Lee (2005), "RFM and CLV: Using Iso-Value Curves for Customer Base
 *   Analysis", JMR 42(4), and Fader & Hardie (2013), "The Gamma-Gamma Model of Monetary
 *   Value": p = 6.25, q = 3.74, γ = 15.44.
 * - CLVTools' correctness test (test_correctness_gg.R): LL = −4055.9177.
 * - lifetimes' documentation (Quickstart, GammaGammaFitter on the same data): conditional
 *   expected average profit 24.658619 (x = 2, m̄ = 22.35), 18.911489 (1, 11.77),
 *   35.170981 (x = 0), 71.462843 (7, 73.74), 27.282408 (2, 25.55); mean over all 2,357
 *   customers 35.2529588 against an observed mean of 35.078551797 over the 946.
 */
let summary: PurchaseSummary;
let fit: GammaGammaFit;

beforeAll(() => {
  summary = summarisePurchaseDays({ customerDays: readCdnowSample(), calibrationEnd: '1997-09-30', unit: 'week' });
  fit = fitGammaGamma({ frequency: summary.x, monetary: summary.monetary });
});

describe('Gamma-Gamma on the CDNOW sample', () => {
  it('fits on the 946 repeat customers, whose mean spend per repeat purchase is the published 35.08', () => {
    const repeat = summary.monetary.filter((_, i) => summary.x[i]! > 0);
    expect(repeat.length).toBe(946);
    // lifetimes' summary rounds each mean to the cent, hence agreement to the cent only.
    expect(repeat.reduce((sum, m) => sum + m, 0) / repeat.length).toBeCloseTo(35.078551797, 2);
  });

  it('reproduces the published estimates p = 6.25, q = 3.74, γ = 15.44 and log-likelihood', () => {
    expect(fit.converged).toBe(true);
    expect(fit.p).toBeCloseTo(6.25, 2);
    expect(fit.q).toBeCloseTo(3.74, 2);
    expect(fit.gamma).toBeCloseTo(15.44, 2);
    expect(fit.logLikelihood).toBeCloseTo(-4055.9177, 3);
    for (const se of Object.values(fit.standardErrors)) expect(se).toBeGreaterThan(0);
  });

  it('gives the published conditional expected spend per purchase', () => {
    const published: [frequency: number, monetary: number, spend: number][] = [
      [2, 22.35, 24.658619],
      [1, 11.77, 18.911489],
      [0, 0, 35.170981],
      [7, 73.74, 71.462843],
      [2, 25.55, 27.282408],
    ];
    for (const [frequency, monetary, spend] of published) {
      expect(Math.abs(conditionalExpectedSpend({ params: fit, frequency, monetary }) - spend)).toBeLessThan(0.002);
    }
    const all = scoreGammaGamma({ params: fit, frequency: summary.x, monetary: summary.monetary });
    expect(all.reduce((sum, spend) => sum + spend, 0) / all.length).toBeCloseTo(35.2529588, 2);
  });
});

describe('Gamma-Gamma conditional expected spend', () => {
  const params = { p: 6, q: 4, gamma: 15 };

  it('weighs the population mean pγ/(q−1) against the customer’s mean by px/(px + q − 1)', () => {
    // Population mean 6 · 15 / 3 = 30; with x = 3 purchases of mean 50: weight 18/21 on 50.
    expect(conditionalExpectedSpend({ params, frequency: 0, monetary: 0 })).toBeCloseTo(30, 12);
    expect(conditionalExpectedSpend({ params, frequency: 3, monetary: 50 })).toBeCloseTo((3 / 21) * 30 + (18 / 21) * 50, 12);
  });

  it('is undefined (NaN) for a new customer when q ≤ 1, where the population mean does not exist', () => {
    expect(conditionalExpectedSpend({ params: { ...params, q: 0.9 }, frequency: 0, monetary: 0 })).toBeNaN();
  });

  it('leaves customers without repeat purchases out of the likelihood', () => {
    const withNewcomers = gammaGammaLogLikelihood({ params, frequency: [2, 0, 5, 0], monetary: [20, 0, 40, 99] });
    expect(withNewcomers).toBeCloseTo(gammaGammaLogLikelihood({ params, frequency: [2, 5], monetary: [20, 40] }), 12);
  });

  it('refuses a repeat customer without a positive mean spend, naming the row', () => {
    expect(() => fitGammaGamma({ frequency: [1, 2], monetary: [10, 0] })).toThrow(/row 1: a customer with repeat purchases needs a positive mean spend/);
  });
});
