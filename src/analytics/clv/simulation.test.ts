import { describe, expect, it } from 'vitest';
import { fitBgNbd } from './bg-nbd.ts';
import { readCdnowSample } from './cdnow-fixture.ts';
import { summarisePurchaseDays } from './clv.ts';
import { fitGammaGamma } from './gamma-gamma.ts';
import { sampleBeta, sampleGamma, seededRandom, simulateBgNbdCustomers, simulateGammaGammaSpend } from './simulate.ts';

/**
 * Parameter recovery: customers drawn from known parameters with a seeded generator, then
 * fitted. Each estimate must lie within 3 of its own standard errors of the truth, which also
 * checks that the standard errors are of the right size (too small and the test fails).
 */
describe('parameter recovery on simulated customers', () => {
  const random = seededRandom(20050401);
  const bgNbdTruth = { r: 0.25, alpha: 4, a: 0.8, b: 2.5 };
  // Ages spread like a quarter's cohort observed for 26 to 52 weeks.
  const ages = Array.from({ length: 20_000 }, () => 26 + 26 * random());
  const customers = simulateBgNbdCustomers({ params: bgNbdTruth, T: ages, random });

  it('recovers BG/NBD r, α, a, b from 20,000 customers within 3 standard errors', () => {
    const fit = fitBgNbd(customers);
    expect(fit.converged).toBe(true);
    for (const name of ['r', 'alpha', 'a', 'b'] as const) {
      expect(Math.abs(fit[name] - bgNbdTruth[name])).toBeLessThan(3 * fit.standardErrors[name]!);
      // Precise enough to mean something: each standard error under 12% of its parameter.
      expect(fit.standardErrors[name]).toBeLessThan(0.12 * bgNbdTruth[name]);
    }
  });

  it('recovers Gamma-Gamma p, q, γ from the simulated repeat customers within 3 standard errors', () => {
    const gammaGammaTruth = { p: 6, q: 4, gamma: 15 };
    const monetary = simulateGammaGammaSpend({ params: gammaGammaTruth, frequency: customers.x, random });
    const fit = fitGammaGamma({ frequency: customers.x, monetary });
    expect(fit.converged).toBe(true);
    for (const name of ['p', 'q', 'gamma'] as const) {
      expect(Math.abs(fit[name] - gammaGammaTruth[name])).toBeLessThan(3 * fit.standardErrors[name]!);
      expect(fit.standardErrors[name]).toBeLessThan(0.2 * gammaGammaTruth[name]);
    }
  });

  it('draws Gamma and Beta variates with the right mean and variance', () => {
    const draws = 100_000;
    const moments = (draw: () => number): [number, number] => {
      let sum = 0;
      let squares = 0;
      for (let i = 0; i < draws; i++) {
        const v = draw();
        sum += v;
        squares += v * v;
      }
      return [sum / draws, squares / draws - (sum / draws) ** 2];
    };
    // Gamma(0.3, rate 2): mean 0.15, variance 0.075. Beta(0.8, 2.5): mean 0.2424, variance 0.04245.
    const [gammaMean, gammaVariance] = moments(() => sampleGamma(random, 0.3, 2));
    expect(gammaMean).toBeCloseTo(0.15, 2);
    expect(gammaVariance).toBeCloseTo(0.075, 2);
    const [betaMean, betaVariance] = moments(() => sampleBeta(random, 0.8, 2.5));
    expect(betaMean).toBeCloseTo(0.8 / 3.3, 2);
    expect(betaVariance).toBeCloseTo((0.8 * 2.5) / (3.3 * 3.3 * 4.3), 3);
  });
});

describe('time unit', () => {
  it('changes only α, by the days in a week: the CDNOW fit in days has α = 7 × α in weeks', () => {
    const customerDays = readCdnowSample();
    const weeks = fitBgNbd(summarisePurchaseDays({ customerDays, calibrationEnd: '1997-09-30', unit: 'week' }));
    const days = fitBgNbd(summarisePurchaseDays({ customerDays, calibrationEnd: '1997-09-30', unit: 'day' }));
    expect(days.alpha / weeks.alpha).toBeCloseTo(7, 4);
    expect(days.r).toBeCloseTo(weeks.r, 5);
    expect(days.a).toBeCloseTo(weeks.a, 4);
    expect(days.b).toBeCloseTo(weeks.b, 4);
  });
});
