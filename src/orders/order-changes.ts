import type pg from 'pg';

/**
 * The version of a workspace's order data, for whoever keeps a copy of it (the analytics
 * engine's in-memory purchases). Every transaction that writes a workspace's orders, or the
 * profile fields the analyses read with them (first purchase, customer since), calls
 * `noteOrdersChanged` once; `ordersVersion` reads the version. See migrations/0006_order_changes.sql
 * for why (count, max id) of an insert-only log, and not a counter.
 */

/**
 * Records, in the caller's transaction, that the workspace's orders changed: those of
 * `customerIds` when the writer knows them (readers then reload only these customers), else
 * possibly any.
 */
export async function noteOrdersChanged(client: pg.ClientBase | pg.Pool, workspaceId: string, customerIds?: readonly string[]): Promise<void> {
  await client.query('insert into order_changes (workspace_id, customer_ids) values ($1, $2::bigint[])', [workspaceId, customerIds ?? null]);
}

/**
 * The changes committed since a reader's snapshot (`pg_current_snapshot()` as text, taken in
 * the transaction it loaded in), as this transaction sees them: the customers they name, or
 * null when one of them did not name its customers.
 */
export async function customersChangedSince(client: pg.ClientBase, workspaceId: string, snapshot: string): Promise<string[] | null> {
  const { rows } = await client.query<{ customer_ids: string[] | null; bulk: boolean }>(
    `select coalesce(array_agg(distinct c) filter (where c is not null), '{}')::text[] as customer_ids, bool_or(x.customer_ids is null) as bulk
       from order_changes x left join lateral unnest(x.customer_ids) c on true
      where x.workspace_id = $1 and not pg_visible_in_snapshot(x.xid, $2::pg_snapshot)`,
    [workspaceId, snapshot],
  );
  const row = rows[0]!;
  return row.bulk ? null : (row.customer_ids ?? []);
}

/** The workspace's order-data version: equal strings mean the same committed order data (for the same time zone). */
export interface OrdersVersion {
  version: string;
  timezone: string;
}

/** The version as the caller's snapshot sees it; null when there is no such workspace. */
export async function ordersVersion(client: pg.ClientBase | pg.Pool, workspaceId: string): Promise<OrdersVersion | null> {
  const { rows } = await client.query<{ timezone: string; changes: string; last: string | null }>(
    `select w.timezone, c.changes, c.last
       from workspaces w
       cross join lateral (select count(*)::text as changes, max(id)::text as last from order_changes where workspace_id = w.id) c
      where w.id = $1`,
    [workspaceId],
  );
  const row = rows[0];
  return row ? { version: `${row.changes}:${row.last ?? 0}`, timezone: row.timezone } : null;
}

/** Rows kept before the log of a workspace is compacted. */
const COMPACT_ABOVE = 1_000;

/** The insert-only version logs of the data others keep copies of: orders (0006) and subscriptions (0013). */
export type ChangeLog = 'order_changes' | 'subscription_changes';

/**
 * Deletes a workspace's log rows older than an hour but its newest, when there are many: the
 * version only has to change when data changes, and every reader that loaded under the old
 * rows reloads once. A transaction running longer than an hour could lose its own row's
 * effect on the count only if it wrote before and commits after this; the newest row is kept.
 * Without it, the count every analysis reads to check its version would grow with every write.
 */
export async function compactChangeLog(client: pg.ClientBase | pg.Pool, log: ChangeLog, workspaceId: string): Promise<void> {
  await client.query(
    `delete from ${log}
      where workspace_id = $1 and changed_at < now() - interval '1 hour'
        and id < (select max(id) from ${log} where workspace_id = $1)
        and (select count(*) from ${log} where workspace_id = $1) > $2`,
    [workspaceId, COMPACT_ABOVE],
  );
}

/** compactChangeLog of the order log. */
export function compactOrderChanges(client: pg.ClientBase | pg.Pool, workspaceId: string): Promise<void> {
  return compactChangeLog(client, 'order_changes', workspaceId);
}
