import { summarisePurchaseDays, type CustomerValue, type PurchaseSummary } from '../clv/clv.ts';
import { fitAndScoreSummary } from '../clv/fit-and-score.ts';
import { DAYS_PER_UNIT } from '../clv/purchase-days.ts';
import { systemClock, type Clock } from '../../shared/clock.ts';
import { KizunaError } from '../../shared/errors.ts';
import { holdoutCheck } from './holdout.ts';
import { distribution } from './quantiles.ts';
import type { LoadedPurchases } from './read-purchases.ts';
import { DAYS_PER_MONTH, type CustomerValueRun, type CustomerValueTerms, type MarginSource } from './terms.ts';
import { dataEndsOnOf } from '../data-end.ts';
import { addDays, formatDay } from '../periods.ts';

/**
 * The models on purchases held in memory, nothing stored: the summaries, both fits, every
 * customer's scores, the distributions and the holdout check. `runCustomerValue` stores the
 * result; the benchmark times this part alone against its numpy/scipy baseline.
 */
export function computeCustomerValue(params: {
  purchases: LoadedPurchases;
  calibrationEnd: string;
  terms: Omit<CustomerValueTerms, 'calibrationEnd'>;
  /** Where the margin came from (default given). */
  marginSource?: MarginSource;
  /** Stamps computedAt (default systemClock). */
  clock?: Clock;
}): { run: CustomerValueRun; summary: PurchaseSummary; value: CustomerValue } {
  const { purchases, calibrationEnd, terms } = params;
  const summary = summarisePurchaseDays({ customerDays: purchases, calibrationEnd, unit: terms.unit });
  const n = summary.customer.length;
  if (n === 0) throw new KizunaError('validation_failed', `No customer has a purchase on or before ${calibrationEnd}: there is nothing to fit.`);
  const repeatCustomers = summary.x.reduce((count, x) => count + (x > 0 ? 1 : 0), 0);
  if (repeatCustomers === 0) {
    throw new KizunaError(
      'validation_failed',
      `No customer bought on two different days by ${calibrationEnd}: the models learn from repeat purchases, so there is nothing to fit yet.`,
    );
  }
  const periodLength = DAYS_PER_MONTH / DAYS_PER_UNIT[terms.unit];
  const { bgNbd, gammaGamma, spendModel, value } = fitAndScoreSummary(summary, {
    periods: terms.horizonMonths,
    periodLength,
    margin: terms.margin,
    discountRate: terms.discountRate,
  });
  let lastDay = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < purchases.day.length; i++) lastDay = Math.max(lastDay, purchases.day[i]!);
  const run: CustomerValueRun = {
    calibrationEnd,
    ...terms,
    marginSource: params.marginSource ?? 'given',
    dataEndsOn: dataEndsOnOf(Number.isFinite(lastDay) ? formatDay(lastDay) : null, addDays(calibrationEnd, 1)),
    customers: n,
    repeatCustomers,
    bgNbd,
    gammaGamma,
    spendModel,
    totalClv: value.clv.reduce((sum, v) => sum + v, 0),
    clv: distribution(value.clv),
    probabilityAlive: distribution(value.probabilityAlive, 1),
    holdout: holdoutCheck({ purchases, summary, bgNbd, gammaGamma, calibrationEnd, unit: terms.unit }),
    computedAt: (params.clock ?? systemClock).now(),
  };
  return { run, summary, value };
}
