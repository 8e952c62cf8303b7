import type pg from 'pg';
import { resolveCustomerIds } from '../customers/resolve-customers.ts';
import { compareKeys, inKeyOrder } from '../db/lock-order.ts';
import type { OrderRecord } from './order-record.ts';
import { refreshCustomerStats } from './customer-stats.ts';
import { noteOrdersChanged } from './order-changes.ts';

export interface UnknownProduct {
  position: number;
  item: number;
  sku: string;
}

/** Items whose SKU is neither known nor named (product_name) so that it could be created. */
export async function findUnknownProducts(client: pg.ClientBase, workspaceId: string, records: readonly OrderRecord[]): Promise<UnknownProduct[]> {
  const unnamed = new Set<string>();
  for (const record of records) for (const item of record.items) if (!item.product_name) unnamed.add(item.sku);
  if (unnamed.size === 0) return [];
  const known = await skuIds(client, workspaceId, unnamed);
  const namedInBatch = new Set(records.flatMap((r) => r.items.filter((i) => i.product_name).map((i) => i.sku)));
  const unknown: UnknownProduct[] = [];
  records.forEach((record, position) => {
    record.items.forEach((item, index) => {
      if (!known.has(item.sku) && !namedInBatch.has(item.sku)) unknown.push({ position, item: index, sku: item.sku });
    });
  });
  return unknown;
}

async function skuIds(client: pg.ClientBase, workspaceId: string, skus: Iterable<string>): Promise<Map<string, string>> {
  const { rows } = await client.query<{ id: string; sku: string }>('select id, sku from products where workspace_id = $1 and sku = any($2::text[])', [
    workspaceId,
    [...skus],
  ]);
  return new Map(rows.map((row) => [row.sku, row.id]));
}

/**
 * Writes orders with their items, by order external id. Unknown customers get a bare profile;
 * unknown SKUs that carry a product_name are created (name, unit price as list price). An
 * order's items are replaced by the record's, its amount and item count recomputed, and the
 * purchase summary of its customer refreshed. Writing the same orders twice changes nothing.
 * Callers reject unknown, unnamed SKUs first (findUnknownProducts). Returns the customers
 * concerned, each with an order of theirs from the batch (a customer an order moved away from: null).
 */
export async function upsertOrders(
  client: pg.ClientBase,
  workspaceId: string,
  batch: readonly OrderRecord[],
): Promise<{ customers: Array<{ customerId: string; orderId: string | null }> }> {
  if (batch.length === 0) return { customers: [] };
  // Every row (customers, products, orders, then the customers' summaries) is locked in key
  // order, so concurrent batches sharing customers or products never deadlock (db/lock-order.ts).
  const records = inKeyOrder(batch, (r) => r.order_id);
  const customerIds = await resolveCustomerIds(
    client,
    workspaceId,
    records.map((r) => r.customer_id),
  );
  const productIds = await createNamedProducts(client, workspaceId, records);

  const column = <T>(pick: (r: OrderRecord) => T) => records.map(pick);
  // An order that moves to another customer changes the purchase summary of its previous owner too.
  const { rows: previousOwners } = await client.query<{ customer_id: string }>(
    'select customer_id from orders where workspace_id = $1 and external_id = any($2::text[])',
    [workspaceId, column((r) => r.order_id)],
  );
  await client.query(
    `with r as (
       select * from unnest($2::text[], $3::bigint[], $4::timestamptz[], $5::text[], $6::text[], $7::text[], $8::text[], $9::timestamptz[],
                            $10::text[], $11::int[])
         as r(external_id, customer_id, ordered_at, channel, prefecture, store, status, delivered_at, subscription_external_id, delivery_number)
     ), inserted as (
       insert into orders (workspace_id, external_id, customer_id, ordered_at, channel, prefecture, store, status, delivered_at,
                           subscription_external_id, delivery_number)
       select $1, * from r
       on conflict (workspace_id, external_id) do nothing
     )
     update orders o set customer_id = r.customer_id, ordered_at = r.ordered_at, channel = r.channel, prefecture = r.prefecture,
                         store = r.store, status = r.status, delivered_at = r.delivered_at,
                         subscription_external_id = r.subscription_external_id, delivery_number = r.delivery_number, updated_at = now()
       from r
      where o.workspace_id = $1 and o.external_id = r.external_id
        and (o.customer_id, o.ordered_at, o.channel, o.prefecture, o.store, o.status, o.delivered_at, o.subscription_external_id, o.delivery_number)
            is distinct from
            (r.customer_id, r.ordered_at, r.channel, r.prefecture, r.store, r.status, r.delivered_at, r.subscription_external_id, r.delivery_number)`,
    [
      workspaceId,
      column((r) => r.order_id),
      column((r) => customerIds.get(r.customer_id)!),
      column((r) => r.ordered_at.toISOString()),
      column((r) => r.channel),
      column((r) => r.prefecture ?? null),
      column((r) => r.store),
      column((r) => r.status),
      column((r) => r.delivered_at?.toISOString() ?? null),
      column((r) => r.subscription_id ?? null),
      column((r) => r.delivery_number ?? null),
    ],
  );
  const { rows: orderRows } = await client.query<{ id: string; external_id: string; customer_id: string }>(
    'select id, external_id, customer_id from orders where workspace_id = $1 and external_id = any($2::text[])',
    [workspaceId, column((r) => r.order_id)],
  );
  const orderIds = new Map(orderRows.map((row) => [row.external_id, row.id]));
  await replaceItems(client, workspaceId, records, orderIds, productIds);
  const concerned = [...new Set([...orderRows, ...previousOwners].map((row) => row.customer_id))];
  await refreshCustomerStats(client, concerned);
  await noteOrdersChanged(client, workspaceId, concerned);
  // The customers concerned, each with an order of theirs in the batch (a previous owner: none), for the journey map.
  return {
    customers: [
      ...previousOwners.map((row) => ({ customerId: row.customer_id, orderId: null })),
      ...orderRows.map((row) => ({ customerId: row.customer_id, orderId: row.external_id })),
    ],
  };
}

