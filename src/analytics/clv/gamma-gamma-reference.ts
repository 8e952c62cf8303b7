import type { FrequencyMonetary, GammaGammaFit, GammaGammaParameters } from './gamma-gamma.ts';
import { minimizeTightly } from './bg-nbd-reference.ts';
import { hessianFromGradient, invertPositiveDefinite } from './optimize.ts';
import { digamma, logGamma } from './special-functions.ts';

/**
 * The Gamma-Gamma fit written the plain way: customer by customer, BFGS on the log-parameters
 * with the analytic gradient, standard errors from the numerical Hessian. Tests hold the fast
 * `fitGammaGamma` to it.
 */
export function fitGammaGammaReference({ frequency, monetary, weights }: FrequencyMonetary & { weights?: ArrayLike<number> }): GammaGammaFit {
  const buyers = repeatBuyersOf({ frequency, monetary, weights });
  if (buyers.count === 0) throw new RangeError('fitGammaGamma needs at least one customer with frequency > 0');
  let meanSpend = 0;
  let weightSum = 0;
  for (let i = 0; i < buyers.count; i++) {
    meanSpend += buyers.weight[i]! * buyers.monetary[i]!;
    weightSum += buyers.weight[i]!;
  }
  meanSpend /= weightSum;
  const scratch = new Float64Array(3);
  const objective = (theta: Float64Array, gradient: Float64Array): number => {
    const params = { p: Math.exp(theta[0]!), q: Math.exp(theta[1]!), gamma: Math.exp(theta[2]!) };
    const value = gammaGammaReferenceLogLikelihood(params, buyers, scratch);
    gradient[0] = -scratch[0]! * params.p;
    gradient[1] = -scratch[1]! * params.q;
    gradient[2] = -scratch[2]! * params.gamma;
    return -value;
  };
  // p = 1, q = 2, γ = the mean spend puts the start's population mean p·γ/(q−1) at the observed one.
  const found = minimizeTightly(objective, [0, Math.log(2), Math.log(meanSpend)]);
  const params = { p: Math.exp(found.theta[0]!), q: Math.exp(found.theta[1]!), gamma: Math.exp(found.theta[2]!) };
  const hessian = hessianFromGradient({
    theta: [params.p, params.q, params.gamma],
    gradientAt: (theta, gradient) => {
      gammaGammaReferenceLogLikelihood({ p: theta[0]!, q: theta[1]!, gamma: theta[2]! }, buyers, gradient);
    },
  });
  const covariance = invertPositiveDefinite(hessian.map((row) => row.map((v) => -v)));
  const se = (i: number): number | null => (covariance ? Math.sqrt(covariance[i]![i]!) : null);
  return {
    ...params,
    standardErrors: { p: se(0), q: se(1), gamma: se(2) },
    logLikelihood: -found.value,
    iterations: found.iterations,
    converged: found.converged,
  };
}

export interface RepeatBuyers {
  count: number;
  frequency: Float64Array;
  monetary: Float64Array;
  weight: Float64Array;
}

/** The rows with frequency > 0. */
export function repeatBuyersOf({ frequency, monetary, weights }: FrequencyMonetary & { weights?: ArrayLike<number> }): RepeatBuyers {
  const rows: number[] = [];
  for (let i = 0; i < frequency.length; i++) if (frequency[i]! > 0) rows.push(i);
  return {
    count: rows.length,
    frequency: Float64Array.from(rows, (i) => frequency[i]!),
    monetary: Float64Array.from(rows, (i) => monetary[i]!),
    weight: Float64Array.from(rows, (i) => (weights ? weights[i]! : 1)),
  };
}

export function gammaGammaReferenceLogLikelihood({ p, q, gamma }: GammaGammaParameters, buyers: RepeatBuyers, gradient: Float64Array | null): number {
  let total = 0;
  let gp = 0;
  let gq = 0;
  let gg = 0;
  for (let i = 0; i < buyers.count; i++) {
    const x = buyers.frequency[i]!;
    const m = buyers.monetary[i]!;
    const weight = buyers.weight[i]!;
    const lnScale = Math.log(gamma + m * x);
    total +=
      weight *
      (logGamma(p * x + q) - logGamma(p * x) - logGamma(q) + q * Math.log(gamma) + (p * x - 1) * Math.log(m) + p * x * Math.log(x) - (p * x + q) * lnScale);
    if (gradient) {
      gp += weight * x * (digamma(p * x + q) - digamma(p * x) + Math.log(m) + Math.log(x) - lnScale);
      gq += weight * (digamma(p * x + q) - digamma(q) + Math.log(gamma) - lnScale);
      gg += weight * (q / gamma - (p * x + q) / (gamma + m * x));
    }
  }
  if (gradient) {
    gradient[0] = gp;
    gradient[1] = gq;
    gradient[2] = gg;
  }
  return total;
}
