import type pg from 'pg';
import { z } from 'zod';
import { KizunaError } from '../shared/errors.ts';
import { addMonths, bucketCount, bucketsOf, checkPeriod, localBucket, localDayStart, MAX_COHORTS, purchasesSql, requireCalendarDate } from './periods.ts';
import { workspaceTimezone } from './purchases-as-of.ts';
import { systemClock, type Clock } from '../shared/clock.ts';
import { localDateOf } from '../shared/time.ts';
import { firstPurchaseEverSql } from './repeat-f2.ts';
import { Count, Day, Decimal, Quotient } from './result-shapes.ts';

/**
 * Cohort retention. A customer's cohort is the month of their first purchase ever (local, in
 * the workspace's time zone; firstPurchaseEverSql, as F2 and the cohort difference use it). Cell (c, k) is the share of cohort c with a purchase in calendar
 * month c + k, and the cohort's revenue in that month per cohort customer, also cumulated
 * over k (the historical LTV curve).
 */

export const RetentionCell = z.object({
  offset: z.number().int().describe("k: months after the cohort's month; 0 is the month of the first purchase"),
  month: Day.describe('The calendar month c + k, as its first date'),
  active: Count.nullable().describe('Cohort customers with a purchase in the month'),
  retention: Quotient.describe('active ÷ cohort customers'),
  revenue: Decimal.nullable().describe("Σ amount of the cohort's purchases in the month"),
  revenuePerCustomer: Quotient.describe('revenue ÷ cohort customers'),
  cumulativeRevenuePerCustomer: Quotient.describe('Σ revenue over offsets 0..k ÷ cohort customers: the historical LTV at k'),
});
export type RetentionCell = z.infer<typeof RetentionCell>;

export const Cohort = z
  .object({
    month: Day.describe('The month of the first purchase ever, as its first date'),
    customers: Count.describe('Customers whose first purchase ever falls in this month (and before asOf)'),
    cells: z
      .array(RetentionCell)
      .describe(
        'Offsets 0..months. Every figure is null while month c + k is not complete before asOf (unknown, not 0); shares and per-customer figures are null for an empty cohort too.',
      ),
  })
  .meta({ id: 'RetentionCohort' });
export type Cohort = z.infer<typeof Cohort>;

/** The result of cohortRetention (and of the engine's snapshotRetention), as the API serialises it. */
export const CohortRetention = z
  .object({
    asOf: Day.describe('Purchases before this date count; months ending after it are the future'),
    months: z.number().int(),
    cohorts: z.array(Cohort),
  })
  .meta({ id: 'CohortRetention' });
export type CohortRetention = z.infer<typeof CohortRetention>;

/** The largest k a table asks for: ten years. */
export const MAX_RETENTION_MONTHS = 120;

/**
 * The retention table of the cohorts whose month starts in [from, to) (the month holding
 * `from` included), for offsets 0..`months`, as of `asOf` (default: today in the workspace's
 * time zone by `clock`). A cell is known once its month is complete: month c + k ends on or
 * before `asOf`.
 *
 *   await cohortRetention({ pool, workspaceId, from: '2024-01-01', to: '2025-01-01', months: 12 });
 *
 * Cohorts come from the first purchase kept on each profile (one pass over the profiles);
 * the cells from one pass over the purchases from the first cohort month to the last month
 * shown, joined to the cohorts by customer.
 */
