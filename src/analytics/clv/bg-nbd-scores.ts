import type { BgNbdParameters } from './bg-nbd.ts';
import { groupCustomers, type CustomerGroups, type RecencyFrequency } from './customer-groups.ts';

/** A customer's calibration history under the BG/NBD model. */
export interface History {
  x: number;
  tx: number;
  T: number;
}

/**
 * P(alive at T | x, t_x, T) (Fader, Hardie & Lee 2008, "Computing P(alive) Using the BG/NBD
 * Model"): 1 / (1 + δ(x>0) · a/(b+x−1) · ((α+T)/(α+t_x))^(r+x)), computed through its logarithm
 * so that large x or T cannot overflow. A customer without repeat purchases cannot have dropped
 * out (dropout happens only after a repeat purchase), so her P(alive) is 1.
 */
export function probabilityAlive({ params, x, tx, T }: { params: BgNbdParameters } & History): number {
  if (x === 0) return 1;
  const { r, alpha, a, b } = params;
  return aliveFromLnOdds(Math.log(a) - Math.log(b + x - 1) + (r + x) * (Math.log(alpha + T) - Math.log(alpha + tx)));
}

/** 1 / (1 + e^lnOdds), the P(alive) of the odds of having dropped out, without overflow. */
export function aliveFromLnOdds(lnOdds: number): number {
  return lnOdds > 0 ? Math.exp(-lnOdds) / (1 + Math.exp(-lnOdds)) : 1 / (1 + Math.exp(lnOdds));
}

/**
 * E[Y(t) | x, t_x, T]: the expected number of purchases in (T, T + t] of a customer with this
 * history (FHL 2005, eq. 10). It is P(alive) times the expectation for a customer known to be
 * alive, see `expectedPurchasesIfAlive`.
 */
export function conditionalExpectedPurchases({ params, t, x, tx, T }: { params: BgNbdParameters; t: number } & History): number {
  return probabilityAlive({ params, x, tx, T }) * expectedPurchasesIfAlive(params, t, x, T);
}

/** E[X(t)]: the expected number of repeat purchases in (0, t] of a new customer (FHL 2005, eq. 9). */
export function expectedPurchases({ params, t }: { params: BgNbdParameters; t: number }): number {
  return expectedPurchasesIfAlive(params, t, 0, 0);
}

/**
 * Per-customer P(alive) and expected purchases in (T, T + horizon], computed once per group of
 * customers with the same history (pass `groups` to reuse a grouping of these rows) and copied
 * to its members.
 */
export function scoreBgNbd({ params, horizon, ...input }: { params: BgNbdParameters; horizon: number } & (RecencyFrequency | { groups: CustomerGroups })): {
  probabilityAlive: Float64Array;
  expectedPurchases: Float64Array;
} {
  const groups = 'groups' in input ? input.groups : groupCustomers(input);
  const byGroup = scoreGroups({ params, groups, horizonPeriods: 1, periodLength: horizon, discountRate: 0 });
  const n = groups.members.length;
  const scores = { probabilityAlive: new Float64Array(n), expectedPurchases: new Float64Array(n) };
  scatterToMembers(groups, [
    [byGroup.probabilityAlive, scores.probabilityAlive],
    [byGroup.expectedPurchases, scores.expectedPurchases],
  ]);
  return scores;
}

/** Per group: P(alive), expected purchases over the horizon and their discounted sum (see clv.ts). */
export interface GroupScores {
  probabilityAlive: Float64Array;
  expectedPurchases: Float64Array;
  discountedPurchases: Float64Array;
}

/**
 * Scores every group: P(alive) from the tabulated ln(α + t) (one exp per group), and the
 * expectations for a customer known to be alive, which depend on (x, T) but not on t_x, once
 * per distinct (x, T): E[Y(k·L) | alive] for k = 1 … horizonPeriods, their discounted sum of
 * increments Σₖ (E[Y(kL)] − E[Y((k−1)L)]) / (1 + d)ᵏ, and E at the horizon.
 */
export function scoreGroups({
  params,
  groups,
  horizonPeriods,
  periodLength,
  discountRate,
}: {
  params: BgNbdParameters;
  groups: CustomerGroups;
  horizonPeriods: number;
  periodLength: number;
  discountRate: number;
}): GroupScores {
  const { r, alpha, a, b } = params;
  const { times, txIndex, TIndex } = groups;
  const lnShifted = new Float64Array(times.length);
  for (let k = 0; k < times.length; k++) lnShifted[k] = Math.log(alpha + times[k]!);
  // The expectations of the current x, by T index, valid where computedFor[T] is that x's run.
  const horizonByT = new Float64Array(times.length);
  const discountedByT = new Float64Array(times.length);
  const computedFor = new Int32Array(times.length).fill(-1);
  const scores: GroupScores = {
    probabilityAlive: new Float64Array(groups.count),
    expectedPurchases: new Float64Array(groups.count),
    discountedPurchases: new Float64Array(groups.count),
  };
  for (let run = 0; run < groups.xValues.length; run++) {
    const x = groups.xValues[run]!;
    const lnWeight = Math.log(a) - Math.log(b + x - 1);
    for (let g = groups.xStart[run]!; g < groups.xStart[run + 1]!; g++) {
      const T = TIndex[g]!;
      if (computedFor[T] !== run) {
        computedFor[T] = run;
        let previous = 0;
        let total = 0;
        let discount = 1;
        for (let k = 1; k <= horizonPeriods; k++) {
          discount /= 1 + discountRate;
          const cumulative = expectedPurchasesIfAlive(params, k * periodLength, x, times[T]!);
          total += (cumulative - previous) * discount;
          previous = cumulative;
        }
        horizonByT[T] = previous;
        discountedByT[T] = total;
      }
      const alive = x === 0 ? 1 : aliveFromLnOdds(lnWeight + (r + x) * (lnShifted[T]! - lnShifted[txIndex[g]!]!));
      scores.probabilityAlive[g] = alive;
      scores.expectedPurchases[g] = alive * horizonByT[T]!;
      scores.discountedPurchases[g] = alive * discountedByT[T]!;
    }
  }
  return scores;
}

