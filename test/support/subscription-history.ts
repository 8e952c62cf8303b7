import type pg from 'pg';
import type { Workspace } from '../../src/workspaces/workspaces.ts';

/** One subscription of a fixture: whose (customer id), and its status changes in order (wall-clock times in the workspace's zone). */
export interface FixtureSubscription {
  customerId: string;
  /** The 定期番号; default S<n>. */
  externalId?: string;
  /** e.g. [{ status: 'active', at: '2024-01-05 10:00' }, { status: 'paused', at: '2024-03-01 09:00' }]; the first is the start. */
  changes: readonly { status: 'active' | 'paused' | 'cancelled'; at: string }[];
}

/**
 * Writes subscriptions with their status history straight into the tables (monthly course,
 * deliveries 0), and one row of the version log, as every writer of subscriptions does: the
 * analyses only read the history, and the writers of the subscriptions' own domain are tested
 * beside it.
 */
export async function addSubscriptionHistory(pool: pg.Pool, workspace: Workspace, subscriptions: readonly FixtureSubscription[]): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    let n = 0;
    for (const subscription of subscriptions) {
      n++;
      const changes = subscription.changes;
      const last = changes.at(-1)!;
      const at = (text: string) => `(${pgLiteral(text)}::timestamp at time zone ${pgLiteral(workspace.timezone)})`;
      const {
        rows: [row],
      } = await client.query<{ id: string }>(
        `insert into subscriptions (workspace_id, external_id, customer_id, cycle_unit, cycle_every, status, status_changed_at, started_at, cancelled_at)
         values ($1, $2, $3, 'months', 1, $4, ${at(last.at)}, ${at(changes[0]!.at)}, ${last.status === 'cancelled' ? at(last.at) : 'null'})
         returning id`,
        [workspace.id, subscription.externalId ?? `S${String(n).padStart(4, '0')}-${subscription.customerId}`, subscription.customerId, last.status],
      );
      for (const change of changes) {
        await client.query(
          `insert into subscription_status_changes (workspace_id, subscription_id, customer_id, status, changed_at, actor) values ($1, $2, $3, $4, ${at(change.at)}, 'fixture')`,
          [workspace.id, row!.id, subscription.customerId, change.status],
        );
      }
    }
    await client.query('insert into subscription_changes (workspace_id) values ($1)', [workspace.id]);
    await client.query('commit');
  } catch (error) {
    await client.query('rollback');
    throw error;
  } finally {
    client.release();
  }
}

function pgLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}
