import { afterAll, describe, expect, it } from 'vitest';
import { connectTestDatabase, freshWorkspace, withTransaction } from '../../test/support/database.ts';
import { ingestBatch } from '../ingest/ingest-batch.ts';
import { KizunaError } from '../shared/errors.ts';
import type { Workspace } from '../workspaces/workspaces.ts';
import { kpiBoard } from './board.ts';
import { listKpis } from './store.ts';
import { seedKpiTree } from './seed-tree.ts';

const database = connectTestDatabase();
afterAll(() => database.close());

/** Orders of `quantity` × `price` at wall-clock times in Asia/Tokyo. */
async function workspaceWith(orders: [customer: string, at: string, quantity: number, price: number][]): Promise<Workspace> {
  const workspace = await freshWorkspace(database, { timezone: 'Asia/Tokyo' });
  const records = orders.map(([customer, at, quantity, price], index) => ({
    order_id: `O${index}`,
    customer_id: customer,
    ordered_at: at,
    status: 'delivered',
    channel: 'web',
    items: [{ sku: 'P', quantity, unit_price: price, product_name: 'Product' }],
  }));
  const result = await withTransaction(database.pool, (client) => ingestBatch({ client, workspace, kind: 'orders', records, mode: 'all-or-nothing' }));
  expect(result.errors).toEqual([]);
  return workspace;
}

// May 2024: X buys 3 × 2,000 on 05-10 and 2 × 2,000 on 05-25, Y 5 × 2,000 on 05-20:
//   sales 20,000 = customers 2 × frequency 1.5 × items per purchase 10/3 × price per item 2,000
// June to date (asOf 2024-06-11): X 2 × 1,500 on 06-03.
const MAY: [string, string, number, number][] = [
  ['X', '2024-05-10 12:00', 3, 2000],
  ['X', '2024-05-25 12:00', 2, 2000],
  ['Y', '2024-05-20 12:00', 5, 2000],
  ['X', '2024-06-03 12:00', 2, 1500],
];

