import { z } from 'zod';
import type { Kdb } from '../db/connect.ts';
import { CYCLE_UNITS, SUBSCRIPTION_STATUSES } from '../shared/vocabulary.ts';
import { BUILT_IN_CANCEL_REASONS, cancelReasonLabels, type CancelReason } from './cancel-reasons.ts';
import { describeCycle } from './cycle.ts';

const ReasonLabels = z.object({ code: z.string(), labelJa: z.string(), labelEn: z.string() });

/** A customer's subscription as the customer 360 page shows it: written once here, served by the route. */
export const CustomerSubscription = z
  .object({
    id: z.string(),
    externalId: z.string().describe('The 定期番号'),
    course: z.string().nullable(),
    items: z.array(z.object({ sku: z.string(), name: z.string(), quantity: z.number().int() })),
    cycle: z.object({
      unit: z.enum(CYCLE_UNITS),
      every: z.number().int(),
      labelJa: z.string().describe('「30日ごと」「2ヶ月ごと」「毎月15日」'),
      labelEn: z.string().describe('"every 30 days", "every 2 months", "monthly on day 15"'),
    }),
    status: z.enum(SUBSCRIPTION_STATUSES),
    statusChangedAt: z.date(),
    startedAt: z.date(),
    nextDeliveryOn: z.string().nullable().describe('YYYY-MM-DD'),
    deliveries: z.number().int(),
    skips: z.number().int(),
    cancelledAt: z.date().nullable(),
    cancelReason: ReasonLabels.nullable(),
    cancelNote: z.string().nullable(),
    history: z
      .array(
        z.object({
          status: z.enum(SUBSCRIPTION_STATUSES),
          changedAt: z.date(),
          reason: ReasonLabels.nullable(),
          note: z.string().nullable(),
          actor: z.string().nullable(),
        }),
      )
      .describe('Every status the subscription has had, newest first'),
  })
  .meta({ id: 'CustomerSubscription' });
export type CustomerSubscription = z.infer<typeof CustomerSubscription>;

/**
 * A customer's subscriptions, newest start first, each with its items, cycle in words, cancel
 * reason with its labels and status history (newest first).
 */
export async function customerSubscriptions(db: Kdb, params: { workspaceId: string; customerId: string }): Promise<CustomerSubscription[]> {
  const { workspaceId, customerId } = params;
  const rows = await db
    .selectFrom('subscriptions')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('customer_id', '=', customerId)
    .orderBy('started_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  if (rows.length === 0) return [];
  const ids = rows.map((row) => row.id);
  const [items, history, own] = await Promise.all([
    db
      .selectFrom('subscription_items as i')
      .innerJoin('products as p', 'p.id', 'i.product_id')
      .select(['i.subscription_id', 'p.sku', 'p.name', 'i.quantity'])
      .where('i.subscription_id', 'in', ids)
      .orderBy('i.subscription_id')
      .orderBy('i.line_no')
      .execute(),
    db
      .selectFrom('subscription_status_changes')
      .select(['subscription_id', 'status', 'changed_at', 'reason', 'note', 'actor'])
      .where('subscription_id', 'in', ids)
      .orderBy('changed_at', 'desc')
      .orderBy('id', 'desc')
      .execute(),
    db.selectFrom('subscription_cancel_reasons').select(['code', 'label_ja', 'label_en']).where('workspace_id', '=', workspaceId).execute(),
  ]);
  const reasons: CancelReason[] = [...BUILT_IN_CANCEL_REASONS, ...own.map((r) => ({ code: r.code, labelJa: r.label_ja, labelEn: r.label_en, builtIn: false }))];
  const reason = (code: string | null) => (code === null ? null : { code, ...cancelReasonLabels(code, reasons) });
  return rows.map((row) => {
    const cycle = { unit: row.cycle_unit, every: row.cycle_every };
    return {
      id: row.id,
      externalId: row.external_id,
      course: row.course,
      items: items.filter((i) => i.subscription_id === row.id).map((i) => ({ sku: i.sku, name: i.name, quantity: i.quantity })),
      cycle: { ...cycle, labelJa: describeCycle(cycle, 'ja'), labelEn: describeCycle(cycle, 'en') },
      status: row.status,
      statusChangedAt: row.status_changed_at,
      startedAt: row.started_at,
      nextDeliveryOn: row.next_delivery_on,
      deliveries: row.deliveries,
      skips: row.skips,
      cancelledAt: row.cancelled_at,
      cancelReason: reason(row.cancel_reason),
      cancelNote: row.cancel_note,
      history: history
        .filter((h) => h.subscription_id === row.id)
        .map((h) => ({ status: h.status, changedAt: h.changed_at, reason: reason(h.reason), note: h.note, actor: h.actor })),
    };
  });
}
