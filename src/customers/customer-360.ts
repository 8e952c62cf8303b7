import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { Kdb } from '../db/connect.ts';
import { KizunaError } from '../shared/errors.ts';
import { customerSubscriptions } from '../subscriptions/customer-subscriptions.ts';

export const ORDERS_SHOWN = 100;

/**
 * Everything the brand knows about one profile: attributes, identities, consents, the
 * latest orders with their items and the subscriptions (定期) with their status history. The
 * timeline (customer-timeline.ts) adds what happened.
 */
export async function getCustomer360(db: Kdb, workspaceId: string, customerId: string) {
  const profile = await db.selectFrom('customers').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', customerId).executeTakeFirst();
  if (!profile) throw new KizunaError('not_found', `No customer ${customerId} in this workspace.`);
  const [identities, consents, orders, subscriptions] = await Promise.all([
    db.selectFrom('customer_identities').select(['kind', 'value']).where('customer_id', '=', customerId).orderBy('kind').orderBy('created_at').execute(),
    db
      .selectFrom('consents')
      .select(['channel', 'purpose', 'status', 'changed_at', 'source'])
      .where('customer_id', '=', customerId)
      .orderBy('channel')
      .orderBy('purpose')
      .execute(),
    db
      .selectFrom('orders as o')
      .select((eb) => [
        'o.id',
        'o.external_id',
        'o.ordered_at',
        'o.channel',
        'o.prefecture',
        'o.store',
        'o.status',
        'o.delivered_at',
        'o.amount',
        'o.item_count',
        'o.subscription_external_id',
        'o.delivery_number',
        jsonArrayFrom(
          eb
            .selectFrom('order_items as i')
            .innerJoin('products as p', 'p.id', 'i.product_id')
            .select(['i.line_no', 'p.sku', 'p.name', 'i.quantity', 'i.unit_price'])
            .whereRef('i.order_id', '=', 'o.id')
            .orderBy('i.line_no'),
        ).as('items'),
      ])
      .where('o.customer_id', '=', customerId)
      .orderBy('o.ordered_at', 'desc')
      .limit(ORDERS_SHOWN)
      .execute(),
    customerSubscriptions(db, { workspaceId, customerId }),
  ]);
  return {
    profile: {
      id: profile.id,
      externalId: profile.external_id,
      lifecycle: profile.lifecycle,
      name: profile.name,
      nameKana: profile.name_kana,
      gender: profile.gender,
      birthDate: profile.birth_date,
      prefecture: profile.prefecture,
      attributes: profile.attributes,
      purchaseCount: profile.purchase_count,
      purchaseTotal: profile.purchase_total,
      firstPurchaseAt: profile.first_purchase_at,
      lastPurchaseAt: profile.last_purchase_at,
      becameCustomerAt: profile.became_customer_at,
      createdAt: profile.created_at,
      updatedAt: profile.updated_at,
    },
    identities,
    consents: consents.map((c) => ({ channel: c.channel, purpose: c.purpose, status: c.status, changedAt: c.changed_at, source: c.source })),
    orders: orders.map((o) => ({
      id: o.id,
      externalId: o.external_id,
      orderedAt: o.ordered_at,
      channel: o.channel,
      prefecture: o.prefecture,
      store: o.store,
      status: o.status,
      deliveredAt: o.delivered_at,
      amount: o.amount,
      itemCount: o.item_count,
      items: o.items.map((i) => ({ lineNo: i.line_no, sku: i.sku, productName: i.name, quantity: i.quantity, unitPrice: String(i.unit_price) })),
      subscriptionId: o.subscription_external_id,
      deliveryNumber: o.delivery_number,
    })),
    subscriptions,
  };
}

export type Customer360 = Awaited<ReturnType<typeof getCustomer360>>;
