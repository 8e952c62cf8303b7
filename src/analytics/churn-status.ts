import type pg from 'pg';
import { z } from 'zod';
import { ChurnWindowUsed, resolveChurnWindow } from './churn-window.ts';
import { addDays, dayNumber, localDate, localDayStart, requireCalendarDate } from './periods.ts';
import { workspaceTimezone } from './purchases-as-of.ts';
import { purchaseCondition } from '../orders/purchase.ts';
import { Day } from './result-shapes.ts';
import { subscriptionInForceSql } from './subscription-status.ts';

/**
 * One customer's churn status as of a date, by the rule of churn.ts, with its reason, for the
 * customer 360 page beside the RFM scores (which are relative, and say something else).
 */

export const CHURN_STATUSES = ['churned', 'within_window', 'subscriber', 'no_window'] as const;
export type ChurnStatusCode = (typeof CHURN_STATUSES)[number];

export const CustomerChurnStatus = z
  .object({
    status: z
      .enum(CHURN_STATUSES)
      .describe(
        'churned: no purchase for more than the window and no subscription in force; within_window: the last purchase is at most the window ago; subscriber: a subscription in force on asOf, never churned whatever the days since; no_window: none given, set or proposable',
      ),
    lastPurchaseDay: Day,
    daysSince: z.number().int().describe('Days from the last purchase day to asOf'),
    window: ChurnWindowUsed.nullable().describe('The window compared with; null for no_window'),
    churnedOn: Day.nullable().describe('For churned: the date the silence passed the window (last purchase day + window + 1)'),
  })
  .meta({ id: 'CustomerChurnStatus' });
export type CustomerChurnStatus = z.infer<typeof CustomerChurnStatus>;

/** The status from its facts: the same decision as the churn list's. */
export function churnStatusFrom(params: { lastPurchaseDay: string; asOf: string; window: ChurnWindowUsed | null; subscribed: boolean }): CustomerChurnStatus {
  const { lastPurchaseDay, asOf, window, subscribed } = params;
  const daysSince = dayNumber(asOf) - dayNumber(lastPurchaseDay);
  const silent = window !== null && daysSince > window.days;
  const status: ChurnStatusCode = subscribed ? 'subscriber' : window === null ? 'no_window' : silent ? 'churned' : 'within_window';
  return { status, lastPurchaseDay, daysSince, window, churnedOn: status === 'churned' ? addDays(lastPurchaseDay, window!.days + 1) : null };
}

/**
 * One customer's churn status as of `asOf` (window as for the churn list); null when they had
 * no purchase before `asOf`.
 */
export async function churnStatusOfCustomer(params: {
  pool: pg.Pool;
  workspaceId: string;
  asOf: string;
  customerId: string;
}): Promise<CustomerChurnStatus | null> {
  const { pool, workspaceId, asOf, customerId } = params;
  requireCalendarDate(asOf, 'asOf');
  const timezone = await workspaceTimezone(pool, workspaceId);
  const { rows } = await pool.query<{ last_day: string | null; subscribed: boolean }>(
    `select (select ${localDate('max(o.ordered_at)', '$2')}::text from orders o
              where o.workspace_id = $1 and o.customer_id = $4 and ${purchaseCondition('o')} and o.ordered_at < ${localDayStart('$3', '$2')}) as last_day,
            exists (select 1 from ${subscriptionInForceSql({ workspaceId: '$1', timezone: '$2', day: '$3' })} f where f.customer_id = $4) as subscribed`,
    [workspaceId, timezone, asOf, customerId],
  );
  const { last_day: lastDay, subscribed } = rows[0]!;
  if (lastDay === null) return null;
  const resolved = await resolveChurnWindow({ pool, workspaceId, asOf, window: undefined });
  return churnStatusFrom({ lastPurchaseDay: lastDay, asOf, window: resolved.outcome === 'resolved' ? resolved.window : null, subscribed });
}
