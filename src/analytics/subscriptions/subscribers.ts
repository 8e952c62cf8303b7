import type pg from 'pg';
import { z } from 'zod';
import { bucketDates, bucketsOf, GRANULARITIES, type Granularity, type Period } from '../periods.ts';
import { workspaceTimezone } from '../purchases-as-of.ts';
import { AnalyticsPeriod, Count, Day } from '../result-shapes.ts';
import { subscriptionStatusesAtSql } from './status-sql.ts';

/**
 * Active subscribers over time: per bucket of a period, the subscriptions in force at the
 * bucket's end (status-sql.ts: their status on its last day), active and paused apart, and
 * the distinct customers with at least one in force. A bucket that ends after asOf (the
 * current one) is measured as of asOf: the day's writes are not in yet.
 */

export interface SubscriberCounts {
  active: number;
  paused: number;
  customers: number;
}

export const SubscribersBucket = z.object({
  bucket: Day,
  period: AnalyticsPeriod,
  measuredAt: Day.describe('The state at the start of this date: the day after the bucket, or asOf for the current bucket'),
  active: Count.describe('Subscriptions active'),
  paused: Count.describe('Subscriptions paused'),
  inForce: Count.describe('active + paused'),
  customers: Count.describe('Customers with at least one subscription in force'),
});

export const Subscribers = z
  .object({
    period: AnalyticsPeriod,
    granularity: z.enum(GRANULARITIES),
    asOf: Day.describe('No bucket is measured later than the start of this date'),
    series: z.array(SubscribersBucket),
  })
  .meta({ id: 'Subscribers' });
export type Subscribers = z.infer<typeof Subscribers>;

/** The date each bucket is measured at: the day after it (its end), or asOf when earlier. */
export function measuredDates(period: Period, granularity: Granularity, asOf: string): string[] {
  return bucketsOf(period, granularity).map((bucket) => {
    const end = bucketDates(bucket, granularity, period).to;
    return end < asOf ? end : asOf;
  });
}

/** The result from the counts at each measured date (in bucket order). */
export function subscribersOf(params: { period: Period; granularity: Granularity; asOf: string; counts: SubscriberCounts[] }): Subscribers {
  const { period, granularity, asOf, counts } = params;
  const measured = measuredDates(period, granularity, asOf);
  return {
    period,
    granularity,
    asOf,
    series: bucketsOf(period, granularity).map((bucket, index) => {
      const { active, paused, customers } = counts[index]!;
      return { bucket, period: bucketDates(bucket, granularity, period), measuredAt: measured[index]!, active, paused, inForce: active + paused, customers };
    }),
  };
}

/** The reference: the statuses of every subscription at each measured date, counted. */
export async function subscriberCounts(params: { pool: pg.Pool; workspaceId: string; dates: string[] }): Promise<SubscriberCounts[]> {
  const { pool, workspaceId, dates } = params;
  const timezone = await workspaceTimezone(pool, workspaceId);
  const { rows } = await pool.query<{ d: string; active: number; paused: number; customers: number }>(
    `select st.d::text as d, count(*) filter (where st.status = 'active')::int as active, count(*) filter (where st.status = 'paused')::int as paused,
            count(distinct st.customer_id) filter (where st.status <> 'cancelled')::int as customers
       from ${subscriptionStatusesAtSql({ workspaceId: '$1', timezone: '$2', dates: '$3' })} st group by st.d`,
    [workspaceId, timezone, [...new Set(dates)]],
  );
  const byDate = new Map(rows.map((row) => [row.d, row]));
  return dates.map((date) => {
    const row = byDate.get(date);
    return { active: row?.active ?? 0, paused: row?.paused ?? 0, customers: row?.customers ?? 0 };
  });
}
