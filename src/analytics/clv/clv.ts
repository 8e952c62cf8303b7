import type { BgNbdParameters } from './bg-nbd.ts';
import { expectedPurchasesIfAlive, probabilityAlive, scatterToMembers, scoreGroups } from './bg-nbd-scores.ts';
import { groupCustomers, type CustomerGroups, type RecencyFrequency } from './customer-groups.ts';
import type { GammaGammaParameters } from './gamma-gamma.ts';

import type { PurchaseSummary } from './purchase-days.ts';
import { scoreSummary } from './score-summary.ts';

export { summarisePurchaseDays, TimeUnit, type CustomerPurchaseDays, type PurchaseSummary } from './purchase-days.ts';

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
export function discountedExpectedPurchases({
  params,
  x,
  tx,
  T,
  periods,
  periodLength,
  discountRate,
}: {
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
export function customerLifetimeValue({
  bgNbd,
  expectedSpend,
  x,
  tx,
  T,
  ...terms
}: {
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

/** Customers as rows of (x, t_x, T, m̄), optionally with their groups, or as a PurchaseSummary. */
export type ScoredCustomers =
  | (RecencyFrequency & {
      /** Mean spend per repeat purchase (ignored where x = 0). */
      monetary: ArrayLike<number>;
      /** The groups of these rows (`groupCustomers`), when already made for the fit. */
      groups?: CustomerGroups;
    })
  | { summary: PurchaseSummary };

/**
 * Scores every customer: P(alive), expected purchases over the horizon, expected spend per
 * purchase and CLV, in the input's row order. The expectations for a customer known to be
 * alive depend on (x, T) alone and are computed once per distinct (x, T). From a summary
 * (`{ summary }`), one pass in customer order with its whole-day times indexing the tables
 * (`scoreSummary`); from rows, once per group of equal histories, then copied to the members.
 *
 * @example
 *   predictCustomerValue({ bgNbd, gammaGamma, summary, periods: 12, periodLength: 365.25 / 12 / 7, margin: 0.3, discountRate: 0.01 });
 */
export function predictCustomerValue({
  bgNbd,
  gammaGamma,
  periods,
  periodLength,
  margin,
  discountRate,
  ...customers
}: {
  bgNbd: BgNbdParameters;
  gammaGamma: GammaGammaParameters;
} & ValuationTerms &
  ScoredCustomers): CustomerValue {
  const terms = { periods, periodLength, margin, discountRate };
  if ('summary' in customers) {
    const { summary } = customers;
    return scoreSummary({ bgNbd, gammaGamma, summary, ...terms }) ?? scoreByGroups({ bgNbd, gammaGamma, ...summary, ...terms });
  }
  return scoreByGroups({ bgNbd, gammaGamma, ...customers, ...terms });
}

function scoreByGroups({
  bgNbd,
  gammaGamma,
  x,
  tx,
  T,
  monetary,
  groups,
  ...terms
}: RecencyFrequency & {
  bgNbd: BgNbdParameters;
  gammaGamma: GammaGammaParameters;
  monetary: ArrayLike<number>;
  groups?: CustomerGroups;
} & ValuationTerms): CustomerValue {
  const grouped = groups ?? groupCustomers({ x, tx, T });
  const byGroup = scoreGroups({
    params: bgNbd,
    groups: grouped,
    horizonPeriods: terms.periods,
    periodLength: terms.periodLength,
    discountRate: terms.discountRate,
  });
  const n = grouped.members.length;
  const value: CustomerValue = {
    probabilityAlive: new Float64Array(n),
    expectedPurchases: new Float64Array(n),
    expectedSpend: new Float64Array(n),
    clv: new Float64Array(n),
  };
  // The discounted purchases go into clv first; the pass below turns them into value.
  scatterToMembers(grouped, [
    [byGroup.probabilityAlive, value.probabilityAlive],
    [byGroup.expectedPurchases, value.expectedPurchases],
    [byGroup.discountedPurchases, value.clv],
  ]);
  const { p, q, gamma } = gammaGamma;
  const { margin } = terms;
  const { expectedSpend, clv } = value;
  for (let i = 0; i < n; i++) {
    // conditionalExpectedSpend, inlined.
    const frequency = x[i]!;
    const spendSum = frequency > 0 ? monetary[i]! * frequency : 0;
    const denominator = p * frequency + q - 1;
    const spend = denominator > 0 ? ((gamma + spendSum) * p) / denominator : Number.NaN;
    expectedSpend[i] = spend;
    clv[i] = margin * spend * clv[i]!;
  }
  return value;
}
