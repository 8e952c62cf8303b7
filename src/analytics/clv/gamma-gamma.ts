import { fallBack, fitOnSampleFirst, logSpaceObjective, naturalHessian } from './fit-strategy.ts';
import { minimizeNewton, type NewtonMinimum } from './newton.ts';
import { invertPositiveDefinite } from './optimize.ts';
import { digamma, logGamma, trigamma } from './special-functions.ts';

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
 *
 * Only ln(γ + m̄x) ties the parameters to each customer; every other term sums, once, to
 * totals per frequency. A pass over the customers therefore costs one log and one division
 * each, and gives the value, gradient and Hessian: Newton's method on the log-parameters, from
 * the fit on a sample of 20,000 customers when there are more than 40,000 (see fitBgNbd), with
 * BFGS and Nelder–Mead as fallback; standard errors from the analytic Hessian.
 */
export function fitGammaGamma({ frequency, monetary, weights }: FrequencyMonetary & { weights?: ArrayLike<number> }): GammaGammaFit {
  const buyers = repeatBuyersByFrequency({ frequency, monetary, weights });
  if (buyers.count === 0) throw new RangeError('fitGammaGamma needs at least one customer with frequency > 0');
  let meanSpend = 0;
  let weightSum = 0;
  for (let i = 0; i < buyers.count; i++) {
    meanSpend += (buyers.weight[i]! * buyers.spendSum[i]!) / buyers.frequency[i]!;
    weightSum += buyers.weight[i]!;
  }
  meanSpend /= weightSum;
  // p = 1, q = 2, γ = the mean spend puts the start's population mean p·γ/(q−1) at the observed one.
  const found = fitOnSampleFirst({
    count: buyers.count,
    start: Float64Array.from([0, Math.log(2), Math.log(meanSpend)]),
    fit: (stride, start) => newtonFit(prepareBuyers(buyers, stride), start),
  });
  const params = { p: Math.exp(found.theta[0]!), q: Math.exp(found.theta[1]!), gamma: Math.exp(found.theta[2]!) };
  const covariance = invertPositiveDefinite(naturalHessian(found).map((row) => row.map((v) => -v)));
  const se = (i: number): number => (covariance ? Math.sqrt(covariance[i]![i]!) : Number.NaN);
  return {
    ...params,
    standardErrors: { p: se(0), q: se(1), gamma: se(2) },
    logLikelihood: -found.value,
    iterations: found.iterations,
    converged: found.converged,
  };
}

function newtonFit(data: BuyerRuns, start: Float64Array): NewtonMinimum {
  const objective = logSpaceObjective(3, (natural, gradient, hessian) => gammaGammaLikelihood(
    { p: natural[0]!, q: natural[1]!, gamma: natural[2]! }, data, gradient, hessian,
  ));
  const newton = minimizeNewton({ objective, start });
  return newton.converged ? newton : fallBack(objective, start, newton);
}