describe('seeding the KPI tree from the decomposition', () => {
  it('splits the sales growth evenly in log terms: 20,000 → 29,282 is 1.1⁴, so every factor grows by 1.1', async () => {
    const workspace = await workspaceWith(MAY);
    const tree = await seedKpiTree({ pool: database.pool, workspaceId: workspace.id, salesTarget: 29_282, granularity: 'month', asOf: '2024-06-11' });
    if (tree.outcome !== 'seeded') throw new Error(`not seeded: ${tree.reason}`);
    expect(tree.baseline.period).toEqual({ from: '2024-05-01', to: '2024-06-01' });
    expect(tree.baseline.totals).toMatchObject({ sales: '20000', customers: 2, purchases: 3, items: 10 });
    // 29,282 ÷ 20,000 = 1.4641 = 1.1⁴
    expect(tree.salesGrowth).toBeCloseTo(1.4641, 12);
    expect(tree.factorGrowth).toBeCloseTo(1.1, 12);
    expect(tree.root).toMatchObject({ name: '売上', metric: { kind: 'sales' }, granularity: 'month', target: 29_282, parentId: null });
    // 2 × 1.1 = 2.2; 1.5 × 1.1 = 1.65; 10/3 × 1.1 = 3.667; 2,000 × 1.1 = 2,200
    const targets = tree.children.map((kpi) => [kpi.name, kpi.metric.kind, kpi.parentId, kpi.target]);
    expect(targets).toEqual([
      ['客数', 'customers', tree.root.id, expect.closeTo(2.2, 12)],
      ['来店回数', 'frequency', tree.root.id, expect.closeTo(1.65, 12)],
      ['点数', 'items_per_purchase', tree.root.id, expect.closeTo(11 / 3, 12)],
      ['単価', 'price_per_item', tree.root.id, expect.closeTo(2200, 9)],
    ]);
    // the targets as stored multiply back to the sales target: 2.2 × 1.65 × 3.667 × 2,200 = 29,282
    const product = tree.children.reduce((result, kpi) => result * kpi.target, 1);
    expect(Math.abs(product - 29_282) / 29_282).toBeLessThan(1e-12);
    expect((await listKpis({ pool: database.pool, workspaceId: workspace.id })).map((kpi) => [kpi.name, kpi.depth])).toEqual([
      ['売上', 0],
      ['客数', 1],
      ['来店回数', 1],
      ['点数', 1],
      ['単価', 1],
    ]);
  });

  it('shrinks the factors alike for a target below the baseline: 20,000 → 1,250 is 0.5⁴', async () => {
    const workspace = await workspaceWith(MAY);
    const tree = await seedKpiTree({ pool: database.pool, workspaceId: workspace.id, salesTarget: 1250, granularity: 'month', asOf: '2024-06-11' });
    if (tree.outcome !== 'seeded') throw new Error(`not seeded: ${tree.reason}`);
    // 1,250 ÷ 20,000 = 0.0625 = 0.5⁴: 1, 0.75, 5/3, 1,000
    expect(tree.children.map((kpi) => kpi.target)).toEqual([
      expect.closeTo(1, 12),
      expect.closeTo(0.75, 12),
      expect.closeTo(5 / 3, 12),
      expect.closeTo(1000, 9),
    ]);
  });

  it('puts the seeded tree on the board, each factor judged against its own target', async () => {
    const workspace = await workspaceWith(MAY);
    await seedKpiTree({ pool: database.pool, workspaceId: workspace.id, salesTarget: 29_282, granularity: 'month', asOf: '2024-06-11' });
    const board = await kpiBoard({ pool: database.pool, workspaceId: workspace.id, asOf: '2024-06-11', buckets: 1 });
    // June to date: X 2 × 1,500 = 3,000, 1 customer, 1 purchase, 2 items.
    // 売上 3,000 against 29,282 × 10/30 = 9,760.67: 0.31, behind; 客数 1 against 2.2 × 10/30 = 0.733: 1.36, ahead;
    // 来店回数 1 against 1.65: 0.61, behind; 点数 2 against 3.667: 0.55, behind; 単価 1,500 against 2,200: 0.68, behind
    expect(board.entries.map((entry) => [entry.kpi.name, entry.status.status])).toEqual([
      ['売上', 'behind'],
      ['客数', 'ahead'],
      ['来店回数', 'behind'],
      ['点数', 'behind'],
      ['単価', 'behind'],
    ]);
    expect(board.entries[1]!.status).toMatchObject({ actual: 1, expected: expect.closeTo(2.2 / 3, 12) });
  });

  it('takes the last complete week as the baseline of a weekly tree', async () => {
    // asOf Tuesday 2024-05-28 reads to Monday the 27th; the last complete week is Monday 05-20 to Sunday 05-26:
    // Y 5 × 2,000 and X 2 × 2,000 = 14,000, 2 customers, 2 purchases, 7 items
    const workspace = await workspaceWith(MAY);
    const tree = await seedKpiTree({ pool: database.pool, workspaceId: workspace.id, salesTarget: 14_000, granularity: 'week', asOf: '2024-05-28' });
    if (tree.outcome !== 'seeded') throw new Error(`not seeded: ${tree.reason}`);
    expect(tree.baseline).toMatchObject({ period: { from: '2024-05-20', to: '2024-05-27' }, totals: { sales: '14000', customers: 2, purchases: 2, items: 7 } });
    // no growth: the targets are the week's own factors, 2 × 1 × 3.5 × 2,000
    expect(tree.children.map((kpi) => kpi.target)).toEqual([2, 1, 3.5, 2000]);
  });

  it('has no baseline in a month without sales, and says so', async () => {
    const workspace = await workspaceWith(MAY);
    const tree = await seedKpiTree({ pool: database.pool, workspaceId: workspace.id, salesTarget: 10_000, granularity: 'month', asOf: '2024-05-15' });
    expect(tree).toMatchObject({
      outcome: 'no_baseline',
      baseline: { period: { from: '2024-04-01', to: '2024-05-01' }, totals: { sales: '0' } },
      reason: 'The month of 2024-04-01 has no sales to split a target from: seed the tree as of a date after a month with sales.',
    });
    expect(await listKpis({ pool: database.pool, workspaceId: workspace.id })).toEqual([]);
  });

  it('creates nothing when a KPI already has one of the names', async () => {
    const workspace = await workspaceWith(MAY);
    const seed = () => seedKpiTree({ pool: database.pool, workspaceId: workspace.id, salesTarget: 20_000, granularity: 'month', asOf: '2024-06-11' });
    await seed();
    const error = await seed().catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(KizunaError);
    expect(error).toMatchObject({ code: 'conflict', message: expect.stringContaining('A KPI named "売上" already exists') });
    expect(await listKpis({ pool: database.pool, workspaceId: workspace.id })).toHaveLength(5);
    await expect(seedKpiTree({ pool: database.pool, workspaceId: workspace.id, salesTarget: -1, granularity: 'month', asOf: '2024-06-11' })).rejects.toThrow(
      'salesTarget must be a number above 0, not -1.',
    );
  });
});