/** Copies each group's value to its members' rows: out[j][row] = byGroup[j][g] for each pair of columns. */
export function scatterToMembers(groups: CustomerGroups, columns: [byGroup: Float64Array, out: Float64Array][]): void {
  const { members, memberStart } = groups;
  for (const [byGroup, out] of columns) {
    for (let g = 0; g < groups.count; g++) {
      const value = byGroup[g]!;
      const end = memberStart[g + 1]!;
      for (let k = memberStart[g]!; k < end; k++) out[members[k]!] = value;
    }
  }
}

/**
 * The expected cumulative repeat purchases of a cohort at each of `times` (the tracking curve
 * of FHL 2005, figure 2): Σ over customers of E[X(τ − s)], where s is the customer's first
 * purchase time and τ − s > 0; all times on one clock, in the model's unit.
 */
export function expectedCumulativeRepeatPurchases({
  params,
  firstPurchaseTimes,
  times,
}: {
  params: BgNbdParameters;
  firstPurchaseTimes: ArrayLike<number>;
  times: ArrayLike<number>;
}): Float64Array {
  // Cohorts are acquired on few distinct days: count customers per first-purchase time.
  const customersByStart = new Map<number, number>();
  for (let i = 0; i < firstPurchaseTimes.length; i++) {
    const s = firstPurchaseTimes[i]!;
    customersByStart.set(s, (customersByStart.get(s) ?? 0) + 1);
  }
  const totals = new Float64Array(times.length);
  for (let k = 0; k < times.length; k++) {
    let total = 0;
    for (const [start, customers] of customersByStart) {
      if (times[k]! > start) total += customers * expectedPurchases({ params, t: times[k]! - start });
    }
    totals[k] = total;
  }
  return totals;
}

/**
 * E[Y(t) | alive at T, x]: expected purchases in (T, T + t] of a customer known to be alive at
 * T after x repeat purchases. FHL's eq. 10 writes it as
 *   (a+b+x−1)/(a−1) · [1 − ((α+T)/(α+T+t))^(r+x) · ₂F₁(r+x, b+x; a+b+x−1; z)],  z = t/(α+T+t).
 * Euler's transformation ₂F₁(A, B; C; z) = (1−z)^(C−A−B) ₂F₁(C−A, C−B; C; z) turns the
 * bracket into 1 − (1−z)^(a−1) ₂F₁(a+b−1−r, a−1; a+b+x−1; z), whose upper parameters no longer
 * grow with x: the series converges fast for any x, and the powers cannot overflow. Splitting
 * off the k = 0 term and dividing by (a−1) analytically, using (a−1)ₖ = (a−1)·(a)ₖ₋₁, gives
 *   (a+b+x−1) · [ −expm1((a−1)L)/(a−1) − (1−z)^(a−1) Σₖ≥₁ (a+b−1−r)ₖ (a)ₖ₋₁ zᵏ / ((a+b+x−1)ₖ k!) ],
 * L = ln(1−z), which stays exact as a → 1 where the published form is 0/0.
 */
export function expectedPurchasesIfAlive({ r, alpha, a, b }: BgNbdParameters, t: number, x: number, T: number): number {
  if (!(t > 0)) return 0;
  const c = a + b + x - 1;
  const upper = a + b - 1 - r;
  const z = t / (alpha + T + t);
  const lnOneMinusZ = -Math.log1p(t / (alpha + T));
  const aMinusOne = a - 1;
  const leading = aMinusOne === 0 ? -lnOneMinusZ : -Math.expm1(aMinusOne * lnOneMinusZ) / aMinusOne;
  let term = (upper * z) / c;
  let sum = term;
  for (let k = 1; k < MAX_SERIES_TERMS && term !== 0; k++) {
    term *= ((upper + k) * (a + k - 1) * z) / ((c + k) * (k + 1));
    sum += term;
    if (Math.abs(term) <= 1e-17 * Math.abs(sum)) break;
  }
  return c * (leading - Math.exp(aMinusOne * lnOneMinusZ) * sum);
}

/** Terms shrink at least like zᵏ; z = 0.999 (a horizon 1000 times the customer's age) needs ~40,000. */
export const MAX_SERIES_TERMS = 1_000_000;
