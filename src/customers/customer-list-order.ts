import { sql, type RawBuilder } from 'kysely';
import { KizunaError } from '../shared/errors.ts';

/**
 * The orders the customer list can be read in. Each sort but `registered` splits the list in
 * two parts: the profiles that have the key (a purchase; a predicted value in the last
 * customer value run), ordered by the key in the chosen direction with ties broken by id in
 * the same direction, then the profiles without it (leads, mostly), newest first. So buyers
 * come first whichever way the key is read, and "least spent" means least among buyers.
 */
export const CUSTOMER_SORTS = ['lastPurchase', 'totalSpend', 'clv', 'registered'] as const;
export type CustomerSort = (typeof CUSTOMER_SORTS)[number];
export const SORT_DIRECTIONS = ['desc', 'asc'] as const;
export type SortDirection = (typeof SORT_DIRECTIONS)[number];

export interface CustomerOrder {
  sort: CustomerSort;
  direction: SortDirection;
}

export type ListPart = 'keyed' | 'unkeyed';

/** Where a page stopped: the part, the last row's key (as PostgreSQL prints it) and its id. */
export interface ListPosition {
  part: ListPart;
  key: string | null;
  id: string;
}

/** How one sort reads in SQL. `c` is the customer row, `v` its customer_values row when joined. */
export interface SortSql {
  /** The key; null for `registered`, which is ordered by id alone. */
  key: RawBuilder<unknown> | null;
  /** The key's type, to read a cursor's text back exactly (timestamps keep their microseconds). */
  type: RawBuilder<unknown>;
  /** The id the ties are broken by (the column of the index that serves the sort). */
  id: RawBuilder<unknown>;
  /** Extra join of the keyed part. */
  join: RawBuilder<unknown>;
  /** Condition of the keyed part (it also names the partial index, migrations/0011), and of the unkeyed part; null: no unkeyed part. */
  keyed: RawBuilder<unknown>;
  unkeyed: RawBuilder<unknown> | null;
  /** The keyed part's condition on `c` alone (no join), to count it. */
  keyedExists: RawBuilder<unknown>;
}

const withoutValue = sql`not exists (select 1 from customer_values nv where nv.workspace_id = c.workspace_id and nv.customer_id = c.id)`;

/** The sorts by a purchase summary: buyers (who have one) first, then leads, on `c` alone. */
const BUYERS_FIRST = {
  id: sql`c.id`,
  join: sql``,
  keyed: sql`c.last_purchase_at is not null`,
  unkeyed: sql`c.last_purchase_at is null`,
  keyedExists: sql`c.last_purchase_at is not null`,
};

export function sortSql(sort: CustomerSort, workspaceId: string): SortSql {
  switch (sort) {
    case 'lastPurchase':
      return { key: sql`c.last_purchase_at`, type: sql`timestamptz`, ...BUYERS_FIRST };
    case 'totalSpend':
      return { key: sql`c.purchase_total`, type: sql`numeric`, ...BUYERS_FIRST };
    case 'clv':
      return {
        key: sql`v.clv`,
        type: sql`float8`,
        id: sql`v.customer_id`,
        join: sql`join customer_values v on v.workspace_id = ${workspaceId} and v.customer_id = c.id`,
        keyed: sql`v.workspace_id = ${workspaceId}`,
        unkeyed: withoutValue,
        keyedExists: sql`exists (select 1 from customer_values ev where ev.workspace_id = c.workspace_id and ev.customer_id = c.id)`,
      };
    case 'registered':
      return { key: null, type: sql`bigint`, id: sql`c.id`, join: sql``, keyed: sql`true`, unkeyed: null, keyedExists: sql`true` };
  }
}

/** `order by` of a part; the unkeyed part is always newest first. */
export function orderBySql(sorting: SortSql, part: ListPart, direction: SortDirection): RawBuilder<unknown> {
  if (part === 'unkeyed') return sql`c.id desc`;
  const dir = direction === 'desc' ? sql`desc` : sql`asc`;
  return sorting.key === null ? sql`${sorting.id} ${dir}` : sql`${sorting.key} ${dir}, ${sorting.id} ${dir}`;
}

/** The rows of a part after a position in it (keyset: the key, then the id, in the sort's direction). */
export function afterSql(sorting: SortSql, part: ListPart, direction: SortDirection, after: ListPosition): RawBuilder<unknown> {
  if (part === 'unkeyed' || sorting.key === null) {
    const below = part === 'unkeyed' || direction === 'desc';
    return below ? sql`c.id < ${after.id}::bigint` : sql`c.id > ${after.id}::bigint`;
  }
  const key = sql`cast(${after.key} as ${sorting.type})`;
  return direction === 'desc'
    ? sql`(${sorting.key}, ${sorting.id}) < (${key}, ${after.id}::bigint)`
    : sql`(${sorting.key}, ${sorting.id}) > (${key}, ${after.id}::bigint)`;
}

/** What a key looks like as PostgreSQL prints it, so a forged cursor is a 400, never a failed cast. */
const KEY_PATTERNS: Record<CustomerSort, RegExp | null> = {
  lastPurchase: /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2}){0,2}$/,
  totalSpend: /^-?\d{1,40}(\.\d{1,40})?$/,
  clv: /^-?(\d{1,20}(\.\d{1,20})?(e[+-]?\d{1,3})?|Infinity)$/,
  registered: null,
};

/** An opaque cursor: the order it was made for and the position, so it cannot be replayed on another order. */
export function encodeCursor(order: CustomerOrder, position: ListPosition): string {
  return Buffer.from(JSON.stringify([order.sort, order.direction, position.part, position.key, position.id])).toString('base64url');
}

export function decodeCursor(cursor: string, order: CustomerOrder): ListPosition {
  const invalid = () => new KizunaError('bad_request', 'The cursor is not valid for this order; start again from the first page.');
  let fields: unknown;
  try {
    fields = JSON.parse(Buffer.from(cursor, 'base64url').toString());
  } catch {
    throw invalid();
  }
  if (!Array.isArray(fields) || fields.length !== 5) throw invalid();
  const [sort, direction, part, key, id] = fields as unknown[];
  if (sort !== order.sort || direction !== order.direction || (part !== 'keyed' && part !== 'unkeyed')) throw invalid();
  if (typeof id !== 'string' || !/^\d{1,18}$/.test(id)) throw invalid();
  const pattern = part === 'keyed' ? KEY_PATTERNS[order.sort] : null;
  if (pattern ? typeof key !== 'string' || !pattern.test(key) : key !== null) throw invalid();
  return { part, key: key as string | null, id };
}
