import { systemClock, type Clock } from '../../shared/clock.ts';
import { localDateOf } from '../../shared/time.ts';
import { addMonths, bucketsOf, dayNumber } from '../periods.ts';
import { checkRetentionTerms, cohortRow, type CohortRetention } from '../retention.ts';
import { unitsToDecimal } from './snapshot/money-units.ts';
import { NO_DAY, type PurchaseSnapshot } from './snapshot/purchase-snapshot.ts';

/**
 * `cohortRetention` (src/analytics/retention.ts, the SQL reference) from a purchase snapshot:
 * one pass over the customers whose first purchase ever falls in the cohorts' months, and over
 * their purchases up to the last month shown. A customer is active in a month once however many
 * purchases they made in it (their purchases come in day order, so a month is counted when it
 * differs from the one before).
 */
export function snapshotRetention(
  snapshot: PurchaseSnapshot,
  params: {
    from: string;
    to: string;
    months: number;
    asOf?: string;
    clock?: Clock;
  },
): CohortRetention {
  checkRetentionTerms(params);
  const { from, to, months } = params;
  const asOf = params.asOf ?? localDateOf((params.clock ?? systemClock).now(), snapshot.timezone);
  const cohortMonths = bucketsOf({ from, to }, 'month');
  const first = cohortMonths[0]!;
  const earliest = (a: string, b: string) => (a < b ? a : b);
  const cohortsEndDay = dayNumber(earliest(addMonths(cohortMonths.at(-1)!, 1), asOf));
  const lastMonth = cohortMonths.length + months;
  const purchasesEndDay = dayNumber(earliest(addMonths(cohortMonths.at(-1)!, months + 1), asOf));
  const firstDay = dayNumber(first);

  // Month index (0 = the first cohort's month) of every day from the first cohort month on.
  const monthOfDay = new Int32Array(Math.max(0, dayNumber(addMonths(first, lastMonth)) - firstDay));
  for (let m = 0; m < lastMonth; m++) monthOfDay.fill(m, dayNumber(addMonths(first, m)) - firstDay, dayNumber(addMonths(first, m + 1)) - firstDay);

  const cohorts = cohortMonths.length;
  const sizes = new Float64Array(cohorts);
  const active = new Float64Array(cohorts * lastMonth);
  const revenue = new Float64Array(cohorts * lastMonth);
  const { start, day, amount, firstEverDay } = snapshot;
  for (let c = 0; c < snapshot.customers; c++) {
    const f = firstEverDay[c]!;
    if (f === NO_DAY || f < firstDay || f >= cohortsEndDay) continue;
    const cohort = monthOfDay[f - firstDay]!;
    sizes[cohort]! += 1;
    const row = cohort * lastMonth;
    let lastSeen = -1;
    const end = start[c + 1]!;
    for (let r = start[c]!; r < end; r++) {
      const d = day[r]!;
      if (d < firstDay) continue;
      if (d >= purchasesEndDay) break;
      const month = monthOfDay[d - firstDay]!;
      if (month !== lastSeen) {
        active[row + month]! += 1;
        lastSeen = month;
      }
      revenue[row + month]! += amount[r]!;
    }
  }

  const cells = new Map<string, { active: number; revenue: string }>();
  for (let cohort = 0; cohort < cohorts; cohort++) {
    for (let month = cohort; month < lastMonth; month++) {
      const count = active[cohort * lastMonth + month]!;
      if (count > 0)
        cells.set(`${cohortMonths[cohort]}|${addMonths(first, month)}`, {
          active: count,
          revenue: unitsToDecimal(revenue[cohort * lastMonth + month]!, snapshot.scale),
        });
    }
  }
  return {
    asOf,
    months,
    cohorts: cohortMonths.map((month, index) => cohortRow({ month, customers: sizes[index]!, months, asOf, cells })),
  };
}
