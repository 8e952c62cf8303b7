import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestDatabase, freshWorkspace, withTransaction } from '../../../test/support/database.ts';
import { addOrders } from '../../../test/support/purchases.ts';
import { generateDemoBrand } from '../../demo/generate-demo-brand.ts';
import { ingestBatch } from '../../ingest/ingest-batch.ts';
import { importCsv } from '../../import/import-csv.ts';
import { fixture } from '../../../test/fixtures/import/support.ts';
import { noteOrdersChanged } from '../../orders/order-changes.ts';
import type { Workspace } from '../../workspaces/workspaces.ts';
import { listChurned } from '../churn.ts';
import { proposeChurnWindow } from '../churn-window.ts';
import { f2Conversion, repeatRates } from '../repeat-f2.ts';
import { cohortRetention } from '../retention.ts';
import { snapshotChurned, snapshotChurnProposal } from './churn.ts';
import { snapshotF2, snapshotRepeatRates } from './customer-base.ts';
import { rfmScores, listRfmCustomers } from '../rfm.ts';
import { decomposeSales } from '../sales-decomposition.ts';
import { MAX_PAGE_SIZE } from '../periods.ts';
import { AnalyticsEngine } from './analytics-engine.ts';
import { manualClock } from '../../shared/clock.ts';
import { loadPurchaseSnapshot } from './snapshot/load.ts';
import { unitsToDecimal } from './snapshot/money-units.ts';
import type { PurchaseSnapshot } from './snapshot/purchase-snapshot.ts';
import { snapshotRetention } from './retention.ts';
import { rfmRow, snapshotRfmSummary } from './rfm.ts';
import { rfmTableOf } from './rfm-customers.ts';
import { loadSubscribedCustomers, type SubscribedCustomers } from './subscribed-customers.ts';
import { addSubscriptionHistory, type FixtureSubscription } from '../../../test/support/subscription-history.ts';
import { snapshotSales } from './sales.ts';

/**
 * The engine against the SQL reference, figure by figure, on a demo brand (3,000 customers,
 * two years, leads, cancellations and returns, customers older than the orders held), and its
 * freshness rule on writes. The reference itself is checked against hand-computed fixtures in
 * the tests next to it.
 */
const database = connectTestDatabase();
const { pool } = database;
let demo: Workspace;
let snapshot: PurchaseSnapshot;
let subscribed: SubscribedCustomers;

/** Decimal strings compared by value ('1200' = '1200.00'); everything else as is. */
function normalised<T>(value: T): T {
  return JSON.parse(JSON.stringify(value), (_key, v) => (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v) ? `D${Number(v)}` : v)) as T;
}

beforeAll(async () => {
  demo = await freshWorkspace(database);
  await generateDemoBrand({ pool, workspace: demo, customers: 3_000, seed: 7, until: '2026-10-31' });
  await addDemoSubscriptions(demo);
  snapshot = await loadPurchaseSnapshot(pool, demo.id);
  subscribed = await loadSubscribedCustomers(pool, demo.id, demo.timezone);
}, 120_000);

/**
 * Subscriptions for a deterministic part of the demo's buyers (whatever the demo itself
 * generates): every 5th buyer with three purchases or more starts one on their first purchase
 * day; by id, some stay active, some pause, some cancel, some cancel and start another, so
 * churn and RFM meet every kind of history on the same data as the SQL.
 */
async function addDemoSubscriptions(workspace: Workspace): Promise<void> {
  const { rows } = await pool.query<{ id: string; first_at: string; last_at: string }>(
    `select id, to_char(first_purchase_at at time zone $2, 'YYYY-MM-DD HH24:MI') as first_at,
            to_char(last_purchase_at at time zone $2, 'YYYY-MM-DD HH24:MI') as last_at
       from customers where workspace_id = $1 and purchase_count >= 3 and id % 5 = 0 order by id`,
    [workspace.id, workspace.timezone],
  );
  await addSubscriptionHistory(
    pool,
    workspace,
    rows.flatMap((row, i): FixtureSubscription[] => {
      const start = { status: 'active' as const, at: row.first_at };
      switch (i % 4) {
        case 0:
          return [{ customerId: row.id, changes: [start] }];
        case 1:
          return [{ customerId: row.id, changes: [start, { status: 'paused' as const, at: row.last_at }] }];
        case 2:
          return [{ customerId: row.id, changes: [start, { status: 'cancelled' as const, at: row.last_at }] }];
        default:
          return [
            { customerId: row.id, changes: [start, { status: 'cancelled' as const, at: row.last_at }] },
            { customerId: row.id, changes: [{ status: 'active' as const, at: '2026-03-01 10:00' }] },
          ];
      }
    }),
  );
}
afterAll(() => database.close());

