import type pg from 'pg';
import { noteJourneyChanges } from '../journey-map/changes.ts';
import { refreshCustomerStats } from '../orders/customer-stats.ts';
import { noteOrdersChanged } from '../orders/order-changes.ts';
import { purchaseCondition } from '../orders/purchase.ts';
import { knownRow } from './order-summaries.ts';

/**
 * Writes the staged orders that are not rejected, set-based, with upsertOrders' contract
 * (orders/upsert-orders.ts): orders by external id; an order's items replaced by its lines
 * when they differ; amount and item count from the items; unknown products created from a
 * line that names them (unit price as list price); the purchase summary of every customer
 * concerned refreshed; nothing touched when nothing changed, so importing a file twice
 * changes nothing. Unlike the batch API, customers not yet known are created with the order
 * file's customer columns.
 *
 * Why not upsertOrders in chunks: on a 1,000,000-line export, chunks of 10,000 lines through
 * upsertOrders ran at about 16,000 lines/s on the project's 2-core machine; these statements
 * about twice as fast (bench/import-csv.ts).
 */
export async function writeStagedOrders(params: {
  client: pg.ClientBase;
  workspaceId: string;
  /** Some orders are rejected (skip-invalid): only the others' customers and products are written. */
  someRejected: boolean;
  onStep?: (step: WriteStep) => void;
}): Promise<void> {
  const { client, workspaceId: ws, someRejected, onStep = () => {} } = params;
  await noteOrdersChanged(client, ws);
  await createCustomers(client, ws, someRejected);
  onStep('customers');
  await createProducts(client, ws, someRejected);
  onStep('products');
  await upsertStagedOrders(client, ws);
  // Statistics of the orders just written (ANALYZE counts this transaction's own rows, and
  // samples a bounded number): from the statistics of before the import (a table thought
  // small) the planner may pick joins quadratic in the import's rows; a concurrent test run
  // hung on one.
  await client.query('analyze orders, import_upserted, import_previous');
  onStep('orders');
  await insertItemsOfNewOrders(client, ws);
  await replaceChangedItems(client, ws);
  onStep('items');
  // Customers created above got their summary with them; the others concerned are refreshed.
  const { rows } = await client.query<{ customer_id: string }>(
    `select customer_id from import_upserted where customer_id not in (select id from import_created_customers)
     union
     select p.customer_id from import_previous p join import_upserted u on u.id = p.id where p.customer_id <> u.customer_id`,
  );
  await refreshCustomerStats(
    client,
    rows.map((row) => row.customer_id),
  );
  onStep('customer-stats');
  // Who the import touched is known only in bulk: the journey map re-places everyone (src/journey-map/changes.ts).
  await noteJourneyChanges(client, ws, { cause: 'import', customerIds: null });
}

export type WriteStep = 'customers' | 'products' | 'orders' | 'items' | 'customer-stats';

/**
 * Customers not yet known who have an order to store, with their email and phone when still
 * free, and their purchase summary: all their orders are in the file, so it is the summary
 * of the file's orders (as refreshCustomerStats would compute it), written with the profile
 * instead of updating every new profile once more. Their ids go to import_created_customers.
 *
 * Plain inserts (ON CONFLICT's speculative insertion costs a quarter more): the checks found
 * every identity taken or claimed twice, which is an error. Only when some orders are
 * rejected may a customer be created from another order with such an identity; then it is
 * skipped. A profile or identity stored meanwhile by someone else fails the import (a conflict).
 */
async function createCustomers(client: pg.ClientBase, ws: string, someRejected: boolean): Promise<void> {
  await client.query('create temp table import_created_customers (id bigint primary key) on commit drop');
  await client.query(
    `with summaries as (
       select customer_id,
              count(*) filter (where ${PURCHASE})::int as purchases,
              coalesce(sum(amount) filter (where ${PURCHASE}), 0) as total,
              min(ordered_at) filter (where ${PURCHASE}) as first_at,
              max(ordered_at) filter (where ${PURCHASE}) as last_at
         from import_orders where not rejected group by customer_id
     ), created as (
       insert into customers (workspace_id, external_id, name, name_kana, gender, birth_date, prefecture,
                              lifecycle, became_customer_at, purchase_count, purchase_total, first_purchase_at, last_purchase_at)
       select $1, n.customer_id, n.name, n.name_kana, n.gender, n.birth_date, n.prefecture,
              case when s.purchases > 0 then 'customer' else 'lead' end, s.first_at, s.purchases, s.total, s.first_at, s.last_at
         from import_new_customers n join summaries s using (customer_id)
        order by n.line
       returning id, external_id
     ), identities as (
       insert into customer_identities (workspace_id, customer_id, kind, value)
       select $1, c.id, k.kind, k.value
         from created c join import_new_customers n on n.customer_id = c.external_id
         cross join lateral (values ('email', n.email), ('phone', n.phone)) as k(kind, value)
        where k.value is not null
        order by n.line
       ${someRejected ? 'on conflict do nothing' : ''}
     )
     insert into import_created_customers select id from created`,
    [ws],
  );
}

const PURCHASE = purchaseCondition();