async function createNamedProducts(client: pg.ClientBase, workspaceId: string, records: readonly OrderRecord[]): Promise<Map<string, string>> {
  const named = new Map<string, { name: string; price: string }>();
  const skus = new Set<string>();
  for (const record of records) {
    for (const item of record.items) {
      skus.add(item.sku);
      if (item.product_name && !named.has(item.sku)) named.set(item.sku, { name: item.product_name, price: item.unit_price });
    }
  }
  if (named.size > 0) {
    const skusInOrder = [...named.keys()].sort(compareKeys);
    await client.query(
      `insert into products (workspace_id, sku, name, price)
       select $1, sku, name, price from unnest($2::text[], $3::text[], $4::numeric[]) as p(sku, name, price)
       on conflict (workspace_id, sku) do nothing`,
      [workspaceId, skusInOrder, skusInOrder.map((sku) => named.get(sku)!.name), skusInOrder.map((sku) => named.get(sku)!.price)],
    );
  }
  return skuIds(client, workspaceId, skus);
}

async function replaceItems(
  client: pg.ClientBase,
  workspaceId: string,
  records: readonly OrderRecord[],
  orderIds: Map<string, string>,
  productIds: Map<string, string>,
): Promise<void> {
  const itemOrderIds: string[] = [];
  const lineNos: number[] = [];
  const itemProductIds: string[] = [];
  const quantities: number[] = [];
  const unitPrices: string[] = [];
  for (const record of records) {
    record.items.forEach((item, index) => {
      itemOrderIds.push(orderIds.get(record.order_id)!);
      lineNos.push(index + 1);
      itemProductIds.push(productIds.get(item.sku)!);
      quantities.push(item.quantity);
      unitPrices.push(item.unit_price);
    });
  }
  const ids = [...orderIds.values()];
  // Replace only the items of orders whose stored items differ, so an unchanged order is not rewritten.
  const incoming = `unnest($1::bigint[], $2::int[], $3::bigint[], $4::int[], $5::numeric[])
                    as i(order_id, line_no, product_id, quantity, unit_price)`;
  const itemParams = [itemOrderIds, lineNos, itemProductIds, quantities, unitPrices];
  const { rows: changed } = await client.query<{ order_id: string }>(
    `with incoming as (select * from ${incoming}),
          stored as (select order_id, line_no, product_id, quantity, unit_price from order_items where order_id = any($6::bigint[]))
     select order_id from (select * from incoming except all select * from stored) added
     union
     select order_id from (select * from stored except all select * from incoming) removed`,
    [...itemParams, ids],
  );
  if (changed.length > 0) {
    const changedIds = changed.map((row) => row.order_id);
    await client.query('delete from order_items where order_id = any($1::bigint[])', [changedIds]);
    await client.query(
      `insert into order_items (order_id, line_no, workspace_id, product_id, quantity, unit_price)
       select i.order_id, i.line_no, $7, i.product_id, i.quantity, i.unit_price
         from ${incoming} where i.order_id = any($6::bigint[])`,
      [...itemParams, changedIds, workspaceId],
    );
  }
  await client.query(
    `update orders o set amount = s.amount, item_count = s.items
       from (select order_id, sum(quantity * unit_price) as amount, sum(quantity)::int as items
               from order_items where order_id = any($1::bigint[]) group by order_id) s
      where o.id = s.order_id and (o.amount, o.item_count) is distinct from (s.amount, s.items)`,
    [ids],
  );
}