describe('purchase snapshot', () => {
  it('holds every purchase once, grouped by customer in day order, with exact sums', async () => {
    const {
      rows: [expected],
    } = await pool.query<{ purchases: number; customers: number; sales: string; items: string }>(
      `select count(*)::int as purchases, count(distinct customer_id)::int as customers, sum(amount)::text as sales, sum(item_count)::text as items
         from orders where workspace_id = $1 and status not in ('cancelled', 'returned')`,
      [demo.id],
    );
    expect(snapshot.purchases).toBe(expected!.purchases);
    let withPurchases = 0;
    let sales = 0;
    let items = 0;
    for (let c = 0; c < snapshot.customers; c++) {
      if (snapshot.start[c + 1]! > snapshot.start[c]!) withPurchases++;
      for (let r = snapshot.start[c]! + 1; r < snapshot.start[c + 1]!; r++) expect(snapshot.day[r]! >= snapshot.day[r - 1]!).toBe(true);
    }
    for (let r = 0; r < snapshot.purchases; r++) {
      sales += snapshot.amount[r]!;
      items += snapshot.items[r]!;
    }
    expect(withPurchases).toBe(expected!.customers);
    expect(Number(unitsToDecimal(sales, snapshot.scale))).toBe(Number(expected!.sales));
    expect(items).toBe(Number(expected!.items));
  });

  it("loads the orders as they are when a profile's purchase count disagrees with them", async () => {
    const workspace = await freshWorkspace(database);
    await generateDemoBrand({ pool, workspace, customers: 200, seed: 5, until: '2026-10-31' });
    const { rows } = await pool.query<{ id: string }>('select id from customers where workspace_id = $1 and purchase_count > 1 order by id limit 2', [
      workspace.id,
    ]);
    await pool.query('update customers set purchase_count = purchase_count + 2 where id = $1', [rows[0]!.id]);
    await pool.query('update customers set purchase_count = 0 where id = $1', [rows[1]!.id]);
    const loaded = await loadPurchaseSnapshot(pool, workspace.id);
    const {
      rows: [orders],
    } = await pool.query<{ count: number }>(`select count(*)::int as count from orders where workspace_id = $1 and status not in ('cancelled', 'returned')`, [
      workspace.id,
    ]);
    expect(loaded.purchases).toBe(orders!.count);
    const period = { from: '2024-11-01', to: '2026-11-01' };
    expect(normalised(snapshotSales(loaded, { period, granularity: 'month' }))).toEqual(
      normalised(await decomposeSales({ pool, workspaceId: workspace.id, period, granularity: 'month' })),
    );
    for (let c = 0; c < loaded.customers; c++) {
      for (let r = loaded.start[c]! + 1; r < loaded.start[c + 1]!; r++) expect(loaded.day[r]! >= loaded.day[r - 1]!).toBe(true);
    }
  });

  it('writes exact decimals of any scale', () => {
    expect(unitsToDecimal(123456, 2)).toBe('1234.56');
    expect(unitsToDecimal(5, 3)).toBe('0.005');
    expect(unitsToDecimal(-1205, 1)).toBe('-120.5');
    expect(unitsToDecimal(42, 0)).toBe('42');
  });
});

