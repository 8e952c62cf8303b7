import type { FrequencyMonetary, GammaGammaParameters } from './gamma-gamma.ts';
import { digamma, logGamma, trigamma } from './special-functions.ts';

/**
 * The customers with frequency > 0, ordered by frequency: per customer only her spend over
 * her repeat purchases (m̄·x) and, when given, her weight; frequencies as runs.
 */
export interface RepeatBuyers {
  /** m̄·x of each buyer, in order of x. */
  spendSum: Float64Array;
  /** Each buyer's weight, or null when every weight is 1. */
  weight: Float64Array | null;
  /** Distinct x > 0 ascending: buyers xStart[j] … xStart[j + 1] − 1 have x = xValues[j]. */
  xValues: Float64Array;
  xStart: Int32Array;
  /** The weighted mean of m̄ (the fit's starting γ). */
  meanSpend: number;
}

/** Validates the rows and orders those with frequency > 0 by frequency (a counting sort). */
export function repeatBuyersByFrequency({ frequency, monetary, weights }: FrequencyMonetary & { weights?: ArrayLike<number> }): RepeatBuyers {
  const n = frequency.length;
  if (monetary.length !== n || (weights && weights.length !== n))
    throw new RangeError(`frequency, monetary${weights ? ' and weights' : ''} must have the same length`);
  const start = countByFrequency(frequency, monetary);
  const count = start[start.length - 1]!;
  const buyers = { spendSum: new Float64Array(count), weight: weights ? new Float64Array(count) : null };
  const meanSpend = placeBuyers(frequency, monetary, weights ?? null, start.slice(), buyers);
  const xValues: number[] = [];
  const xStart: number[] = [];
  for (let x = 1; x + 1 < start.length; x++) {
    if (start[x + 1]! > start[x]!) {
      xValues.push(x);
      xStart.push(start[x]!);
    }
  }
  xStart.push(count);
  return { ...buyers, xValues: Float64Array.from(xValues), xStart: Int32Array.from(xStart), meanSpend };
}

/** Checks every row; returns where the buyers of each frequency start once sorted (x = 0 excluded), with the total at the end. */
function countByFrequency(frequency: ArrayLike<number>, monetary: ArrayLike<number>): Int32Array {
  // Grown as larger frequencies appear.
  let counts = new Int32Array(64);
  for (let i = 0; i < frequency.length; i++) {
    const x = frequency[i]!;
    if (x === 0) continue;
    if (!(x > 0 && Number.isInteger(x))) throw new RangeError(`customer row ${i}: frequency must be a whole number ≥ 0 (got ${x})`);
    if (!(monetary[i]! > 0 && monetary[i]! < Number.POSITIVE_INFINITY)) {
      throw new RangeError(
        `customer row ${i}: a customer with repeat purchases needs a positive mean spend (got ${monetary[i]}); leave out zero-value or refunded purchase days`,
      );
    }
    if (x >= counts.length - 1) {
      const grown = new Int32Array(2 * (x + 1));
      grown.set(counts);
      counts = grown;
    }
    counts[x + 1]!++;
  }
  for (let v = 1; v < counts.length; v++) counts[v]! += counts[v - 1]!;
  return counts;
}

/** The counting sort's scatter; returns the weighted mean of m̄. */
function placeBuyers(
  frequency: ArrayLike<number>,
  monetary: ArrayLike<number>,
  weights: ArrayLike<number> | null,
  next: Int32Array,
  buyers: { spendSum: Float64Array; weight: Float64Array | null },
): number {
  const { spendSum, weight } = buyers;
  let spend = 0;
  let weightSum = 0;
  for (let i = 0; i < frequency.length; i++) {
    const x = frequency[i]!;
    if (x === 0) continue;
    const at = next[x]!++;
    const w = weights === null ? 1 : weights[i]!;
    spendSum[at] = monetary[i]! * x;
    if (weight !== null) weight[at] = w;
    spend += w * monetary[i]!;
    weightSum += w;
  }
  return spend / weightSum;
}

/** Buyers by runs of equal frequency, with what depends on the data alone summed once per run. */
export interface BuyerRuns {
  runX: Float64Array;
  runStart: Int32Array;
  runEnd: Int32Array;
  /** Σ weight per run. */
  runWeight: Float64Array;
  /** Σ weight · ln m̄ per run. */
  runLnMonetary: Float64Array;
  spendSum: Float64Array;
  /** Empty when every weight is 1. */
  weight: Float64Array;
  unitWeights: boolean;
}

