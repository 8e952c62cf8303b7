import type pg from 'pg';
import { z } from 'zod';
import { KizunaError } from '../shared/errors.ts';
import {
  addDays,
  bucketDates,
  bucketsOf,
  checkSeries,
  GRANULARITIES,
  type Granularity,
  localBucket,
  localDayStart,
  type Period,
  purchasesSql,
  requireCalendarDate,
} from './periods.ts';
import { workspaceTimezone } from './purchases-as-of.ts';
import { AnalyticsPeriod, Count, Day, Quotient } from './result-shapes.ts';

/**
 * Repeat rate and F2 conversion (F2転換).
 *
 * - Repeat rate of a period: customers with ≥ 2 purchases in it ÷ customers with ≥ 1. Two
 *   purchases on the same day are two purchases.
 * - F2 conversion of a cohort: the customers whose first purchase ever falls in the cohort's
 *   dates; converted, those with another purchase on a later local day within W days of the
 *   first (days first + 1 … first + W). A second purchase on the first day does not count.
 *
 * A purchase is an order neither cancelled nor returned, placed on the local day of its order
 * time in the workspace's time zone. A customer's first purchase ever: see firstPurchaseEverSql.
 */

/**
 * SQL: the instant of the first purchase ever of customer row `alias`: the earlier of
 * `became_customer_at`, kept when the first purchase is older than the orders held (a brand's
 * existing customers, dated by their customer-since day), and `first_purchase_at`, the first
 * purchase among the orders. Without the former, a brand's long-standing customers would count
 * as new in the first months of the history loaded.
 */
export function firstPurchaseEverSql(alias: string): string {
  return `least(${alias}.became_customer_at, ${alias}.first_purchase_at)`;
}

const REPEAT_RATE = {
  customers: Count.describe('Customers with ≥ 1 purchase'),
  repeaters: Count.describe('Customers with ≥ 2 purchases'),
  rate: Quotient.describe('repeaters ÷ customers; null without customers'),
};
export const RepeatRate = z.object(REPEAT_RATE);
export type RepeatRate = z.infer<typeof RepeatRate>;

/** One bucket of the series: its dates within the period, and its rate. */
export const RepeatBucket = z.object({ bucket: Day, period: AnalyticsPeriod, ...REPEAT_RATE });
export type RepeatBucket = z.infer<typeof RepeatBucket>;

/** The result of repeatRates (and of the engine's snapshotRepeatRates), as the API serialises it. */
export const RepeatRates = z
  .object({
    period: AnalyticsPeriod,
    granularity: z.enum(GRANULARITIES),
    total: RepeatRate.describe('The whole period as one: a customer buying once in each of two buckets is a repeater here'),
    series: z.array(RepeatBucket).describe('One entry per bucket, in order, empty buckets included'),
  })
  .meta({ id: 'RepeatRates' });
export type RepeatRates = z.infer<typeof RepeatRates>;

/**
 * The repeat rate of a period and of each of its buckets, from one range scan of the period's
 * purchases through the orders' (workspace_id, ordered_at) index.
 */
export async function repeatRates(params: { pool: pg.Pool; workspaceId: string; period: Period; granularity: Granularity }): Promise<RepeatRates> {
  const { pool, workspaceId, period, granularity } = params;
  checkSeries(period, granularity);
  const timezone = await workspaceTimezone(pool, workspaceId);
  const { rows } = await pool.query<{ per_bucket: boolean; bucket: string | null; customers: number; repeaters: number }>(
    `with by_customer as (
       select bucket, grouping(bucket) = 0 as per_bucket, count(*) as purchases
         from (select p.customer_id, ${localBucket('p.ordered_at', '$2', granularity)} as bucket
                 from ${purchasesSql({ workspaceId: '$1', timezone: '$2', from: '$3', to: '$4' })} p) purchase
        group by grouping sets ((customer_id), (customer_id, bucket)))
     select per_bucket, bucket::text, count(*)::int as customers, count(*) filter (where purchases >= 2)::int as repeaters
       from by_customer group by per_bucket, bucket`,
    [workspaceId, timezone, period.from, period.to],
  );
  const total = rows.find((row) => !row.per_bucket);
  const byBucket = new Map(rows.filter((row) => row.per_bucket).map((row) => [row.bucket!, row]));
  return repeatRatesOf({ period, granularity, total: total ?? { customers: 0, repeaters: 0 }, byBucket });
}