describe('engine = SQL reference on the demo brand', () => {
  const periods = [
    { period: { from: '2024-11-01', to: '2026-11-01' }, granularity: 'month' as const },
    { period: { from: '2026-03-01', to: '2026-04-01' }, granularity: 'week' as const },
    { period: { from: '2025-12-20', to: '2026-01-10' }, granularity: 'day' as const },
    { period: { from: '2023-01-01', to: '2023-03-01' }, granularity: 'month' as const },
  ];
  it.each(periods)('sales decomposition $period.from – $period.to by $granularity', async ({ period, granularity }) => {
    const sql = await decomposeSales({ pool, workspaceId: demo.id, period, granularity });
    const memory = snapshotSales(snapshot, { period, granularity });
    // The reference against a count written apart: distinct buyers of the period's local days.
    const {
      rows: [counted],
    } = await pool.query<{ customers: number; purchases: number }>(
      `select count(distinct customer_id)::int as customers, count(*)::int as purchases
         from orders
        where workspace_id = $1 and status not in ('cancelled', 'returned')
          and (ordered_at at time zone $2)::date >= $3::date and (ordered_at at time zone $2)::date < $4::date`,
      [demo.id, demo.timezone, period.from, period.to],
    );
    expect(sql.totals.customers).toBe(counted!.customers);
    expect(sql.totals.purchases).toBe(counted!.purchases);
    expect(normalised(memory)).toEqual(normalised(sql));
  });

  it.each([
    { from: '2024-11-01', to: '2026-11-01', months: 24, asOf: '2026-11-01' },
    { from: '2025-06-15', to: '2025-09-01', months: 6, asOf: '2026-02-10' },
    { from: '2026-09-01', to: '2026-12-01', months: 3, asOf: '2026-11-01' },
  ])('cohort retention $from – $to, $months months, as of $asOf', async (terms) => {
    const sql = await cohortRetention({ pool, workspaceId: demo.id, ...terms });
    const memory = snapshotRetention(snapshot, terms);
    expect(sql.cohorts.some((c) => c.customers > 0)).toBe(true);
    expect(normalised(memory)).toEqual(normalised(sql));
  });

  it.each(['2026-11-01', '2025-07-15', '2024-12-01'])('RFM summary as of %s', async (asOf) => {
    const sql = await rfmScores({ pool, workspaceId: demo.id, asOf });
    const memory = snapshotRfmSummary(snapshot, await rfmTableOf({ pool, snapshot, subscribed, asOf }));
    expect(sql.customers).toBeGreaterThan(0);
    expect(normalised(memory)).toEqual(normalised(sql));
  });

  it.each([
    { period: { from: '2024-11-01', to: '2026-11-01' }, granularity: 'month' as const },
    { period: { from: '2026-02-01', to: '2026-03-15' }, granularity: 'week' as const },
  ])('repeat rates $period.from – $period.to by $granularity', async ({ period, granularity }) => {
    const sql = await repeatRates({ pool, workspaceId: demo.id, period, granularity });
    expect(sql.total.repeaters).toBeGreaterThan(0);
    expect(snapshotRepeatRates(snapshot, { period, granularity })).toEqual(sql);
  });

  it.each([
    { period: { from: '2024-11-01', to: '2026-11-01' }, granularity: 'month' as const, within: 90, asOf: '2026-11-01' },
    { period: { from: '2025-03-01', to: '2025-05-01' }, granularity: 'week' as const, within: 30, asOf: '2025-05-20' },
  ])('F2 conversion $period.from – $period.to within $within days', async (terms) => {
    const sql = await f2Conversion({ pool, workspaceId: demo.id, ...terms });
    expect(sql.total.converted).toBeGreaterThan(0);
    expect(snapshotF2(snapshot, terms)).toEqual(sql);
  });

  it.each([undefined, '2025-08-01'])('churn window proposal as of %s', async (asOf) => {
    const sql = await proposeChurnWindow({ pool, workspaceId: demo.id, asOf });
    expect(sql.days).not.toBeNull();
    expect(sql.population).toMatchObject({ kind: 'non_subscribers', reason: 'subscribers_left_out' });
    expect(snapshotChurnProposal(snapshot, subscribed, asOf)).toEqual(sql);
  });

  it('churned customers, page by page, with the rate', async () => {
    const terms = { asOf: '2026-06-01', limit: 40 };
    let sqlCursor: string | undefined;
    let memoryCursor: string | undefined;
    for (let page = 0; page < 3; page++) {
      const sql = await listChurned({ pool, workspaceId: demo.id, ...terms, cursor: sqlCursor });
      const memory = await snapshotChurned({ pool, snapshot, subscribed, ...terms, cursor: memoryCursor });
      expect(sql.outcome === 'listed' && sql.items.length).toBe(40);
      expect(normalised(memory)).toEqual(normalised(sql));
      if (sql.outcome !== 'listed' || memory.outcome !== 'listed') throw new Error('no window');
      expect(sql.keptBySubscription).toBeGreaterThan(0);
      sqlCursor = sql.nextCursor!;
      memoryCursor = memory.nextCursor!;
    }
    const windowGiven = await snapshotChurned({ pool, snapshot, subscribed, asOf: '2026-06-01', window: 120, limit: 5 });
    expect(normalised(windowGiven)).toEqual(normalised(await listChurned({ pool, workspaceId: demo.id, asOf: '2026-06-01', window: 120, limit: 5 })));
  });

  it('RFM of each customer', async () => {
    const asOf = '2026-06-01';
    const sql = { items: [] as Awaited<ReturnType<typeof listRfmCustomers>>['items'] };
    for (let cursor: string | undefined, page = 0; page === 0 || cursor; page++) {
      const next = await listRfmCustomers({ pool, workspaceId: demo.id, asOf, limit: MAX_PAGE_SIZE, cursor });
      sql.items.push(...next.items);
      cursor = next.nextCursor ?? undefined;
    }
    const table = await rfmTableOf({ pool, snapshot, subscribed, asOf });
    const memory = Array.from(table.customer, (_, i) => rfmRow(snapshot, table, i, { externalId: '', name: null })).sort(
      (a, b) => Number(a.customerId) - Number(b.customerId),
    );
    expect(memory.length).toBe(sql.items.length);
    expect(normalised(memory.map(({ externalId: _e, name: _n, ...rest }) => rest))).toEqual(
      normalised(sql.items.map(({ externalId: _e, name: _n, ...rest }) => rest)),
    );
  });
});

