import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestDatabase, freshWorkspace } from '../../../test/support/database.ts';
import { fixedClock } from '../../shared/clock.ts';
import type { Workspace } from '../../workspaces/workspaces.ts';
import { replayJourneyHistory } from './history.ts';
import { journeyCellCounts, journeyFlows } from './reads.ts';
import { activateTestMap, cellsByExternalId, countsBothWays, ingest, PRODUCTS } from './test-map.ts';

const database = connectTestDatabase();
const { pool } = database;
const clock = fixedClock('2026-06-10T03:00:00Z');
let workspace: Workspace;

beforeAll(async () => {
  workspace = await freshWorkspace(database);
  await ingest(pool, workspace, 'products', PRODUCTS, clock);
  await ingest(
    pool,
    workspace,
    'orders',
    [{ order_id: 'H1', customer_id: 'HC', ordered_at: '2026-03-01T10:00:00+09:00', items: [{ sku: 'TRIAL', quantity: 1, unit_price: '980' }] }],
    clock,
  );
  await ingest(
    pool,
    workspace,
    'subscriptions',
    [
      {
        subscription_id: 'HS',
        customer_id: 'HC',
        sku: 'AOJIRU',
        cycle: { unit: 'months', every: 1 },
        status: 'cancelled',
        started_at: '2026-04-01T10:00:00+09:00',
        cancelled_at: '2026-05-15T10:00:00+09:00',
        deliveries: 1,
      },
    ],
    clock,
  );
  await ingest(pool, workspace, 'events', [{ idempotency_key: 'h1', customer_id: 'HD', type: 'page_view', occurred_at: '2026-05-01T10:00:00+09:00' }], clock);
  await activateTestMap(pool, workspace.id);
});
afterAll(() => database.close());

describe('replayJourneyHistory', () => {
  it('places the workspace as of the end of each step, moves dated then, profiles only once they existed', async () => {
    const replayed = await replayJourneyHistory({ pool, workspaceId: workspace.id, from: '2026-02-22', until: '2026-06-07', everyDays: 7, clock });
    // 02-22, 03-01, …, 06-07: 16 weekly steps.
    expect(replayed).toMatchObject({ steps: 16, moved: 4, profiles: 2 });
    const { rows } = await pool.query<{ external_id: string; line: string }>(
      `select c.external_id, coalesce(m.from_stage || '/' || m.from_level, '∅') || ' → ' || m.to_stage || '/' || m.to_level || ' ' || m.cause
              || ' ' || to_char(m.moved_at at time zone 'Asia/Tokyo', 'YYYY-MM-DD HH24:MI:SS.MS') as line
         from journey_moves m join customers c on c.id = m.customer_id where m.workspace_id = $1 order by m.moved_at, c.external_id`,
      [workspace.id],
    );
    expect(rows.map((row) => `${row.external_id}: ${row.line}`)).toEqual([
      'HC: ∅ → first/cold history 2026-03-01 23:59:59.999',
      'HC: first/cold → sub/trust history 2026-04-05 23:59:59.999',
      'HD: ∅ → aware/cold history 2026-05-03 23:59:59.999',
      // Cancelled on 05-15: the stage stays, the level drops.
      'HC: sub/trust → sub/cold history 2026-05-17 23:59:59.999',
    ]);
    expect(await cellsByExternalId(pool, workspace.id)).toEqual({ HC: 'sub/cold', HD: 'aware/cold' });
    const flows = await journeyFlows({ pool, workspaceId: workspace.id, from: '2026-05-01', to: '2026-05-31' });
    expect(flows.map((f) => [f.kind, f.customers])).toEqual([
      ['enter', 1],
      ['step_down', 1],
    ]);
    const both = await countsBothWays(pool, workspace.id);
    expect(both.stored).toEqual(both.counted);
    expect(await journeyCellCounts({ pool, workspaceId: workspace.id })).toMatchObject({ profiles: 2, placed: 2 });
  });

  it('rebuilds the record from nothing when replayed again', async () => {
    const again = await replayJourneyHistory({ pool, workspaceId: workspace.id, from: '2026-02-22', until: '2026-06-07', everyDays: 7, clock });
    expect(again.moved).toBe(4);
    const { rows } = await pool.query('select count(*)::int as n from journey_moves where workspace_id = $1', [workspace.id]);
    expect(rows[0].n).toBe(4);
  });

  it('stops before its next step when aborted, and rolls back: the record is as it was', async () => {
    const stopping = new AbortController();
    const replay = replayJourneyHistory({
      pool,
      workspaceId: workspace.id,
      from: '2026-02-22',
      until: '2026-06-07',
      everyDays: 7,
      clock,
      signal: stopping.signal,
      onProgress: (done) => {
        if (done === 3) stopping.abort();
      },
    });
    await expect(replay).rejects.toMatchObject({ name: 'AbortError' });
    const { rows } = await pool.query('select count(*)::int as n from journey_moves where workspace_id = $1', [workspace.id]);
    expect(rows[0].n).toBe(4);
    expect(await cellsByExternalId(pool, workspace.id)).toEqual({ HC: 'sub/cold', HD: 'aware/cold' });
  });
});
