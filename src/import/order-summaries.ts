import type pg from 'pg';
import { ORDER_HEADER_FIELDS } from './order-staging.ts';

/**
 * Summaries of the staged lines that the checks and the writes share, each made in one pass
 * (hash aggregates, no sort of the wide line rows):
 *
 * - import_orders: one row per order id: its first well-formed line (`head_line`) and the
 *   order fields from it, its line count, amount (Σ quantity × unit price) and item count,
 *   and `rejected` (set when one of its lines has an error).
 * - import_new_customers: customers the workspace does not know yet, with the customer
 *   columns of their first well-formed line, which creates them.
 * - import_new_products: product codes the catalogue does not know yet that a well-formed
 *   line names, with that first line's name and unit price (the list price).
 */
export async function summariseStagedLines(client: pg.ClientBase, workspaceId: string): Promise<void> {
  await client.query(
    `create temp table import_orders on commit drop as
     with totals as (
       select order_id, min(line) filter (where not bad) as head_line, count(*)::int as lines,
              sum(quantity * unit_price) as amount, sum(quantity)::int as item_count
         from import_order_lines where order_id is not null group by order_id
     )
     select t.*, ${ORDER_HEADER_FIELDS.map((f) => `h.${f}`).join(', ')}, false as rejected
       from totals t left join import_order_lines h on h.line = t.head_line`,
  );
  await client.query(
    `create temp table import_new_customers on commit drop as
     with firsts as (
       select customer_id, min(line) as line from import_order_lines
        where not bad and customer_id is not null group by customer_id
     )
     select f.customer_id, f.line, l.name, l.name_kana, l.gender, l.birth_date, l.prefecture, l.email, l.phone
       from firsts f join import_order_lines l on l.line = f.line
      where not exists (select 1 from customers c where c.workspace_id = $1 and c.external_id = f.customer_id)`,
    [workspaceId],
  );
  await client.query(
    `create temp table import_new_products on commit drop as
     with firsts as (
       select sku, min(line) as line from import_order_lines
        where not bad and product_name is not null group by sku
     )
     select f.sku, f.line, l.product_name, l.unit_price
       from firsts f join import_order_lines l on l.line = f.line
      where not exists (select 1 from products p where p.workspace_id = $1 and p.sku = f.sku)`,
    [workspaceId],
  );
  await client.query('analyze import_orders, import_new_customers, import_new_products');
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
