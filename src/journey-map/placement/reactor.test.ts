import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshWorkspace, isolatedTestDatabase } from '../../../test/support/database.ts';
import type { Database } from '../../db/connect.ts';
import { manualClock } from '../../shared/clock.ts';
import type { Workspace } from '../../workspaces/workspaces.ts';
import { msUntilNextLocalMidnight } from './local-days.ts';
import { placeWorkspace } from './place.ts';
import { startJourneyReactor, type JourneyReactor } from './reactor.ts';
import { activateTestMap, cellsByExternalId, ingest, movesOf, PRODUCTS } from './test-map.ts';

// A database of its own: a reactor drains every workspace of its database, and other test files drain theirs by hand.
let database: Database;
let pool: Database['pool'];
const clock = manualClock('2026-06-10T03:00:00Z');
let workspace: Workspace;
let reactor: JourneyReactor | undefined;

beforeAll(async () => {
  database = await isolatedTestDatabase();
  pool = database.pool;
  workspace = await freshWorkspace(database);
  await ingest(pool, workspace, 'products', PRODUCTS, clock);
  await activateTestMap(pool, workspace.id);
  await placeWorkspace({ pool, workspaceId: workspace.id, clock, cause: 'map' });
});
afterAll(async () => {
  await reactor?.stop();
  await database.close();
});

/** Waits (bounded: 10 s) until the customer's cell is `cell`, checking every 20 ms. */
async function cellBecomes(externalId: string, cell: string): Promise<string> {
  const deadline = Date.now() + 10_000;
  let seen = '-';
  while (Date.now() < deadline) {
    seen = (await cellsByExternalId(pool, workspace.id))[externalId] ?? '-';
    if (seen === cell) return seen;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return seen;
}

describe('the journey reactor', () => {
  it('drains the changes queued before it started', async () => {
    // Written with nobody listening (a CLI import, or a crash before the drain): the rows wait in journey_changes.
    await ingest(pool, workspace, 'customers', [{ customer_id: 'R1' }, { customer_id: 'R2', attributes: { newsletter: true } }], clock);
    expect(await cellsByExternalId(pool, workspace.id)).toEqual({ R1: '-', R2: '-' });
    reactor = startJourneyReactor({ pool, connectionString: database.url, clock });
    await reactor.idle();
    expect(await cellsByExternalId(pool, workspace.id)).toEqual({ R1: 'aware/cold', R2: 'aware/warm' });
    expect(await movesOf(pool, workspace.id, 'R2')).toEqual(['∅ → aware/warm (customer R2)']);
  });

  it('re-places a customer when a write commits, without anyone calling the drain', async () => {
    await ingest(
      pool,
      workspace,
      'orders',
      [{ order_id: 'RO1', customer_id: 'R1', ordered_at: '2026-06-09T10:00:00+09:00', items: [{ sku: 'TRIAL', quantity: 1, unit_price: '980' }] }],
      clock,
    );
    expect(await cellBecomes('R1', 'first/cold')).toBe('first/cold');
    expect(await movesOf(pool, workspace.id, 'R1')).toEqual(['∅ → aware/cold (customer R1)', 'aware/cold → first/cold (order RO1)']);
  });

  it('survives losing its connection: it reconnects and drains what was written meanwhile', async () => {
    const { rows } = await pool.query(
      `select pg_terminate_backend(pid) as ended from pg_stat_activity where application_name = 'kizuna-journey-reactor' and datname = current_database()`,
    );
    expect(rows).toEqual([{ ended: true }]);
    await ingest(
      pool,
      workspace,
      'events',
      [
        { idempotency_key: 'r-pv1', customer_id: 'R1', type: 'page_view', occurred_at: '2026-06-09T10:00:00+09:00' },
        { idempotency_key: 'r-pv2', customer_id: 'R1', type: 'page_view', occurred_at: '2026-06-10T10:00:00+09:00' },
      ],
      clock,
    );
    expect(await cellBecomes('R1', 'first/warm')).toBe('first/warm');
  });

  it('arms the sweep for the next local midnight', () => {
    // 12:00 in Tokyo: midnight is 12 hours away; at 23:59:59 one second.
    expect(msUntilNextLocalMidnight(new Date('2026-06-10T03:00:00Z'), 'Asia/Tokyo')).toBe(12 * 3_600_000);
    expect(msUntilNextLocalMidnight(new Date('2026-06-10T14:59:59Z'), 'Asia/Tokyo')).toBe(1000);
    // New York on the day clocks go back (2026-11-01): 25 hours from one midnight to the next.
    expect(msUntilNextLocalMidnight(new Date('2026-11-01T04:00:00Z'), 'America/New_York')).toBe(25 * 3_600_000);
  });
});
