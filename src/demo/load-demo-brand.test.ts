import { readAnalyticsSettings, setAnalyticsSettings } from '../analytics/settings.ts';
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { connectTestDatabase } from '../../test/support/database.ts';
import { fixedClock } from '../shared/clock.ts';
import { KizunaError } from '../shared/errors.ts';
import { readActiveJourneyMap, saveJourneyMap } from '../journey-map/maps.ts';
import { findWorkspace } from '../workspaces/workspaces.ts';
import { demoJourneyMap } from './demo-journey-map.ts';
import { DEMO_GROSS_MARGIN, isDemoBrandLoaded, loadDemoBrand } from './load-demo-brand.ts';
import { workspaceDigest } from './workspace-digest.ts';

const database = connectTestDatabase();
afterAll(() => database.close());

const clock = fixedClock('2026-11-01T10:00:00+09:00');

describe('loadDemoBrand', () => {
  it('creates the workspace in Tokyo time and yen, refuses to load twice, and replaces on request', async () => {
    const workspaceName = `demo-${randomUUID().slice(0, 8)}`;
    expect(await isDemoBrandLoaded(database.db, workspaceName)).toBe(false);
    // The past year of the journey map is replayed once below (replaced); the other loads place it as of now only.
    const first = await loadDemoBrand(database, { customers: 300, seed: 3, clock, workspaceName, journeyHistory: false });
    expect(await isDemoBrandLoaded(database.db, workspaceName)).toBe(true);
    expect(first.workspace).toMatchObject({ name: workspaceName, timezone: 'Asia/Tokyo', currency: 'JPY' });
    expect(first.customers).toBe(300);
    // The console names the brand, not the workspace.
    const named = await database.db.selectFrom('workspaces').select('display_name').where('name', '=', workspaceName).executeTakeFirstOrThrow();
    expect(named.display_name).toBe('みのり青汁本舗');
    // The brand's gross margin is its setting, shown beside every CLV; one the user changed survives a reload.
    expect(await readAnalyticsSettings({ pool: database.pool, workspaceId: first.workspace.id })).toMatchObject({ clvMargin: DEMO_GROSS_MARGIN });
    await setAnalyticsSettings({ pool: database.pool, workspaceId: first.workspace.id, changes: { clvMargin: 0.5 } });
    // The demo's journey map is the active map, saved by the demo; a map the user then saves survives a reload.
    expect(await readActiveJourneyMap({ pool: database.pool, workspaceId: first.workspace.id })).toMatchObject({ version: 1, changedBy: 'demo' });
    const edited = { ...demoJourneyMap(), name: 'ワークショップ第2回' };
    await saveJourneyMap({ pool: database.pool, workspaceId: first.workspace.id, input: edited, actor: { kind: 'system', label: 'test' }, clock });
    const digest = await workspaceDigest(database.pool, first.workspace.id);

    const again = loadDemoBrand(database, { customers: 300, seed: 3, clock, workspaceName, journeyHistory: false });
    await expect(again).rejects.toBeInstanceOf(KizunaError);
    await expect(again).rejects.toMatchObject({ code: 'conflict' });
    expect(await workspaceDigest(database.pool, first.workspace.id)).toEqual(digest);

    const replaced = await loadDemoBrand(database, { customers: 200, seed: 4, clock, workspaceName, replace: true });
    expect(replaced.workspace.id).toBe(first.workspace.id);
    expect(await readAnalyticsSettings({ pool: database.pool, workspaceId: first.workspace.id })).toMatchObject({ clvMargin: 0.5 });
    expect(replaced.journey).toMatchObject({ saved: false, steps: 53 });
    expect((await readActiveJourneyMap({ pool: database.pool, workspaceId: first.workspace.id }))?.map).toEqual(edited);
    const [counts] = (
      await database.pool.query(
        `select (select count(*) from customers where workspace_id = $1 and lifecycle = 'customer')::int as customers,
              (select count(*) from orders where workspace_id = $1)::int as orders,
              (select count(*) from subscriptions where workspace_id = $1)::int as subscriptions,
              (select count(*) from events where workspace_id = $1)::int as events,
              (select count(*) from products where workspace_id = $1)::int as products`,
        [first.workspace.id],
      )
    ).rows;
    // Eight products since the lactic acid supplement has its trial and its 定期便.
    expect(counts).toEqual({
      customers: 200,
      orders: replaced.rows.orders,
      subscriptions: replaced.rows.subscriptions,
      events: replaced.rows.events,
      products: 8,
    });

    await loadDemoBrand(database, { customers: 300, seed: 3, clock, workspaceName, replace: true, journeyHistory: false });
    expect(await workspaceDigest(database.pool, first.workspace.id)).toEqual(digest);
  });

  it('removes a workspace it created when loading fails', async () => {
    const workspaceName = `demo-${randomUUID().slice(0, 8)}`;
    await expect(loadDemoBrand(database, { customers: 100, seed: 1, workspaceName, until: '2026-02-30' })).rejects.toMatchObject({ code: 'validation_failed' });
    await expect(findWorkspace(database.db, workspaceName)).rejects.toMatchObject({ code: 'not_found' });
  });

  it("ends the history yesterday in the workspace's time zone by the clock it is given, with the subscriptions in force due after it", async () => {
    const workspaceName = `demo-${randomUUID().slice(0, 8)}`;
    // 01:30 on 10 March in Tokyo is still 9 March in UTC: yesterday is the 9th in Tokyo.
    const summary = await loadDemoBrand(database, { customers: 400, seed: 5, workspaceName, clock: fixedClock('2026-03-09T16:30:00Z'), journeyHistory: false });
    expect(summary.window).toEqual({ from: '2024-03-10', until: '2026-03-09' });
    const [row] = (
      await database.pool.query(
        `select (select max((ordered_at at time zone 'Asia/Tokyo')::date)::text from orders where workspace_id = $1) as last_order_day,
                (select max((occurred_at at time zone 'Asia/Tokyo')::date)::text from events where workspace_id = $1) as last_event_day,
                (select max((changed_at at time zone 'Asia/Tokyo')::date)::text from subscription_status_changes where workspace_id = $1) as last_change_day,
                (select min(next_delivery_on)::text from subscriptions where workspace_id = $1 and status <> 'cancelled') as first_due,
                (select count(*)::int from subscriptions where workspace_id = $1 and status <> 'cancelled') as in_force`,
        [summary.workspace.id],
      )
    ).rows;
    // 400 customers make about fifty deliveries and a few hundred events a week: the last days have data.
    expect(row.last_order_day >= '2026-03-06' && row.last_order_day <= '2026-03-09').toBe(true);
    expect(row.last_event_day).toBe('2026-03-09');
    expect(row.last_change_day <= '2026-03-09').toBe(true);
    expect(row.first_due >= '2026-03-10').toBe(true);
    expect(row.in_force).toBe(summary.subscriptionsInForce);
    expect(row.in_force).toBeGreaterThan(0);
  });
});
