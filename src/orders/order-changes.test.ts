import { afterAll, describe, expect, it } from 'vitest';
import { connectTestDatabase, freshWorkspace, withTransaction } from '../../test/support/database.ts';
import { loadSubscribedCustomers, subscriptionsVersion } from '../analytics/engine/subscribed-customers.ts';
import { compactOrderChanges, customersChangedSince, noteOrdersChanged, ordersVersion } from './order-changes.ts';

const database = connectTestDatabase();
const { pool } = database;
afterAll(() => database.close());

describe('order changes', () => {
  it('moves the version on each committed change, not on a rolled-back one', async () => {
    const workspace = await freshWorkspace(database);
    const start = await ordersVersion(pool, workspace.id);
    await withTransaction(pool, (client) => noteOrdersChanged(client, workspace.id, ['1']));
    const after = await ordersVersion(pool, workspace.id);
    expect(after!.version).not.toBe(start!.version);
    await expect(
      withTransaction(pool, async (client) => {
        await noteOrdersChanged(client, workspace.id);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect((await ordersVersion(pool, workspace.id))!.version).toBe(after!.version);
    expect(await ordersVersion(pool, '999999999')).toBeNull();
  });

  it('names the customers changed since a snapshot, or null when a bulk write is among the changes', async () => {
    const workspace = await freshWorkspace(database);
    const client = await pool.connect();
    try {
      const snapshot = (await client.query<{ snapshot: string }>('select pg_current_snapshot()::text as snapshot')).rows[0]!.snapshot;
      await noteOrdersChanged(pool, workspace.id, ['5', '7']);
      await noteOrdersChanged(pool, workspace.id, ['7', '9']);
      expect((await customersChangedSince(client, workspace.id, snapshot))!.sort()).toEqual(['5', '7', '9']);
      await noteOrdersChanged(pool, workspace.id);
      expect(await customersChangedSince(client, workspace.id, snapshot)).toBeNull();
      const now = (await client.query<{ now: string }>('select pg_current_snapshot()::text as now')).rows[0]!.now;
      expect(await customersChangedSince(client, workspace.id, now)).toEqual([]);
    } finally {
      client.release();
    }
  });

  it('compacts a long log to its newest row, keeping the last hour', async () => {
    const workspace = await freshWorkspace(database);
    await pool.query(`insert into order_changes (workspace_id, changed_at) select $1, now() - interval '2 hours' from generate_series(1, 1100)`, [
      workspace.id,
    ]);
    await noteOrdersChanged(pool, workspace.id);
    await noteOrdersChanged(pool, workspace.id);
    await compactOrderChanges(pool, workspace.id);
    const { rows } = await pool.query<{ count: number }>('select count(*)::int as count from order_changes where workspace_id = $1', [workspace.id]);
    expect(rows[0]!.count).toBe(2);
    // A short log is left alone.
    await compactOrderChanges(pool, workspace.id);
    expect((await pool.query('select 1 from order_changes where workspace_id = $1', [workspace.id])).rowCount).toBe(2);
  });

  it('compacts the subscription log the same way when the engine loads who is subscribed, keeping its version moving', async () => {
    const workspace = await freshWorkspace(database);
    await pool.query(`insert into subscription_changes (workspace_id, changed_at) select $1, now() - interval '2 hours' from generate_series(1, 1100)`, [
      workspace.id,
    ]);
    await pool.query('insert into subscription_changes (workspace_id) values ($1), ($1)', [workspace.id]);
    const before = await subscriptionsVersion(pool, workspace.id);
    const loaded = await loadSubscribedCustomers(pool, workspace.id, workspace.timezone);
    const { rows } = await pool.query<{ count: number }>('select count(*)::int as count from subscription_changes where workspace_id = $1', [workspace.id]);
    expect(rows[0]!.count).toBe(2);
    expect(loaded.version).toBe(await subscriptionsVersion(pool, workspace.id));
    expect(loaded.version).not.toBe(before);
  });
});
