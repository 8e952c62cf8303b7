import type pg from 'pg';
import type { MoveCause } from '../model.ts';

/** Why a customer is re-placed: the cause and its reference (an order's, event's or subscription's external id). */
export interface PlacementCause {
  cause: MoveCause;
  ref: string | null;
}

/** The committed journey_changes of a workspace, taken off the queue. */
export interface PendingChanges {
  /** Rows taken. */
  rows: number;
  /** A row asked for every customer (customer_ids null): its cause (the latest such row's), else null. */
  everyone: PlacementCause | null;
  /** Per customer named by a row, the cause of the latest row naming them. */
  causes: Map<string, PlacementCause>;
  /** The ids of the rows taken. */
  ids: string[];
}

/**
 * Takes (marks drained, returning) the workspace's queued changes inside the caller's placing
 * transaction, under the workspace's placement lock: if the placement fails, the rows come
 * back with the rollback, so a crash loses nothing. Drained rows stay two days for the kept
 * facts of other processes (kept-facts.ts), which re-read the customers they name. Only committed rows are seen, and the
 * writes they announce committed with them, so facts read afterwards include those writes.
 */
export async function takePendingChanges(client: pg.ClientBase, workspaceId: string): Promise<PendingChanges> {
  const { rows } = await client.query<{ id: string; customer_ids: string[] | null; cause: MoveCause; cause_refs: (string | null)[] | null }>(
    `update journey_changes set drained_at = now() where workspace_id = $1 and drained_at is null
     returning id, customer_ids, cause, cause_refs`,
    [workspaceId],
  );
  rows.sort((a, b) => Number(a.id) - Number(b.id));
  let everyone: PlacementCause | null = null;
  const causes = new Map<string, PlacementCause>();
  for (const row of rows) {
    if (row.customer_ids === null) {
      everyone = { cause: row.cause, ref: null };
      continue;
    }
    row.customer_ids.forEach((customerId, i) => {
      causes.delete(customerId);
      causes.set(customerId, { cause: row.cause, ref: row.cause_refs?.[i] ?? null });
    });
  }
  return { rows: rows.length, everyone, causes, ids: rows.map((row) => row.id) };
}

/** Records that the drain of rows `ids` also refreshed the kept facts of process `keeper` (which need not re-read them). */
export async function markKeptRefreshed(client: pg.ClientBase, ids: readonly string[], keeper: string): Promise<void> {
  if (ids.length === 0) return;
  await client.query('update journey_changes set drained_by = $2 where id = any($1::bigint[])', [ids, keeper]);
}

/** Deletes the workspace's rows drained more than two days ago (no kept facts are that old: kept-facts.ts reloads older ones). */
export async function purgeDrainedChanges(client: pg.ClientBase, workspaceId: string): Promise<void> {
  await client.query(`delete from journey_changes where workspace_id = $1 and drained_at < now() - interval '2 days'`, [workspaceId]);
}
