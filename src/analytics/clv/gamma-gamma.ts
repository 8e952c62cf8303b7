import { hessianFromGradient, invertPositiveDefinite, minimize } from './optimize.ts';
import { digamma, logGamma } from './special-functions.ts';

/**
 * The Gamma-Gamma model of spend per purchase (Fader, Hardie & Lee 2005, "RFM and CLV";
 * Fader & Hardie 2013, "The Gamma-Gamma Model of Monetary Value"): a customer's purchase
 * amounts are Gamma(p, ν) around her own mean p/ν, with ν ~ Gamma(q, γ) across customers.
 * γ is in the currency's unit; p and q are unit-free. The population mean spend is p·γ/(q−1).
 */
export interface GammaGammaParameters {
  p: number;
  q: number;
  gamma: number;
}

export interface GammaGammaFit extends GammaGammaParameters {
  /** Asymptotic standard errors from the inverse observed information; NaN when it is singular. */
  standardErrors: GammaGammaParameters;
  /** Σ weight · ln f(m̄ | x) over the customers with repeat purchases. */
  logLikelihood: number;
  iterations: number;
  converged: boolean;
}

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
 */
export function fitGammaGamma({ frequency, monetary, weights }: FrequencyMonetary & { weights?: ArrayLike<number> }): GammaGammaFit {
  const buyers = repeatBuyersByFrequency({ frequency, monetary, weights });
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
    const value = gammaGammaLogLikelihoodOf(params, buyers, scratch);
    gradient[0] = -scratch[0]! * params.p;
    gradient[1] = -scratch[1]! * params.q;
    gradient[2] = -scratch[2]! * params.gamma;
    return -value;
  };
  // p = 1, q = 2, γ = the mean spend puts the start's population mean p·γ/(q−1) at the observed one.
  const found = minimize({ objective, start: [0, Math.log(2), Math.log(meanSpend)] });
  const params = { p: Math.exp(found.theta[0]!), q: Math.exp(found.theta[1]!), gamma: Math.exp(found.theta[2]!) };
  const hessian = hessianFromGradient({
    theta: [params.p, params.q, params.gamma],
    gradientAt: (theta, gradient) => {
      gammaGammaLogLikelihoodOf({ p: theta[0]!, q: theta[1]!, gamma: theta[2]! }, buyers, gradient);
    },
  });
  const covariance = invertPositiveDefinite(hessian.map((row) => row.map((v) => -v)));
  const se = (i: number): number => (covariance ? Math.sqrt(covariance[i]![i]!) : Number.NaN);
  return {
    ...params,
    standardErrors: { p: se(0), q: se(1), gamma: se(2) },
    logLikelihood: -found.value,
    iterations: found.iterations,
    converged: found.converged,
  };
}

/** Σ weight · ln f(m̄ | x) over the rows with frequency > 0 (weights default to 1). */
export function gammaGammaLogLikelihood({ params, frequency, monetary, weights }: FrequencyMonetary & { params: GammaGammaParameters; weights?: ArrayLike<number> }): number {
  return gammaGammaLogLikelihoodOf(params, repeatBuyersByFrequency({ frequency, monetary, weights }), null);
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

interface RepeatBuyers {
  count: number;
  frequency: Float64Array;
  monetary: Float64Array;
  /** ln m̄, computed once rather than at every likelihood evaluation. */
  lnMonetary: Float64Array;
  weight: Float64Array;
}

/** The rows with frequency > 0, ordered by frequency so that terms in px alone are computed once per frequency. */
function repeatBuyersByFrequency({ frequency, monetary, weights }: FrequencyMonetary & { weights?: ArrayLike<number> }): RepeatBuyers {
  const n = frequency.length;
  if (monetary.length !== n || (weights && weights.length !== n)) throw new RangeError(`frequency, monetary${weights ? ' and weights' : ''} must have the same length`);
  let maxFrequency = 0;
  for (let i = 0; i < n; i++) {
    const x = frequency[i]!;
    if (!Number.isInteger(x) || x < 0) throw new RangeError(`customer row ${i}: frequency must be a whole number ≥ 0 (got ${x})`);
    if (x > 0 && !(monetary[i]! > 0 && Number.isFinite(monetary[i]!))) {
      throw new RangeError(`customer row ${i}: a customer with repeat purchases needs a positive mean spend (got ${monetary[i]}); leave out zero-value or refunded purchase days`);
    }
    maxFrequency = Math.max(maxFrequency, x);
  }
  const start = new Int32Array(maxFrequency + 2);
  for (let i = 0; i < n; i++) if (frequency[i]! > 0) start[frequency[i]! + 1]!++;
  for (let v = 1; v < start.length; v++) start[v]! += start[v - 1]!;
  const count = start[maxFrequency + 1]!;
  const buyers = { count, frequency: new Float64Array(count), monetary: new Float64Array(count), lnMonetary: new Float64Array(count), weight: new Float64Array(count) };
  for (let i = 0; i < n; i++) {
    const x = frequency[i]!;
    if (x === 0) continue;
    const at = start[x]!++;
    buyers.frequency[at] = x;
    buyers.monetary[at] = monetary[i]!;
    buyers.lnMonetary[at] = Math.log(monetary[i]!);
    buyers.weight[at] = weights ? weights[i]! : 1;
  }
  return buyers;
}

function gammaGammaLogLikelihoodOf({ p, q, gamma }: GammaGammaParameters, buyers: RepeatBuyers, gradient: Float64Array | null): number {
  const lnGamma = Math.log(gamma);
  const constantPart = q * lnGamma - logGamma(q);
  const psiQ = gradient ? digamma(q) : 0;
  let total = 0;
  let gp = 0;
  let gq = 0;
  let gg = 0;
  let currentX = -1;
  let xPart = 0;
  let psiSum = 0;
  let psiShape = 0;
  let lnX = 0;
  for (let i = 0; i < buyers.count; i++) {
    const x = buyers.frequency[i]!;
    if (x !== currentX) {
      currentX = x;
      lnX = Math.log(x);
      xPart = constantPart + logGamma(p * x + q) - logGamma(p * x) + p * x * lnX;
      if (gradient) {
        psiSum = digamma(p * x + q);
        psiShape = digamma(p * x);
      }
    }
    const m = buyers.monetary[i]!;
    const weight = buyers.weight[i]!;
    const lnM = buyers.lnMonetary[i]!;
    const lnScale = Math.log(gamma + m * x);
    total += weight * (xPart + (p * x - 1) * lnM - (p * x + q) * lnScale);
    if (gradient) {
      gp += weight * x * (psiSum - psiShape + lnM + lnX - lnScale);
      gq += weight * (psiSum - psiQ + lnGamma - lnScale);
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
