import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestDatabase, freshWorkspace, withTransaction } from '../../test/support/database.ts';
import { ingestBatch } from '../ingest/ingest-batch.ts';
import type { BatchKind } from '../ingest/records.ts';
import type { Workspace } from '../workspaces/workspaces.ts';
import { changeOf, decomposeSales, subtractDecimals, totalsOf, type SalesTotals } from './sales-decomposition.ts';

const database = connectTestDatabase();
afterAll(() => database.close());

async function ingest(workspace: Workspace, kind: BatchKind, records: unknown[]) {
  const result = await withTransaction(database.pool, (client) => ingestBatch({ client, workspace, kind, records, mode: 'all-or-nothing' }));
  expect(result.errors).toEqual([]);
}

/** An order of wall-clock time `at` in the workspace's zone; items are [sku, quantity, unit price]. */
function order(id: string, customer: string, at: string, items: [string, number, number][], status = 'delivered') {
  return {
    order_id: id,
    customer_id: customer,
    ordered_at: at,
    status,
    items: items.map(([sku, quantity, unit_price]) => ({ sku, quantity, unit_price, product_name: sku })),
  };
}

/** Fails on NaN or ±Infinity anywhere in a result (JSON.stringify would hide them as null). */
function expectFiniteNumbers(value: unknown): void {
  if (typeof value === 'number') expect(Number.isFinite(value)).toBe(true);
  else if (value && typeof value === 'object') for (const child of Object.values(value)) expectFiniteNumbers(child);
}

/** S = C × F × I × P, to floating-point rounding. */
function expectIdentity(totals: SalesTotals) {
  const { customers, frequency, itemsPerPurchase, pricePerItem } = totals;
  expect(customers * frequency! * itemsPerPurchase! * pricePerItem!).toBeCloseTo(Number(totals.sales), 6);
}

// Asia/Tokyo is UTC+9: local midnight is 15:00 UTC the day before. Products A at 1,000, B at 3,000.
//
// March 2024 (the period):
//   O1 C1 03-01 00:05 (UTC: Feb 29)   A×2 = 2,000, 2 items
//   O2 C1 03-15 10:00                 B×1 = 3,000, 1 item
//   O3 C2 03-20 12:00                 A×1 + B×1 = 4,000, 2 items
//   O4 C3 03-31 23:59                 A×3 = 3,000, 3 items
//   not counted: O5 C3 04-01 00:01 (UTC: Mar 31), O6 C4 cancelled, O7 C2 returned
//   sales 12,000; customers 3; purchases 4; items 8
//   frequency 4/3, items per purchase 8/4 = 2, price per item 12,000/8 = 1,500: 3 × 4/3 × 2 × 1,500 = 12,000
// February 2024 (previous):
//   P1 C2 02-01 00:00 (the first instant)  A×1 = 1,000, 1 item
//   P2 C1 02-10 12:00                      A×2 = 2,000, 2 items
//   P3 C2 02-29 23:30                      B×1 = 3,000, 1 item
//   not counted: P4 C4 01-31 23:59
//   sales 6,000; customers 2; purchases 3; items 4: 2 × 1.5 × 4/3 × 1,500 = 6,000
// March 2023 (a year earlier):
//   Y1 C1 2023-03-05  B×2 = 6,000, 2 items;  Y2 C4 2023-03-31 23:00  A×2 = 2,000, 2 items
//   sales 8,000; customers 2; purchases 2; items 4: 2 × 1 × 2 × 2,000 = 8,000
const ORDERS = [
  order('O1', 'C1', '2024-03-01 00:05', [['A', 2, 1000]]),
  order('O2', 'C1', '2024-03-15 10:00', [['B', 1, 3000]]),
  order('O3', 'C2', '2024-03-20 12:00', [
    ['A', 1, 1000],
    ['B', 1, 3000],
  ]),
  order('O4', 'C3', '2024-03-31 23:59', [['A', 3, 1000]]),
  order('O5', 'C3', '2024-04-01 00:01', [['A', 1, 1000]]),
  order('O6', 'C4', '2024-03-10 12:00', [['B', 5, 3000]], 'cancelled'),
  order('O7', 'C2', '2024-03-25 12:00', [['A', 1, 1000]], 'returned'),
  order('P1', 'C2', '2024-02-01 00:00', [['A', 1, 1000]]),
  order('P2', 'C1', '2024-02-10 12:00', [['A', 2, 1000]]),
  order('P3', 'C2', '2024-02-29 23:30', [['B', 1, 3000]]),
  order('P4', 'C4', '2024-01-31 23:59', [['A', 1, 1000]]),
  order('Y1', 'C1', '2023-03-05 12:00', [['B', 2, 3000]]),
  order('Y2', 'C4', '2023-03-31 23:00', [['A', 2, 1000]]),
];

