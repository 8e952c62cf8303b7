import type { BgNbdFit } from '../clv/bg-nbd.ts';
import { predictCustomerValue, type PurchaseSummary, type TimeUnit } from '../clv/clv.ts';
import type { GammaGammaFit } from '../clv/gamma-gamma.ts';
import { DAYS_PER_UNIT } from '../clv/purchase-days.ts';
import { dayNumber } from '../periods.ts';
import type { LoadedPurchases } from './read-purchases.ts';

/**
 * Out-of-sample check: the repeat purchase days the model expects between the end of
 * calibration and the last purchase day of the data, against those that happened (for the
 * customers scored). Null when no purchase follows calibration.
 */
export function holdoutCheck(params: {
  purchases: LoadedPurchases;
  summary: PurchaseSummary;
  bgNbd: BgNbdFit;
  gammaGamma: GammaGammaFit;
  calibrationEnd: string;
  unit: TimeUnit;
}) {
  const { purchases, summary, bgNbd, gammaGamma, calibrationEnd, unit } = params;
  const endDay = dayNumber(calibrationEnd);
  let lastDay = endDay;
  const laterDays = new Int32Array(purchases.ids.length);
  for (let i = 0; i < purchases.day.length; i++) {
    const day = purchases.day[i]!;
    if (day <= endDay) continue;
    lastDay = Math.max(lastDay, day);
    const sameDayAsPrevious = i > 0 && purchases.customer[i - 1] === purchases.customer[i] && purchases.day[i - 1] === day;
    if (!sameDayAsPrevious) laterDays[purchases.customer[i]!]! += 1;
  }
  if (lastDay === endDay) return null;
  const days = lastDay - endDay;
  // One undiscounted period as long as the holdout: its expected purchases are E[Y(holdout) | x, t_x, T].
  const expected = predictCustomerValue({
    bgNbd,
    gammaGamma,
    summary,
    periods: 1,
    periodLength: days / DAYS_PER_UNIT[unit],
    margin: 1,
    discountRate: 0,
  }).expectedPurchases;
  let actual = 0;
  for (let i = 0; i < summary.customer.length; i++) actual += laterDays[summary.customer[i]!]!;
  return { days, expected: expected.reduce((sum, v) => sum + v, 0), actual };
}