/** The result of repeatRates from its counts: the whole period's, and each bucket's by its first date (missing: none). */
export function repeatRatesOf(params: {
  period: Period;
  granularity: Granularity;
  total: { customers: number; repeaters: number };
  byBucket: Map<string, { customers: number; repeaters: number }>;
}): RepeatRates {
  const { period, granularity, total, byBucket } = params;
  return {
    period,
    granularity,
    total: rateOf(total.customers, total.repeaters),
    series: bucketsOf(period, granularity).map((bucket) => {
      const row = byBucket.get(bucket);
      return { bucket, period: bucketDates(bucket, granularity, period), ...rateOf(row?.customers ?? 0, row?.repeaters ?? 0) };
    }),
  };
}

function rateOf(customers: number, repeaters: number): RepeatRate {
  return { customers, repeaters, rate: customers > 0 ? repeaters / customers : null };
}

const F2_RATE = {
  cohortSize: Count.describe("Customers whose first purchase ever is on the cohort's dates (and before asOf)"),
  converted: Count.describe('Of them, those with a purchase on a later day within `within` days of the first (and before asOf)'),
  rate: Quotient.describe('converted ÷ cohortSize; null for an empty cohort'),
  complete: z.boolean().describe("False while the window of the cohort's last first-purchase day is not over as of asOf: the rate may still rise"),
};
export const F2Rate = z.object(F2_RATE);
export type F2Rate = z.infer<typeof F2Rate>;

export const F2Cohort = z.object({
  bucket: Day.describe('First date of the bucket of first purchases'),
  period: AnalyticsPeriod,
  windowEnd: Day.describe("The last day whose second purchases count: the cohort's last first-purchase day + within"),
  ...F2_RATE,
});
export type F2Cohort = z.infer<typeof F2Cohort>;

/** The result of f2Conversion (and of the engine's snapshotF2), as the API serialises it. */
export const F2Conversion = z
  .object({
    period: AnalyticsPeriod,
    granularity: z.enum(GRANULARITIES),
    within: z.number().int(),
    asOf: Day.describe('The first local date the data does not cover: purchases from then on are not counted'),
    total: F2Rate.describe("The period's first purchases as one cohort"),
    cohorts: z.array(F2Cohort),
  })
  .meta({ id: 'F2Conversion' });
export type F2Conversion = z.infer<typeof F2Conversion>;

export const MAX_F2_WINDOW_DAYS = 3650;

/**
 * F2 conversion of the customers whose first purchase ever falls in `period`, one cohort per
 * bucket of `granularity`, with a second purchase counted on days first + 1 … first + `within`.
 * `asOf` (a local date, excluded) is how far the data goes; by default the day after the
 * workspace's latest order. A cohort whose window ends on or after `asOf` is `complete: false`.
 *
 * Reads the workspace's customers once (the cohorts, from their first purchase ever) and the
 * purchases of [period.from + 1, min(period.to + within, asOf)) once through the orders'
 * (workspace_id, ordered_at) index.
 *
 * @example
 * const f2 = await f2Conversion({ pool, workspaceId, period: { from: '2024-01-01', to: '2024-07-01' }, granularity: 'month', within: 90 });
 * f2.cohorts.map((c) => [c.bucket, c.rate, c.complete]); // [['2024-01-01', 0.31, true], …, ['2024-06-01', 0.22, false]]
 */
