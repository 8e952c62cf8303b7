import type pg from 'pg';
import { refreshCustomerStats } from '../orders/customer-stats.ts';

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
  await createCustomers(client, ws);
  onStep('customers');
  await createProducts(client, ws, someRejected);
  onStep('products');
  await upsertStagedOrders(client, ws);
  // Statistics of the orders just written (ANALYZE counts this transaction's own rows, and
  // samples a bounded number): the items are joined to them next, and from the statistics of
  // before the import (a table thought small) the planner may pick a join quadratic in the
  // import's rows; a concurrent test run hung on one.
  await client.query('analyze orders, import_upserted, import_previous');
  onStep('orders');
  await replaceChangedItems(client, ws);
  onStep('items');
  const { rows } = await client.query<{ customer_id: string }>(
    `select customer_id from import_upserted
     union
     select p.customer_id from import_previous p join import_upserted u on u.id = p.id where p.customer_id <> u.customer_id`,
  );
  await refreshCustomerStats(client, rows.map((row) => row.customer_id));
  onStep('customer-stats');
}

export type WriteStep = 'customers' | 'products' | 'orders' | 'items' | 'customer-stats';

/** Customers not yet known who have an order to store, with their email and phone when still free. */
async function createCustomers(client: pg.ClientBase, ws: string): Promise<void> {
  await client.query(
    `with created as (
       insert into customers (workspace_id, external_id, name, name_kana, gender, birth_date, prefecture)
       select $1, n.customer_id, n.name, n.name_kana, n.gender, n.birth_date, n.prefecture
         from import_new_customers n
        where n.customer_id in (select customer_id from import_orders where not rejected)
        order by n.line
       on conflict (workspace_id, external_id) do nothing
       returning id, external_id
     )
     insert into customer_identities (workspace_id, customer_id, kind, value)
     select $1, c.id, k.kind, k.value
       from created c join import_new_customers n on n.customer_id = c.external_id
       cross join lateral (values ('email', n.email), ('phone', n.phone)) as k(kind, value)
      where k.value is not null
      order by n.line
     on conflict do nothing`,
    [ws],
  );
}

/** Products not yet known that a stored line uses (a rejected order's line may be the one naming it). */
async function createProducts(client: pg.ClientBase, ws: string, someRejected: boolean): Promise<void> {
  const used = someRejected
    ? `and n.sku in (select l.sku from import_order_lines l join import_orders o on o.order_id = l.order_id where not o.rejected)`
    : '';
  await client.query(
    `insert into products (workspace_id, sku, name, price)
     select $1, n.sku, n.product_name, n.unit_price from import_new_products n where true ${used} order by n.line
     on conflict (workspace_id, sku) do nothing`,
    [ws],
  );
}

/**
 * Inserts new orders and updates changed ones. Keeps which orders were written
 * (import_upserted) and who owned them before (import_previous: an order moved to another
 * customer changes both purchase summaries).
 */
async function upsertStagedOrders(client: pg.ClientBase, ws: string): Promise<void> {
  await client.query(
    `create temp table import_previous on commit drop as
     select o.id, o.customer_id from orders o
      where o.workspace_id = $1 and o.external_id in (select order_id from import_orders where not rejected)`,
    [ws],
  );
  await client.query('create temp table import_upserted (id bigint, customer_id bigint, inserted boolean) on commit drop');
  const columns = ['customer_id', 'ordered_at', 'channel', 'prefecture', 'store', 'status', 'delivered_at', 'amount', 'item_count'];
  await client.query(
    `with upserted as (
       insert into orders as o (workspace_id, external_id, ${columns.join(', ')})
       select $1, s.order_id, c.id, s.ordered_at, s.channel, s.prefecture, s.store, s.status, s.delivered_at, s.amount, s.item_count
         from import_orders s join customers c on c.workspace_id = $1 and c.external_id = s.customer_id
        where not s.rejected
       on conflict (workspace_id, external_id) do update set
         ${columns.map((f) => `${f} = excluded.${f}`).join(', ')}, updated_at = now()
       where (${columns.map((f) => `o.${f}`).join(', ')}) is distinct from (${columns.map((f) => `excluded.${f}`).join(', ')})
       returning o.id, o.customer_id, (o.xmax = 0) as inserted
     )
     insert into import_upserted select * from upserted`,
    [ws],
  );
}

/**
 * Items of new orders are inserted; an existing order's items are replaced only when its
 * lines differ from them (line number, product, quantity, unit price), as upsertOrders does.
 */
async function replaceChangedItems(client: pg.ClientBase, ws: string): Promise<void> {
  await client.query(
    `create temp table import_items on commit drop as
     select o.id as order_id, (row_number() over (partition by l.order_id order by l.line))::int as line_no,
            p.id as product_id, l.quantity, l.unit_price
       from import_order_lines l
       join import_orders s on s.order_id = l.order_id and not s.rejected
       join orders o on o.workspace_id = $1 and o.external_id = l.order_id
       join products p on p.workspace_id = $1 and p.sku = l.sku`,
    [ws],
  );
  await client.query('analyze import_items');
  // Existing orders whose stored items differ from the incoming lines, matched on line number.
  await client.query(
    `create temp table import_replaced on commit drop as
     select distinct coalesce(i.order_id, k.order_id) as order_id, false as fresh
       from (select i.* from import_items i join import_previous p on p.id = i.order_id) i
       full join (select k.* from order_items k join import_previous p on p.id = k.order_id) k
         on k.order_id = i.order_id and k.line_no = i.line_no
      where i.order_id is null or k.order_id is null
         or (i.product_id, i.quantity, i.unit_price) is distinct from (k.product_id, k.quantity, k.unit_price)
     union all
     select id, true from import_upserted where inserted`,
  );
  await client.query('delete from order_items where order_id in (select order_id from import_replaced where not fresh)');
  await client.query(
    `insert into order_items (order_id, line_no, workspace_id, product_id, quantity, unit_price)
     select i.order_id, i.line_no, $1, i.product_id, i.quantity, i.unit_price
       from import_items i join import_replaced r using (order_id)
      order by i.order_id, i.line_no`,
    [ws],
  );
}
