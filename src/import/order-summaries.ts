import type pg from 'pg';
import { ORDER_HEADER_FIELDS, type OrderTimeRule } from './order-staging.ts';

/**
 * Summaries of the staged lines that the checks and the writes share, each made in one pass
 * over them (a hash aggregate or a filtered scan; no sort, no self-join of the wide line
 * rows: the reader marked each order's and each customer's first well-formed line):
 *
 * - import_orders: one row per order id: its first well-formed line (`head_line`) and the
 *   order fields from it (the order time, under the `earliest` rule, the earliest of its
 *   well-formed lines'), its line count, amount (Σ quantity × unit price) and item count,
 *   and `rejected` (set when one of its lines has an error).
 * - import_new_customers: customers the workspace does not know yet, with the customer
 *   columns of their first well-formed line, which creates them.
 * - import_new_products: product codes the catalogue does not know yet that a well-formed
 *   line names, with that first line's name and unit price (the list price).
 */
export async function summariseStagedLines(client: pg.ClientBase, workspaceId: string, orderTime: OrderTimeRule): Promise<void> {
  // The order's fields are those of its head line, the only one an aggregate sees per order.
  // Temporary tables are never analysed by autovacuum: the staged lines' statistics, for the plans below.
  await client.query('analyze import_order_lines');
  const fieldOfOrder = (field: string) =>
    field === 'ordered_at' && orderTime === 'earliest' ? `min(${field}) filter (where not bad) as ${field}` : `min(${field}) filter (where head) as ${field}`;
  await client.query(
    `create temp table import_orders on commit drop as
     select order_id, min(line) filter (where head) as head_line, count(*)::int as lines,
            sum(quantity * unit_price) as amount, sum(quantity)::int as item_count,
            ${ORDER_HEADER_FIELDS.map(fieldOfOrder).join(', ')}, false as rejected
       from import_order_lines where order_id is not null group by order_id`,
  );
  await client.query(
    `create temp table import_new_customers on commit drop as
     select l.customer_id, l.line, l.name, l.name_kana, l.gender, l.birth_date, l.prefecture, l.email, l.phone
       from import_order_lines l
       left join lateral ${knownRow('customers', 'external_id', 'l.customer_id')} c on true
      where l.first_of_customer and c.known is null`,
    [workspaceId],
  );
  // A product name is staged on the first well-formed line that names the code only.
  await client.query(
    `create temp table import_new_products on commit drop as
     select l.sku, l.line, l.product_name, l.unit_price
       from import_order_lines l
       left join lateral ${knownRow('products', 'sku', 'l.sku')} p on true
      where not l.bad and l.product_name is not null and p.known is null`,
    [workspaceId],
  );
  await client.query('analyze import_orders, import_new_customers, import_new_products');
}

/**
 * A lookup of the workspace's row with this key (`$1` is the workspace), for `left join
 * lateral … on true`: `known` is null when there is none. The LIMIT keeps the planner from
 * flattening it into a join it would plan from the statistics: one probe of the unique
 * (workspace_id, key) index per staged row, whatever the statistics say. With a plain NOT
 * EXISTS, statistics from before a workspace's first import (no rows for it) made a
 * re-import scan all its customers once per new line: a nested loop quadratic in the file
 * (300,000 lines: 11 s the first time, 11 min the second).
 */
export function knownRow(table: 'customers' | 'products' | 'orders', key: string, value: string): string {
  return `(select true as known, id from ${table} k where k.workspace_id = $1 and k.${key} = ${value} limit 1)`;
}

/**
 * Rejects the orders of these error lines. Returns how many lines are rejected: lines with
 * an error (with or without an order id) and every line of a rejected order.
 */
export async function rejectOrdersOfLines(client: pg.ClientBase, lines: readonly number[]): Promise<number> {
  await client.query(
    `update import_orders set rejected = true
      where order_id in (select order_id from import_order_lines where line = any($1::int[]) and order_id is not null)`,
    [lines],
  );
  const { rows } = await client.query<{ count: string }>(
    `select count(*) from import_order_lines l
      where l.bad or l.order_id in (select order_id from import_orders where rejected)`,
  );
  return Number(rows[0]!.count);
}

/** The lines of rejected orders, with the order's first error line (one of `errorLines`). */
export async function linesOfRejectedOrders(client: pg.ClientBase, errorLines: readonly number[]) {
  const { rows } = await client.query<{ line: number; order_id: string; error_line: number }>(
    `with rejected as (
       select order_id, min(line) as error_line from import_order_lines
        where line = any($1::int[]) and order_id is not null group by order_id
     )
     select l.line, l.order_id, r.error_line from import_order_lines l join rejected r using (order_id)`,
    [errorLines],
  );
  return rows;
}
