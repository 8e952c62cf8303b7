import type { CustomerGroups } from './customer-groups.ts';

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
  /** Whether every weight is 1 (one customer per group; `weight` may then be empty), which lets a pass take one log per 256 groups. */
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
  const weights = groups.unitWeights ? null : groups.weight;
  const data: BgNbdData = {
    totalWeight: 0,
    xValues: groups.xValues,
    xWeight: new Float64Array(groups.xValues.length),
    runX: new Float64Array(0),
    runStart: new Int32Array(0),
    runEnd: new Int32Array(0),
    txIndex: whole ? groups.txIndex : new Int32Array(kept),
    TIndex: whole ? groups.TIndex : new Int32Array(kept),
    weight: weights === null ? new Float64Array(0) : whole ? weights : new Float64Array(kept),
    unitWeights: true,
    times,
    timeWeight: new Float64Array(times.length),
    timeWeightedX: new Float64Array(times.length),
    lnShifted: new Float64Array(times.length),
    inverse: new Float64Array(times.length),
    inverseSquared: new Float64Array(times.length),
    powers: new Float64Array(times.length),
    inversePowers: new Float64Array(times.length),
  };
  const runs = { x: [] as number[], start: [] as number[], end: [] as number[] };
  let k = 0;
  for (let j = 0; j < groups.xValues.length; j++) {
    const x = groups.xValues[j]!;
    // The first group of this run on the sampling grid g ≡ 0 (mod stride).
    const first = Math.ceil(groups.xStart[j]! / stride) * stride;
    const end = groups.xStart[j + 1]!;
    const start = k;
    data.xWeight[j] = tallyRun(groups, weights, data, { x, first, end, stride, at: start });
    data.totalWeight += data.xWeight[j]!;
    k += Math.max(0, Math.ceil((end - first) / stride));
    if (x > 0 && k > start) {
      runs.x.push(x);
      runs.start.push(start);
      runs.end.push(k);
    }
  }
  data.runX = Float64Array.from(runs.x);
  data.runStart = Int32Array.from(runs.start);
  data.runEnd = Int32Array.from(runs.end);
  return data;
}

/**
 * Adds the groups first, first + stride, … < end (all of x) to the weights per time, copies
 * them to position `at` on in a sample, and returns their weight.
 */
function tallyRun(
  groups: CustomerGroups,
  weights: Float64Array | null,
  data: BgNbdData,
  { x, first, end, stride, at }: { x: number; first: number; end: number; stride: number; at: number },
): number {
  const { TIndex, txIndex } = groups;
  const { timeWeight, timeWeightedX } = data;
  const copy = stride !== 1;
  let total = 0;
  for (let g = first, k = at; g < end; g += stride, k++) {
    const w = weights === null ? 1 : weights[g]!;
    const T = TIndex[g]!;
    if (copy) {
      data.txIndex[k] = txIndex[g]!;
      data.TIndex[k] = T;
      if (weights !== null) data.weight[k] = w;
    }
    if (w !== 1) data.unitWeights = false;
    total += w;
    timeWeight[T]! += w;
    timeWeightedX[T]! += w * x;
  }
  return total;
}
