import type pg from 'pg';
import type { z } from 'zod';
import type { ImportError } from './import-report.ts';
import { ORDER_HEADER_FIELDS } from './order-staging.ts';

/**
 * The checks an order file needs beyond each line's own cells, as SQL over the staged lines
 * (import_order_lines): lines of one order that disagree on the order's fields, orders with
 * more items than an order may have, product codes neither known nor named anywhere in the
 * file, and identities of new customers that belong to someone else. Errors name the field's
 * CSV column; the cell's text is filled in afterwards from the file.
 */
export async function checkStagedOrders(params: {
  client: pg.ClientBase;
  workspaceId: string;
  /** The order schema's items array: it decides how many items an order may have. */
  itemsSchema: z.ZodType;
  columnOf: (field: string) => string | null;
}): Promise<{ orders: number; errors: ImportError[] }> {
  const { client, workspaceId, itemsSchema, columnOf } = params;
  const error = (line: number, field: string | null, reason: string): ImportError =>
    ({ line, column: field === null ? null : columnOf(field), value: null, reason });
  const sizes = await countOrderSizes(client);
  const orders = sizes.reduce((sum, size) => sum + size.orders, 0);
  const errors = [
    ...(await findDisagreements(client)).flatMap((row) => row.fields.map((field) =>
      error(row.line, field, `${field} differs from line ${row.first_line}, the first line of order "${row.order_id}"`))),
    ...(await findOversizedOrders(client, itemsSchema, sizes)).map((row) =>
      error(row.line, 'order_id', `order "${row.order_id}" has ${row.items} item lines: ${row.reason}`)),
    ...(await findUnknownProducts(client, workspaceId)).map((row) =>
      error(row.line, 'sku', `unknown product code "${row.sku}": not in the catalogue, and no line of the file names it (give a product name to create it)`)),
    ...(await findIdentityConflicts(client, workspaceId)).map((row) => error(row.line, row.kind, row.owner
      ? `${row.kind} "${row.value}" already belongs to customer ${row.owner}`
      : `${row.kind} "${row.value}" is also given to customer ${row.first_claimant} on an earlier line`)),
  ];
  return { orders, errors };
}

/** How many orders have each number of item lines (an order file has few distinct sizes). */
async function countOrderSizes(client: pg.ClientBase) {
  const { rows } = await client.query<{ items: number; orders: number }>(
    `select items, count(*)::int as orders
       from (select count(*)::int as items from import_order_lines where order_id is not null group by order_id) o
      group by items`,
  );
  return rows;
}

async function findDisagreements(client: pg.ClientBase) {
  const differs = ORDER_HEADER_FIELDS.map((f) => `case when l.${f} is distinct from f.${f} then '${f}' end`).join(', ');
  const { rows } = await client.query<{ line: number; first_line: number; order_id: string; fields: string[] }>(
    `with first_lines as (
       select distinct on (order_id) * from import_order_lines where not bad order by order_id, line
     )
     select l.line, f.line as first_line, l.order_id, array_remove(array[${differs}], null) as fields
       from import_order_lines l join first_lines f on f.order_id = l.order_id
      where not l.bad and l.line <> f.line
        and (${ORDER_HEADER_FIELDS.map((f) => `l.${f}`).join(', ')}) is distinct from (${ORDER_HEADER_FIELDS.map((f) => `f.${f}`).join(', ')})`,
  );
  return rows;
}

/** The schema judges each distinct item count once, then the orders with a refused count are listed. */
async function findOversizedOrders(client: pg.ClientBase, itemsSchema: z.ZodType, counts: { items: number }[]) {
  const stub = { sku: 'x', quantity: 1, unit_price: '0' };
  const refused = new Map<number, string>();
  for (const { items } of counts) {
    const outcome = itemsSchema.safeParse(Array.from({ length: items }, () => stub));
    if (!outcome.success) refused.set(items, outcome.error.issues[0]?.message ?? 'too many items');
  }
  if (refused.size === 0) return [];
  const { rows } = await client.query<{ line: number; order_id: string; items: number }>(
    `select min(line) as line, order_id, count(*)::int as items from import_order_lines
      where order_id is not null group by order_id having count(*) = any($1::int[]) order by 1`,
    [[...refused.keys()]],
  );
  return rows.map((row) => ({ ...row, reason: refused.get(row.items)! }));
}

/** Well-formed lines whose product code is not in the catalogue and is named by no well-formed line. */
async function findUnknownProducts(client: pg.ClientBase, workspaceId: string) {
  const { rows } = await client.query<{ line: number; sku: string }>(
    `select l.line, l.sku from import_order_lines l
      where not l.bad and l.product_name is null
        and not exists (select 1 from products p where p.workspace_id = $1 and p.sku = l.sku)
        and not exists (select 1 from import_order_lines n where n.sku = l.sku and n.product_name is not null and not n.bad)`,
    [workspaceId],
  );
  return rows;
}

/**
 * A customer not yet known is created from their first well-formed line. Its email or phone
 * must not already belong to another profile, nor be claimed by another new customer on an
 * earlier line: that would merge two people (as findIdentityConflicts refuses for customer files).
 */
async function findIdentityConflicts(client: pg.ClientBase, workspaceId: string) {
  const { rows } = await client.query<{ line: number; kind: 'email' | 'phone'; value: string; owner: string | null; first_claimant: string }>(
    `with first_lines as (
       select distinct on (customer_id) customer_id, line, email, phone
         from import_order_lines where not bad order by customer_id, line
     ), claims as (
       select f.customer_id, f.line, k.kind, k.value
         from first_lines f cross join lateral (values ('email', f.email), ('phone', f.phone)) as k(kind, value)
        where k.value is not null
          and not exists (select 1 from customers c where c.workspace_id = $1 and c.external_id = f.customer_id)
     ), ranked as (
       select c.*, first_value(c.customer_id) over (partition by c.kind, c.value order by c.line) as first_claimant from claims c
     )
     select r.line, r.kind, r.value, o.external_id as owner, r.first_claimant
       from ranked r
       left join customer_identities i on i.workspace_id = $1 and i.kind = r.kind and i.value = r.value
       left join customers o on o.id = i.customer_id
      where o.external_id is not null or r.first_claimant <> r.customer_id
      order by r.line`,
    [workspaceId],
  );
  return rows;
}
