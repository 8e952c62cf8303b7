import { z } from 'zod';
import type { GammaGammaFit, GammaGammaParameters } from './gamma-gamma.ts';

/**
 * Which model gives each customer's expected spend per purchase, and why. Gamma-Gamma when its
 * fit is usable; otherwise a stated rule, each customer's own mean spend shrunk toward the
 * population's, so a degenerate fit is never printed as if it were a result.
 *
 * The Gamma-Gamma fit is not used when
 *   - it did not converge (`not_converged`);
 *   - it has no population mean (q ≤ 1, or a parameter not finite: `no_population_mean`);
 *   - the customers' mean spends do not differ (`no_spread`), as the fit says it or as the data
 *     shows it: with ν ~ Gamma(q, γ), a customer's mean spend p/ν varies across customers with a
 *     coefficient of variation of 1/√(q − 2); above q = NO_SPREAD_Q that is under 3.2 %, and the
 *     model hands every customer the population's mean whatever they spent (the demo's
 *     q ≈ 10¹⁰). Or the repeat buyers' own mean spends vary by less than NO_SPREAD_CV (their
 *     coefficient of variation): there is no spread for the model to learn.
 *
 * The fallback: E[spend | x, m̄] = (x·m̄ + k·M) ÷ (x + k), x the repeat purchase days and m̄ their
 * mean spend, M the mean spend per repeat purchase over every repeat buyer, k = SHRINKAGE_PURCHASES:
 * as if each customer had also made k purchases at the population's mean. A customer without
 * repeat purchases gets M. It is Gamma-Gamma's conditional expectation (γ + x·m̄)·p ÷ (p·x + q − 1)
 * with p = 1, q = k + 1, γ = k·M, so the same scoring applies.
 */

/** Above this q, the fit says mean spends do not differ between customers (1/√(q − 2) < 3.2 %). */
export const NO_SPREAD_Q = 1000;
/** Below this coefficient of variation of the repeat buyers' mean spends, the data shows no spread. */
export const NO_SPREAD_CV = 0.01;
/** k of the fallback: the population-mean purchases each customer's own mean is weighed with. */
export const SHRINKAGE_PURCHASES = 3;

export const SPEND_METHODS = ['gamma_gamma', 'shrunk_mean'] as const;
export const SPEND_FALLBACK_REASONS = ['not_converged', 'no_population_mean', 'no_spread'] as const;
export type SpendFallbackReason = (typeof SPEND_FALLBACK_REASONS)[number];

export const SpendModel = z
  .object({
    method: z
      .enum(SPEND_METHODS)
      .describe(
        `gamma_gamma: the Gamma-Gamma conditional expectation. shrunk_mean: each customer's own mean spend per repeat purchase shrunk toward the population's, (x·m̄ + k·M) ÷ (x + k) with k = ${SHRINKAGE_PURCHASES}, used when the Gamma-Gamma fit is not usable`,
      ),
    reason: z
      .enum(SPEND_FALLBACK_REASONS)
      .nullable()
      .describe(
        `Why Gamma-Gamma was not used: not_converged (the fit did not converge), no_population_mean (q ≤ 1 or a parameter not finite), no_spread (q > ${NO_SPREAD_Q}: the fit says customers' mean spends differ by under 1/√(q − 2), so it would give every customer the same spend; or the repeat buyers' mean spends vary by under ${NO_SPREAD_CV * 100} %). Null with gamma_gamma`,
      ),
    populationMean: z.number().describe('M: mean spend per repeat purchase over the repeat buyers'),
    shrinkagePurchases: z.number().nullable().describe('k of shrunk_mean; null with gamma_gamma'),
  })
  .meta({ id: 'SpendModel', description: "How each customer's expected spend per purchase was computed" });
export type SpendModel = z.infer<typeof SpendModel>;

/** Why the fit is not usable, or null when it is; `spreadCv` the coefficient of variation of the repeat buyers' mean spends. */
export function spendFallbackReason(fit: GammaGammaFit, spreadCv: number): SpendFallbackReason | null {
  if (!fit.converged) return 'not_converged';
  if (![fit.p, fit.q, fit.gamma].every(Number.isFinite) || fit.q <= 1) return 'no_population_mean';
  if (fit.q > NO_SPREAD_Q || !(spreadCv >= NO_SPREAD_CV)) return 'no_spread';
  return null;
}

/** The spend model to score with: the fit when usable, else the shrunk means (as Gamma-Gamma parameters). */
export function chooseSpendModel(
  fit: GammaGammaFit,
  customers: { x: ArrayLike<number>; monetary: ArrayLike<number> },
): { model: SpendModel; params: GammaGammaParameters } {
  let purchases = 0;
  let spend = 0;
  let buyers = 0;
  let sum = 0;
  let squares = 0;
  for (let i = 0; i < customers.x.length; i++) {
    const x = customers.x[i]!;
    if (x > 0) {
      const m = customers.monetary[i]!;
      purchases += x;
      spend += x * m;
      buyers++;
      sum += m;
      squares += m * m;
    }
  }
  const populationMean = purchases === 0 ? 0 : spend / purchases;
  const mean = buyers === 0 ? 0 : sum / buyers;
  const spreadCv = mean > 0 ? Math.sqrt(Math.max(0, squares / buyers - mean * mean)) / mean : 0;
  const reason = spendFallbackReason(fit, spreadCv);
  if (reason === null) {
    return { model: { method: 'gamma_gamma', reason: null, populationMean, shrinkagePurchases: null }, params: { p: fit.p, q: fit.q, gamma: fit.gamma } };
  }
  const k = SHRINKAGE_PURCHASES;
  return {
    model: { method: 'shrunk_mean', reason, populationMean, shrinkagePurchases: k },
    params: { p: 1, q: k + 1, gamma: k * populationMean },
  };
}
