import type pg from 'pg';
import { compareKeys } from '../db/lock-order.ts';

/**
 * Ids of the profiles with these external ids, creating a bare profile for each one not yet
 * known (an order or event may arrive before the customer record). New profiles start as
 * leads; writing their purchases makes them customers.
 */
export async function resolveCustomerIds(client: pg.ClientBase, workspaceId: string, externalIds: Iterable<string>): Promise<Map<string, string>> {
  const wanted = [...new Set(externalIds)];
  const ids = new Map<string, string>();
  if (wanted.length === 0) return ids;
  const found = await client.query<{ id: string; external_id: string }>(
    'select id, external_id from customers where workspace_id = $1 and external_id = any($2::text[])',
    [workspaceId, wanted],
  );
  for (const row of found.rows) ids.set(row.external_id, row.id);
  // Created in key order, so batches creating the same customers never deadlock (db/lock-order.ts).
  const missing = wanted.filter((id) => !ids.has(id)).sort(compareKeys);
  if (missing.length > 0) {
    const created = await client.query<{ id: string; external_id: string }>(
      `insert into customers (workspace_id, external_id)
       select $1, external_id from unnest($2::text[]) as external_id
       on conflict (workspace_id, external_id) do update set external_id = excluded.external_id
       returning id, external_id`,
      [workspaceId, missing],
    );
    for (const row of created.rows) ids.set(row.external_id, row.id);
  }
  return ids;
}
