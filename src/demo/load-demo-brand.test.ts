import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { connectTestDatabase } from '../../test/support/database.ts';
import { KizunaError } from '../shared/errors.ts';
import { findWorkspace } from '../workspaces/workspaces.ts';
import { isDemoBrandLoaded, loadDemoBrand } from './load-demo-brand.ts';
import { workspaceDigest } from './workspace-digest.ts';

const database = connectTestDatabase();
afterAll(() => database.close());

describe('loadDemoBrand', () => {
  it('creates the workspace in Tokyo time and yen, refuses to load twice, and replaces on request', async () => {
    const workspaceName = `demo-${randomUUID().slice(0, 8)}`;
    expect(await isDemoBrandLoaded(database.db, workspaceName)).toBe(false);
    const first = await loadDemoBrand(database, { customers: 300, seed: 3, workspaceName });
    expect(await isDemoBrandLoaded(database.db, workspaceName)).toBe(true);
    expect(first.workspace).toMatchObject({ name: workspaceName, timezone: 'Asia/Tokyo', currency: 'JPY' });
    expect(first.customers).toBe(300);
    // The console names the brand, not the workspace.
    const named = await database.db.selectFrom('workspaces').select('display_name').where('name', '=', workspaceName).executeTakeFirstOrThrow();
    expect(named.display_name).toBe('みのり青汁本舗');
    const digest = await workspaceDigest(database.pool, first.workspace.id);

    const again = loadDemoBrand(database, { customers: 300, seed: 3, workspaceName });
    await expect(again).rejects.toBeInstanceOf(KizunaError);
    await expect(again).rejects.toMatchObject({ code: 'conflict' });
    expect(await workspaceDigest(database.pool, first.workspace.id)).toEqual(digest);

    const replaced = await loadDemoBrand(database, { customers: 200, seed: 4, workspaceName, replace: true });
    expect(replaced.workspace.id).toBe(first.workspace.id);
    const [counts] = (
      await database.pool.query(
        `select (select count(*) from customers where workspace_id = $1 and lifecycle = 'customer')::int as customers,
              (select count(*) from orders where workspace_id = $1)::int as orders,
              (select count(*) from events where workspace_id = $1)::int as events,
              (select count(*) from products where workspace_id = $1)::int as products`,
        [first.workspace.id],
      )
    ).rows;
    expect(counts).toEqual({ customers: 200, orders: replaced.rows.orders, events: replaced.rows.events, products: 6 });

    await loadDemoBrand(database, { customers: 300, seed: 3, workspaceName, replace: true });
    expect(await workspaceDigest(database.pool, first.workspace.id)).toEqual(digest);
  });

  it('removes a workspace it created when loading fails', async () => {
    const workspaceName = `demo-${randomUUID().slice(0, 8)}`;
    await expect(loadDemoBrand(database, { customers: 100, seed: 1, workspaceName, until: '2026-02-30' })).rejects.toMatchObject({ code: 'validation_failed' });
    await expect(findWorkspace(database.db, workspaceName)).rejects.toMatchObject({ code: 'not_found' });
  });
});
