import { describe, expect, it } from 'vitest';
import { conditionalExpectedSpend, type GammaGammaFit } from './gamma-gamma.ts';
import { fitAndScoreCustomers } from './fit-and-score.ts';
import { chooseSpendModel, NO_SPREAD_Q, spendFallbackReason } from './spend-model.ts';

/** Purchases as the models take them: one row per purchase, by customer then day; `spends[c]` the amounts of customer c on days 0, 10, 20, … */
function purchasesOf(spends: number[][]) {
  const customer: number[] = [];
  const day: number[] = [];
  const amount: number[] = [];
  for (const [c, amounts] of spends.entries()) {
    for (const [k, value] of amounts.entries()) {
      customer.push(c);
      day.push(19_723 + 10 * k); // 2024-01-01 + 10k days
      amount.push(value);
    }
  }
  return { customer: Int32Array.from(customer), day: Int32Array.from(day), amount: Float64Array.from(amount) };
}

const TERMS = { calibrationEnd: '2024-12-31', unit: 'day' as const, periods: 12, periodLength: 30.4375, margin: 0.4, discountRate: 0.01 };

describe('the spend model', () => {
  it('falls back to the shrunk means, and says why, when every customer spends the same (Gamma-Gamma cannot converge)', () => {
    // Ten customers, 2 to 6 purchases of ¥1,000 each: the repeat means are all 1,000, the likelihood grows without bound.
    const spends = [2, 3, 4, 5, 3, 2, 6, 3, 4, 4].map((n) => new Array<number>(n).fill(1000));
    const fitted = fitAndScoreCustomers({ customerDays: purchasesOf(spends), ...TERMS });
    expect(fitted.gammaGamma.converged).toBe(false);
    expect(fitted.spendModel).toEqual({ method: 'shrunk_mean', reason: 'not_converged', populationMean: 1000, shrinkagePurchases: 3 });
    // (x·1,000 + 3·1,000) ÷ (x + 3) = 1,000 for everyone; CLV = 0.4 × 1,000 × the discounted purchases.
    for (const spend of fitted.value.expectedSpend) expect(spend).toBeCloseTo(1000, 9);
  });

  it('keeps Gamma-Gamma when it converges on spends that differ between customers', () => {
    const spends = [
      [900, 1100],
      [1400, 1500, 1600],
      [1900, 2000, 2100, 2000],
      [2800, 3100, 3000, 3100, 3000],
      [700, 900, 800],
      [4800, 5200],
      [1100, 1200, 1300, 1200, 1200, 1200],
      [2400, 2600, 2500],
    ];
    const fitted = fitAndScoreCustomers({ customerDays: purchasesOf(spends), ...TERMS });
    expect(fitted.gammaGamma.converged).toBe(true);
    expect(fitted.gammaGamma.q).toBeLessThan(NO_SPREAD_Q);
    expect(fitted.spendModel.method).toBe('gamma_gamma');
    expect(fitted.spendModel.reason).toBeNull();
    const params = { p: fitted.gammaGamma.p, q: fitted.gammaGamma.q, gamma: fitted.gammaGamma.gamma };
    for (let i = 0; i < fitted.summary.x.length; i++) {
      const expected = conditionalExpectedSpend({ params, frequency: fitted.summary.x[i]!, monetary: fitted.summary.monetary[i]! });
      expect(fitted.value.expectedSpend[i]).toBeCloseTo(expected, 6);
    }
  });

  it('shrinks each mean toward the population with k = 3, by hand', () => {
    // x 0, 1, 3 with means –, 2,000, 1,000: M = (2,000 + 3,000) ÷ 4 = 1,250.
    const notConverged = { p: 5, q: 4, gamma: 100, converged: false } as GammaGammaFit;
    const { model, params } = chooseSpendModel(notConverged, { x: [0, 1, 3], monetary: [0, 2000, 1000] });
    expect(model).toEqual({ method: 'shrunk_mean', reason: 'not_converged', populationMean: 1250, shrinkagePurchases: 3 });
    const spend = (frequency: number, monetary: number) => conditionalExpectedSpend({ params, frequency, monetary });
    expect(spend(0, 0)).toBeCloseTo(1250, 9);
    expect(spend(1, 2000)).toBeCloseTo((2000 + 3 * 1250) / 4, 9); // 1,437.5
    expect(spend(3, 1000)).toBeCloseTo((3000 + 3 * 1250) / 6, 9); // 1,125
  });

  it('names the reason: not converged, no population mean, no spread by the fit or by the data', () => {
    const fitOf = (p: number, q: number, converged = true) => ({ p, q, gamma: 100, converged }) as GammaGammaFit;
    expect(spendFallbackReason(fitOf(2, 5, false), 0.5)).toBe('not_converged');
    expect(spendFallbackReason(fitOf(2, 0.8), 0.5)).toBe('no_population_mean');
    expect(spendFallbackReason(fitOf(2, 1e10), 0.5)).toBe('no_spread');
    expect(spendFallbackReason(fitOf(2, 999), 0.5)).toBeNull();
    expect(spendFallbackReason(fitOf(2, 5), 0.005)).toBe('no_spread');
    expect(spendFallbackReason(fitOf(2, 5), 0.5)).toBeNull();
  });
});
