import type pg from 'pg';
import { purchaseCondition } from '../orders/purchase.ts';
import { KizunaError } from '../shared/errors.ts';
import { localDate, localDayStart } from './periods.ts';

/**
 * "As of d" for the customer-base analyses (churn, retention, RFM): the state at the start of
 * local date d in the workspace's time zone. Purchases on d or later are not seen yet, so an
 * analysis as of a past date gives what it would have given on that morning.
 */

/** The workspace's time zone; `not_found` when there is no such workspace. */
export async function workspaceTimezone(pool: pg.Pool, workspaceId: string): Promise<string> {
  const { rows } = await pool.query<{ timezone: string }>('select timezone from workspaces where id = $1', [workspaceId]);
  if (!rows[0]) throw new KizunaError('not_found', `No workspace with id ${workspaceId}.`);
  return rows[0].timezone;
}

/**
 * SQL of every customer's purchases before local date `asOf`: one row per customer with at
 * least one, `customer_id, purchases` (int), `total` (numeric, Σ amount), `first_at, last_at`
 * (timestamptz) and `last_day` (the local date of the last purchase). Operands are SQL text
 * (placeholders), as in purchasesSql.
 *
 * Why two branches rather than one pass over orders: every writer of orders keeps each
 * profile's summary of *all* its purchases (count, total, first and last; see
 * src/orders/customer-stats.ts and the importer). A customer whose last purchase is before
 * `asOf` has exactly that summary as of `asOf`, read from the profile without touching
 * orders; only customers who bought on or after `asOf` are summed again from their orders
 * before it (through orders_customer_idx when they are few). As of today that is nobody, so
 * the analyses of the current base read 1,000,000 profiles instead of 10,000,000 orders; as
 * of a past date the second branch is the one pass over the orders before it.
 */
export function customerPurchasesAsOfSql(operands: { workspaceId: string; timezone: string; asOf: string }): string {
  const { workspaceId, timezone, asOf } = operands;
  const start = localDayStart(asOf, timezone);
  return `(select b.customer_id, b.purchases, b.total, b.first_at, b.last_at, ${localDate('b.last_at', timezone)} as last_day
             from (select c.id as customer_id, c.purchase_count as purchases, c.purchase_total as total,
                          c.first_purchase_at as first_at, c.last_purchase_at as last_at
                     from customers c
                    where c.workspace_id = ${workspaceId} and c.last_purchase_at < ${start}
                   union all
                   select o.customer_id, count(*)::int, sum(o.amount), min(o.ordered_at), max(o.ordered_at)
                     from customers c join orders o on o.customer_id = c.id
                    where c.workspace_id = ${workspaceId} and c.last_purchase_at >= ${start}
                      and o.workspace_id = ${workspaceId} and o.ordered_at < ${start} and ${purchaseCondition('o')}
                    group by o.customer_id) b)`;
}
