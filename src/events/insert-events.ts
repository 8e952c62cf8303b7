import type pg from 'pg';
import { resolveCustomerIds } from '../customers/resolve-customers.ts';
import { inKeyOrder } from '../db/lock-order.ts';
import type { EventRecord } from './event-record.ts';

/**
 * Appends behavioural events. An event whose idempotency key the workspace already holds is
 * skipped, so retries and re-sent batches store each event once. Events of unknown customers
 * create a lead profile. Returns how many events were new, and the profile id of each
 * customer external id the batch named (for the writers' journey-map hook).
 */
export async function insertEvents(
  client: pg.ClientBase,
  workspaceId: string,
  batch: readonly EventRecord[],
): Promise<{ inserted: number; customerIds: Map<string, string> }> {
  if (batch.length === 0) return { inserted: 0, customerIds: new Map() };
  // Inserted in key order, so batches re-sending the same events never deadlock (db/lock-order.ts).
  const records = inKeyOrder(batch, (r) => r.idempotency_key);
  const customerIds = await resolveCustomerIds(
    client,
    workspaceId,
    records.map((r) => r.customer_id),
  );
  const result = await client.query(
    `insert into events (workspace_id, customer_id, type, occurred_at, properties, idempotency_key)
     select $1, e.customer_id, e.type, e.occurred_at, e.properties, e.idempotency_key
       from unnest($2::bigint[], $3::text[], $4::timestamptz[], $5::jsonb[], $6::text[])
         as e(customer_id, type, occurred_at, properties, idempotency_key)
     on conflict (workspace_id, idempotency_key) do nothing`,
    [
      workspaceId,
      records.map((r) => customerIds.get(r.customer_id)!),
      records.map((r) => r.type),
      records.map((r) => r.occurred_at.toISOString()),
      records.map((r) => JSON.stringify(r.properties ?? {})),
      records.map((r) => r.idempotency_key),
    ],
  );
  return { inserted: result.rowCount ?? 0, customerIds };
}
