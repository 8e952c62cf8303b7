import type pg from 'pg';
import { z } from 'zod';
import { KizunaError } from '../shared/errors.ts';
import { ChurnWindowProposal, ChurnWindowUsed, resolveChurnWindow } from './churn-window.ts';
import { DataEndsOn, dataEndsOnOf, lastPurchaseDay } from './data-end.ts';
import { addDays, checkPageSize, dayNumber, localDayStart, requireCalendarDate } from './periods.ts';
import { customerPurchasesAsOfSql, workspaceTimezone } from './purchases-as-of.ts';
import { Count, Day, Decimal, pageOf, Quotient } from './result-shapes.ts';
import { quintileScoreSql } from './rfm-quintiles.ts';
import { subscriptionInForceSql } from './subscription-status.ts';

/**
 * Churned customers (離反): the one rule of the churn page, the churn-rate KPI, RFM's 離反
 * segment and the customer 360 page. At date d with window w, a customer is churned when
 *
 *   - they have a purchase before d,
 *   - their last purchase is more than w days before d (its local day is before d − w:
 *     exactly w days of silence is not churned yet; w + 1 is), and
 *   - they have no subscription in force on d (subscription-status.ts): a subscriber is never
 *     churned, however long since an order, since the brand delivers to them.
 *
 * RFM's recency score is another thing: a quintile of the days since the last purchase,
 * relative to the base on the day (R = 1 is the fifth silent the longest, whether or not
 * that is longer than the window). Results carry both, so a page can show both.
 */

export const ChurnedCustomer = z
  .object({
    customerId: z.string(),
    externalId: z.string(),
    name: z.string().nullable(),
    lastPurchaseAt: z.date(),
    lastPurchaseDay: Day,
    daysSince: z.number().int().describe('Days from the last purchase day to asOf (> the window)'),
    churnedOn: Day.describe(
      'The date the silence passed the window: last purchase day + window + 1 (a customer whose subscription stopped later counts as churned only from then)',
    ),
    purchases: Count.describe('Purchases before asOf'),
    totalSpent: Decimal.describe("Σ amount of those purchases: the customer's value"),
    recencyScore: z
      .number()
      .int()
      .min(1)
      .max(5)
      .describe('RFM recency score as of asOf (1–5, a quintile relative to the base): not the churn status, which is absolute (days against the window)'),
  })
  .meta({ id: 'ChurnedCustomer' });
export type ChurnedCustomer = z.infer<typeof ChurnedCustomer>;

/** The result of listChurned (and of the engine's snapshotChurned), as the API serialises it. */
export const ChurnList = z
  .discriminatedUnion('outcome', [
    z.object({
      outcome: z.literal('listed'),
      asOf: Day,
      dataEndsOn: DataEndsOn,
      window: ChurnWindowUsed,
      customers: Count.describe('Customers with a purchase before asOf: the base the rate is a share of'),
      churned: Count.describe('Churned customers, all pages together'),
      churnRate: Quotient.describe('churned ÷ customers; null when nobody had bought yet'),
      keptBySubscription: Count.describe(
        'Customers silent for longer than the window who have a subscription in force on asOf: not churned, and not counted in churned',
      ),
      ...pageOf(ChurnedCustomer),
    }),
    z.object({
      outcome: z.literal('no_window').describe('No window was given or set, and none can be proposed: no customer has bought on two days yet'),
      asOf: Day,
      dataEndsOn: DataEndsOn,
      proposal: ChurnWindowProposal,
    }),
  ])
  .meta({ id: 'ChurnList' });
export type ChurnList = z.infer<typeof ChurnList>;

/**
 * The churned customers at `asOf` (a local date; purchases before it count), most valuable
 * first, one page at a time with keyset paging on (total spent desc, customer id), with the
 * total count, the churn rate and the customers a subscription kept out. The window is
 * `window` when given, else the workspace's setting, else the proposal as of `asOf`.
 *
 *   const page = await listChurned({ pool, workspaceId, asOf: '2024-07-01', limit: 50 });
 *
 * One statement over the customers' purchases as of `asOf` (customerPurchasesAsOfSql): the
 * counts and the page come from the same summary, so they always agree.
 */
