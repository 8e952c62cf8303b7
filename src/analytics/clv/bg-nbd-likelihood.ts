import type { BgNbdParameters } from './bg-nbd.ts';
import type { CustomerGroups } from './customer-groups.ts';
import { digamma, logGamma, trigamma } from './special-functions.ts';

/**
 * Grouped histories arranged for fast BG/NBD likelihood passes. Per customer,
 *   ln L = [ln Γ(r+x) − ln Γ(r) + r ln α + ln B(a, b+x) − ln B(a, b)]      (x alone)
 *          − (r+x) ln(α+T)                                                 (x and T, linear)
 *          + softplus(u),  u = ln a − ln(b+x−1) + (r+x)(ln(α+T) − ln(α+t_x))   (x > 0 only)
 * where softplus(u) = ln(1 + eᵘ): the FHL 2005 likelihood, ln[(α+T)^−(r+x) + a/(b+x−1)·(α+t_x)^−(r+x)]
 * rewritten around its first term. Only softplus(u) needs a pass over the groups; the rest
 * sums to weights per x and per time, aggregated once here.
 */
export interface BgNbdData {
  totalWeight: number;
  /** Distinct x (including 0) and the weight of each: the terms in x alone. */
  xValues: Float64Array;
  xWeight: Float64Array;
  /** Runs of groups with equal x > 0, [runStart, runEnd) in the group arrays below. */
  runX: Float64Array;
  runStart: Int32Array;
  runEnd: Int32Array;
  txIndex: Int32Array;
  TIndex: Int32Array;
  weight: Float64Array;
  /** Whether every weight is 1 (one customer per group), which lets a pass take one log per 256 groups. */
  unitWeights: boolean;
  times: Float64Array;
  /** Σ weight and Σ weight·x of the groups whose T is times[k]: the term −(r+x) ln(α+T). */
  timeWeight: Float64Array;
  timeWeightedX: Float64Array;
  /** Scratch tables, refilled at each evaluation: ln(α+t), 1/(α+t), 1/(α+t)² for every time t. */
  lnShifted: Float64Array;
  inverse: Float64Array;
  inverseSquared: Float64Array;
  /** (α+t)^(r+x) / α^(r+x) and its inverse, per time, for the x of the current run. */
  powers: Float64Array;
  inversePowers: Float64Array;
}

/**
 * Arranges groups for `bgNbdLikelihood`. With `stride` k > 1, keeps every k-th group only: a
 * systematic sample (groups are ordered by x, so it spreads over all of them) whose fit gives
 * a starting point close to the full fit's at a k-th of the cost.
 */
export function prepareBgNbd(groups: CustomerGroups, stride = 1): BgNbdData {
  const kept = Math.ceil(groups.count / stride);
  const times = groups.times;
  const whole = stride === 1;
  const data: BgNbdData = {
    totalWeight: 0, xValues: groups.xValues, xWeight: new Float64Array(groups.xValues.length),
    runX: new Float64Array(0), runStart: new Int32Array(0), runEnd: new Int32Array(0),
    txIndex: whole ? groups.txIndex : new Int32Array(kept), TIndex: whole ? groups.TIndex : new Int32Array(kept), weight: whole ? groups.weight : new Float64Array(kept),
    unitWeights: true, times, timeWeight: new Float64Array(times.length), timeWeightedX: new Float64Array(times.length),
    lnShifted: new Float64Array(times.length), inverse: new Float64Array(times.length), inverseSquared: new Float64Array(times.length),
    powers: new Float64Array(times.length), inversePowers: new Float64Array(times.length),
  };
  const runs: { x: number; start: number; end: number }[] = [];
  let k = 0;
  for (let j = 0; j < groups.xValues.length; j++) {
    const x = groups.xValues[j]!;
    const start = k;
    let xWeight = 0;
    // The first group of this run on the sampling grid g ≡ 0 (mod stride).
    for (let g = Math.ceil(groups.xStart[j]! / stride) * stride; g < groups.xStart[j + 1]!; g += stride, k++) {
      const w = groups.weight[g]!;
      const T = groups.TIndex[g]!;
      if (!whole) {
        data.txIndex[k] = groups.txIndex[g]!;
        data.TIndex[k] = T;
        data.weight[k] = w;
      }
      xWeight += w;
      if (w !== 1) data.unitWeights = false;
      data.timeWeight[T]! += w;
      data.timeWeightedX[T]! += w * x;
    }
    data.xWeight[j] = xWeight;
    data.totalWeight += xWeight;
    if (x > 0 && k > start) runs.push({ x, start, end: k });
  }
  data.runX = Float64Array.from(runs, (run) => run.x);
  data.runStart = Int32Array.from(runs, (run) => run.start);
  data.runEnd = Int32Array.from(runs, (run) => run.end);
  return data;
}