/** Arranges buyers in runs of equal frequency; with `stride` k > 1, every k-th buyer only (a start for the full fit). */
export function prepareBuyers(buyers: RepeatBuyers, stride: number): BuyerRuns {
  const whole = stride === 1;
  const kept = Math.ceil(buyers.spendSum.length / stride);
  const runs = buyers.xValues.length;
  const data: BuyerRuns = {
    runX: new Float64Array(runs),
    runStart: new Int32Array(runs),
    runEnd: new Int32Array(runs),
    runWeight: new Float64Array(runs),
    runLnMonetary: new Float64Array(runs),
    spendSum: whole ? buyers.spendSum : new Float64Array(kept),
    weight: buyers.weight === null ? new Float64Array(0) : whole ? buyers.weight : new Float64Array(kept),
    unitWeights: buyers.weight === null,
  };
  let k = 0;
  for (let j = 0; j < runs; j++) {
    const x = buyers.xValues[j]!;
    // The first buyer of this run on the sampling grid i ≡ 0 (mod stride).
    const first = Math.ceil(buyers.xStart[j]! / stride) * stride;
    const end = buyers.xStart[j + 1]!;
    data.runX[j] = x;
    data.runStart[j] = k;
    const [weight, lnMonetary] = tallyBuyers(buyers, data, { x, first, end, stride, at: k });
    k += Math.max(0, Math.ceil((end - first) / stride));
    data.runEnd[j] = k;
    data.runWeight[j] = weight;
    data.runLnMonetary[j] = lnMonetary;
  }
  return data;
}

/**
 * The run's weight and Σ weight · ln m̄ (as the log of a product where weights are 1: one
 * log per few dozen buyers), copying buyers first, first + stride, … < end to `at` on in a sample.
 */
function tallyBuyers(
  buyers: RepeatBuyers,
  data: BuyerRuns,
  { x, first, end, stride, at }: { x: number; first: number; end: number; stride: number; at: number },
): [number, number] {
  const copy = stride !== 1;
  let weight = 0;
  let lnSum = 0;
  let product = 1;
  for (let i = first, k = at; i < end; i += stride, k++) {
    const w = buyers.weight === null ? 1 : buyers.weight[i]!;
    if (copy) {
      data.spendSum[k] = buyers.spendSum[i]!;
      if (buyers.weight !== null) data.weight[k] = w;
    }
    weight += w;
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
  return [weight, lnSum + Math.log(product)];
}

/**
 * Σ weight · ln f(m̄ | x) and, when asked, its gradient and Hessian in (p, q, γ), in one pass:
 * per customer only ln(γ + m̄x), 1/(γ + m̄x) and its square, summed per run of frequency.
 */
export function gammaGammaLikelihood(
  { p, q, gamma }: GammaGammaParameters,
  data: BuyerRuns,
  gradient: Float64Array | null,
  hessian: Float64Array | null,
): number {
  const lnGamma = Math.log(gamma);
  const lnGammaQ = logGamma(q);
  const psiQ = digamma(q);
  const triQ = trigamma(q);
  const sums = new Float64Array(3);
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
    sumScales(data, data.runStart[run]!, data.runEnd[run]!, gamma, sums);
    const [G, I1, I2] = [sums[0]!, sums[1]!, sums[2]!];
    const px = p * x;
    const lnX = Math.log(x);
    const psiSum = digamma(px + q);
    const triSum = trigamma(px + q);
    value += W * (logGamma(px + q) - logGamma(px) - lnGammaQ + q * lnGamma + px * lnX) + (px - 1) * L - (px + q) * G;
    gp += x * (W * (psiSum - digamma(px) + lnX) + L - G);
    gq += W * (psiSum - psiQ + lnGamma) - G;
    gg += (W * q) / gamma - (px + q) * I1;
    hpp += W * x * x * (triSum - trigamma(px));
    hpq += W * x * triSum;
    hqq += W * (triSum - triQ);
    hpg -= x * I1;
    hqg += W / gamma - I1;
    hgg += (-W * q) / (gamma * gamma) + (px + q) * I2;
  }
  if (gradient) gradient.set([gp, gq, gg]);
  if (hessian) hessian.set([hpp, hpq, hpg, hpq, hqq, hqg, hpg, hqg, hgg]);
  return value;
}

/**
 * Σ w·ln(γ + m̄x), Σ w/(γ + m̄x) and Σ w/(γ + m̄x)² over buyers [start, end), into `sums`. The
 * logs go as the log of a product, flushed before it can leave the range of doubles (weights
 * of 1 only): one log per few dozen customers instead of one each.
 */
function sumScales(data: BuyerRuns, start: number, end: number, gamma: number, sums: Float64Array): void {
  const { spendSum, weight, unitWeights } = data;
  let G = 0;
  let I1 = 0;
  let I2 = 0;
  let product = 1;
  for (let i = start; i < end; i++) {
    const scale = gamma + spendSum[i]!;
    const w = unitWeights ? 1 : weight[i]!;
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
  sums[0] = G + Math.log(product);
  sums[1] = I1;
  sums[2] = I2;
}