export async function cohortRetention(params: {
  pool: pg.Pool;
  workspaceId: string;
  from: string;
  to: string;
  months: number;
  asOf?: string;
  clock?: Clock;
}): Promise<CohortRetention> {
  const { pool, workspaceId, from, to, months } = params;
  checkRetentionTerms(params);
  const timezone = await workspaceTimezone(pool, workspaceId);
  const asOf = params.asOf ?? localDateOf((params.clock ?? systemClock).now(), timezone);

  const cohortMonths = bucketsOf({ from, to }, 'month');
  const first = cohortMonths[0]!;
  const earliest = (a: string, b: string) => (a < b ? a : b);
  const cohortsEnd = earliest(addMonths(cohortMonths.at(-1)!, 1), asOf);
  const purchasesEnd = earliest(addMonths(cohortMonths.at(-1)!, months + 1), asOf);
  const { rows } = await pool.query<{ cohort: string; month: string | null; customers: number; revenue: string | null }>(
    `with cohort as (
       select c.id as customer_id, ${localBucket('f.first_at', '$2', 'month')} as cohort
         from customers c cross join lateral (select ${firstPurchaseEverSql('c')} as first_at) f
        where c.workspace_id = $1
          and f.first_at >= ${localDayStart('$3', '$2')} and f.first_at < ${localDayStart('$4', '$2')}
     ), customer_months as (
       select co.cohort, p.customer_id, ${localBucket('p.ordered_at', '$2', 'month')} as month, sum(p.amount) as revenue
         from ${purchasesSql({ workspaceId: '$1', timezone: '$2', from: '$3', to: '$5' })} p
         join cohort co on co.customer_id = p.customer_id
        group by co.cohort, p.customer_id, month
     )
     select cohort::text, null as month, count(*)::int as customers, null as revenue from cohort group by cohort
     union all
     select cohort::text, month::text, count(*)::int, sum(revenue)::text from customer_months group by cohort, month`,
    [workspaceId, timezone, first, cohortsEnd, purchasesEnd],
  );

  const sizes = new Map<string, number>();
  const cells = new Map<string, { active: number; revenue: string }>();
  for (const row of rows) {
    if (row.month === null) sizes.set(row.cohort, row.customers);
    else cells.set(`${row.cohort}|${row.month}`, { active: row.customers, revenue: row.revenue! });
  }
  return {
    asOf,
    months,
    cohorts: cohortMonths.map((month) => cohortRow({ month, customers: sizes.get(month) ?? 0, months, asOf, cells })),
  };
}

/** Throws validation_failed unless [from, to) is a period of at most MAX_COHORTS months, months a whole number 0 … MAX_RETENTION_MONTHS and asOf (if given) a date. */
export function checkRetentionTerms(terms: { from: string; to: string; months: number; asOf?: string }): void {
  checkPeriod({ from: terms.from, to: terms.to });
  const cohorts = bucketCount({ from: terms.from, to: terms.to }, 'month');
  if (cohorts > MAX_COHORTS) {
    throw new KizunaError(
      'validation_failed',
      `A retention table has at most ${MAX_COHORTS} monthly cohorts (ten years); ${terms.from} – ${terms.to} has ${cohorts}: shorten the period.`,
      { field: 'from', limit: MAX_COHORTS, cohorts },
    );
  }
  if (!Number.isInteger(terms.months) || terms.months < 0 || terms.months > MAX_RETENTION_MONTHS) {
    throw new KizunaError('validation_failed', `months must be a whole number from 0 to ${MAX_RETENTION_MONTHS}, not ${terms.months}.`);
  }
  if (terms.asOf !== undefined) requireCalendarDate(terms.asOf, 'asOf');
}

/** One cohort's row of cells from its (cohort month|cell month) figures; cells not yet complete before `asOf` are null. */
export function cohortRow(params: {
  month: string;
  customers: number;
  months: number;
  asOf: string;
  cells: Map<string, { active: number; revenue: string }>;
}): Cohort {
  const { month, customers, months, asOf, cells } = params;
  const perCustomer = (value: number) => (customers === 0 ? null : value / customers);
  let cumulative = 0;
  const row: RetentionCell[] = [];
  for (let offset = 0; offset <= months; offset++) {
    const cellMonth = addMonths(month, offset);
    if (addMonths(cellMonth, 1) > asOf) {
      row.push({ offset, month: cellMonth, active: null, retention: null, revenue: null, revenuePerCustomer: null, cumulativeRevenuePerCustomer: null });
      continue;
    }
    const cell = cells.get(`${month}|${cellMonth}`) ?? { active: 0, revenue: '0' };
    cumulative += Number(cell.revenue);
    row.push({
      offset,
      month: cellMonth,
      active: cell.active,
      retention: perCustomer(cell.active),
      revenue: cell.revenue,
      revenuePerCustomer: perCustomer(Number(cell.revenue)),
      cumulativeRevenuePerCustomer: perCustomer(cumulative),
    });
  }
  return { month, customers, cells: row };
}
