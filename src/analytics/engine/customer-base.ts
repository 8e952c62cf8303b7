import { addDays, checkSeries, dayNumber, requireCalendarDate, type Granularity, type Period } from '../periods.ts';
import { bucketOfDays } from './sales.ts';
import { checkF2Terms, f2ConversionOf, repeatRatesOf, type F2Conversion, type RepeatRates } from '../repeat-f2.ts';
import { NO_DAY, type PurchaseSnapshot } from './snapshot/purchase-snapshot.ts';

/**
 * Repeat rates and F2 conversion from a purchase snapshot, with the definitions and results of
 * their SQL references (src/analytics/repeat-f2.ts); churn is in churn.ts.
 */

/** `repeatRates`: per bucket and for the whole period, customers with ≥ 1 and ≥ 2 purchases. */
export function snapshotRepeatRates(snapshot: PurchaseSnapshot, params: { period: Period; granularity: Granularity }): RepeatRates {
  const { period, granularity } = params;
  checkSeries(period, granularity);
  const { buckets, fromDay, toDay, bucketOfDay } = bucketOfDays(period, granularity);
  const customers = new Float64Array(buckets.length);
  const repeaters = new Float64Array(buckets.length);
  let totalCustomers = 0;
  let totalRepeaters = 0;
  const { start, day } = snapshot;
  for (let c = 0; c < snapshot.customers; c++) {
    let inPeriod = 0;
    let bucket = -1;
    let inBucket = 0;
    const end = start[c + 1]!;
    for (let r = start[c]!; r < end; r++) {
      const d = day[r]!;
      if (d < fromDay) continue;
      if (d >= toDay) break;
      inPeriod++;
      const b = bucketOfDay[d - fromDay]!;
      // Days come in order, so a customer's purchases of a bucket are consecutive.
      if (b !== bucket) {
        if (bucket >= 0) {
          customers[bucket]! += 1;
          if (inBucket >= 2) repeaters[bucket]! += 1;
        }
        bucket = b;
        inBucket = 0;
      }
      inBucket++;
    }
    if (bucket >= 0) {
      customers[bucket]! += 1;
      if (inBucket >= 2) repeaters[bucket]! += 1;
    }
    if (inPeriod > 0) totalCustomers++;
    if (inPeriod >= 2) totalRepeaters++;
  }
  const byBucket = new Map(buckets.map((bucket, i) => [bucket, { customers: customers[i]!, repeaters: repeaters[i]! }]));
  return repeatRatesOf({ period, granularity, total: { customers: totalCustomers, repeaters: totalRepeaters }, byBucket });
}

/**
 * `f2Conversion`: cohorts by the bucket of the first purchase ever; converted, those with a
 * purchase on a later day within `within` days of the first, before `asOf` (required here:
 * the SQL reference's default, the day after the latest order of any status, needs the orders).
 */
export function snapshotF2(snapshot: PurchaseSnapshot, params: { period: Period; granularity: Granularity; within: number; asOf: string }): F2Conversion {
  const { period, granularity, within, asOf } = params;
  checkF2Terms({ period, granularity, within });
  requireCalendarDate(asOf, 'asOf');
  const { buckets, fromDay, bucketOfDay } = bucketOfDays(period, granularity);
  const asOfDay = dayNumber(asOf);
  const cohortsTo = Math.min(dayNumber(period.to), asOfDay);
  const conversionsTo = Math.min(dayNumber(addDays(period.to, within)), asOfDay);
  const size = new Float64Array(buckets.length);
  const converted = new Float64Array(buckets.length);
  const { start, day, firstEverDay } = snapshot;
  for (let c = 0; c < snapshot.customers; c++) {
    const first = firstEverDay[c]!;
    if (first === NO_DAY || first < fromDay || first >= cohortsTo) continue;
    const bucket = bucketOfDay[first - fromDay]!;
    size[bucket]! += 1;
    const end = start[c + 1]!;
    for (let r = start[c]!; r < end; r++) {
      const d = day[r]!;
      if (d <= first) continue;
      if (d <= first + within && d < conversionsTo) converted[bucket]! += 1;
      break;
    }
  }
  const byBucket = new Map(buckets.map((bucket, i) => [bucket, { cohortSize: size[i]!, converted: converted[i]! }]));
  return f2ConversionOf({ period, granularity, within, asOf, byBucket });
}
