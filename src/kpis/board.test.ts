import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestDatabase, freshWorkspace, withTransaction } from '../../test/support/database.ts';
import { addOrders } from '../../test/support/purchases.ts';
import { ingestBatch } from '../ingest/ingest-batch.ts';
import type { BatchKind } from '../ingest/records.ts';
import type { Workspace } from '../workspaces/workspaces.ts';
import { loadPurchaseSnapshot } from '../analytics/engine/snapshot/load.ts';
import { boardSpans, kpiBoard, type KpiBoard, type KpiBoardEntry } from './board.ts';
import { createKpi } from './store.ts';

const database = connectTestDatabase();
afterAll(() => database.close());

async function ingest(workspace: Workspace, kind: BatchKind, records: unknown[]) {
  const result = await withTransaction(database.pool, (client) => ingestBatch({ client, workspace, kind, records, mode: 'all-or-nothing' }));
  expect(result.errors).toEqual([]);
}

const kpi = (workspace: Workspace, input: Record<string, unknown>) =>
  createKpi({ pool: database.pool, workspaceId: workspace.id, input: { granularity: 'month', ...input } });
const entryOf = (board: KpiBoard, name: string): KpiBoardEntry => board.entries.find((entry) => entry.kpi.name === name)!;
/** [bucket, actual] of the series. */
const actuals = (entry: KpiBoardEntry) => entry.series.map((bucket) => [bucket.bucket, bucket.actual]);

/** An order at wall-clock time `at` in Asia/Tokyo: `quantity` × `price` of one product. */
function order(
  id: string,
  customer: string,
  at: string,
  quantity: number,
  price: number,
  where: { channel: string; prefecture: string; store?: string },
  status = 'delivered',
) {
  return { order_id: id, customer_id: customer, ordered_at: at, status, ...where, items: [{ sku: 'P', quantity, unit_price: price, product_name: 'Product' }] };
}
const TOKYO_WEB = { channel: 'web', prefecture: '東京都' };
const UMEDA = { channel: 'store', prefecture: '大阪府', store: '梅田' };

// Customers: X female (東京都), Y male (大阪府), Z male, W no gender.
// December 2023 to May 2024: X buys on the 10th on the web in 東京都, Y on the 20th at the 梅田
// store in 大阪府, the same basket each month (both customers alike):
//   month   basket          each     sales    items  price per item
//   Dec     1 × 5,000       5,000    10,000   2      5,000
//   Jan     2 × 3,000       6,000    12,000   4      3,000
//   Feb     2 × 3,500       7,000    14,000   4      3,500
//   Mar     4 × 2,000       8,000    16,000   8      2,000
//   Apr     5 × 1,800       9,000    18,000   10     1,800
//   May     5 × 2,000      10,000    20,000   10     2,000
// Customers 2 every month, one purchase each (repeat rate 0).
// June 2024 to date, asOf 2024-06-11 (10 of 30 days read):
//   X 06-03 web 東京都  2 × 2,000 = 4,000
//   Y 06-05 梅田 大阪府 1 × 3,000 = 3,000
//   X 06-10 23:30 web   1 × 2,000 = 2,000   (still June 10 in Tokyo)
//   not read: Z 06-11 00:10 (5,000, on asOf: 06-10 15:10 UTC), W 06-04 cancelled (10,000)
//   → sales 9,000, customers 2 (X, Y), purchases 3, items 4, price per item 2,250; web 6,000 (X),
//     大阪府 3,000 (Y), female 1 customer (X); repeat rate 1 ÷ 2 (X bought twice).
// The workspace's first order is on 2023-12-10: the months before have no data.
const MONTHS: [string, number, number][] = [
  ['2023-12', 1, 5000],
  ['2024-01', 2, 3000],
  ['2024-02', 2, 3500],
  ['2024-03', 4, 2000],
  ['2024-04', 5, 1800],
  ['2024-05', 5, 2000],
];
const ORDERS = [
  ...MONTHS.flatMap(([month, quantity, price]) => [
    order(`X${month}`, 'X', `${month}-10 12:00`, quantity, price, TOKYO_WEB),
    order(`Y${month}`, 'Y', `${month}-20 12:00`, quantity, price, UMEDA),
  ]),
  order('X-0603', 'X', '2024-06-03 12:00', 2, 2000, TOKYO_WEB),
  order('Y-0605', 'Y', '2024-06-05 12:00', 1, 3000, UMEDA),
  order('X-0610', 'X', '2024-06-10 23:30', 1, 2000, TOKYO_WEB),
  order('Z-0611', 'Z', '2024-06-11 00:10', 1, 5000, TOKYO_WEB),
  order('W-0604', 'W', '2024-06-04 12:00', 1, 10_000, TOKYO_WEB, 'cancelled'),
];
const AS_OF = '2024-06-11';

