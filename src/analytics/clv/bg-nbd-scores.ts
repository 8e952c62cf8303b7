import type { BgNbdParameters } from './bg-nbd.ts';
import { groupCustomers, type RecencyFrequency } from './customer-groups.ts';

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
  const lnOdds = Math.log(a) - Math.log(b + x - 1) + (r + x) * (Math.log(alpha + T) - Math.log(alpha + tx));
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
 * Per-customer P(alive) and expected purchases in (T, T + horizon], computed once per distinct
 * history and copied to the customers who share it.
 */
export function scoreBgNbd({ params, x, tx, T, horizon }: RecencyFrequency & { params: BgNbdParameters; horizon: number }): {
  probabilityAlive: Float64Array;
  expectedPurchases: Float64Array;
} {
  const groups = groupCustomers({ x, tx, T });
  const aliveByGroup = new Float64Array(groups.count);
  const purchasesByGroup = new Float64Array(groups.count);
  for (let g = 0; g < groups.count; g++) {
    const history = { x: groups.x[g]!, tx: groups.tx[g]!, T: groups.T[g]! };
    aliveByGroup[g] = probabilityAlive({ params, ...history });
    purchasesByGroup[g] = aliveByGroup[g]! * expectedPurchasesIfAlive(params, horizon, history.x, history.T);
  }
  const n = groups.groupOf.length;
  const alive = new Float64Array(n);
  const purchases = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const g = groups.groupOf[i]!;
    alive[i] = aliveByGroup[g]!;
    purchases[i] = purchasesByGroup[g]!;
  }
  return { probabilityAlive: alive, expectedPurchases: purchases };
}

/**
 * The expected cumulative repeat purchases of a cohort at each of `times` (the tracking curve
 * of FHL 2005, figure 2): Σ over customers of E[X(τ − s)], where s is the customer's first
 * purchase time and τ − s > 0; all times on one clock, in the model's unit.
 */
export function expectedCumulativeRepeatPurchases({ params, firstPurchaseTimes, times }: {
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
const MAX_SERIES_TERMS = 1_000_000;
