import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestDatabase, freshWorkspace, withTransaction } from '../../test/support/database.ts';
import { createApiKey } from '../auth/api-keys.ts';
import { ingestBatch } from '../ingest/ingest-batch.ts';
import type { Workspace } from '../workspaces/workspaces.ts';
import { buildApp } from './app.ts';
import { AnalyticsEngine } from '../analytics/engine/analytics-engine.ts';

const database = connectTestDatabase();
let app: FastifyInstance;

// Asia/Tokyo; one item line per order, `quantity` × `price`:
//   April 2024  Y 04-15 1 × 2,000                                  → sales 2,000
//   May 2024    X 05-10 2 × 1,000, Y 05-20 1 × 3,000, X 05-25 1 × 1,000
//               → sales 6,000 = 2 customers × 1.5 purchases × 4/3 items × 1,500 per item
//   June to date (asOf 2024-06-11, 10 of 30 days): X 06-03 1 × 1,500, Y 06-05 2 × 1,500
//               → sales 4,500, customers 2, purchases 2, items 3, price per item 1,500
//   not read:   X 06-11 09:00 (on asOf), Z 06-04 cancelled
const ORDERS: [id: string, customer: string, at: string, quantity: number, price: number, status?: string][] = [
  ['Y-0415', 'Y', '2024-04-15 12:00', 1, 2000],
  ['X-0510', 'X', '2024-05-10 12:00', 2, 1000],
  ['Y-0520', 'Y', '2024-05-20 12:00', 1, 3000],
  ['X-0525', 'X', '2024-05-25 12:00', 1, 1000],
  ['X-0603', 'X', '2024-06-03 12:00', 1, 1500],
  ['Y-0605', 'Y', '2024-06-05 12:00', 2, 1500],
  ['X-0611', 'X', '2024-06-11 09:00', 5, 1500],
  ['Z-0604', 'Z', '2024-06-04 12:00', 9, 1000, 'cancelled'],
];
const AS_OF = '2024-06-11';

/** A workspace with the orders above, and a key of each kind for it. */
async function brandWithOrders(): Promise<{ workspace: Workspace; writeKey: string; readKey: string }> {
  const workspace = await freshWorkspace(database, { timezone: 'Asia/Tokyo' });
  const records = ORDERS.map(([orderId, customer, at, quantity, price, status]) => ({
    order_id: orderId,
    customer_id: customer,
    ordered_at: at,
    status: status ?? 'delivered',
    channel: 'web',
    items: [{ sku: 'P', quantity, unit_price: price, product_name: 'Product' }],
  }));
  const result = await withTransaction(database.pool, (client) => ingestBatch({ client, workspace, kind: 'orders', records, mode: 'all-or-nothing' }));
  expect(result.errors).toEqual([]);
  const writeKey = (await createApiKey(database.db, { workspaceId: workspace.id, name: 'crm', role: 'marketing' })).key;
  const readKey = (await createApiKey(database.db, { workspaceId: workspace.id, name: 'bi', role: 'read_only' })).key;
  return { workspace, writeKey, readKey };
}

beforeAll(async () => {
  app = await buildApp({ database, analytics: new AnalyticsEngine(database.pool), config: { secureCookies: false } });
});
afterAll(async () => {
  await app.close();
  await database.close();
});

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

function caller(workspace: Workspace) {
  return (method: Method, path: string, key: string, payload?: object) =>
    app.inject({
      method,
      url: `/api/v1/workspaces/${workspace.name}/analytics/kpis${path}`,
      ...(payload ? { payload } : {}),
      headers: { authorization: `Bearer ${key}` },
    });
}

