import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestDatabase, freshWorkspace, withTransaction } from '../../test/support/database.ts';
import { ingestBatch } from '../ingest/ingest-batch.ts';
import type { BatchKind } from '../ingest/records.ts';
import type { Workspace } from '../workspaces/workspaces.ts';
import { differenceBy, type DifferenceDimension, type SalesDifference } from './sales-difference.ts';
import type { SalesTotals } from './sales-decomposition.ts';

const database = connectTestDatabase();
afterAll(() => database.close());

async function ingest(workspace: Workspace, kind: BatchKind, records: unknown[]) {
  const result = await withTransaction(database.pool, (client) => ingestBatch({ client, workspace, kind, records, mode: 'all-or-nothing' }));
  expect(result.errors).toEqual([]);
}

/** An order of wall-clock time `at` (Asia/Tokyo); items are [sku, quantity]; prices: A 1,000, B 3,000, C 500. */
function order(
  id: string,
  customer: string,
  at: string,
  items: [string, number][],
  where: { channel: string; prefecture: string; store?: string },
  status = 'delivered',
) {
  const price = { A: 1000, B: 3000, C: 500 } as Record<string, number>;
  return {
    order_id: id,
    customer_id: customer,
    ordered_at: at,
    status,
    ...where,
    items: items.map(([sku, quantity]) => ({ sku, quantity, unit_price: price[sku], product_name: sku })),
  };
}

const TOKYO_WEB = { channel: 'web', prefecture: '東京都' };
const OSAKA_WEB = { channel: 'web', prefecture: '大阪府' };
const UMEDA = { channel: 'store', prefecture: '大阪府', store: '梅田' };

// Customers: C1 female, born 1994-03-31 (30 on 2024-03-31, 29 on 2024-02-29), 東京都, rank gold;
// C2 male, born 1960-01-15 (64), 大阪府, rank silver; C3 female, no birth date, 東京都, no rank,
// a customer since 2022-06-15 (before the orders held).
//
// March 2024 (period 1): sales 14,000, customers 3, purchases 4, items 10
//   O1 C1 03-01 00:05 web 東京都   A×2 + B×1 = 5,000 (3 items)
//   O2 C1 03-20       web 東京都   C×2       = 1,000 (2 items)
//   O3 C2 03-10       store 梅田   B×2       = 6,000 (2 items)
//   O4 C3 03-31 23:59 line 東京都  A×1 + C×2 = 2,000 (3 items)
//   not counted: O5 C2 cancelled, O6 C3 04-01 00:01
// February 2024 (period 0, previous): sales 8,000, customers 2, purchases 3, items 5
//   P1 C1 02-29 23:30 web 東京都   A×1       = 1,000 (1 item)
//   P2 C2 02-01 00:10 store 梅田   B×1       = 3,000 (1 item)   (Jan 31 in UTC)
//   P3 C2 02-20       web 大阪府   B×1 + C×2 = 4,000 (3 items)
// March 2023 (a year earlier): Y1 C1 2023-03-05 web 東京都 A×1 = 1,000 (C1's first purchase)
// Change of total sales: 14,000 − 8,000 = 6,000.
const ORDERS = [
  order(
    'O1',
    'C1',
    '2024-03-01 00:05',
    [
      ['A', 2],
      ['B', 1],
    ],
    TOKYO_WEB,
  ),
  order('O2', 'C1', '2024-03-20 12:00', [['C', 2]], TOKYO_WEB),
  order('O3', 'C2', '2024-03-10 12:00', [['B', 2]], UMEDA),
  order(
    'O4',
    'C3',
    '2024-03-31 23:59',
    [
      ['A', 1],
      ['C', 2],
    ],
    { channel: 'line', prefecture: '東京都' },
  ),
  order('O5', 'C2', '2024-03-15 12:00', [['B', 10]], UMEDA, 'cancelled'),
  order('O6', 'C3', '2024-04-01 00:01', [['A', 5]], TOKYO_WEB),
  order('P1', 'C1', '2024-02-29 23:30', [['A', 1]], TOKYO_WEB),
  order('P2', 'C2', '2024-02-01 00:10', [['B', 1]], UMEDA),
  order(
    'P3',
    'C2',
    '2024-02-20 12:00',
    [
      ['B', 1],
      ['C', 2],
    ],
    OSAKA_WEB,
  ),
  order('Y1', 'C1', '2023-03-05 12:00', [['A', 1]], TOKYO_WEB),
];

