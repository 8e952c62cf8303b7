import type pg from 'pg';
import type { z } from 'zod';
import type { ReasonCode, ReasonParams } from '../shared/reasons.ts';
import type { ImportError } from './import-report.ts';
import { agreedOrderFields, type OrderTimeRule } from './order-staging.ts';
import { knownRow } from './order-summaries.ts';

/**
 * The checks an order file needs beyond each line's own cells, as SQL over the staged lines
 * and their summaries (order-summaries.ts): lines of one order that disagree on the order's
 * fields, orders with more items than an order may have, product codes neither known nor
 * named anywhere in the file, and identities of new customers that belong to someone else.
 * Errors name the field's CSV column; the cell's text is filled in afterwards from the file.
 */
export async function checkStagedOrders(params: {
  client: pg.ClientBase;
  workspaceId: string;
  /** The order schema's items array: it decides how many items an order may have. */
  itemsSchema: z.ZodType;
  columnOf: (field: string) => string | null;
  /** Whether the lines of an order must agree on its time (see OrderTimeRule). */
  orderTime: OrderTimeRule;
}): Promise<{ orders: number; errors: ImportError[] }> {
  const { client, workspaceId, itemsSchema, columnOf, orderTime } = params;
  const error = (line: number, field: string | null, reason: string, code?: ReasonCode, params?: ReasonParams): ImportError => ({
    line,
    column: field === null ? null : columnOf(field),
    value: null,
    reason,
    ...(code ? { code } : {}),
    ...(params ? { params } : {}),
  });
  const sizes = await countOrderSizes(client);
  const orders = sizes.reduce((sum, size) => sum + size.orders, 0);
  const errors = [
    ...(await findDisagreements(client, agreedOrderFields(orderTime))).flatMap((row) =>
      row.fields.map((field) =>
        field === 'ordered_at'
          ? error(
              row.line,
              field,
              `${field} differs from line ${row.head_line}, the first line of order "${row.order_id}"; ` +
                "if the export stamps each line as it was keyed, import with --order-time earliest (HTTP: orderTime=earliest) to give the order its earliest line's time",
              'order_time_differs',
              { line: row.head_line, order: row.order_id },
            )
          : error(row.line, field, `${field} differs from line ${row.head_line}, the first line of order "${row.order_id}"`, 'order_lines_disagree', {
              line: row.head_line,
              order: row.order_id,
            }),
      ),
    ),
    ...(await findOversizedOrders(client, itemsSchema, sizes)).map((row) =>
      error(row.line, 'order_id', `order "${row.order_id}" has ${row.lines} item lines: ${row.reason}`),
    ),
    ...(await findUnknownProducts(client, workspaceId)).map((row) =>
      error(
        row.line,
        'sku',
        `unknown product code "${row.sku}": not in the catalogue, and no line of the file names it (give a product name to create it)`,
        'unknown_product',
      ),
    ),
    ...(await findIdentityConflicts(client, workspaceId)).map((row) =>
      error(
        row.line,
        row.kind,
        row.owner
          ? `${row.kind} "${row.value}" already belongs to customer ${row.owner}`
          : `${row.kind} "${row.value}" is also given to customer ${row.first_claimant} on an earlier line`,
        'identity_taken',
      ),
    ),
  ];
  return { orders, errors };
}

/** How many orders have each number of item lines (an order file has few distinct sizes). */
async function countOrderSizes(client: pg.ClientBase) {
  const { rows } = await client.query<{ lines: number; orders: number }>('select lines, count(*)::int as orders from import_orders group by lines');
  return rows;
}

async function findDisagreements(client: pg.ClientBase, fields: readonly string[]) {
  const differs = fields.map((f) => `case when l.${f} is distinct from o.${f} then '${f}' end`).join(', ');
  const { rows } = await client.query<{ line: number; head_line: number; order_id: string; fields: string[] }>(
    `select l.line, o.head_line, l.order_id, array_remove(array[${differs}], null) as fields
       from import_order_lines l join import_orders o on o.order_id = l.order_id
      where not l.bad and not l.agrees
        and (${fields.map((f) => `l.${f}`).join(', ')}) is distinct from (${fields.map((f) => `o.${f}`).join(', ')})`,
  );
  return rows;
}

/** The schema judges each distinct item count once, then the orders with a refused count are listed. */
async function findOversizedOrders(client: pg.ClientBase, itemsSchema: z.ZodType, sizes: { lines: number }[]) {
  const stub = { sku: 'x', quantity: 1, unit_price: '0' };
  const refused = new Map<number, string>();
  for (const { lines } of sizes) {
    const outcome = itemsSchema.safeParse(Array.from({ length: lines }, () => stub));
    if (!outcome.success) refused.set(lines, outcome.error.issues[0]?.message ?? 'too many items');
  }
  if (refused.size === 0) return [];
  const { rows } = await client.query<{ line: number; order_id: string; lines: number }>(
    `select coalesce(head_line, (select min(line) from import_order_lines l where l.order_id = o.order_id)) as line, order_id, lines
       from import_orders o where lines = any($1::int[]) order by 1`,
    [[...refused.keys()]],
  );
  return rows.map((row) => ({ ...row, reason: refused.get(row.lines)! }));
}

/**
 * Well-formed lines whose product code is not in the catalogue and is named by no well-formed
 * line. The catalogue is probed once per distinct code (see knownRow), not once per line.
 */
async function findUnknownProducts(client: pg.ClientBase, workspaceId: string) {
  const { rows } = await client.query<{ line: number; sku: string }>(
    `with codes as (
       select distinct sku from import_order_lines where not bad and product_name is null
     ), unknown as (
       select s.sku from codes s left join lateral ${knownRow('products', 'sku', 's.sku')} p on true
        where p.known is null and not exists (select 1 from import_new_products n where n.sku = s.sku)
     )
     select l.line, l.sku from import_order_lines l join unknown u on u.sku = l.sku
      where not l.bad and l.product_name is null`,
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
    `with claims as (
       select n.customer_id, n.line, k.kind, k.value
         from import_new_customers n cross join lateral (values ('email', n.email), ('phone', n.phone)) as k(kind, value)
        where k.value is not null
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