describe('freshness', () => {
  it('reloads after a committed write and shares one load between concurrent requests', async () => {
    const workspace = await freshWorkspace(database);
    await addOrders(database, workspace, [{ customer: 'a', at: '2024-05-01 10:00', amount: 1000 }]);
    const engine = new AnalyticsEngine(pool);
    try {
      const first = await engine.snapshot(workspace.id);
      expect(first.purchases).toBe(1);
      expect(await engine.snapshot(workspace.id)).toBe(first);
      await addOrders(database, workspace, [{ customer: 'b', at: '2024-05-02 10:00', amount: 500 }]);
      const [second, third] = await Promise.all([engine.snapshot(workspace.id), engine.snapshot(workspace.id)]);
      expect(second).not.toBe(first);
      expect(second).toBe(third);
      expect(second!.purchases).toBe(2);
    } finally {
      engine.close();
    }
  });

  it('drops a snapshot unused for idleMinutes by its own clock, and keeps one in use', async () => {
    const workspace = await freshWorkspace(database);
    await addOrders(database, workspace, [{ customer: 'a', at: '2024-05-01 10:00', amount: 1000 }]);
    const clock = manualClock('2026-01-01T00:00:00Z');
    const engine = new AnalyticsEngine(pool, { idleMinutes: 30, clock });
    try {
      await engine.snapshot(workspace.id);
      clock.advance(29 * 60_000);
      engine.dropIdle();
      expect(engine.holds(workspace.id)).toBe(true);
      await engine.snapshot(workspace.id);
      clock.advance(29 * 60_000);
      engine.dropIdle();
      expect(engine.holds(workspace.id)).toBe(true);
      clock.advance(2 * 60_000);
      engine.dropIdle();
      expect(engine.holds(workspace.id)).toBe(false);
    } finally {
      engine.close();
    }
  });

  it('sees a write that commits after a later one (the version counts changes, not only the newest)', async () => {
    const workspace = await freshWorkspace(database);
    await addOrders(database, workspace, [{ customer: 'a', at: '2024-05-01 10:00', amount: 1000 }]);
    const engine = new AnalyticsEngine(pool);
    const early = await pool.connect();
    try {
      await engine.snapshot(workspace.id);
      // The early writer takes the lower change id and commits last.
      await early.query('begin');
      await noteOrdersChanged(early, workspace.id);
      await withTransaction(pool, (client) => noteOrdersChanged(client, workspace.id));
      const afterLater = await engine.snapshot(workspace.id);
      await early.query('commit');
      const afterEarly = await engine.snapshot(workspace.id);
      expect(afterEarly).not.toBe(afterLater);
    } finally {
      early.release();
      engine.close();
    }
  });

  it("after the ingest API's batches reads only the customers they touched, and gives what a full load gives", async () => {
    const workspace = await freshWorkspace(database);
    await generateDemoBrand({ pool, workspace, customers: 400, seed: 3, until: '2026-10-31' });
    const engine = new AnalyticsEngine(pool);
    try {
      const before = await engine.snapshot(workspace.id);
      expect(before.refreshed).toBe('full');
      const { rows: existing } = await pool.query<{ external_id: string; customer: string }>(
        `select o.external_id, c.external_id as customer from orders o join customers c on c.id = o.customer_id
          where o.workspace_id = $1 and o.status = 'delivered' order by o.id limit 3`,
        [workspace.id],
      );
      const [cancelled, moved, kept] = existing as [(typeof existing)[0], (typeof existing)[0], (typeof existing)[0]];
      const item = (unitPrice: string) => ({ sku: 'REFRESH-TEST', quantity: 2, unit_price: unitPrice, product_name: 'Refresh test' });
      const records = [
        // A new purchase of a known customer, in a month already held.
        { order_id: 'REFRESH-1', customer_id: kept.customer, ordered_at: '2026-03-03T10:00:00+09:00', status: 'delivered', items: [item('1234.5')] },
        // A new customer, whose first purchase starts a cohort.
        { order_id: 'REFRESH-2', customer_id: 'refresh-new', ordered_at: '2026-05-05T10:00:00+09:00', status: 'delivered', items: [item('800')] },
        // A purchase cancelled, and one moved to another customer.
        {
          order_id: cancelled.external_id,
          customer_id: cancelled.customer,
          ordered_at: '2025-01-10T10:00:00+09:00',
          status: 'cancelled',
          items: [item('500')],
        },
        { order_id: moved.external_id, customer_id: 'refresh-new', ordered_at: '2025-02-10T10:00:00+09:00', status: 'delivered', items: [item('700')] },
      ];
      const result = await withTransaction(pool, (client) => ingestBatch({ client, workspace, kind: 'orders', records, mode: 'all-or-nothing' }));
      expect(result.invalid).toBe(0);

      const after = await engine.snapshot(workspace.id);
      expect(after.refreshed).toBe('changed_customers');
      expect(after.scale).toBe(1);
      const full = await loadPurchaseSnapshot(pool, workspace.id);
      expect(after.purchases).toBe(full.purchases);
      expect(after.customers).toBe(full.customers);
      const period = { from: '2024-11-01', to: '2026-11-01' };
      expect(normalised(snapshotSales(after, { period, granularity: 'month' }))).toEqual(normalised(snapshotSales(full, { period, granularity: 'month' })));
      expect(normalised(snapshotSales(after, { period, granularity: 'month' }))).toEqual(
        normalised(await decomposeSales({ pool, workspaceId: workspace.id, period, granularity: 'month' })),
      );
      const retention = { ...period, months: 12, asOf: '2026-11-01' };
      expect(normalised(snapshotRetention(after, retention))).toEqual(normalised(await cohortRetention({ pool, workspaceId: workspace.id, ...retention })));
      const afterSubscribed = await loadSubscribedCustomers(pool, workspace.id, workspace.timezone);
      expect(normalised(snapshotRfmSummary(after, await rfmTableOf({ pool, snapshot: after, subscribed: afterSubscribed, asOf: '2026-11-01' })))).toEqual(
        normalised(await rfmScores({ pool, workspaceId: workspace.id, asOf: '2026-11-01' })),
      );
      // The snapshot before the refresh still answers as it did (an analysis in flight keeps its data).
      expect(before.indexOf(after.customerIds[after.customers - 1]!)).toBe(-1);

      // A bulk write (an import) does not name its customers: everything is loaded again.
      await withTransaction(pool, (client) => noteOrdersChanged(client, workspace.id));
      expect((await engine.snapshot(workspace.id)).refreshed).toBe('full');
    } finally {
      engine.close();
    }
  }, 60_000);

  it('loads everything again after a CSV import of orders', async () => {
    const workspace = await freshWorkspace(database);
    const engine = new AnalyticsEngine(pool);
    try {
      expect((await engine.snapshot(workspace.id)).purchases).toBe(0);
      const report = await importCsv({ pool, workspace, kind: 'orders', source: { path: fixture('orders-ja.csv') }, mode: 'all-or-nothing', dryRun: false });
      expect(report.errors).toEqual([]);
      const after = await engine.snapshot(workspace.id);
      expect(after.refreshed).toBe('full');
      const { rows } = await pool.query<{ count: number }>(
        `select count(*)::int as count from orders where workspace_id = $1 and status not in ('cancelled', 'returned')`,
        [workspace.id],
      );
      expect(rows[0]!.count).toBeGreaterThan(0);
      expect(after.purchases).toBe(rows[0]!.count);
    } finally {
      engine.close();
    }
  });

  it('answers a workspace without purchases with empty figures', async () => {
    const workspace = await freshWorkspace(database);
    const empty = await loadPurchaseSnapshot(pool, workspace.id);
    expect(empty.customers).toBe(0);
    const sales = snapshotSales(empty, { period: { from: '2024-01-01', to: '2024-03-01' }, granularity: 'month' });
    expect(sales.totals).toMatchObject({ customers: 0, purchases: 0, frequency: null });
    const none = await loadSubscribedCustomers(pool, workspace.id, workspace.timezone);
    expect(snapshotRfmSummary(empty, await rfmTableOf({ pool, snapshot: empty, subscribed: none, asOf: '2024-01-01' })).customers).toBe(0);
  });
});
