import type pg from 'pg';
import type { MoveCause } from './model.ts';

/** The channel the reactor listens on; the payload is the workspace id. */
export const JOURNEY_CHANNEL = 'kizuna_journey';

/**
 * Queues customers to be re-placed on the journey map, in the writer's transaction: every
 * write that can change a fact calls this once (the ingest API's batches, imports,
 * subscription changes, events). The row becomes visible, and the notification is delivered,
 * only when the transaction commits; the reactor then re-places those customers
 * (src/journey-map/placement/reactor.ts). `customerIds` null: every customer of the workspace
 * (bulk writes that do not know whom they touched). `causeRefs`, parallel to `customerIds`:
 * what changed for each customer (the order's external id, the event's idempotency key, the
 * subscription's external id), recorded with the move it causes.
 */
export async function noteJourneyChanges(
  client: pg.ClientBase,
  workspaceId: string,
  change: { cause: MoveCause; customerIds: readonly string[] | null; causeRefs?: readonly (string | null)[] },
): Promise<void> {
  if (change.customerIds !== null && change.customerIds.length === 0) return;
  await client.query(
    `with queued as (
       insert into journey_changes (workspace_id, customer_ids, cause, cause_refs) values ($1, $2::bigint[], $3, $4::text[])
     )
     select pg_notify($5, $1::text)`,
    [workspaceId, change.customerIds, change.cause, change.causeRefs ?? null, JOURNEY_CHANNEL],
  );
}
