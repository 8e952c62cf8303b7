import type pg from 'pg';
import { z } from 'zod';
import { addDays, bucketDates, bucketsOf, GRANULARITIES, type Granularity, localDate, localDayStart, type Period } from '../periods.ts';
import { workspaceTimezone } from '../purchases-as-of.ts';
import { firstPurchaseEverSql } from '../repeat-f2.ts';
import { AnalyticsPeriod, Count, Day, Quotient } from '../result-shapes.ts';
import { trialStartersSql } from './status-sql.ts';

/**
 * Step-up rate (引き上げ率): of the customers whose first purchase ever falls in the period and
 * holds a trial product (status-sql.ts, trialStartersSql: a purchase on the first purchase's
 * local day holds a product with is_trial), the share who start a subscription within W days:
 * a subscription whose local start day s has 0 ≤ s − first day ≤ W. One cohort per bucket of
 * first purchases (month by default), and the period's trial starters by acquisition source.
 *
 * As F2 conversion treats a window that has not ended (repeat-f2.ts): only what is dated
 * before asOf counts (first purchases and subscription starts), and a cohort is
 * `complete: false` while the window of its last first-purchase day reaches asOf or later:
 * its rate may still rise.
 */

const RATE = {
  trialCustomers: Count.describe('Customers whose first purchase (before asOf) holds a trial product'),
  steppedUp: Count.describe('Of them, those who started a subscription on days first … first + within (before asOf)'),
  rate: Quotient.describe('steppedUp ÷ trialCustomers; null without trial customers'),
  complete: z.boolean().describe('False while a window is still open as of asOf: the rate may still rise'),
};
const StepUpRate = z.object(RATE);
export type StepUpRate = z.infer<typeof StepUpRate>;

export const StepUpCohort = z.object({
  bucket: Day.describe('First date of the bucket of first purchases'),
  period: AnalyticsPeriod,
  windowEnd: Day.describe("The last day a start counts for the cohort's last first-purchase day"),
  ...RATE,
});

export const StepUpBySource = z.object({ source: z.string().nullable().describe("The customer's acquisition source; null: not given"), ...RATE });

export const StepUp = z
  .object({
    period: AnalyticsPeriod,
    granularity: z.enum(GRANULARITIES),
    within: z.number().int(),
    asOf: Day.describe('The first date the data is not read for: first purchases and starts before it count'),
    total: StepUpRate.describe("The period's trial starters as one cohort"),
    cohorts: z.array(StepUpCohort),
    bySource: z.array(StepUpBySource).describe("The period's trial starters by acquisition source, most first"),
  })
  .meta({ id: 'StepUp' });
export type StepUp = z.infer<typeof StepUp>;

export interface StepUpCounts {
  trialCustomers: number;
  steppedUp: number;
}

/** What the engine and the reference both count: per bucket of first purchases, and per source. */
export interface StepUpTally {
  byBucket: Map<string, StepUpCounts>;
  bySource: Map<string | null, StepUpCounts>;
}

/** The result from its counts. */
export function stepUpOf(params: { period: Period; granularity: Granularity; within: number; asOf: string; tally: StepUpTally }): StepUp {
  const { period, granularity, within, asOf, tally } = params;
  const rateOf = (counts: StepUpCounts | undefined, complete: boolean): StepUpRate => {
    const trialCustomers = counts?.trialCustomers ?? 0;
    const steppedUp = counts?.steppedUp ?? 0;
    return { trialCustomers, steppedUp, rate: trialCustomers > 0 ? steppedUp / trialCustomers : null, complete };
  };
  const cohorts = bucketsOf(period, granularity).map((bucket) => {
    const dates = bucketDates(bucket, granularity, period);
    const windowEnd = addDays(dates.to, within - 1);
    return { bucket, period: dates, windowEnd, ...rateOf(tally.byBucket.get(bucket), windowEnd < asOf) };
  });
  const complete = cohorts.every((cohort) => cohort.complete);
  const sum = (pick: (counts: StepUpCounts) => number) => [...tally.byBucket.values()].reduce((total, counts) => total + pick(counts), 0);
  return {
    period,
    granularity,
    within,
    asOf,
    total: rateOf({ trialCustomers: sum((c) => c.trialCustomers), steppedUp: sum((c) => c.steppedUp) }, complete),
    cohorts,
    bySource: [...tally.bySource]
      .sort(
        ([a, countsA], [b, countsB]) => countsB.trialCustomers - countsA.trialCustomers || (a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1),
      )
      .map(([source, counts]) => ({ source, ...rateOf(counts, complete) })),
  };
}

/** The reference: the trial starters of [period.from, min(period.to, asOf)) and their subscriptions started within the window before asOf. */
export async function stepUpTally(params: {
  pool: pg.Pool;
  workspaceId: string;
  period: Period;
  granularity: Granularity;
  within: number;
  asOf: string;
}): Promise<StepUpTally> {
  const { pool, workspaceId, period, granularity, within, asOf } = params;
  const timezone = await workspaceTimezone(pool, workspaceId);
  // biome-ignore lint/complexity/useMathMinMax: the dates are YYYY-MM-DD strings, compared as text
  const cohortsTo = period.to < asOf ? period.to : asOf;
  const first = firstPurchaseEverSql('c');
  const { rows } = await pool.query<{ per_bucket: boolean; bucket: string | null; source: string | null; trial: number; stepped: number }>(
    `with starter as (
       select t.customer_id, t.first_day, t.source,
              exists (select 1 from subscriptions s
                       where s.workspace_id = $1 and s.customer_id = t.customer_id and s.started_at < ${localDayStart('$5', '$2')}
                         and ${localDate('s.started_at', '$2')} between t.first_day and t.first_day + $6::int) as stepped
         from ${trialStartersSql({ workspaceId: '$1', timezone: '$2', where: `${first} >= ${localDayStart('$3', '$2')} and ${first} < ${localDayStart('$4', '$2')}` })} t)
     select grouping(bucket) = 0 as per_bucket, bucket::text, source, count(*)::int as trial, count(*) filter (where stepped)::int as stepped
       from (select date_trunc('${granularity}', first_day::timestamp)::date as bucket, source, stepped from starter) x
      group by grouping sets ((bucket), (source))`,
    [workspaceId, timezone, period.from, cohortsTo, asOf, within],
  );
  const tally: StepUpTally = { byBucket: new Map(), bySource: new Map() };
  for (const row of rows) {
    const counts = { trialCustomers: row.trial, steppedUp: row.stepped };
    if (row.per_bucket) tally.byBucket.set(row.bucket!, counts);
    else tally.bySource.set(row.source, counts);
  }
  return tally;
}