export async function listChurned(params: {
  pool: pg.Pool;
  workspaceId: string;
  asOf: string;
  window?: number;
  limit: number;
  cursor?: string;
}): Promise<ChurnList> {
  const { pool, workspaceId, asOf, limit } = params;
  const after = checkChurnPage(params);
  const timezone = await workspaceTimezone(pool, workspaceId);
  const dataEndsOn = dataEndsOnOf(await lastPurchaseDay(pool, workspaceId, timezone), asOf);
  const resolved = await resolveChurnWindow({ pool, workspaceId, asOf, window: params.window });
  if (resolved.outcome === 'no_window') return { ...resolved, dataEndsOn };
  const { window } = resolved;
  const purchases = customerPurchasesAsOfSql({ workspaceId: '$1', timezone: '$2', asOf: '$3' });
  const inForce = subscriptionInForceSql({ workspaceId: '$1', timezone: '$2', day: '$3' });
  // Silent ⇔ local day of the last purchase < asOf − window ⇔ last purchase before the start of that day.
  const { rows } = await pool.query<ChurnedRow & { customers: number; churned: number; kept: number }>(
    `with bought as materialized (select customer_id, purchases, total, last_at, last_day from ${purchases} s),
     in_force as materialized ${inForce},
     flagged as materialized (
       select b.*, b.last_at < ${localDayStart('$3::date - $4::int', '$2')} as silent, f.customer_id is not null as subscribed
         from bought b left join in_force f on f.customer_id = b.customer_id),
     recency_scores as (
       select h.last_day, ${quintileScoreSql('h.at_or_worse', 'size.n')} as score
         from (select last_day, sum(count(*)) over (order by last_day) as at_or_worse from bought group by last_day) h
         cross join (select count(*) as n from bought) size),
     counts as (
       select count(*)::int as customers,
              count(*) filter (where silent and not subscribed)::int as churned,
              count(*) filter (where silent and subscribed)::int as kept
         from flagged)
     select counts.customers, counts.churned, counts.kept, page.*
       from counts left join lateral (
         select c.id, c.external_id, c.name, b.last_at, b.last_day::text, b.purchases, b.total, r.score as recency_score
           from flagged b join customers c on c.id = b.customer_id join recency_scores r on r.last_day = b.last_day
          where b.silent and not b.subscribed
            and ($5::numeric is null or b.total < $5::numeric or (b.total = $5::numeric and b.customer_id > $6::bigint))
          order by b.total desc, b.customer_id
          limit $7) page on true`,
    [workspaceId, timezone, asOf, window.days, after?.total ?? null, after?.customerId ?? null, limit + 1],
  );
  const { customers, churned, kept } = rows[0]!;
  const items = rows.filter((row) => row.id !== null).map((row) => churnedCustomer(row, asOf, window.days));
  const page = items.slice(0, limit);
  const last = page.at(-1);
  return {
    outcome: 'listed',
    asOf,
    dataEndsOn,
    window,
    customers,
    churned,
    churnRate: customers === 0 ? null : churned / customers,
    keptBySubscription: kept,
    items: page,
    nextCursor: items.length > limit && last ? encodeChurnCursor(last.totalSpent, last.customerId) : null,
  };
}

/** A churned customer's row as the reference query (and the engine) give it. */
export interface ChurnedRow {
  id: string | null;
  external_id: string;
  name: string | null;
  last_at: Date;
  last_day: string;
  purchases: number;
  total: string;
  recency_score: number;
}

export function churnedCustomer(row: ChurnedRow, asOf: string, windowDays: number): ChurnedCustomer {
  const daysSince = dayNumber(asOf) - dayNumber(row.last_day);
  return {
    customerId: row.id!,
    externalId: row.external_id,
    name: row.name,
    lastPurchaseAt: row.last_at,
    lastPurchaseDay: row.last_day,
    daysSince,
    churnedOn: addDays(row.last_day, windowDays + 1),
    purchases: row.purchases,
    totalSpent: row.total,
    recencyScore: row.recency_score,
  };
}

export function encodeChurnCursor(total: string, customerId: string): string {
  return Buffer.from(JSON.stringify([total, customerId])).toString('base64url');
}

/** Throws unless asOf is a date, limit a page size (checkPageSize) and the cursor (if any) one of ours; the cursor decoded. */
export function checkChurnPage(params: { asOf: string; limit: number; cursor?: string }): { total: string; customerId: string } | undefined {
  requireCalendarDate(params.asOf, 'asOf');
  checkPageSize(params.limit);
  return params.cursor === undefined ? undefined : decodeChurnCursor(params.cursor);
}

function decodeChurnCursor(cursor: string): { total: string; customerId: string } {
  try {
    const [total, customerId] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as [unknown, unknown];
    if (typeof total !== 'string' || !/^-?\d+(\.\d+)?$/.test(total) || typeof customerId !== 'string' || !/^\d+$/.test(customerId)) {
      throw new Error('bad cursor');
    }
    return { total, customerId };
  } catch {
    throw new KizunaError('bad_request', 'The churn list cursor is not valid; start again from the first page.');
  }
}
