import type { BgNbdParameters } from './bg-nbd.ts';
import type { BgNbdData } from './bg-nbd-data.ts';
import { digamma, logGamma, trigamma } from './special-functions.ts';

export { prepareBgNbd, type BgNbdData } from './bg-nbd-data.ts';

/**
 * Σ weight · ln L(r, α, a, b | x, t_x, T) and, when asked, its gradient (4) and Hessian
 * (4 × 4, row-major) with respect to (r, α, a, b), all in one pass (see BgNbdData for the
 * decomposition). Per group it costs an exp, or on long runs of x a product from a table,
 * and no log; the derivatives accumulate as sums per run of equal x, combined with the terms
 * of x at the end of each run.
 *
 * Each loop lives in a function of its own, taking arrays and numbers: V8 then optimises it
 * whole after the first call, rather than from inside the loop with part of the feedback,
 * which made every later call deoptimise and finish a loop in the interpreter.
 */
export function bgNbdLikelihood(params: BgNbdParameters, data: BgNbdData, gradient: Float64Array | null, hessian: Float64Array | null): number {
  const total = new Float64Array(TERMS);
  addTimeTerms(params, data, total);
  addFrequencyTerms(params, data, total);
  addGroupTerms(params, data, total);
  if (gradient) gradient.set(total.subarray(G_R, G_B + 1));
  if (hessian) {
    hessian.set([
      total[H_RR]!,
      total[H_RALPHA]!,
      total[H_RA]!,
      total[H_RB]!,
      total[H_RALPHA]!,
      total[H_ALPHAALPHA]!,
      total[H_ALPHAA]!,
      total[H_ALPHAB]!,
      total[H_RA]!,
      total[H_ALPHAA]!,
      total[H_AA]!,
      total[H_AB]!,
      total[H_RB]!,
      total[H_ALPHAB]!,
      total[H_AB]!,
      total[H_BB]!,
    ]);
  }
  return total[VALUE]!;
}

// Layout of the running totals: the value, the gradient in (r, α, a, b), the Hessian's upper triangle.
const VALUE = 0;
const G_R = 1;
const G_ALPHA = 2;
const G_A = 3;
const G_B = 4;
const H_RR = 5;
const H_RALPHA = 6;
const H_RA = 7;
const H_RB = 8;
const H_ALPHAALPHA = 9;
const H_ALPHAA = 10;
const H_ALPHAB = 11;
const H_AA = 12;
const H_AB = 13;
const H_BB = 14;
const TERMS = 15;

/** Terms in T alone, Σ −(r·W_T + X_T) ln(α+T); fills the tables of ln(α+t), 1/(α+t), 1/(α+t)² the group pass reads. */
function addTimeTerms({ r, alpha }: BgNbdParameters, data: BgNbdData, total: Float64Array): void {
  const { times, lnShifted, inverse, inverseSquared, timeWeight, timeWeightedX } = data;
  let value = 0;
  let dr = 0;
  let dAlpha = 0;
  let hrAlpha = 0;
  let hAlphaAlpha = 0;
  for (let k = 0; k < times.length; k++) {
    const shifted = alpha + times[k]!;
    const ln = Math.log(shifted);
    const inv = 1 / shifted;
    lnShifted[k] = ln;
    inverse[k] = inv;
    inverseSquared[k] = inv * inv;
    const w = timeWeight[k]!;
    const linear = r * w + timeWeightedX[k]!;
    value -= linear * ln;
    dr -= w * ln;
    dAlpha -= linear * inv;
    hrAlpha -= w * inv;
    hAlphaAlpha += linear * inv * inv;
  }
  total[VALUE]! += value;
  total[G_R]! += dr;
  total[G_ALPHA]! += dAlpha;
  total[H_RALPHA]! += hrAlpha;
  total[H_ALPHAALPHA]! += hAlphaAlpha;
}

/**
 * Terms in x alone: per customer r ln α + [lnΓ(r+x) − lnΓ(r)] + [lnΓ(b+x) − lnΓ(b)]
 * − [lnΓ(a+b+x) − lnΓ(a+b)], each bracket 0 at x = 0, summed per distinct x.
 */
