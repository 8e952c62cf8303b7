import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestDatabase, freshWorkspace } from '../../../test/support/database.ts';
import { addOrders, type FixtureOrder } from '../../../test/support/purchases.ts';
import type { Workspace } from '../../workspaces/workspaces.ts';
import { decomposeSales } from '../sales-decomposition.ts';
import { AnalyticsEngine } from './analytics-engine.ts';
import { EngineLimit } from './snapshot/money-units.ts';
import { snapshotSales } from './sales.ts';
import { warmUpAnalytics } from './warm-up.ts';

/**
 * A workspace the engine cannot hold exactly (an amount with more than 9 decimals, sent as the
 * float 0.30000000000000004) behind more orders than one COPY chunk: the load must fail
 * cleanly (its COPY read to the end, its transaction rolled back, its connection back in the
 * pool), and the analyses must answer from the SQL reference. Before, the load never ended
 * and left its connection "idle in transaction".
 */
const database = connectTestDatabase();
const APPLICATION = 'kizuna-engine-limit-test';
/** The engine's own pool, named, so pg_stat_activity shows only its connections. */
const enginePool = new pg.Pool({ connectionString: database.url, application_name: APPLICATION, max: 3 });
let workspace: Workspace;
const period = { from: '2024-01-01', to: '2025-01-01' };

/** Fails (instead of hanging) when `promise` does not settle in time. */
function within<T>(promise: Promise<T>, what: string, ms = 20_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function connectionsIdleInTransaction(): Promise<number> {
  const { rows } = await database.pool.query<{ count: number }>(
    `select count(*)::int as count from pg_stat_activity where application_name = $1 and state like 'idle in transaction%'`,
    [APPLICATION],
  );
  return rows[0]!.count;
}

beforeAll(async () => {
  workspace = await freshWorkspace(database);
  // The one amount with 17 decimals, read first, then 6,000 purchases: more than one COPY chunk.
  const orders: FixtureOrder[] = Array.from({ length: 6_000 }, (_, i) => ({
    customer: `c${i % 600}`,
    at: `2024-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')} 10:00`,
    amount: 1000 + i,
  }));
  await addOrders(database, workspace, [{ customer: 'float-client', at: '2024-06-15 12:00', amount: 0.30000000000000004 }]);
  await addOrders(database, workspace, orders);
}, 120_000);

afterAll(async () => {
  // A connection stuck in COPY would never come back: do not wait for it.
  await within(enginePool.end(), 'closing the engine pool', 5_000).catch(() => undefined);
  await database.close();
});

describe('a workspace beyond the engine', () => {
  it('answers from the SQL reference, and its failed load releases its connection', async () => {
    const engine = new AnalyticsEngine(enginePool);
    try {
      await expect(within(engine.snapshot(workspace.id), 'the snapshot load')).rejects.toBeInstanceOf(EngineLimit);
      expect(await connectionsIdleInTransaction()).toBe(0);
      const terms = { period, granularity: 'month' as const };
      const answered = await within(
        engine.run(
          workspace.id,
          (snapshot) => snapshotSales(snapshot, terms),
          () => decomposeSales({ pool: enginePool, workspaceId: workspace.id, ...terms }),
        ),
        'the analysis',
      );
      expect(answered).toEqual(await decomposeSales({ pool: database.pool, workspaceId: workspace.id, ...terms }));
      expect(answered.totals.purchases).toBe(6_001);
      expect(await connectionsIdleInTransaction()).toBe(0);
      // Every connection the engine took is back in its pool.
      expect(enginePool.totalCount - enginePool.idleCount).toBe(0);
    } finally {
      engine.close();
    }
  });

  it('remembers the data version it cannot hold: the next requests go to SQL without loading again', async () => {
    const engine = new AnalyticsEngine(enginePool);
    try {
      const first = await within(
        engine.snapshot(workspace.id).then(
          () => 'loaded',
          (error: unknown) => error,
        ),
        'the first load',
      );
      expect(first).toBeInstanceOf(EngineLimit);
      expect(engine.beyondEngine(workspace.id)).toBe(true);
      // The same refusal, not a second load that failed again.
      const again = await within(
        engine.snapshot(workspace.id).then(
          () => 'loaded',
          (error: unknown) => error,
        ),
        'the second request',
      );
      expect(again).toBe(first);
    } finally {
      engine.close();
    }
  });

  it('does not stop the start-up warm-up, which goes on with the next workspace', async () => {
    const other = await freshWorkspace(database);
    await addOrders(database, other, [{ customer: 'a', at: '2024-05-01 10:00', amount: 1000 }]);
    const engine = new AnalyticsEngine(enginePool);
    const lines: string[] = [];
    try {
      await within(
        warmUpAnalytics({
          engine,
          workspaces: [
            { id: workspace.id, name: 'float' },
            { id: other.id, name: 'other' },
          ],
          log: (line) => lines.push(line),
        }),
        'the warm-up',
      );
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatch(/float.*SQL/);
      expect(lines[1]).toMatch(/other loaded \(1 purchases/);
      expect(await connectionsIdleInTransaction()).toBe(0);
    } finally {
      engine.close();
    }
  });
});