describe('KPI API: the tree', () => {
  let call: ReturnType<typeof caller>;
  let writeKey: string;
  let readKey: string;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    const brand = await brandWithOrders();
    ({ writeKey, readKey } = brand);
    call = caller(brand.workspace);
  });

  async function create(input: object): Promise<{ id: string; [key: string]: unknown }> {
    const response = await call('POST', '', writeKey, input);
    expect(response.statusCode, response.body).toBe(201);
    return response.json();
  }

  it("creates a KPI with the defaults (the metric's direction, ±5 %, no filter, no parent) and reads it back", async () => {
    const sales = await create({ name: '売上', metric: { kind: 'sales' }, granularity: 'month', target: 15_000 });
    expect(sales).toMatchObject({
      name: '売上',
      metric: { kind: 'sales' },
      granularity: 'month',
      target: 15_000,
      targetOverrides: [],
      filters: {},
      direction: 'higher_is_better',
      tolerance: 0.05,
      parentId: null,
    });
    ids.sales = sales.id;
    const churn = await create({ name: '離反率', metric: { kind: 'churn_rate' }, granularity: 'month', target: 0.3 });
    expect(churn).toMatchObject({ metric: { kind: 'churn_rate', window: null }, direction: 'lower_is_better' });
    ids.churn = churn.id;
    const read = await call('GET', `/${sales.id}`, readKey);
    expect(read.statusCode).toBe(200);
    expect(read.json()).toEqual(sales);
  });

  it('lists the KPIs as a tree: each root, then its subtree depth first, with the depth', async () => {
    ids.customers = (await create({ name: '客数', metric: { kind: 'customers' }, granularity: 'month', target: 6, parentId: ids.sales })).id;
    ids.price = (await create({ name: '単価', metric: { kind: 'price_per_item' }, granularity: 'month', target: 1200, parentId: ids.sales })).id;
    ids.web = (
      await create({ name: 'Web客数', metric: { kind: 'customers' }, granularity: 'month', target: 4, parentId: ids.customers, filters: { channel: 'web' } })
    ).id;
    const list = await call('GET', '', readKey);
    expect(list.statusCode).toBe(200);
    expect(list.json().items.map((kpi: { name: string; depth: number }) => [kpi.name, kpi.depth])).toEqual([
      ['売上', 0],
      ['客数', 1],
      ['Web客数', 2],
      ['単価', 1],
      ['離反率', 0],
    ]);
  });

  it('changes only the fields given; parentId null makes a root; a parent below the KPI is refused as a cycle (422)', async () => {
    const changed = await call('PATCH', `/${ids.web}`, writeKey, { name: 'Web顧客数', target: 5, targetOverrides: [{ bucket: '2024-06-01', target: 3 }] });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json()).toMatchObject({
      name: 'Web顧客数',
      target: 5,
      targetOverrides: [{ bucket: '2024-06-01', target: 3 }],
      parentId: ids.customers,
      filters: { channel: 'web' },
    });
    const root = await call('PATCH', `/${ids.web}`, writeKey, { parentId: null });
    expect(root.json().parentId).toBeNull();
    const back = await call('PATCH', `/${ids.web}`, writeKey, { parentId: ids.customers });
    expect(back.json().parentId).toBe(ids.customers);
    const cycle = await call('PATCH', `/${ids.sales}`, writeKey, { parentId: ids.web });
    expect(cycle.statusCode).toBe(422);
    expect(cycle.json()).toMatchObject({
      code: 'validation_failed',
      message:
        'The KPI is not valid: parentId: "Web顧客数" is below "売上", so it cannot be its parent: the tree would have a cycle (売上 → Web顧客数 → 客数 → 売上, each KPI followed by its parent)',
    });
  });

  it('refuses a field of the wrong shape with 400 naming it, a definition that does not hold together with 422, a taken name with 409', async () => {
    const unknownMetric = await call('POST', '', writeKey, { name: '利益', metric: { kind: 'profit' }, granularity: 'month', target: 1 });
    expect(unknownMetric.statusCode).toBe(400);
    expect(unknownMetric.json().message).toBe(
      'Invalid request: body.metric.kind: must be one of sales, customers, purchases, frequency, items_per_purchase, price_per_item, repeat_rate, f2_rate, churn_rate, active_subscribers, continuation_rate, cancellation_rate, step_up_rate, not "profit"',
    );
    const missing = await call('POST', '', writeKey, { name: '売上2', metric: { kind: 'sales' }, granularity: 'day', target: 0 });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().message).toBe('Invalid request: body.granularity: must be one of week, month; body.target: must be above 0');
    const filtered = await call('POST', '', writeKey, {
      name: 'Webリピート率',
      metric: { kind: 'repeat_rate' },
      granularity: 'month',
      target: 0.3,
      filters: { channel: 'web' },
    });
    expect(filtered.statusCode).toBe(422);
    expect(filtered.json().message).toMatch(/^The KPI is not valid: filters: repeat_rate cannot be filtered \(by channel\)/);
    const share = await call('PATCH', `/${ids.churn}`, writeKey, { target: 30 });
    expect(share.statusCode).toBe(422);
    expect(share.json().message).toBe('The KPI is not valid: target: churn_rate is a share from 0 to 1 (0.3 for 30 %), so its target cannot be 30');
    const orphan = await call('POST', '', writeKey, {
      name: '点数',
      metric: { kind: 'items_per_purchase' },
      granularity: 'month',
      target: 2,
      parentId: '999999999',
    });
    expect(orphan.statusCode).toBe(422);
    expect(orphan.json().message).toBe('The KPI is not valid: parentId: 999999999 is not the id of a KPI of this workspace');
    const taken = await call('POST', '', writeKey, { name: '売上', metric: { kind: 'sales' }, granularity: 'week', target: 1 });
    expect(taken.statusCode).toBe(409);
    expect(taken.json().message).toBe(`A KPI named "売上" already exists in this workspace (id ${ids.sales}); choose another name.`);
  });

  it('answers 404 for a KPI the workspace does not have, 400 for what cannot be a KPI id', async () => {
    for (const method of ['GET', 'PATCH', 'DELETE'] as const) {
      const response = await call(method, '/999999999', writeKey, method === 'PATCH' ? { target: 1 } : undefined);
      expect([response.statusCode, response.json().message]).toEqual([404, 'No KPI with id 999999999 in this workspace.']);
    }
    expect((await call('GET', '/abc', readKey)).statusCode).toBe(400);
    expect((await call('GET', '/99999999999999999999', readKey)).statusCode).toBe(400);
  });

  it('lets a read-only key read but not change the KPIs (403)', async () => {
    const attempts = await Promise.all([
      call('POST', '', readKey, { name: '購入数', metric: { kind: 'purchases' }, granularity: 'month', target: 3 }),
      call('PATCH', `/${ids.sales}`, readKey, { target: 1 }),
      call('DELETE', `/${ids.sales}`, readKey),
      call('POST', '/seed', readKey, { salesTarget: 10_000 }),
    ]);
    expect(attempts.map((response) => [response.statusCode, response.json().code])).toEqual(Array(4).fill([403, 'forbidden']));
    expect((await call('GET', '/board', readKey)).statusCode).toBe(200);
  });

  it('refuses to delete a KPI with KPIs below it (409) unless withDescendants, which deletes its subtree', async () => {
    const refused = await call('DELETE', `/${ids.customers}`, writeKey);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().message).toBe('KPI "客数" has 1 KPI below it (Web顧客数): delete or move them first, or delete it with its descendants.');
    const deleted = await call('DELETE', `/${ids.customers}?withDescendants=true`, writeKey);
    expect(deleted.statusCode, deleted.body).toBe(200);
    expect(deleted.json()).toEqual({ deleted: [ids.customers, ids.web] });
    expect((await call('GET', `/${ids.web}`, readKey)).statusCode).toBe(404);
    const leaf = await call('DELETE', `/${ids.churn}`, writeKey);
    expect(leaf.json()).toEqual({ deleted: [ids.churn] });
    expect((await call('GET', '', readKey)).json().items.map((kpi: { name: string }) => kpi.name)).toEqual(['売上', '単価']);
    expect((await call('DELETE', `/${ids.sales}?withDescendants=maybe`, writeKey)).statusCode).toBe(400);
  });
});