describe('the KPI board of a brand', () => {
  let workspace: Workspace;
  let board: KpiBoard;

  beforeAll(async () => {
    workspace = await freshWorkspace(database, { timezone: 'Asia/Tokyo' });
    await ingest(workspace, 'customers', [
      { customer_id: 'X', gender: 'female', prefecture: '東京都' },
      { customer_id: 'Y', gender: 'male', prefecture: '大阪府' },
      { customer_id: 'Z', gender: 'male' },
      { customer_id: 'W' },
    ]);
    await ingest(workspace, 'orders', ORDERS);
    const sales = await kpi(workspace, {
      name: '売上',
      metric: { kind: 'sales' },
      target: 27_000,
      targetOverrides: [{ bucket: '2024-05-01', target: 25_000 }],
    });
    await kpi(workspace, { name: '売上（高い目標）', metric: { kind: 'sales' }, target: 30_000 });
    await kpi(workspace, { name: '売上（低い目標）', metric: { kind: 'sales' }, target: 24_000 });
    await kpi(workspace, { name: 'Web売上', metric: { kind: 'sales' }, target: 18_000, filters: { channel: 'web' }, parentId: sales.id });
    await kpi(workspace, { name: '大阪売上', metric: { kind: 'sales' }, target: 6000, filters: { orderPrefecture: '大阪' }, parentId: sales.id });
    await kpi(workspace, { name: '女性客数', metric: { kind: 'customers' }, target: 3, filters: { gender: 'female' } });
    await kpi(workspace, { name: '客数', metric: { kind: 'customers' }, target: 6, parentId: sales.id });
    await kpi(workspace, { name: '単価', metric: { kind: 'price_per_item' }, target: 2000, parentId: sales.id });
    await kpi(workspace, { name: 'リピート率', metric: { kind: 'repeat_rate' }, target: 0.6 });
    await kpi(workspace, { name: '離反率', metric: { kind: 'churn_rate', window: 5 }, target: 0.6 });
    await kpi(workspace, { name: '離反率（厳しい目標）', metric: { kind: 'churn_rate', window: 5 }, target: 0.4 });
    await kpi(workspace, { name: '週間売上', metric: { kind: 'sales' }, granularity: 'week', target: 14_000 });
    board = await kpiBoard({ pool: database.pool, workspaceId: workspace.id, asOf: AS_OF });
  });

  it('lists every KPI in tree order, each with the 12 months before June and June to date', () => {
    expect(board.entries.map((entry) => [entry.kpi.name, entry.kpi.depth])).toEqual([
      ['売上', 0],
      ['Web売上', 1],
      ['大阪売上', 1],
      ['客数', 1],
      ['単価', 1],
      ['売上（高い目標）', 0],
      ['売上（低い目標）', 0],
      ['女性客数', 0],
      ['リピート率', 0],
      ['離反率', 0],
      ['離反率（厳しい目標）', 0],
      ['週間売上', 0],
    ]);
    const sales = entryOf(board, '売上');
    expect(sales.series.map((bucket) => bucket.bucket)).toEqual([
      '2023-06-01',
      '2023-07-01',
      '2023-08-01',
      '2023-09-01',
      '2023-10-01',
      '2023-11-01',
      '2023-12-01',
      '2024-01-01',
      '2024-02-01',
      '2024-03-01',
      '2024-04-01',
      '2024-05-01',
      '2024-06-01',
    ]);
    expect(sales.series.at(-1)).toEqual({
      bucket: '2024-06-01',
      period: { from: '2024-06-01', to: '2024-06-11' },
      complete: false,
      actual: 9000,
      target: 27_000,
      attainment: 9000 / 27_000,
    });
  });

  it("gives the actual per month, none before the first order, and the attainment against each month's target", () => {
    const sales = entryOf(board, '売上');
    expect(actuals(sales)).toEqual([
      ['2023-06-01', null],
      ['2023-07-01', null],
      ['2023-08-01', null],
      ['2023-09-01', null],
      ['2023-10-01', null],
      ['2023-11-01', null],
      ['2023-12-01', 10_000],
      ['2024-01-01', 12_000],
      ['2024-02-01', 14_000],
      ['2024-03-01', 16_000],
      ['2024-04-01', 18_000],
      ['2024-05-01', 20_000],
      ['2024-06-01', 9000],
    ]);
    // May's override: 20,000 ÷ 25,000
    expect(sales.series[11]).toMatchObject({ complete: true, target: 25_000, attainment: 0.8 });
    expect(sales.series[10]).toMatchObject({ target: 27_000, attainment: 18_000 / 27_000 });
  });

  it('pro-rates a sales target on the 10th of a 30-day month: 9,000 to date against 27,000 × 10/30 = 9,000 is on track', () => {
    expect(entryOf(board, '売上').status).toEqual({ status: 'on_track', bucket: '2024-06-01', actual: 9000, expected: 9000, pace: 1, elapsedShare: 10 / 30 });
    // 30,000 × 10/30 = 10,000: 9,000 is 0.9 of it, behind; 24,000 × 10/30 = 8,000: 1.125, ahead
    expect(entryOf(board, '売上（高い目標）').status).toMatchObject({ status: 'behind', expected: 10_000, pace: 0.9 });
    expect(entryOf(board, '売上（低い目標）').status).toMatchObject({ status: 'ahead', expected: 8000, pace: 1.125 });
  });

  it('pro-rates a weekly target too: on Monday June 10, one day of seven', () => {
    // Week of Monday 2024-06-10 to date: X's 2,000 at 23:30; 14,000 × 1/7 = 2,000. The week before: 4,000 + 3,000.
    const weekly = entryOf(board, '週間売上');
    expect(weekly.status).toEqual({ status: 'on_track', bucket: '2024-06-10', actual: 2000, expected: 2000, pace: 1, elapsedShare: 1 / 7 });
    expect(weekly.series.slice(-2).map((bucket) => [bucket.bucket, bucket.actual, bucket.complete])).toEqual([
      ['2024-06-03', 7000, true],
      ['2024-06-10', 2000, false],
    ]);
  });

  it('measures a filtered sales metric on its group only (channel, order prefecture, customer gender)', () => {
    // web: X's 4,000 + 2,000 against 18,000 × 10/30 = 6,000; May: X's 10,000
    expect(entryOf(board, 'Web売上').status).toMatchObject({ status: 'on_track', actual: 6000, expected: 6000 });
    expect(entryOf(board, 'Web売上').series[11]!.actual).toBe(10_000);
    // 大阪府: Y's 3,000 against 6,000 × 10/30 = 2,000: 1.5, ahead
    expect(entryOf(board, '大阪売上').status).toMatchObject({ status: 'ahead', actual: 3000, expected: 2000, pace: 1.5 });
    // female customers: X alone, against 3 × 10/30 = 1
    expect(entryOf(board, '女性客数').status).toMatchObject({ status: 'on_track', actual: 1, expected: 1 });
  });

  it('compares a ratio metric with its target directly: repeat rate 1/2 against 0.6 is behind', () => {
    // 0.5 ÷ 0.6 = 0.833; a pro-rated 0.6 × 10/30 = 0.2 would have read ahead
    expect(entryOf(board, 'リピート率').status).toMatchObject({ status: 'behind', actual: 0.5, expected: 0.6 });
    expect(entryOf(board, '単価').status).toMatchObject({ status: 'ahead', actual: 2250, expected: 2000, pace: 1.125 });
  });

  it('reads the churn rate as lower-is-better: 1 of 2 churned within 5 days is ahead of 0.6 and behind 0.4', () => {
    // As of 06-11 with 5 days: churned when the last purchase day is before 06-06. Y (06-05) is, X (06-10) is not;
    // W (cancelled only) and Z (on 06-11) have no purchase before 06-11. Rate 1 ÷ 2.
    expect(entryOf(board, '離反率').kpi.direction).toBe('lower_is_better');
    expect(entryOf(board, '離反率').status).toMatchObject({ status: 'ahead', actual: 0.5, expected: 0.6 });
    expect(entryOf(board, '離反率（厳しい目標）').status).toMatchObject({ status: 'behind', actual: 0.5, pace: 1.25 });
  });

  it('gives the trend of the last six complete months: sales up, customers flat, price per item down', () => {
    // sales 10,000 … 20,000 by 2,000 a month: slope 2,000 on a mean of 15,000 (June to date left out)
    const sales = entryOf(board, '売上').trend;
    expect(sales).toMatchObject({
      direction: 'up',
      assessment: 'improving',
      buckets: ['2023-12-01', '2024-01-01', '2024-02-01', '2024-03-01', '2024-04-01', '2024-05-01'],
    });
    expect(sales.slopePerBucket).toBeCloseTo(2000, 9);
    expect(sales.relativeSlope).toBeCloseTo(2000 / 15_000, 12);
    expect(entryOf(board, '客数').trend).toMatchObject({ direction: 'flat', slopePerBucket: 0 });
    // price per item 5,000, 3,000, 3,500, 2,000, 1,800, 2,000: ȳ = 17,300 ÷ 6 = 2,883.33;
    // Σ(x − x̄)y = −2.5·5,000 − 1.5·3,000 − 0.5·3,500 + 0.5·2,000 + 1.5·1,800 + 2.5·2,000
    //           = −12,500 − 4,500 − 1,750 + 1,000 + 2,700 + 5,000 = −10,050; slope −10,050 ÷ 17.5 = −574.29
    const price = entryOf(board, '単価').trend;
    expect(price).toMatchObject({ direction: 'down', assessment: 'worsening' });
    expect(price.slopePerBucket).toBeCloseTo(-10_050 / 17.5, 9);
  });

  it("gives the same board with the purchases from the analytics engine's snapshot", async () => {
    const snapshot = await loadPurchaseSnapshot(database.pool, workspace.id);
    const fromSnapshot = await kpiBoard({ pool: database.pool, workspaceId: workspace.id, asOf: AS_OF, snapshot });
    expect(JSON.parse(JSON.stringify(fromSnapshot))).toEqual(JSON.parse(JSON.stringify(board)));
  });

  it('judges the whole of the last month on the first day of the next (asOf 2024-06-01: May, complete)', async () => {
    const onJune1 = await kpiBoard({ pool: database.pool, workspaceId: workspace.id, asOf: '2024-06-01', buckets: 3 });
    const sales = entryOf(onJune1, '売上');
    expect(sales.series.map((bucket) => [bucket.bucket, bucket.complete])).toEqual([
      ['2024-02-01', true],
      ['2024-03-01', true],
      ['2024-04-01', true],
      ['2024-05-01', true],
    ]);
    // 20,000 against May's override 25,000, the whole month elapsed
    expect(sales.status).toEqual({ status: 'behind', bucket: '2024-05-01', actual: 20_000, expected: 25_000, pace: 0.8, elapsedShare: 1 });
  });

  it('refuses a board of no buckets, and a date that is not one', async () => {
    await expect(kpiBoard({ pool: database.pool, workspaceId: workspace.id, asOf: AS_OF, buckets: 0 })).rejects.toThrow(
      'buckets must be a whole number from 1 to 60, not 0.',
    );
    await expect(kpiBoard({ pool: database.pool, workspaceId: workspace.id, asOf: '2024-06-31' })).rejects.toThrow(
      'asOf must be a date written YYYY-MM-DD, not "2024-06-31".',
    );
  });
});

