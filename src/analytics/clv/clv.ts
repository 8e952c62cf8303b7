import type { BgNbdParameters } from './bg-nbd.ts';
import { expectedPurchasesIfAlive, probabilityAlive } from './bg-nbd-scores.ts';
import { groupCustomers, type RecencyFrequency } from './customer-groups.ts';
import { conditionalExpectedSpend, type GammaGammaParameters } from './gamma-gamma.ts';

export { summarisePurchaseDays, type CustomerPurchaseDays, type PurchaseSummary, type TimeUnit } from './purchase-days.ts';

/** How the future is valued: a horizon cut into discount periods, a profit margin and a discount rate. */
export interface ValuationTerms {
  /** Number of periods in the horizon (e.g. 12 for a year of months). */
  periods: number;
  /** Length of one period in the model's time unit (e.g. 30 for a month of days, 4.345 for a month of weeks). */
  periodLength: number;
  /** Share of spend kept as profit, in [0, 1]; 1 values revenue. */
  margin: number;
  /** Discount rate per period (e.g. 0.01 a month); 0 for no discounting. */
  discountRate: number;
}

/**
 * The discounted expected purchases of one history over the horizon:
 *   Σₖ₌₁..ₙ (E[Y(k·L) | x, t_x, T] − E[Y((k−1)·L) | x, t_x, T]) / (1 + d)ᵏ,
 * n = periods, L = periodLength, d = discountRate: the purchases expected in period k, counted
 * at the end of that period (the lifetimes package's convention).
 */
export function discountedExpectedPurchases({ params, x, tx, T, periods, periodLength, discountRate }: {
  params: BgNbdParameters;
  x: number;
  tx: number;
  T: number;
} & Omit<ValuationTerms, 'margin'>): number {
  const alive = probabilityAlive({ params, x, tx, T });
  let previous = 0;
  let total = 0;
  let discount = 1;
  for (let k = 1; k <= periods; k++) {
    discount /= 1 + discountRate;
    const cumulative = expectedPurchasesIfAlive(params, k * periodLength, x, T);
    total += (cumulative - previous) * discount;
    previous = cumulative;
  }
  return alive * total;
}

/**
 * CLV of one customer: margin × expected spend per purchase × discounted expected purchases.
 * Spend and purchases multiply because the Gamma-Gamma model takes spend to be independent
 * of the purchase process.
 */
export function customerLifetimeValue({ bgNbd, expectedSpend, x, tx, T, ...terms }: {
  bgNbd: BgNbdParameters;
  expectedSpend: number;
  x: number;
  tx: number;
  T: number;
} & ValuationTerms): number {
  return terms.margin * expectedSpend * discountedExpectedPurchases({ params: bgNbd, x, tx, T, ...terms });
}

export interface CustomerValue {
  /** P(alive at T). */
  probabilityAlive: Float64Array;
  /** Expected purchases over the whole horizon, periods × periodLength. */
  expectedPurchases: Float64Array;
  /** Expected spend per purchase (Gamma-Gamma conditional expectation). */
  expectedSpend: Float64Array;
  /** customerLifetimeValue over the horizon. */
  clv: Float64Array;
}

/**
 * Scores every customer: P(alive), expected purchases over the horizon, expected spend per
 * purchase and CLV. Everything that depends on (x, t_x, T) alone is computed once per distinct
 * history, then combined with each customer's own spend in one pass over typed arrays.
 */
export function predictCustomerValue({ bgNbd, gammaGamma, x, tx, T, monetary, ...terms }: RecencyFrequency & {
  bgNbd: BgNbdParameters;
  gammaGamma: GammaGammaParameters;
  /** Mean spend per repeat purchase (ignored where x = 0). */
  monetary: ArrayLike<number>;
} & ValuationTerms): CustomerValue {
  const groups = groupCustomers({ x, tx, T });
  const aliveByGroup = new Float64Array(groups.count);
  const purchasesByGroup = new Float64Array(groups.count);
  const discountedByGroup = new Float64Array(groups.count);
  const horizon = terms.periods * terms.periodLength;
  for (let g = 0; g < groups.count; g++) {
    const history = { x: groups.x[g]!, tx: groups.tx[g]!, T: groups.T[g]! };
    aliveByGroup[g] = probabilityAlive({ params: bgNbd, ...history });
    purchasesByGroup[g] = aliveByGroup[g]! * expectedPurchasesIfAlive(bgNbd, horizon, history.x, history.T);
    discountedByGroup[g] = discountedExpectedPurchases({ params: bgNbd, ...history, ...terms });
  }
  const n = groups.groupOf.length;
  const value: CustomerValue = {
    probabilityAlive: new Float64Array(n),
    expectedPurchases: new Float64Array(n),
    expectedSpend: new Float64Array(n),
    clv: new Float64Array(n),
  };
  for (let i = 0; i < n; i++) {
    const g = groups.groupOf[i]!;
    const spend = conditionalExpectedSpend({ params: gammaGamma, frequency: x[i]!, monetary: monetary[i]! });
    value.probabilityAlive[i] = aliveByGroup[g]!;
    value.expectedPurchases[i] = purchasesByGroup[g]!;
    value.expectedSpend[i] = spend;
    value.clv[i] = terms.margin * spend * discountedByGroup[g]!;
  }
  return value;
}