function addFrequencyTerms({ r, alpha, a, b }: BgNbdParameters, data: BgNbdData, total: Float64Array): void {
  const W = data.totalWeight;
  total[VALUE]! += W * r * Math.log(alpha);
  total[G_R]! += W * Math.log(alpha);
  total[G_ALPHA]! += (W * r) / alpha;
  total[H_RALPHA]! += W / alpha;
  total[H_ALPHAALPHA]! -= (W * r) / (alpha * alpha);
  const lnGammaR = logGamma(r);
  const lnGammaB = logGamma(b);
  const lnGammaAB = logGamma(a + b);
  const psiR = digamma(r);
  const psiB = digamma(b);
  const psiAB = digamma(a + b);
  const triR = trigamma(r);
  const triB = trigamma(b);
  const triAB = trigamma(a + b);
  for (let i = 0; i < data.xValues.length; i++) {
    const x = data.xValues[i]!;
    const w = data.xWeight[i]!;
    if (x === 0 || w === 0) continue;
    total[VALUE]! += w * (logGamma(r + x) - lnGammaR + logGamma(b + x) - lnGammaB - logGamma(a + b + x) + lnGammaAB);
    const psiABX = digamma(a + b + x);
    total[G_R]! += w * (digamma(r + x) - psiR);
    total[G_A]! -= w * (psiABX - psiAB);
    total[G_B]! += w * (digamma(b + x) - psiB - psiABX + psiAB);
    const triABX = trigamma(a + b + x);
    total[H_RR]! += w * (trigamma(r + x) - triR);
    total[H_AA]! -= w * (triABX - triAB);
    total[H_AB]! -= w * (triABX - triAB);
    total[H_BB]! += w * (trigamma(b + x) - triB - triABX + triAB);
  }
}

// Layout of one run's sums over its groups: Σ w·softplus(u), then with s = sigmoid(u) and
// v = s(1 − s): Σ ws, Σ ws·Δln, Σ ws·Δinv, Σ ws·Δinv², Σ wv, Σ wv·Δln, Σ wv·Δinv, Σ wv·Δln²,
// Σ wv·Δln·Δinv, Σ wv·Δinv², where Δln = ln(α+T) − ln(α+t_x), Δinv = 1/(α+T) − 1/(α+t_x).
const F = 0;
const S0 = 1;
const S1 = 2;
const S2 = 3;
const S3 = 4;
const V0 = 5;
const V1 = 6;
const V2 = 7;
const V11 = 8;
const V12 = 9;
const V22 = 10;

/** Σ softplus(u) over the groups with x > 0, run by run, and its derivatives. */
function addGroupTerms({ r, a, b }: BgNbdParameters, data: BgNbdData, total: Float64Array): void {
  const sums = new Float64Array(11);
  const { times, lnShifted } = data;
  const span = lnShifted[times.length - 1]! - lnShifted[0]!;
  for (let run = 0; run < data.runX.length; run++) {
    const x = data.runX[run]!;
    const rx = r + x;
    const k = 1 / (b + x - 1);
    const start = data.runStart[run]!;
    const end = data.runEnd[run]!;
    // On a long run, tabulate (α+t)^(r+x) relative to t = 0 (finite while (r+x)·span < 700):
    // a product per group instead of an exp.
    const useTable = end - start > 4 * times.length && rx * span < 700;
    if (useTable) fillPowers(data, rx);
    sumRun(data, start, end, Math.log(a) - Math.log(b + x - 1), rx, useTable, sums);
    // ∂u = (Δln, (r+x)·Δinv, 1/a, −1/(b+x−1)) and ∂²softplus(u) = s·∂²u + s(1−s)·∂u ∂uᵀ, with
    // ∂²u/∂r∂α = Δinv, ∂²u/∂α² = −(r+x)·Δinv², ∂²u/∂a² = −1/a², ∂²u/∂b² = 1/(b+x−1)².
    const s0 = sums[S0]!;
    const s2 = sums[S2]!;
    const v0 = sums[V0]!;
    const v1 = sums[V1]!;
    const v2 = sums[V2]!;
    total[VALUE]! += sums[F]!;
    total[G_R]! += sums[S1]!;
    total[G_ALPHA]! += rx * s2;
    total[G_A]! += s0 / a;
    total[G_B]! -= k * s0;
    total[H_RR]! += sums[V11]!;
    total[H_RALPHA]! += s2 + rx * sums[V12]!;
    total[H_ALPHAALPHA]! += rx * (rx * sums[V22]! - sums[S3]!);
    total[H_AA]! += (v0 - s0) / (a * a);
    total[H_BB]! += (s0 + v0) * k * k;
    total[H_AB]! -= (v0 * k) / a;
    total[H_RA]! += v1 / a;
    total[H_RB]! -= v1 * k;
    total[H_ALPHAA]! += (rx * v2) / a;
    total[H_ALPHAB]! -= rx * v2 * k;
  }
}