const MARCH = { from: '2024-03-01', to: '2024-04-01' };
let tokyo: Workspace;

beforeAll(async () => {
  tokyo = await freshWorkspace(database, { timezone: 'Asia/Tokyo' });
  await ingest(tokyo, 'orders', ORDERS);
});

const totals = (sales: string, customers: number, purchases: number, items: number) => totalsOf({ sales, customers, purchases, items });

describe('decomposeSales', () => {
  it('decomposes a period by local day in the workspace zone, without cancelled or returned orders', async () => {
    const result = await decomposeSales({ pool: database.pool, workspaceId: tokyo.id, period: MARCH, granularity: 'month', compare: [] });
    expect(result.totals).toEqual({ sales: '12000', customers: 3, purchases: 4, items: 8, frequency: 4 / 3, itemsPerPurchase: 2, pricePerItem: 1500 });
    expectIdentity(result.totals);
    expect(result.series).toEqual([{ bucket: '2024-03-01', period: MARCH, totals: result.totals }]);
    expect(result.comparisons).toEqual([]);
  });

  it('gives every week of the period, cut to the period and empty weeks included', async () => {
    const { series } = await decomposeSales({ pool: database.pool, workspaceId: tokyo.id, period: MARCH, granularity: 'week', compare: [] });
    // Weeks start on Monday: 2024-02-26 holds Mar 1–3 (O1), 03-04 nothing, 03-11 O2, 03-18 O3 (O7 returned), 03-25 O4 (Mar 31, a Sunday).
    expect(series.map((s) => [s.bucket, s.period.from, s.period.to, s.totals.sales, s.totals.customers, s.totals.purchases, s.totals.items])).toEqual([
      ['2024-02-26', '2024-03-01', '2024-03-04', '2000', 1, 1, 2],
      ['2024-03-04', '2024-03-04', '2024-03-11', '0', 0, 0, 0],
      ['2024-03-11', '2024-03-11', '2024-03-18', '3000', 1, 1, 1],
      ['2024-03-18', '2024-03-18', '2024-03-25', '4000', 1, 1, 2],
      ['2024-03-25', '2024-03-25', '2024-04-01', '3000', 1, 1, 3],
    ]);
    expect(series[1]!.totals).toMatchObject({ frequency: null, itemsPerPurchase: null, pricePerItem: null });
    expectFiniteNumbers(series);
  });

  it('compares with the previous month: ratios multiply to the sales ratio and log shares add up to 1', async () => {
    const result = await decomposeSales({ pool: database.pool, workspaceId: tokyo.id, period: MARCH, granularity: 'month', compare: ['previous'] });
    const [previous] = result.comparisons;
    expect(previous!.period).toEqual({ from: '2024-02-01', to: '2024-03-01' });
    expect(previous!.totals).toEqual({ sales: '6000', customers: 2, purchases: 3, items: 4, frequency: 1.5, itemsPerPurchase: 4 / 3, pricePerItem: 1500 });
    expectIdentity(previous!.totals);
    // Ratios: customers 3/2 = 1.5, frequency (4/3)/1.5 = 8/9, items per purchase 2/(4/3) = 1.5, price 1; 1.5 × 8/9 × 1.5 × 1 = 2.
    // Shares over ln 2: ln 1.5/ln 2 = 0.58496, ln(8/9)/ln 2 = −0.16993, 0.58496, 0.
    const { change } = previous!;
    expect(change.salesRatio).toBe(2);
    expect(change.salesDifference).toBe('6000');
    expect(change.unshared).toBeNull();
    expect(change.factors.customers.ratio).toBeCloseTo(1.5, 12);
    expect(change.factors.frequency.ratio).toBeCloseTo(8 / 9, 12);
    expect(change.factors.itemsPerPurchase.ratio).toBeCloseTo(1.5, 12);
    expect(change.factors.pricePerItem.ratio).toBe(1);
    expect(change.factors.customers.share).toBeCloseTo(0.584963, 6);
    expect(change.factors.frequency.share).toBeCloseTo(-0.169925, 6);
    expect(change.factors.itemsPerPurchase.share).toBeCloseTo(0.584963, 6);
    expect(change.factors.pricePerItem.share).toBe(0);
    const shares = Object.values(change.factors).map((f) => f.share!);
    expect(shares.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it('compares with the same month a year earlier', async () => {
    const result = await decomposeSales({ pool: database.pool, workspaceId: tokyo.id, period: MARCH, granularity: 'month' });
    expect(result.comparisons.map((c) => c.comparison)).toEqual(['previous', 'year']);
    const year = result.comparisons[1]!;
    expect(year.period).toEqual({ from: '2023-03-01', to: '2023-04-01' });
    expect(year.totals).toEqual({ sales: '8000', customers: 2, purchases: 2, items: 4, frequency: 1, itemsPerPurchase: 2, pricePerItem: 2000 });
    // Ratios: 1.5, (4/3)/1 = 4/3, 2/2 = 1, 1,500/2,000 = 0.75; 1.5 × 4/3 × 1 × 0.75 = 1.5 = 12,000/8,000.
    // Shares over ln 1.5: 1, ln(4/3)/ln 1.5 = 0.709511, 0, ln 0.75/ln 1.5 = −0.709511.
    expect(year.change.salesRatio).toBe(1.5);
    expect(year.change.factors.customers.share).toBeCloseTo(1, 12);
    expect(year.change.factors.frequency.share).toBeCloseTo(0.709511, 6);
    expect(year.change.factors.itemsPerPurchase.share).toBe(0);
    expect(year.change.factors.pricePerItem.share).toBeCloseTo(-0.709511, 6);
    expect(year.change.factors.pricePerItem.ratio).toBe(0.75);
  });

  it('gives null ratios and shares with a reason, never NaN or Infinity, when a period has no sales', async () => {
    // May 2024 has no purchase; April has O5 (1,000); May 2023 has none.
    const result = await decomposeSales({ pool: database.pool, workspaceId: tokyo.id, period: { from: '2024-05-01', to: '2024-06-01' }, granularity: 'week' });
    expect(result.totals).toEqual({ sales: '0', customers: 0, purchases: 0, items: 0, frequency: null, itemsPerPurchase: null, pricePerItem: null });
    const [previous, year] = result.comparisons;
    expect(previous!.totals.sales).toBe('1000');
    expect(previous!.change).toMatchObject({ salesRatio: 0, salesDifference: '-1000', unshared: { reason: 'no_sales_in_period' } });
    expect(previous!.change.factors.customers).toEqual({ ratio: 0, share: null });
    expect(previous!.change.factors.frequency).toEqual({ ratio: null, share: null });
    expect(year!.change).toMatchObject({ salesRatio: null, salesDifference: '0', unshared: { reason: 'no_sales_in_either_period' } });
    expectFiniteNumbers(result);
  });

  it('starts a change from zero without shares when the compared period has no sales', async () => {
    // April 2024 has O5 (1,000), April 2023 has nothing.
    const result = await decomposeSales({
      pool: database.pool,
      workspaceId: tokyo.id,
      period: { from: '2024-04-01', to: '2024-05-01' },
      granularity: 'day',
      compare: ['year'],
    });
    expect(result.totals.sales).toBe('1000');
    expect(result.series[0]).toMatchObject({ bucket: '2024-04-01', totals: { sales: '1000', customers: 1 } });
    expect(result.series).toHaveLength(30);
    expect(result.comparisons[0]!.change).toMatchObject({ salesRatio: null, salesDifference: '1000', unshared: { reason: 'no_sales_in_compared_period' } });
    expectFiniteNumbers(result);
  });

  it('keeps sums of a decimal currency exact', async () => {
    const boston = await freshWorkspace(database, { timezone: 'America/New_York', currency: 'USD' });
    // January: 3 × 19.99 + 1 × 0.10 = 60.07 on Jan 31 at 20:00 local (01:00 UTC on Feb 1). February: 2 × 0.10 = 0.2.
    await ingest(boston, 'orders', [
      order('U1', 'D1', '2024-01-31 20:00', [
        ['X', 3, 19.99],
        ['Y', 1, 0.1],
      ]),
      order('U2', 'D1', '2024-02-01 00:30', [['Y', 2, 0.1]]),
    ]);
    const result = await decomposeSales({
      pool: database.pool,
      workspaceId: boston.id,
      period: { from: '2024-02-01', to: '2024-03-01' },
      granularity: 'month',
      compare: ['previous'],
    });
    expect(result.totals).toMatchObject({ sales: '0.2', items: 2 });
    expect(result.comparisons[0]!.totals).toMatchObject({ sales: '60.07', items: 4, pricePerItem: 60.07 / 4 });
    expect(result.comparisons[0]!.change.salesDifference).toBe('-59.87');
  });

  it('refuses an empty period, an unknown workspace, granularity or comparison', async () => {
    await expect(
      decomposeSales({ pool: database.pool, workspaceId: tokyo.id, period: { from: '2024-03-01', to: '2024-03-01' }, granularity: 'day' }),
    ).rejects.toThrow(/must be before/);
    await expect(decomposeSales({ pool: database.pool, workspaceId: '0', period: MARCH, granularity: 'day' })).rejects.toThrow(/No workspace/);
    await expect(decomposeSales({ pool: database.pool, workspaceId: tokyo.id, period: MARCH, granularity: 'hour' as never })).rejects.toThrow(
      /granularity must be/,
    );
    await expect(
      decomposeSales({ pool: database.pool, workspaceId: tokyo.id, period: MARCH, granularity: 'day', compare: ['quarter' as never] }),
    ).rejects.toThrow(/compare must be/);
  });
});

describe('changeOf', () => {
  it('gives ratios but no shares when sales are unchanged, decided on the exact decimals', () => {
    // 2 customers × 1 × 2 × 1,500 = 6,000 and 3 × 1 × 1 × 2,000 = 6,000.00: the factors moved, sales did not.
    const change = changeOf(totals('6000', 2, 2, 4), totals('6000.00', 3, 3, 3));
    expect(change.unshared?.reason).toBe('sales_unchanged');
    expect(change.salesRatio).toBe(1);
    expect(change.factors.customers).toEqual({ ratio: 1.5, share: null });
    expect(change.factors.itemsPerPurchase).toEqual({ ratio: 0.5, share: null });
  });

  it('subtracts decimals exactly', () => {
    expect(subtractDecimals('0.3', '0.1')).toBe('0.2');
    expect(subtractDecimals('1000', '1000.5')).toBe('-0.5');
    expect(subtractDecimals('12', '-3.25')).toBe('15.25');
    expect(subtractDecimals('0.05', '0.07')).toBe('-0.02');
  });
});