const MARCH = { from: '2024-03-01', to: '2024-04-01' };
let workspace: Workspace;

beforeAll(async () => {
  workspace = await freshWorkspace(database, { timezone: 'Asia/Tokyo' });
  await ingest(workspace, 'customers', [
    { customer_id: 'C1', gender: 'female', birth_date: '1994-03-31', prefecture: '東京都', attributes: { rank: 'gold' } },
    { customer_id: 'C2', gender: 'male', birth_date: '1960-01-15', prefecture: '大阪府', attributes: { rank: 'silver' } },
    { customer_id: 'C3', gender: 'female', prefecture: '東京都' },
  ]);
  await ingest(workspace, 'products', [
    { sku: 'A', name: 'Lotion', category: 'skincare', price: 1000 },
    { sku: 'B', name: 'Vitamin', category: 'supplement', price: 3000 },
    { sku: 'C', name: 'Mask', category: 'skincare', price: 500 },
  ]);
  await ingest(workspace, 'orders', ORDERS);
  await database.pool.query(`update customers set became_customer_at = '2022-06-15T03:00:00Z' where workspace_id = $1 and external_id = 'C3'`, [workspace.id]);
});

function differenceOf(dimension: DifferenceDimension, compare: 'previous' | 'year' = 'previous') {
  return differenceBy({ pool: database.pool, workspaceId: workspace.id, period: MARCH, compare, dimension });
}

/** [key, sales 1, sales 0, contribution] per group, in rank order. */
const ranked = (difference: SalesDifference) => difference.groups.map((g) => [g.key, g.current.sales, g.compared.sales, round(g.contribution)]);
const round = (value: number | null) => (value === null ? null : Math.round(value * 1e6) / 1e6);
const sums = (t: SalesTotals) => [t.sales, t.customers, t.purchases, t.items];

function expectContributionsAddUpToOne(difference: SalesDifference) {
  expect(difference.groups.reduce((sum, g) => sum + g.contribution!, 0)).toBeCloseTo(1, 12);
}