/** Σ weight · ln f(m̄ | x) over the rows with frequency > 0 (weights default to 1). */
export function gammaGammaLogLikelihood({ params, frequency, monetary, weights }: FrequencyMonetary & { params: GammaGammaParameters; weights?: ArrayLike<number> }): number {
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

/** The customers with frequency > 0, ordered by frequency. */
interface RepeatBuyers {
  count: number;
  frequency: Float64Array;
  /** m̄·x: the customer's spend over her repeat purchases. */
  spendSum: Float64Array;
  weight: Float64Array;
}

/** Validates the rows and orders those with frequency > 0 by frequency (a counting sort). */
function repeatBuyersByFrequency({ frequency, monetary, weights }: FrequencyMonetary & { weights?: ArrayLike<number> }): RepeatBuyers {
  const n = frequency.length;
  if (monetary.length !== n || (weights && weights.length !== n)) throw new RangeError(`frequency, monetary${weights ? ' and weights' : ''} must have the same length`);
  // Buyers per frequency, counted while checking the rows; grown as larger frequencies appear.
  let counts = new Int32Array(64);
  for (let i = 0; i < n; i++) {
    const x = frequency[i]!;
    if (x === 0) continue;
    if (!(x > 0 && Number.isInteger(x))) throw new RangeError(`customer row ${i}: frequency must be a whole number ≥ 0 (got ${x})`);
    if (!(monetary[i]! > 0 && monetary[i]! < Number.POSITIVE_INFINITY)) {
      throw new RangeError(`customer row ${i}: a customer with repeat purchases needs a positive mean spend (got ${monetary[i]}); leave out zero-value or refunded purchase days`);
    }
    if (x >= counts.length - 1) {
      const grown = new Int32Array(2 * (x + 1));
      grown.set(counts);
      counts = grown;
    }
    counts[x + 1]!++;
  }
  for (let v = 1; v < counts.length; v++) counts[v]! += counts[v - 1]!;
  const count = counts[counts.length - 1]!;
  const buyers = { count, frequency: new Float64Array(count), spendSum: new Float64Array(count), weight: new Float64Array(count).fill(1) };
  const { frequency: sortedFrequency, spendSum, weight } = buyers;
  for (let i = 0; i < n; i++) {
    const x = frequency[i]!;
    if (x === 0) continue;
    const at = counts[x]!++;
    sortedFrequency[at] = x;
    spendSum[at] = monetary[i]! * x;
    if (weights) weight[at] = weights[i]!;
  }
  return buyers;
}

/** Buyers by runs of equal frequency, with what depends on the data alone summed once per run. */
interface BuyerRuns {
  runX: Float64Array;
  runStart: Int32Array;
  runEnd: Int32Array;
  /** Σ weight per run. */
  runWeight: Float64Array;
  /** Σ weight · ln m̄ per run. */
  runLnMonetary: Float64Array;
  spendSum: Float64Array;
  weight: Float64Array;
}

/** Arranges buyers in runs of equal frequency; with `stride` k > 1, every k-th buyer only (a start for the full fit). */
function prepareBuyers(buyers: RepeatBuyers, stride: number): BuyerRuns {
  const kept = Math.ceil(buyers.count / stride);
  const spendSum = stride === 1 ? buyers.spendSum : new Float64Array(kept);
  const weight = stride === 1 ? buyers.weight : new Float64Array(kept);
  const runs = { x: [] as number[], start: [] as number[], end: [] as number[], weight: [] as number[], lnMonetary: [] as number[] };
  let currentX = -1;
  let runWeight = 0;
  // Σ weight · ln m̄ of the run, as the log of a product where weights are 1 (see gammaGammaLikelihood).
  let lnSum = 0;
  let product = 1;
  const closeRun = (end: number): void => {
    if (currentX < 0) return;
    runs.end.push(end);
    runs.weight.push(runWeight);
    runs.lnMonetary.push(lnSum + Math.log(product));
  };
  let k = 0;
  for (let i = 0; i < buyers.count; i += stride, k++) {
    const x = buyers.frequency[i]!;
    const w = buyers.weight[i]!;
    if (x !== currentX) {
      closeRun(k);
      currentX = x;
      runs.x.push(x);
      runs.start.push(k);
      runWeight = 0;
      lnSum = 0;
      product = 1;
    }
    if (stride !== 1) {
      spendSum[k] = buyers.spendSum[i]!;
      weight[k] = w;
    }
    runWeight += w;
    const monetary = buyers.spendSum[i]! / x;
    if (w === 1 && monetary < 1e100 && monetary > 1e-100) {
      product *= monetary;
      if (product > 1e200 || product < 1e-200) {
        lnSum += Math.log(product);
        product = 1;
      }
    } else {
      lnSum += w * Math.log(monetary);
    }
  }
  closeRun(k);
  return {
    runX: Float64Array.from(runs.x), runStart: Int32Array.from(runs.start), runEnd: Int32Array.from(runs.end),
    runWeight: Float64Array.from(runs.weight), runLnMonetary: Float64Array.from(runs.lnMonetary), spendSum, weight,
  };
}

/**
 * Σ weight · ln f(m̄ | x) and, when asked, its gradient and Hessian in (p, q, γ), in one pass:
 * per customer only ln(γ + m̄x), 1/(γ + m̄x) and its square, summed per run of frequency.
 */
function gammaGammaLikelihood({ p, q, gamma }: GammaGammaParameters, data: BuyerRuns, gradient: Float64Array | null, hessian: Float64Array | null): number {
  const lnGamma = Math.log(gamma);
  const lnGammaQ = logGamma(q);
  const psiQ = digamma(q);
  const triQ = hessian ? trigamma(q) : 0;
  const { spendSum, weight } = data;
  let value = 0;
  let gp = 0;
  let gq = 0;
  let gg = 0;
  let hpp = 0;
  let hpq = 0;
  let hqq = 0;
  let hpg = 0;
  let hqg = 0;
  let hgg = 0;
  for (let run = 0; run < data.runX.length; run++) {
    const x = data.runX[run]!;
    const W = data.runWeight[run]!;
    const L = data.runLnMonetary[run]!;
    let G = 0;
    let I1 = 0;
    let I2 = 0;
    const end = data.runEnd[run]!;
    // Σ ln(γ + m̄x) as the log of a product, flushed before it can leave the range of doubles:
    // one log per few dozen customers instead of one each (weights of 1 only).
    let product = 1;
    for (let i = data.runStart[run]!; i < end; i++) {
      const scale = gamma + spendSum[i]!;
      const w = weight[i]!;
      const inv = w / scale;
      if (w === 1 && scale < 1e100 && scale > 1e-100) {
        product *= scale;
        if (product > 1e200 || product < 1e-200) {
          G += Math.log(product);
          product = 1;
        }
      } else {
        G += w * Math.log(scale);
      }
      I1 += inv;
      I2 += inv / scale;
    }
    G += Math.log(product);
    const px = p * x;
    const lnX = Math.log(x);
    const psiSum = digamma(px + q);
    value += W * (logGamma(px + q) - logGamma(px) - lnGammaQ + q * lnGamma + px * lnX) + (px - 1) * L - (px + q) * G;
    gp += x * (W * (psiSum - digamma(px) + lnX) + L - G);
    gq += W * (psiSum - psiQ + lnGamma) - G;
    gg += (W * q) / gamma - (px + q) * I1;
    if (hessian) {
      const triSum = trigamma(px + q);
      hpp += W * x * x * (triSum - trigamma(px));
      hpq += W * x * triSum;
      hqq += W * (triSum - triQ);
      hpg -= x * I1;
      hqg += W / gamma - I1;
      hgg += (-W * q) / (gamma * gamma) + (px + q) * I2;
    }
  }
  if (gradient) {
    gradient[0] = gp;
    gradient[1] = gq;
    gradient[2] = gg;
  }
  if (hessian) hessian.set([hpp, hpq, hpg, hpq, hqq, hqg, hpg, hqg, hgg]);
  return value;
}