describe('F2 on the board', () => {
  it('judges the latest cohort whose window is over, not the cohorts still converting', async () => {
    // 30-day window, asOf 2024-06-11:
    //   April: N1 04-05 → 04-25 (20 days, converted), N2 04-12 → 05-20 (38 days, not), N3 04-30 → 05-02 (converted):
    //          2 of 3; window over on 05-01 + 29 = 05-30, before asOf: complete
    //   May:   N4 05-10, nothing since: 0 of 1, window until 06-30: still converting
    //   June:  N5 06-02: 0 of 1, still converting
    const workspace = await freshWorkspace(database, { timezone: 'Asia/Tokyo' });
    await addOrders(database, workspace, [
      { customer: 'N1', at: '2024-04-05 12:00', amount: 1000 },
      { customer: 'N1', at: '2024-04-25 12:00', amount: 1000 },
      { customer: 'N2', at: '2024-04-12 12:00', amount: 1000 },
      { customer: 'N2', at: '2024-05-20 12:00', amount: 1000 },
      { customer: 'N3', at: '2024-04-30 12:00', amount: 1000 },
      { customer: 'N3', at: '2024-05-02 12:00', amount: 1000 },
      { customer: 'N4', at: '2024-05-10 12:00', amount: 1000 },
      { customer: 'N5', at: '2024-06-02 12:00', amount: 1000 },
    ]);
    await kpi(workspace, { name: 'F2転換率', metric: { kind: 'f2_rate', within: 30 }, target: 0.6 });
    const f2 = entryOf(await kpiBoard({ pool: database.pool, workspaceId: workspace.id, asOf: AS_OF, buckets: 3 }), 'F2転換率');
    expect(f2.series.map((bucket) => [bucket.bucket, bucket.actual, bucket.complete])).toEqual([
      ['2024-03-01', null, true],
      ['2024-04-01', 2 / 3, true],
      ['2024-05-01', 0, false],
      ['2024-06-01', 0, false],
    ]);
    // (2/3) ÷ 0.6 = 1.11: ahead (the May and June cohorts, at 0, would read behind)
    expect(f2.status).toMatchObject({ status: 'ahead', bucket: '2024-04-01', actual: 2 / 3, expected: 0.6, elapsedShare: 1 });
    expect(f2.trend.direction).toBe('insufficient_data');
  });
});