describe('KPI API: the board', () => {
  let call: ReturnType<typeof caller>;
  let readKey: string;

  beforeAll(async () => {
    const brand = await brandWithOrders();
    readKey = brand.readKey;
    call = caller(brand.workspace);
    const create = async (input: object) => {
      const response = await call('POST', '', brand.writeKey, input);
      expect(response.statusCode, response.body).toBe(201);
      return response.json().id as string;
    };
    const sales = await create({
      name: '売上',
      metric: { kind: 'sales' },
      granularity: 'month',
      target: 15_000,
      targetOverrides: [{ bucket: '2024-05-01', target: 5000 }],
    });
    await create({ name: '客数', metric: { kind: 'customers' }, granularity: 'month', target: 6, parentId: sales });
    await create({ name: '単価', metric: { kind: 'price_per_item' }, granularity: 'month', target: 1200, parentId: sales });
    await create({ name: '来店回数', metric: { kind: 'frequency' }, granularity: 'month', target: 1.5, parentId: sales });
  });

  it('gives each KPI its actual per month against the target, June to date last, and judges June on 10 of its 30 days', async () => {
    const response = await call('GET', `/board?asOf=${AS_OF}&buckets=2`, readKey);
    expect(response.statusCode, response.body).toBe(200);
    const board = response.json();
    expect(board.asOf).toBe(AS_OF);
    const [sales, customers, price, frequency] = board.entries;
    expect(board.entries.map((entry: { kpi: { name: string; depth: number } }) => [entry.kpi.name, entry.kpi.depth])).toEqual([
      ['売上', 0],
      ['客数', 1],
      ['単価', 1],
      ['来店回数', 1],
    ]);
    // April 2,000 against 15,000; May 6,000 against its override 5,000; June to date 4,500.
    expect(sales.series).toEqual([
      { bucket: '2024-04-01', period: { from: '2024-04-01', to: '2024-05-01' }, complete: true, actual: 2000, target: 15_000, attainment: 2000 / 15_000 },
      { bucket: '2024-05-01', period: { from: '2024-05-01', to: '2024-06-01' }, complete: true, actual: 6000, target: 5000, attainment: 1.2 },
      { bucket: '2024-06-01', period: { from: '2024-06-01', to: AS_OF }, complete: false, actual: 4500, target: 15_000, attainment: 0.3 },
    ]);
    // 15,000 × 10/30 = 5,000 expected by June 10: 4,500 is 0.9 of it, below 1 − 0.05: behind.
    expect(sales.status).toEqual({ status: 'behind', bucket: '2024-06-01', actual: 4500, expected: 5000, pace: 0.9, elapsedShare: 1 / 3 });
    // Customers: X and Y, against 6 × 10/30 = 2: on track. Price per item 4,500 ÷ 3 = 1,500 against 1,200 (not pro-rated): 1.25, ahead.
    expect(customers.status).toMatchObject({ status: 'on_track', actual: 2, expected: 2, pace: 1 });
    expect(customers.series.map((bucket: { actual: number }) => bucket.actual)).toEqual([1, 2, 2]);
    expect(price.status).toMatchObject({ status: 'ahead', actual: 1500, expected: 1200, pace: 1.25 });
    expect(price.series.map((bucket: { actual: number }) => bucket.actual)).toEqual([2000, 1500, 1500]);
    // Frequency: May 3 ÷ 2 = 1.5; June to date 2 ÷ 2 = 1 against 1.5: 0.667, behind.
    expect(frequency.series.map((bucket: { actual: number }) => bucket.actual)).toEqual([1, 1.5, 1]);
    expect(frequency.status).toMatchObject({ status: 'behind', actual: 1, expected: 1.5 });
    // Two complete months are too few for a trend (3 needed).
    expect(sales.trend).toEqual({
      direction: 'insufficient_data',
      assessment: null,
      slopePerBucket: null,
      relativeSlope: null,
      buckets: ['2024-04-01', '2024-05-01'],
    });
  });

  it('fits the trend on the complete months: sales 2,000 → 6,000 after none in March is up', async () => {
    const board = (await call('GET', `/board?asOf=${AS_OF}&buckets=3`, readKey)).json();
    const [sales] = board.entries;
    expect(sales.series[0]).toMatchObject({ bucket: '2024-03-01', actual: null, attainment: null });
    // Points (1, 2,000) and (2, 6,000) only: still too few.
    expect(sales.trend.direction).toBe('insufficient_data');
    const july = (await call('GET', '/board?asOf=2024-07-01&buckets=3', readKey)).json();
    // As of July 1, June is complete: April 2,000, May 6,000, June 4,500 + X's 7,500 of 06-11 = 12,000.
    // Slope of (1, 2,000), (2, 6,000), (3, 12,000) = 5,000 per month on a mean of 6,666.67: up, improving.
    expect(july.entries[0].series.map((bucket: { actual: number | null }) => bucket.actual)).toEqual([null, 2000, 6000, 12_000]);
    expect(july.entries[0].trend).toMatchObject({
      direction: 'up',
      assessment: 'improving',
      slopePerBucket: expect.closeTo(5000, 9),
      relativeSlope: expect.closeTo(0.75, 12),
    });
    expect(july.entries[0].status).toMatchObject({ status: 'behind', actual: 12_000, expected: 15_000, elapsedShare: 1 });
  });

  it('refuses buckets below range and a date that is not one with 400, more buckets than one request may ask with 422', async () => {
    const zero = await call('GET', '/board?buckets=0', readKey);
    expect(zero.statusCode).toBe(400);
    expect(zero.json().message).toContain('querystring.buckets');
    const many = await call('GET', '/board?buckets=61', readKey);
    expect([many.statusCode, many.json().code]).toEqual([422, 'validation_failed']);
    expect(many.json().message).toContain('querystring.buckets');
    const date = await call('GET', '/board?asOf=2024-02-30', readKey);
    expect([date.statusCode, date.json().message]).toEqual([400, 'Invalid request: querystring.asOf: asOf is not a calendar date']);
  });
});