/** powers[k] = (α+t_k)^(r+x) / α^(r+x), and its inverse. */
function fillPowers(data: BgNbdData, rx: number): void {
  const { lnShifted, powers, inversePowers } = data;
  const ln0 = lnShifted[0]!;
  for (let k = 0; k < powers.length; k++) {
    const power = Math.exp(rx * (lnShifted[k]! - ln0));
    powers[k] = power;
    inversePowers[k] = 1 / power;
  }
}

/** One run's sums over groups [start, end) of equal x (layout above), written into `sums`. */
function sumRun(data: BgNbdData, start: number, end: number, lnWeight: number, rx: number, useTable: boolean, sums: Float64Array): void {
  const { txIndex, TIndex, weight, unitWeights, lnShifted, inverse, inverseSquared, powers, inversePowers } = data;
  const weightRatio = Math.exp(lnWeight);
  const inverseWeightRatio = Math.exp(-lnWeight);
  let f = 0;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let v0 = 0;
  let v1 = 0;
  let v2 = 0;
  let v11 = 0;
  let v12 = 0;
  let v22 = 0;
  // Σ ln(1 + e) as the log of a product: one log per chunk instead of a log1p per group
  // (1 + e ≤ 2, so 256 factors stay below 2²⁵⁶). With weights other than 1, log1p per group.
  for (let chunk = start; chunk < end; chunk += 256) {
    const chunkEnd = Math.min(end, chunk + 256);
    let product = 1;
    for (let g = chunk; g < chunkEnd; g++) {
      const T = TIndex[g]!;
      const t = txIndex[g]!;
      const w = unitWeights ? 1 : weight[g]!;
      const dl = lnShifted[T]! - lnShifted[t]!;
      const di = inverse[T]! - inverse[t]!;
      const dq = inverseSquared[T]! - inverseSquared[t]!;
      const u = lnWeight + rx * dl;
      // e = e^−|u|, and whether u > 0.
      let e: number;
      let positive: boolean;
      if (useTable) {
        // e^u and e^−u both by products, no division.
        const ratio = weightRatio * powers[T]! * inversePowers[t]!;
        positive = ratio > 1;
        e = positive ? inverseWeightRatio * inversePowers[T]! * powers[t]! : ratio;
      } else {
        positive = u > 0;
        e = Math.exp(-Math.abs(u));
      }
      const onePlus = 1 + e;
      if (unitWeights) product *= onePlus;
      else f += w * Math.log1p(e);
      if (positive) f += w * u;
      // s = sigmoid(u), the share of "dropped out after the last purchase"; v = s(1 − s).
      const reciprocal = 1 / onePlus;
      const share = w * reciprocal;
      const ws = positive ? share : share * e;
      const wv = share * e * reciprocal;
      s0 += ws;
      s1 += ws * dl;
      s2 += ws * di;
      s3 += ws * dq;
      v0 += wv;
      v1 += wv * dl;
      v2 += wv * di;
      v11 += wv * dl * dl;
      v12 += wv * dl * di;
      v22 += wv * di * di;
    }
    f += Math.log(product);
  }
  sums[F] = f;
  sums[S0] = s0;
  sums[S1] = s1;
  sums[S2] = s2;
  sums[S3] = s3;
  sums[V0] = v0;
  sums[V1] = v1;
  sums[V2] = v2;
  sums[V11] = v11;
  sums[V12] = v12;
  sums[V22] = v22;
}