describe('differenceBy', () => {
  it('splits the change by gender, ranks by contribution, and gives each group its factors', async () => {
    const difference = await differenceOf({ kind: 'gender' });
    expect(difference.comparedPeriod).toEqual({ from: '2024-02-01', to: '2024-03-01' });
    expect(sums(difference.totals.current)).toEqual(['14000', 3, 4, 10]);
    expect(sums(difference.totals.compared)).toEqual(['8000', 2, 3, 5]);
    expect(difference.overlap).toBe('none');
    // female (C1, C3): 8,000 vs 1,000, +7,000 / 6,000 = 7/6; male (C2): 6,000 vs 7,000, −1,000 / 6,000 = −1/6.
    expect(ranked(difference)).toEqual([
      ['female', '8000', '1000', round(7 / 6)],
      ['male', '6000', '7000', round(-1 / 6)],
    ]);
    expectContributionsAddUpToOne(difference);
    const [female, male] = difference.groups;
    expect(sums(female!.current)).toEqual(['8000', 2, 3, 8]);
    // female: customers 2/1, frequency 1.5/1, items per purchase (8/3)/1, price 1,000/1,000; 2 × 1.5 × 8/3 × 1 = 8.
    // Shares over ln 8: 1/3, ln 1.5/ln 8 = 0.194988, ln(8/3)/ln 8 = 0.471679, 0.
    expect(female!.change.factors.customers).toEqual({ ratio: 2, share: expect.closeTo(1 / 3, 12) });
    expect(female!.change.factors.frequency.share).toBeCloseTo(0.194988, 6);
    expect(female!.change.factors.itemsPerPurchase.share).toBeCloseTo(0.471679, 6);
    expect(female!.change.factors.pricePerItem).toEqual({ ratio: 1, share: 0 });
    // male: frequency 1/2, price per item 3,000/1,750; 0.5 × 12/7 = 6/7. Shares over ln(6/7) = −0.154151: ln 0.5 → 4.496556, ln(12/7) → −3.496556.
    expect(male!.change.factors.frequency.share).toBeCloseTo(4.496556, 6);
    expect(male!.change.factors.pricePerItem.share).toBeCloseTo(-3.496556, 6);
    expect(male!.change.factors.customers.share).toBe(0);
  });

  it("puts customers in the age band of each period's last day", async () => {
    // C1 is 30 on 2024-03-31 and 29 on 2024-02-29. 30s: +6,000 → 1; unknown (C3): +2,000 → 1/3;
    // 20s: −1,000 → −1/6; 60s (C2): −1,000 → −1/6 (a tie, by key).
    expect(ranked(await differenceOf({ kind: 'age_band' }))).toEqual([
      ['30s', '6000', '0', 1],
      ['unknown', '2000', '0', round(1 / 3)],
      ['20s', '0', '1000', round(-1 / 6)],
      ['60s', '6000', '7000', round(-1 / 6)],
    ]);
  });

  it('bands ages at their boundaries: <20, 20s, 60s, 70+', async () => {
    const ages = await freshWorkspace(database, { timezone: 'Asia/Tokyo' });
    // Ages on 2024-03-31: born 2004-04-01 → 19, 2004-03-31 → 20, 1954-04-01 → 69, 1954-03-31 → 70.
    await ingest(ages, 'customers', [
      { customer_id: 'teen', birth_date: '2004-04-01' },
      { customer_id: 'twenty', birth_date: '2004-03-31' },
      { customer_id: 'sixty-nine', birth_date: '1954-04-01' },
      { customer_id: 'seventy', birth_date: '1954-03-31' },
    ]);
    await ingest(
      ages,
      'orders',
      ['teen', 'twenty', 'sixty-nine', 'seventy'].map((customer) => order(`M-${customer}`, customer, '2024-03-15 12:00', [['A', 1]], TOKYO_WEB)),
    );
    const difference = await differenceBy({ pool: database.pool, workspaceId: ages.id, period: MARCH, dimension: { kind: 'age_band' } });
    expect(ranked(difference)).toEqual([
      ['20s', '1000', '0', 0.25],
      ['60s', '1000', '0', 0.25],
      ['70+', '1000', '0', 0.25],
      ['<20', '1000', '0', 0.25],
    ]);
  });

  it("splits by the customer's prefecture and by any attribute, with a group for customers without it", async () => {
    expect(ranked(await differenceOf({ kind: 'prefecture' }))).toEqual([
      ['東京都', '8000', '1000', round(7 / 6)],
      ['大阪府', '6000', '7000', round(-1 / 6)],
    ]);
    // gold (C1): 6,000 vs 1,000 → 5/6; none (C3): 2,000 vs 0 → 1/3; silver (C2): −1/6.
    expect(ranked(await differenceOf({ kind: 'attribute', key: 'rank' }))).toEqual([
      ['gold', '6000', '1000', round(5 / 6)],
      [null, '2000', '0', round(1 / 3)],
      ['silver', '6000', '7000', round(-1 / 6)],
    ]);
  });

  it('splits by acquisition cohort: the local month of the first purchase ever, a customer since before the orders included', async () => {
    // C1 first bought 2023-03-05; C3 became a customer in 2022-06; C2 first bought 2024-02-01 00:10 Tokyo (January in UTC).
    const difference = await differenceOf({ kind: 'cohort' });
    expect(ranked(difference)).toEqual([
      ['2023-03', '6000', '1000', round(5 / 6)],
      ['2022-06', '2000', '0', round(1 / 3)],
      ['2024-02', '6000', '7000', round(-1 / 6)],
    ]);
    expectContributionsAddUpToOne(difference);
  });

  it('splits by channel, place and store: purchases fall in one group, customers may be in several', async () => {
    // web: 6,000 vs 5,000 (P1, P3) → 1/6; store: 6,000 vs 3,000 → 1/2; line: 2,000 vs 0 → 1/3.
    const channel = await differenceOf({ kind: 'channel' });
    expect(channel.overlap).toBe('customers');
    expect(ranked(channel)).toEqual([
      ['store', '6000', '3000', 0.5],
      ['line', '2000', '0', round(1 / 3)],
      ['web', '6000', '5000', round(1 / 6)],
    ]);
    // C2 bought on the web and in store in February: 2 + 1 group customers for 2 customers.
    const web = channel.groups[2]!;
    expect(sums(web.compared)).toEqual(['5000', 2, 2, 4]);
    expect(channel.groups.find((g) => g.key === 'line')!.change.unshared?.reason).toBe('no_sales_in_compared_period');
    expectContributionsAddUpToOne(channel);
    expect(ranked(await differenceOf({ kind: 'place' }))).toEqual([
      ['東京都', '8000', '1000', round(7 / 6)],
      ['大阪府', '6000', '7000', round(-1 / 6)],
    ]);
    // 梅田: 6,000 vs 3,000; no store: 8,000 vs 5,000 (a tie at 1/2, the unnamed group last).
    expect(ranked(await differenceOf({ kind: 'store' }))).toEqual([
      ['梅田', '6000', '3000', 0.5],
      [null, '8000', '5000', 0.5],
    ]);
  });

  it("splits by product with each product's own items, purchases and customers, so the identity holds within it", async () => {
    const difference = await differenceOf({ kind: 'product' });
    expect(difference.overlap).toBe('customers_and_purchases');
    // A: 3,000 (O1 2, O4 1) vs 1,000 → 1/3; B: 9,000 (O1 1, O3 2) vs 6,000 (P2, P3) → 1/2; C: 2,000 (O2, O4) vs 1,000 (P3) → 1/6.
    expect(ranked(difference)).toEqual([
      ['B', '9000', '6000', 0.5],
      ['A', '3000', '1000', round(1 / 3)],
      ['C', '2000', '1000', round(1 / 6)],
    ]);
    const [vitamin] = difference.groups;
    expect(vitamin!.name).toBe('Vitamin');
    // B in March: 2 customers (C1, C2), 2 purchases, 3 items: 2 × 1 × 1.5 × 3,000 = 9,000. February: 1 customer (C2), 2 purchases, 2 items.
    expect(sums(vitamin!.current)).toEqual(['9000', 2, 2, 3]);
    expect(sums(vitamin!.compared)).toEqual(['6000', 1, 2, 2]);
    expect(vitamin!.change.factors.frequency.ratio).toBe(0.5);
    const { customers, frequency, itemsPerPurchase, pricePerItem } = vitamin!.current;
    expect(customers * frequency! * itemsPerPurchase! * pricePerItem!).toBe(9000);
    expectContributionsAddUpToOne(difference);
  });

  it('counts a purchase holding two products of a category once in that category', async () => {
    // skincare = A + C. March: 5,000, 7 items, purchases O1, O2, O4 (A and C: once), customers C1, C3.
    // February: P1 + P3, 2,000, 3 items, 2 purchases, 2 customers. Both categories +3,000 → 1/2 each.
    const difference = await differenceOf({ kind: 'category' });
    expect(ranked(difference)).toEqual([
      ['skincare', '5000', '2000', 0.5],
      ['supplement', '9000', '6000', 0.5],
    ]);
    expect(sums(difference.groups[0]!.current)).toEqual(['5000', 2, 3, 7]);
    expect(sums(difference.groups[0]!.compared)).toEqual(['2000', 2, 2, 3]);
  });

  it('compares with the same month a year earlier', async () => {
    // March 2023: Y1 only (C1, 1,000). female +7,000, male +6,000 of 13,000.
    const difference = await differenceOf({ kind: 'gender' }, 'year');
    expect(difference.comparedPeriod).toEqual({ from: '2023-03-01', to: '2023-04-01' });
    expect(ranked(difference)).toEqual([
      ['female', '8000', '1000', round(7 / 13)],
      ['male', '6000', '0', round(6 / 13)],
    ]);
  });

  it("ranks by the size of each group's change when total sales did not change", async () => {
    const flat = await freshWorkspace(database, { timezone: 'Asia/Tokyo' });
    // February: web 3,000; March: web 1,000 + store 2,000. Total 3,000 both months.
    await ingest(flat, 'orders', [
      order('F1', 'D1', '2024-02-10 12:00', [['B', 1]], TOKYO_WEB),
      order('M1', 'D1', '2024-03-10 12:00', [['A', 1]], TOKYO_WEB),
      order('M2', 'D2', '2024-03-10 12:00', [['C', 4]], UMEDA),
    ]);
    const difference = await differenceBy({ pool: database.pool, workspaceId: flat.id, period: MARCH, dimension: { kind: 'channel' } });
    expect(difference.totals.change.unshared?.reason).toBe('sales_unchanged');
    expect(ranked(difference)).toEqual([
      ['store', '2000', '0', null],
      ['web', '1000', '3000', null],
    ]);
  });
});