describe('KPI API: seeding the tree from the decomposition', () => {
  it('creates sales and its four factors, each target its May value × (T ÷ S0)^(1/4)', async () => {
    const { workspace, writeKey, readKey } = await brandWithOrders();
    const call = caller(workspace);
    // May: 6,000 = 2 × 1.5 × 4/3 × 1,500. Target 6,000 × 1.1⁴ = 8,784.6: every factor × 1.1.
    const response = await call('POST', '/seed', writeKey, { salesTarget: 8784.6, asOf: AS_OF });
    expect(response.statusCode, response.body).toBe(201);
    const tree = response.json();
    expect(tree).toMatchObject({
      outcome: 'seeded',
      baseline: { period: { from: '2024-05-01', to: '2024-06-01' }, totals: { sales: '6000', customers: 2, purchases: 3, items: 4 } },
      root: { name: '売上', metric: { kind: 'sales' }, granularity: 'month', target: 8784.6, parentId: null },
    });
    expect(tree.salesGrowth).toBeCloseTo(1.4641, 12);
    expect(tree.factorGrowth).toBeCloseTo(1.1, 12);
    expect(
      tree.children.map((kpi: { name: string; metric: { kind: string }; target: number; parentId: string }) => [
        kpi.name,
        kpi.metric.kind,
        kpi.parentId,
        kpi.target,
      ]),
    ).toEqual([
      ['客数', 'customers', tree.root.id, expect.closeTo(2.2, 12)],
      ['来店回数', 'frequency', tree.root.id, expect.closeTo(1.65, 12)],
      ['点数', 'items_per_purchase', tree.root.id, expect.closeTo((4 / 3) * 1.1, 12)],
      ['単価', 'price_per_item', tree.root.id, expect.closeTo(1650, 9)],
    ]);
    const list = (await call('GET', '', readKey)).json();
    expect(list.items.map((kpi: { name: string; depth: number }) => [kpi.name, kpi.depth])).toEqual([
      ['売上', 0],
      ['客数', 1],
      ['来店回数', 1],
      ['点数', 1],
      ['単価', 1],
    ]);
    // Seeding again would take the names again: 409, nothing created.
    const again = await call('POST', '/seed', writeKey, { salesTarget: 10_000, asOf: AS_OF });
    expect([again.statusCode, again.json().message]).toEqual([
      409,
      `A KPI named "売上" already exists in this workspace (id ${tree.root.id}); choose another name.`,
    ]);
  });

  it('creates nothing when the baseline has no sales (200, no_baseline), and refuses a target that is not above 0 (400)', async () => {
    const { workspace, writeKey, readKey } = await brandWithOrders();
    const call = caller(workspace);
    const response = await call('POST', '/seed', writeKey, { salesTarget: 10_000, granularity: 'month', asOf: '2024-04-01' });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({ outcome: 'no_baseline', baseline: { period: { from: '2024-03-01', to: '2024-04-01' }, totals: { sales: '0' } } });
    expect(response.json().reason).toBe('The month of 2024-03-01 has no sales to split a target from: seed the tree as of a date after a month with sales.');
    expect((await call('GET', '', readKey)).json().items).toEqual([]);
    const zero = await call('POST', '/seed', writeKey, { salesTarget: 0 });
    expect([zero.statusCode, zero.json().message]).toEqual([400, 'Invalid request: body.salesTarget: Too small: expected number to be >0']);
  });
});