describe('KPIs without data', () => {
  it('has no status for a churn rate without a window, and says how to get one', async () => {
    const workspace = await freshWorkspace(database, { timezone: 'Asia/Tokyo' });
    await addOrders(database, workspace, [{ customer: 'A', at: '2024-06-03 12:00', amount: 1000 }]);
    await kpi(workspace, { name: '離反率', metric: { kind: 'churn_rate' }, target: 0.2 });
    await kpi(workspace, { name: '購入頻度', metric: { kind: 'frequency' }, target: 1.2 });
    const board = await kpiBoard({ pool: database.pool, workspaceId: workspace.id, asOf: '2024-07-03' });
    expect(entryOf(board, '離反率').status).toEqual({
      status: 'no_data',
      bucket: '2024-07-01',
      reason: 'No churn window: set one on the KPI or the workspace, or wait until customers have bought on two days, from which one is proposed.',
    });
    // nobody bought in July to date: frequency (purchases ÷ customers) has no value
    expect(entryOf(board, '購入頻度').status).toMatchObject({ status: 'no_data', bucket: '2024-07-01' });
    expect(entryOf(board, '購入頻度').series.at(-2)).toMatchObject({ bucket: '2024-06-01', actual: 1, attainment: 1 / 1.2 });
  });
});

describe('board buckets', () => {
  it('cuts the current bucket at asOf and counts its days', () => {
    // asOf 2024-03-01 reads to 02-29: the current bucket is all of February 2024 (29 days)
    expect(boardSpans('2024-03-01', 'month', 1)).toEqual([
      { bucket: '2024-01-01', period: { from: '2024-01-01', to: '2024-02-01' }, daysInBucket: 31, elapsedDays: 31, ended: true },
      { bucket: '2024-02-01', period: { from: '2024-02-01', to: '2024-03-01' }, daysInBucket: 29, elapsedDays: 29, ended: true },
    ]);
    // Wednesday 2024-06-12 reads to Tuesday the 11th: two days of the week of Monday the 10th
    expect(boardSpans('2024-06-12', 'week', 1).at(-1)).toEqual({
      bucket: '2024-06-10',
      period: { from: '2024-06-10', to: '2024-06-12' },
      daysInBucket: 7,
      elapsedDays: 2,
      ended: false,
    });
  });
});
