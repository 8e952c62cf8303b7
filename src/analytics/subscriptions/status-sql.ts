import { purchaseCondition } from '../../orders/purchase.ts';
import { firstPurchaseEverSql } from '../repeat-f2.ts';
import { localDate, localDayStart } from '../periods.ts';

/**
 * The SQL the subscription analyses' reference implementations share: one definition each of
 * a subscription's status as of a date, its deliveries as of a date, and the trial starters.
 * Operands are SQL text (placeholders), as in periods.ts.
 *
 * "As of d" is the state at the start of local date d in the workspace's time zone, as for
 * the other analyses of the customer base: what was written before d counts.
 *
 * - A subscription counts as of d when it started before d.
 * - Its status as of d: cancelled when its cancellation (cancelled_at) is before d; else the
 *   status of its last change before d in subscription_status_changes (by time, then id);
 *   else active (a subscription whose history was never written is taken as running).
 * - It is *in force* as of d when that status is active or paused. "In force on day x" (the
 *   last change at or before x) is in force as of x + 1: the end of a bucket is the next
 *   bucket's first date, the start of a bucket its own first date.
 */

/**
 * SQL of the status of every subscription started before each date of a `date[]` operand:
 * rows `id, customer_id, d` (date), `status` (text).
 */
export function subscriptionStatusesAtSql(operands: { workspaceId: string; timezone: string; dates: string }): string {
  const { workspaceId, timezone, dates } = operands;
  return `(select s.id, s.customer_id, b.d,
                  case when s.cancelled_at < b.at then 'cancelled' else coalesce(h.status, 'active') end as status
             from subscriptions s
             join (select d, ${localDayStart('d', timezone)} as at from unnest(${dates}::date[]) d) b on s.started_at < b.at
             left join (select h.subscription_id, h.status, h.changed_at,
                               lead(h.changed_at) over (partition by h.subscription_id order by h.changed_at, h.id) as until
                          from subscription_status_changes h where h.workspace_id = ${workspaceId}) h
                    on h.subscription_id = s.id and h.changed_at < b.at and (h.until is null or h.until >= b.at)
            where s.workspace_id = ${workspaceId})`;
}

/**
 * SQL of every subscription's deliveries as of a date: rows `subscription_id, delivered`.
 * With `fromOrders` true (a past as-of date), a subscription that orders name with a delivery
 * number (orders.subscription_external_id, delivery_number; purchases only) has the highest
 * such number among its orders before the date (0 when all are later); every other one, and
 * every one when `fromOrders` is false, its stored count (subscriptions.deliveries).
 */
export function deliveriesAsOfSql(operands: { workspaceId: string; timezone: string; asOf: string; fromOrders: string }): string {
  const { workspaceId, timezone, asOf, fromOrders } = operands;
  return `(select s.id as subscription_id,
                  case when ${fromOrders} and n.subscription_external_id is not null then coalesce(n.before, 0) else s.deliveries end as delivered
             from subscriptions s
             left join (select o.subscription_external_id,
                               max(o.delivery_number) filter (where o.ordered_at < ${localDayStart(asOf, timezone)}) as before
                          from orders o
                         where o.workspace_id = ${workspaceId} and o.subscription_external_id is not null
                           and o.delivery_number is not null and ${purchaseCondition('o')}
                         group by o.subscription_external_id) n on n.subscription_external_id = s.external_id
            where s.workspace_id = ${workspaceId})`;
}

/**
 * SQL of the trial starters: customers whose first purchase ever (firstPurchaseEverSql) falls
 * on a local day with a purchase holding a trial product (products.is_trial). Rows
 * `customer_id, first_day` (date), `source` (the customer's attributes.acquisition_source).
 * `where` restricts the customers (SQL on alias `c`), e.g. to a period of first days.
 */
export function trialStartersSql(operands: { workspaceId: string; timezone: string; where?: string }): string {
  const { workspaceId, timezone, where } = operands;
  const first = firstPurchaseEverSql('c');
  return `(select c.id as customer_id, ${localDate(first, timezone)} as first_day, c.attributes->>'acquisition_source' as source
             from customers c
            where c.workspace_id = ${workspaceId} and ${first} is not null ${where ? `and ${where}` : ''}
              and exists (select 1 from orders o
                            join order_items i on i.order_id = o.id
                            join products p on p.id = i.product_id
                           where o.customer_id = c.id and o.workspace_id = ${workspaceId} and ${purchaseCondition('o')} and p.is_trial
                             and o.ordered_at >= ${localDayStart(localDate(first, timezone), timezone)}
                             and o.ordered_at < ${localDayStart(`${localDate(first, timezone)} + 1`, timezone)}))`;
}
