import type pg from 'pg';

/**
 * An md5 per table of a workspace's rows, in a fixed order and with database ids replaced by
 * the external keys they stand for (customer, order and subscription external ids, SKUs,
 * idempotency keys).
 * Two workspaces loaded with the same data have the same digest, whatever ids they were given.
 */
export async function workspaceDigest(pool: pg.Pool, workspaceId: string): Promise<Record<string, string | null>> {
  const digest = (rows: string, order: string, from: string) => `(select md5(string_agg(${rows}::text, E'\\n' order by ${order})) from ${from})`;
  const { rows } = await pool.query(
    `select
       ${digest(
         'row(c.external_id, c.lifecycle, c.name, c.name_kana, c.gender, c.birth_date, c.prefecture, c.attributes, c.purchase_count, c.purchase_total, c.first_purchase_at, c.last_purchase_at, c.became_customer_at, c.created_at, c.updated_at)',
         'c.external_id',
         'customers c where c.workspace_id = $1',
       )} as customers,
       ${digest(
         'row(c.external_id, i.kind, i.value, i.created_at)',
         'c.external_id, i.kind, i.value',
         'customer_identities i join customers c on c.id = i.customer_id where i.workspace_id = $1',
       )} as customer_identities,
       ${digest(
         'row(c.external_id, s.channel, s.purpose, s.status, s.changed_at, s.source)',
         'c.external_id, s.channel, s.purpose',
         'consents s join customers c on c.id = s.customer_id where s.workspace_id = $1',
       )} as consents,
       ${digest(
         'row(c.external_id, s.channel, s.purpose, s.status, s.changed_at, s.source)',
         'c.external_id, s.channel, s.purpose, s.changed_at, s.status',
         'consent_changes s join customers c on c.id = s.customer_id where s.workspace_id = $1',
       )} as consent_changes,
       ${digest(
         'row(p.sku, p.name, p.category, p.price, p.is_subscription, p.is_trial, p.effect_first_feeling_days, p.effect_clear_days, p.effect_share, p.attributes, p.created_at, p.updated_at)',
         'p.sku',
         'products p where p.workspace_id = $1',
       )} as products,
       ${digest(
         'row(s.external_id, c.external_id, s.course, s.cycle_unit, s.cycle_every, s.status, s.status_changed_at, s.started_at, s.next_delivery_on, s.deliveries, s.skips, s.cancelled_at, s.cancel_reason, s.cancel_note, p.sku, s.created_at, s.updated_at)',
         's.external_id',
         'subscriptions s join customers c on c.id = s.customer_id left join products p on p.id = s.first_product_id where s.workspace_id = $1',
       )} as subscriptions,
       ${digest(
         'row(s.external_id, i.line_no, p.sku, i.quantity)',
         's.external_id, i.line_no',
         'subscription_items i join subscriptions s on s.id = i.subscription_id join products p on p.id = i.product_id where i.workspace_id = $1',
       )} as subscription_items,
       ${digest(
         'row(s.external_id, c.external_id, h.status, h.changed_at, h.reason, h.note, h.actor)',
         's.external_id, h.changed_at, h.status',
         'subscription_status_changes h join subscriptions s on s.id = h.subscription_id join customers c on c.id = h.customer_id where h.workspace_id = $1',
       )} as subscription_status_changes,
       ${digest(
         'row(o.external_id, c.external_id, o.ordered_at, o.channel, o.prefecture, o.store, o.status, o.delivered_at, o.amount, o.item_count, o.subscription_external_id, o.delivery_number, o.created_at, o.updated_at)',
         'o.external_id',
         'orders o join customers c on c.id = o.customer_id where o.workspace_id = $1',
       )} as orders,
       ${digest(
         'row(o.external_id, i.line_no, p.sku, i.quantity, i.unit_price)',
         'o.external_id, i.line_no',
         'order_items i join orders o on o.id = i.order_id join products p on p.id = i.product_id where i.workspace_id = $1',
       )} as order_items,
       ${digest(
         'row(e.idempotency_key, c.external_id, e.type, e.occurred_at, e.properties)',
         'e.idempotency_key',
         'events e join customers c on c.id = e.customer_id where e.workspace_id = $1',
       )} as events`,
    [workspaceId],
  );
  return rows[0];
}
