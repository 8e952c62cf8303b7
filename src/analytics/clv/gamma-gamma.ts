import { z } from 'zod';
import { Estimate } from '../result-shapes.ts';
import { fitOnSampleFirst, maximizeInLogSpace, standardErrorsAt } from './fit-strategy.ts';
import type { NewtonMinimum } from './newton.ts';
import { gammaGammaLikelihood, prepareBuyers, repeatBuyersByFrequency, type BuyerRuns } from './gamma-gamma-likelihood.ts';

/**
 * The Gamma-Gamma model of spend per purchase (Fader, Hardie & Lee 2005, "RFM and CLV";
 * Fader & Hardie 2013, "The Gamma-Gamma Model of Monetary Value"): a customer's purchase
 * amounts are Gamma(p, ν) around her own mean p/ν, with ν ~ Gamma(q, γ) across customers.
 * γ is in the currency's unit; p and q are unit-free. The population mean spend is p·γ/(q−1).
 */
export const GammaGammaParameters = z.object({ p: z.number(), q: z.number(), gamma: z.number() });
export type GammaGammaParameters = z.infer<typeof GammaGammaParameters>;

/** A fit by fitGammaGamma, as a run stores it and the API serialises it. */
export const GammaGammaFit = GammaGammaParameters.extend({
  standardErrors: z
    .object({ p: Estimate, q: Estimate, gamma: Estimate })
    .describe('Asymptotic standard errors from the inverse observed information; null when it is singular'),
  /** Σ weight · ln f(m̄ | x) over the customers with repeat purchases. */
  logLikelihood: z.number(),
  iterations: z.number().int(),
  converged: z.boolean(),
}).meta({
  id: 'GammaGammaFit',
  description: 'Spend per purchase ~ Gamma(p, ν) with ν ~ Gamma(q, γ) per customer, fitted on the customers with repeat purchases',
});
export type GammaGammaFit = z.infer<typeof GammaGammaFit>;

/** Each customer's repeat purchases (x) and mean spend per repeat purchase (m̄), one row per customer. */
export interface FrequencyMonetary {
  frequency: ArrayLike<number>;
  monetary: ArrayLike<number>;
}

/**
 * Fits p, q, γ by maximum likelihood on the customers with frequency > 0 (the others carry no
 * information on spend), maximising Σ weight · ln f(m̄ | p, q, γ, x) with the density of a mean
 * of x purchase amounts:
 *   ln f = ln Γ(px+q) − ln Γ(px) − ln Γ(q) + q ln γ + (px−1) ln m̄ + px ln x − (px+q) ln(γ + m̄x).
 * Throws a RangeError for a customer with repeat purchases and a mean spend that is not positive.
 *
 * Only ln(γ + m̄x) ties the parameters to each customer; every other term sums, once, to
 * totals per frequency. A pass over the customers therefore costs one log and one division
 * each, and gives the value, gradient and Hessian: Newton's method on the log-parameters, from
 * fits on samples of the customers when there are many (see fitBgNbd), with
 * BFGS and Nelder–Mead as fallback; standard errors from the analytic Hessian.
 */
export function fitGammaGamma({ frequency, monetary, weights }: FrequencyMonetary & { weights?: ArrayLike<number> }): GammaGammaFit {
  const buyers = repeatBuyersByFrequency({ frequency, monetary, weights });
  if (buyers.spendSum.length === 0) throw new RangeError('fitGammaGamma needs at least one customer with frequency > 0');
  const meanSpend = buyers.meanSpend;
  // p = 1, q = 2, γ = the mean spend puts the start's population mean p·γ/(q−1) at the observed one.
  const found = fitOnSampleFirst({
    count: buyers.spendSum.length,
    start: Float64Array.from([0, Math.log(2), Math.log(meanSpend)]),
    fit: (stride, start) => newtonFit(prepareBuyers(buyers, stride), start),
  });
  const params = { p: Math.exp(found.theta[0]!), q: Math.exp(found.theta[1]!), gamma: Math.exp(found.theta[2]!) };
  const [p, q, gamma] = standardErrorsAt(found) as [number | null, number | null, number | null];
  return {
    ...params,
    standardErrors: { p, q, gamma },
    logLikelihood: -found.value,
    iterations: found.iterations,
    converged: found.converged,
  };
}

function newtonFit(data: BuyerRuns, start: Float64Array): NewtonMinimum {
  return maximizeInLogSpace(
    (natural, gradient, hessian) => gammaGammaLikelihood({ p: natural[0]!, q: natural[1]!, gamma: natural[2]! }, data, gradient, hessian),
    start,
  );
}

/** Σ weight · ln f(m̄ | x) over the rows with frequency > 0 (weights default to 1). */
export function gammaGammaLogLikelihood({
  params,
  frequency,
  monetary,
  weights,
}: FrequencyMonetary & { params: GammaGammaParameters; weights?: ArrayLike<number> }): number {
  return gammaGammaLikelihood(params, prepareBuyers(repeatBuyersByFrequency({ frequency, monetary, weights }), 1), null, null);
}

/**
 * E[M | p, q, γ, m̄, x]: the expected spend per purchase of a customer with x repeat purchases
 * of mean m̄, (γ + m̄x)·p / (px + q − 1). It weighs the population mean p·γ/(q−1) against the
 * customer's own mean, with weight px/(px+q−1) on hers; with x = 0 it is the population mean
 * (NaN when q ≤ 1, where that mean does not exist).
 */
export function conditionalExpectedSpend({ params, frequency, monetary }: { params: GammaGammaParameters; frequency: number; monetary: number }): number {
  const { p, q, gamma } = params;
  const spendSum = frequency > 0 ? monetary * frequency : 0;
  const denominator = p * frequency + q - 1;
  return denominator > 0 ? ((gamma + spendSum) * p) / denominator : Number.NaN;
}

/** conditionalExpectedSpend for every customer. */
export function scoreGammaGamma({ params, frequency, monetary }: FrequencyMonetary & { params: GammaGammaParameters }): Float64Array {
  const spend = new Float64Array(frequency.length);
  for (let i = 0; i < spend.length; i++) spend[i] = conditionalExpectedSpend({ params, frequency: frequency[i]!, monetary: monetary[i]! });
  return spend;
}