/**
 * Σ weight · ln L(r, α, a, b | x, t_x, T) and, when asked, its gradient (4) and Hessian
 * (4 × 4, row-major) with respect to (r, α, a, b), all in one pass. Per group it costs one exp
 * and one log1p; the derivatives accumulate as sums per run of equal x, combined with the
 * terms of x at the end of each run.
 */
export function bgNbdLikelihood({ r, alpha, a, b }: BgNbdParameters, data: BgNbdData, gradient: Float64Array | null, hessian: Float64Array | null): number {
  const { times, lnShifted, inverse, inverseSquared, timeWeight, timeWeightedX, powers, inversePowers } = data;
  // Terms in T alone: Σ −(r·W_T + X_T) ln(α+T), with the tables the pass over groups reads.
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
    if (w === 0) continue;
    const linear = r * w + timeWeightedX[k]!;
    value -= linear * ln;
    dr -= w * ln;
    dAlpha -= linear * inv;
    hrAlpha -= w * inv;
    hAlphaAlpha += linear * inv * inv;
  }

  // Terms in x alone: per customer r ln α + [lnΓ(r+x) − lnΓ(r)] + [lnΓ(b+x) − lnΓ(b)] − [lnΓ(a+b+x) − lnΓ(a+b)],
  // each bracket 0 at x = 0.
  const W = data.totalWeight;
  value += W * r * Math.log(alpha);
  dr += W * Math.log(alpha);
  dAlpha += (W * r) / alpha;
  hrAlpha += W / alpha;
  hAlphaAlpha -= (W * r) / (alpha * alpha);
  let da = 0;
  let db = 0;
  let hrr = 0;
  let haa = 0;
  let hbb = 0;
  const lnGammaR = logGamma(r);
  const lnGammaB = logGamma(b);
  const lnGammaAB = logGamma(a + b);
  const psiR = digamma(r);
  const psiB = digamma(b);
  const psiAB = digamma(a + b);
  const triR = hessian ? trigamma(r) : 0;
  const triB = hessian ? trigamma(b) : 0;
  const triAB = hessian ? trigamma(a + b) : 0;
  for (let i = 0; i < data.xValues.length; i++) {
    const x = data.xValues[i]!;
    if (x === 0) continue;
    const w = data.xWeight[i]!;
    value += w * (logGamma(r + x) - lnGammaR + logGamma(b + x) - lnGammaB - logGamma(a + b + x) + lnGammaAB);
    const psiABX = digamma(a + b + x);
    dr += w * (digamma(r + x) - psiR);
    da -= w * (psiABX - psiAB);
    db += w * (digamma(b + x) - psiB - psiABX + psiAB);
    if (hessian) {
      const triABX = trigamma(a + b + x);
      hrr += w * (trigamma(r + x) - triR);
      haa -= w * (triABX - triAB);
      hbb += w * (trigamma(b + x) - triB - triABX + triAB);
    }
  }
  let hab = haa;

  // softplus(u) over the groups with x > 0, run by run.
  let hra = 0;
  let hrb = 0;
  let hAlphaA = 0;
  let hAlphaB = 0;
  const lnA = Math.log(a);
  const { txIndex, TIndex, weight, unitWeights } = data;
  for (let run = 0; run < data.runX.length; run++) {
    const x = data.runX[run]!;
    const rx = r + x;
    const lnWeight = lnA - Math.log(b + x - 1);
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
    const start = data.runStart[run]!;
    const end = data.runEnd[run]!;
    // e^u = a/(b+x−1) · (α+T)^(r+x) / (α+t_x)^(r+x). On a long run, tabulate (α+t)^(r+x) per time
    // (relative to t = 0, so it cannot overflow while (r+x)·ln((α+t_max)/α) < 700): a product
    // per group instead of an exp.
    const useTable = end - start > 4 * times.length && rx * (lnShifted[times.length - 1]! - lnShifted[0]!) < 700;
    if (useTable) {
      for (let k = 0; k < times.length; k++) {
        const power = Math.exp(rx * (lnShifted[k]! - lnShifted[0]!));
        powers[k] = power;
        inversePowers[k] = 1 / power;
      }
    }
    const weightRatio = Math.exp(lnWeight);
    // Σ ln(1 + e) as the log of a product: one log per chunk instead of a log1p per group
    // (1 + e ≤ 2, so 256 factors stay below 2²⁵⁶). With weights other than 1, log1p per group.
    for (let chunk = start; chunk < end; chunk += 256) {
      const chunkEnd = Math.min(end, chunk + 256);
      let product = 1;
      for (let g = chunk; g < chunkEnd; g++) {
        const T = TIndex[g]!;
        const t = txIndex[g]!;
        const w = weight[g]!;
        const dl = lnShifted[T]! - lnShifted[t]!;
        const di = inverse[T]! - inverse[t]!;
        const dq = inverseSquared[T]! - inverseSquared[t]!;
        const u = lnWeight + rx * dl;
        // e = e^−|u|, and whether u > 0.
        let e: number;
        let positive: boolean;
        if (useTable) {
          const ratio = weightRatio * powers[T]! * inversePowers[t]!;
          positive = ratio > 1;
          e = positive ? 1 / ratio : ratio;
        } else {
          positive = u > 0;
          e = Math.exp(-Math.abs(u));
        }
        const onePlus = 1 + e;
        if (unitWeights) product *= onePlus;
        else f += w * Math.log1p(e);
        if (positive) f += w * u;
        // s = sigmoid(u), the share of "dropped out after the last purchase"; v = s(1 − s).
        const share = w / onePlus;
        const ws = positive ? share : share * e;
        const wv = (share * e) / onePlus;
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
    value += f;
    // ∂u = (Δln, (r+x)·Δinv, 1/a, −1/(b+x−1)) and ∂²softplus(u) = s·∂²u + s(1−s)·∂u ∂uᵀ, with
    // ∂²u/∂r∂α = Δinv, ∂²u/∂α² = −(r+x)·Δinv², ∂²u/∂a² = −1/a², ∂²u/∂b² = 1/(b+x−1)².
    const k = 1 / (b + x - 1);
    dr += s1;
    dAlpha += rx * s2;
    da += s0 / a;
    db -= k * s0;
    hrr += v11;
    hrAlpha += s2 + rx * v12;
    hAlphaAlpha += rx * (rx * v22 - s3);
    haa += (v0 - s0) / (a * a);
    hbb += (s0 + v0) * k * k;
    hab -= (v0 * k) / a;
    hra += v1 / a;
    hrb -= v1 * k;
    hAlphaA += (rx * v2) / a;
    hAlphaB -= rx * v2 * k;
  }
  if (gradient) {
    gradient[0] = dr;
    gradient[1] = dAlpha;
    gradient[2] = da;
    gradient[3] = db;
  }
  if (hessian) {
    hessian.set([
      hrr, hrAlpha, hra, hrb,
      hrAlpha, hAlphaAlpha, hAlphaA, hAlphaB,
      hra, hAlphaA, haa, hab,
      hrb, hAlphaB, hab, hbb,
    ]);
  }
  return value;
}
