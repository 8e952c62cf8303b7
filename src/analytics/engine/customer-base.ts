import type pg from 'pg';
import {
  checkChurnPage,
  churnedCustomer,
  encodeChurnCursor,
  proposalFromGaps,
  resolveChurnWindow,
  type ChurnList,
  type ChurnWindowProposal,
} from '../churn.ts';
import { addDays, checkSeries, dayNumber, formatDay, localDayStart, requireCalendarDate, type Granularity, type Period } from '../periods.ts';
import { bucketOfDays } from './sales.ts';
import { checkF2Terms, f2ConversionOf, repeatRatesOf, type F2Conversion, type RepeatRates } from '../repeat-f2.ts';
import { purchaseCondition } from '../../orders/purchase.ts';
import { decimalToUnits, unitsToDecimal } from './snapshot/money-units.ts';
import { NO_DAY, type PurchaseSnapshot } from './snapshot/purchase-snapshot.ts';

/**
 * Repeat rates, F2 conversion and churn from a purchase snapshot, with the definitions and
 * results of their SQL references (src/analytics/repeat-f2.ts, churn.ts).
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

/** `proposeChurnWindow`: the gaps between consecutive purchase days of each customer, before `asOf` when given. */
export function snapshotChurnProposal(snapshot: PurchaseSnapshot, asOf?: string): ChurnWindowProposal {
  if (asOf !== undefined) requireCalendarDate(asOf, 'asOf');
  const before = asOf === undefined ? Infinity : dayNumber(asOf);
  const gaps = new Map<number, number>();
  const { start, day } = snapshot;
  for (let c = 0; c < snapshot.customers; c++) {
    const end = start[c + 1]!;
    for (let r = start[c]! + 1; r < end; r++) {
      const d = day[r]!;
      if (d >= before) break;
      const gap = d - day[r - 1]!;
      if (gap > 0) gaps.set(gap, (gaps.get(gap) ?? 0) + 1);
    }
  }
  return proposalFromGaps([...gaps.entries()].sort((a, b) => a[0] - b[0]).map(([days, count]) => ({ days, gaps: count })));
}

/**
 * `listChurned`: customers whose last purchase day before `asOf` is more than the window
 * before it, most valuable first (Σ amount before `asOf`, then id), paged by keyset. The
 * page's profiles and last purchase instants are read from PostgreSQL (a page of ids).
 */
export async function snapshotChurned(params: {
  pool: pg.Pool;
  snapshot: PurchaseSnapshot;
  asOf: string;
  window?: number;
  limit: number;
  cursor?: string;
}): Promise<ChurnList> {
  const { pool, snapshot, asOf, limit } = params;
  const after = checkChurnPage(params);
  const resolved = await resolveChurnWindow({
    pool,
    workspaceId: snapshot.workspaceId,
    asOf,
    window: params.window,
    propose: () => snapshotChurnProposal(snapshot, asOf),
  });
  if (resolved.outcome === 'no_window') return resolved;
  const { window } = resolved;
  const asOfDay = dayNumber(asOf);
  const churnedBefore = asOfDay - window.days;
  const { start, day, amount } = snapshot;
  let customers = 0;
  const churned: { customer: number; total: number; purchases: number; lastDay: number }[] = [];
  for (let c = 0; c < snapshot.customers; c++) {
    const from = start[c]!;
    let r = from;
    let total = 0;
    const end = start[c + 1]!;
    for (; r < end && day[r]! < asOfDay; r++) total += amount[r]!;
    if (r === from) continue;
    customers++;
    if (day[r - 1]! < churnedBefore) churned.push({ customer: c, total, purchases: r - from, lastDay: day[r - 1]! });
  }
  const id = (entry: { customer: number }) => snapshot.customerIds[entry.customer]!;
  churned.sort((a, b) => b.total - a.total || id(a) - id(b));
  let first = 0;
  if (after) {
    const afterTotal = decimalToUnits(after.total, snapshot.scale);
    const afterId = Number(after.customerId);
    while (first < churned.length && (churned[first]!.total > afterTotal || (churned[first]!.total === afterTotal && id(churned[first]!) <= afterId))) first++;
  }
  const page = churned.slice(first, first + limit);
  const profiles = await pageProfiles(
    pool,
    snapshot,
    page.map((entry) => String(id(entry))),
    asOf,
  );
  const items = page.map((entry) => {
    const profile = profiles.get(String(id(entry)))!;
    return churnedCustomer(
      {
        id: String(id(entry)),
        external_id: profile.externalId,
        name: profile.name,
        last_at: profile.lastAt,
        last_day: formatDay(entry.lastDay),
        purchases: entry.purchases,
        total: unitsToDecimal(entry.total, snapshot.scale),
      },
      asOf,
      window.days,
    );
  });
  const last = items.at(-1);
  return {
    outcome: 'listed',
    asOf,
    window,
    customers,
    churned: churned.length,
    churnRate: customers === 0 ? null : churned.length / customers,
    items,
    nextCursor: first + limit < churned.length && last ? encodeChurnCursor(last.totalSpent, last.customerId) : null,
  };
}

/** The page's profiles and each one's last purchase instant before `asOf` (through the orders' customer index). */
async function pageProfiles(pool: pg.Pool, snapshot: PurchaseSnapshot, ids: string[], asOf: string) {
  if (ids.length === 0) return new Map<string, { externalId: string; name: string | null; lastAt: Date }>();
  const { rows } = await pool.query<{ id: string; external_id: string; name: string | null; last_at: Date }>(
    `select c.id, c.external_id, c.name,
            (select max(o.ordered_at) from orders o
              where o.customer_id = c.id and o.workspace_id = c.workspace_id and ${purchaseCondition('o')}
                and o.ordered_at < ${localDayStart('$3', 'w.timezone')}) as last_at
       from customers c join workspaces w on w.id = c.workspace_id
      where c.workspace_id = $1 and c.id = any($2::bigint[])`,
    [snapshot.workspaceId, ids, asOf],
  );
  return new Map(rows.map((row) => [row.id, { externalId: row.external_id, name: row.name, lastAt: row.last_at }]));
}