export async function f2Conversion(params: {
  pool: pg.Pool;
  workspaceId: string;
  period: Period;
  granularity: Granularity;
  within: number;
  asOf?: string;
}): Promise<F2Conversion> {
  const { pool, workspaceId, period, granularity, within } = params;
  checkF2Terms({ period, granularity, within });
  const timezone = await workspaceTimezone(pool, workspaceId);
  const asOf = await f2AsOf({ pool, workspaceId, timezone, period, asOf: params.asOf });
  requireCalendarDate(asOf, 'asOf');
  const cohortsTo = minDate(period.to, asOf);
  const conversionsTo = minDate(addDays(period.to, within), asOf);
  const { rows } = await pool.query<{ bucket: string; cohort_size: number; converted: number }>(
    `with cohort as (
       select c.id, (f.first_at at time zone $2)::date as first_day
         from customers c cross join lateral (select ${firstPurchaseEverSql('c')} as first_at) f
        where c.workspace_id = $1 and f.first_at >= ${localDayStart('$3', '$2')} and f.first_at < ${localDayStart('$4', '$2')}
     ), converted as (
       select distinct p.customer_id
         from ${purchasesSql({ workspaceId: '$1', timezone: '$2', from: '$5', to: '$6' })} p
         join cohort c on c.id = p.customer_id
        where p.local_day > c.first_day and p.local_day <= c.first_day + $7::int
     )
     select date_trunc('${granularity}', c.first_day::timestamp)::date::text as bucket,
            count(*)::int as cohort_size, count(v.customer_id)::int as converted
       from cohort c left join converted v on v.customer_id = c.id
      group by 1`,
    [workspaceId, timezone, period.from, cohortsTo, addDays(period.from, 1), conversionsTo, within],
  );
  return f2ConversionOf({
    period,
    granularity,
    within,
    asOf,
    byBucket: new Map(rows.map((row) => [row.bucket, { cohortSize: row.cohort_size, converted: row.converted }])),
  });
}

/** The result of f2Conversion from each bucket's counts, by the bucket's first date (missing: an empty cohort). */
export function f2ConversionOf(params: {
  period: Period;
  granularity: Granularity;
  within: number;
  asOf: string;
  byBucket: Map<string, { cohortSize: number; converted: number }>;
}): F2Conversion {
  const { period, granularity, within, asOf, byBucket } = params;
  const cohorts = bucketsOf(period, granularity).map((bucket): F2Cohort => {
    const dates = bucketDates(bucket, granularity, period);
    const windowEnd = addDays(dates.to, within - 1);
    const row = byBucket.get(bucket);
    return { bucket, period: dates, windowEnd, ...f2RateOf(row?.cohortSize ?? 0, row?.converted ?? 0, windowEnd < asOf) };
  });
  const sum = (pick: (cohort: F2Cohort) => number) => cohorts.reduce((total, cohort) => total + pick(cohort), 0);
  return {
    period,
    granularity,
    within,
    asOf,
    total: f2RateOf(
      sum((c) => c.cohortSize),
      sum((c) => c.converted),
      cohorts.every((c) => c.complete),
    ),
    cohorts,
  };
}

/** Throws validation_failed unless the period, granularity and window (1 … MAX_F2_WINDOW_DAYS days) can be analysed. */
export function checkF2Terms(terms: { period: Period; granularity: Granularity; within: number }): void {
  checkSeries(terms.period, terms.granularity);
  if (!Number.isInteger(terms.within) || terms.within < 1 || terms.within > MAX_F2_WINDOW_DAYS) {
    throw new KizunaError('validation_failed', `within must be a whole number of days from 1 to ${MAX_F2_WINDOW_DAYS}, not ${terms.within}`);
  }
}

function f2RateOf(cohortSize: number, converted: number, complete: boolean): F2Rate {
  return { cohortSize, converted, rate: cohortSize > 0 ? converted / cohortSize : null, complete };
}

/** The asOf of an F2 conversion: the one given, else the day after the latest order (of any status), else the period's first day. */
export async function f2AsOf(params: { pool: pg.Pool; workspaceId: string; timezone: string; period: Period; asOf?: string }): Promise<string> {
  return params.asOf ?? (await dataEnd(params.pool, params.workspaceId, params.timezone)) ?? params.period.from;
}

/** The day after the local date of the workspace's latest order (of any status), or null without orders. */
async function dataEnd(pool: pg.Pool, workspaceId: string, timezone: string): Promise<string | null> {
  const { rows } = await pool.query<{ data_end: string | null }>(
    'select ((max(ordered_at) at time zone $2)::date + 1)::text as data_end from orders where workspace_id = $1',
    [workspaceId, timezone],
  );
  return rows[0]?.data_end ?? null;
}

function minDate(a: string, b: string): string {
  return a < b ? a : b;
}
