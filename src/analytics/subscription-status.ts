import { localDayStart } from './periods.ts';

/**
 * Whether a customer has a subscription (定期), as the customer-base analyses (churn, RFM)
 * need it, from the status history alone (`subscription_status_changes`; a subscription's
 * first row is its start):
 *
 * - As of local day d means, as everywhere in the analyses, the state at the start of d: a
 *   subscription's status as of d is the status of its last change before d (by time, then
 *   id), the same reading as the subscription analyses (analytics/subscriptions/status-sql.ts).
 *   Before its first change it has none: a subscription started on or after d does not count.
 * - A customer has a subscription *in force* as of d when one of theirs is active or paused.
 *   Such a customer is never churned: a paused 定期 is a customer who told the brand when they
 *   will be back, and an active one is delivered to whether or not an order was keyed in.
 * - A customer *had a subscription* by d when one of theirs has a change before d. The
 *   churn window is proposed from the purchase gaps of the customers who had none (churn.ts).
 *
 * The engine holds the same facts per customer as day intervals (engine/subscribed-customers.ts).
 */

/** The statuses of a subscription in force. */
export const IN_FORCE_STATUSES = ['active', 'paused'] as const;

/**
 * SQL: `customer_id` of every customer with a subscription in force as of local day `day` (at its start)
 * (distinct). Operands are SQL text (placeholders): workspace id, time zone, date.
 */
export function subscriptionInForceSql(operands: { workspaceId: string; timezone: string; day: string }): string {
  const { workspaceId, timezone, day } = operands;
  return `(select distinct last.customer_id
             from (select distinct on (h.subscription_id) h.customer_id, h.status
                     from subscription_status_changes h
                    where h.workspace_id = ${workspaceId} and h.changed_at < ${localDayStart(`(${day})::date`, timezone)}
                    order by h.subscription_id, h.changed_at desc, h.id desc) last
            where last.status in (${IN_FORCE_STATUSES.map((s) => `'${s}'`).join(', ')}))`;
}

/**
 * SQL: `customer_id` of every customer who had a subscription by local day `day` (a change
 * before it), or ever when `day` is left out (distinct).
 */
export function hadSubscriptionSql(operands: { workspaceId: string; timezone: string; day?: string }): string {
  const { workspaceId, timezone, day } = operands;
  return `(select distinct h.customer_id
             from subscription_status_changes h
            where h.workspace_id = ${workspaceId}
              ${day === undefined ? '' : `and h.changed_at < ${localDayStart(`(${day})::date`, timezone)}`})`;
}