/** Products not yet known that a stored line uses (a rejected order's line may be the one naming it). */
async function createProducts(client: pg.ClientBase, ws: string, someRejected: boolean): Promise<void> {
  const used = someRejected ? `and n.sku in (select l.sku from import_order_lines l join import_orders o on o.order_id = l.order_id where not o.rejected)` : '';
  await client.query(
    `insert into products (workspace_id, sku, name, price)
     select $1, n.sku, n.product_name, n.unit_price from import_new_products n where true ${used} order by n.line
     on conflict (workspace_id, sku) do nothing`,
    [ws],
  );
}

/**
 * Updates the orders that exist and changed, inserts the new ones. Keeps which orders were
 * written (import_upserted) and who owned them before (import_previous: an order moved to
 * another customer changes both purchase summaries).
 *
 * New orders go in with a plain insert, in file order: ON CONFLICT's speculative insertion
 * cost a third more, and ids in file order let the items follow in primary-key order. An
 * import running at the same time that inserts the same order id first makes this one fail
 * on the unique key (importCsv reports it as a conflict) rather than overwrite it.
 */
async function upsertStagedOrders(client: pg.ClientBase, ws: string): Promise<void> {
  await client.query(
    `create temp table import_previous on commit drop as
     select o.id, o.external_id, o.customer_id
       from import_orders s cross join lateral ${knownRow('orders', 'external_id', 's.order_id')} k
       join orders o on o.id = k.id
      where not s.rejected`,
    [ws],
  );
  await client.query('analyze import_previous');
  await client.query('create temp table import_upserted (id bigint, external_id text collate "C", customer_id bigint, inserted boolean) on commit drop');
  const columns = [
    'customer_id',
    'ordered_at',
    'channel',
    'prefecture',
    'store',
    'status',
    'delivered_at',
    'subscription_external_id',
    'delivery_number',
    'amount',
    'item_count',
  ];
  const incoming = `c.id, s.ordered_at, s.channel, s.prefecture, s.store, s.status, s.delivered_at, s.subscription_id, s.delivery_number, s.amount, s.item_count`;
  await client.query(
    `with updated as (
       update orders o set (${columns.join(', ')}, updated_at) = (${incoming}, now())
         from import_orders s
         join import_previous p on p.external_id = s.order_id
         cross join lateral ${knownRow('customers', 'external_id', 's.customer_id')} c
        where o.id = p.id and not s.rejected
          and (${columns.map((f) => `o.${f}`).join(', ')}) is distinct from (${incoming})
       returning o.id, o.external_id, o.customer_id, false
     ), inserted as (
       insert into orders (workspace_id, external_id, ${columns.join(', ')})
       select $1, s.order_id, ${incoming}
         from import_orders s cross join lateral ${knownRow('customers', 'external_id', 's.customer_id')} c
        where not s.rejected and not exists (select 1 from import_previous p where p.external_id = s.order_id)
        order by s.head_line
       returning id, external_id, customer_id, true
     )
     insert into import_upserted select * from updated union all select * from inserted`,
    [ws],
  );
}

/** Items of the orders this import inserted: every well-formed line of theirs, numbered as the reader counted. */
async function insertItemsOfNewOrders(client: pg.ClientBase, ws: string): Promise<void> {
  await client.query(
    `insert into order_items (order_id, line_no, workspace_id, product_id, quantity, unit_price)
     select u.id, l.line_no, $1, p.id, l.quantity, l.unit_price
       from import_order_lines l
       join import_upserted u on u.external_id = l.order_id and u.inserted
       cross join lateral ${knownRow('products', 'sku', 'l.sku')} p
      order by u.id, l.line_no`,
    [ws],
  );
}

/**
 * An order that existed before keeps its items unless its lines differ from them (line
 * number, product, quantity, unit price); then they are replaced, as upsertOrders does.
 */
async function replaceChangedItems(client: pg.ClientBase, ws: string): Promise<void> {
  await client.query(
    `create temp table import_items on commit drop as
     select p.id as order_id, l.line_no, pr.id as product_id, l.quantity, l.unit_price
       from import_order_lines l
       join import_previous p on p.external_id = l.order_id
       cross join lateral ${knownRow('products', 'sku', 'l.sku')} pr`,
    [ws],
  );
  await client.query('analyze import_items');
  // Existing orders whose stored items differ from the incoming lines, matched on line number.
  await client.query(
    `create temp table import_replaced on commit drop as
     select distinct coalesce(i.order_id, k.order_id) as order_id
       from import_items i
       full join (select k.* from order_items k join import_previous p on p.id = k.order_id) k
         on k.order_id = i.order_id and k.line_no = i.line_no
      where i.order_id is null or k.order_id is null
         or (i.product_id, i.quantity, i.unit_price) is distinct from (k.product_id, k.quantity, k.unit_price)`,
  );
  await client.query('delete from order_items where order_id in (select order_id from import_replaced)');
  await client.query(
    `insert into order_items (order_id, line_no, workspace_id, product_id, quantity, unit_price)
     select i.order_id, i.line_no, $1, i.product_id, i.quantity, i.unit_price
       from import_items i join import_replaced r using (order_id)
      order by i.order_id, i.line_no`,
    [ws],
  );
}
