import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestDatabase, freshWorkspace } from '../../test/support/database.ts';
import { addOrders, type FixtureOrder } from '../../test/support/purchases.ts';
import type { Workspace } from '../workspaces/workspaces.ts';
import { listRfmCustomers, rfmOfCustomer, rfmScores, type CustomerRfm } from './rfm.ts';

const database = connectTestDatabase();
const { pool } = database;
let workspace: Workspace;
let ids: Map<string, string>;

// Asia/Tokyo, as of 2024-07-01. Ten customers bought before it (n = 10, so score = ⌈5k/10⌉ = ⌈k/2⌉):
//        last day            R    F   M        notes
//   c01  06-30 23:59         1    5   50,000   also 07-01 00:01 (on the date: not seen)
//   c02  06-30 00:30         1    3   30,000   06-29 in UTC; a cancelled ¥99,999 not counted
//   c03  06-26               5    3   30,000
//   c04  06-21              10    2    8,000   a returned order on 06-25 not counted
//   c05  06-11              20    2    8,000
//   c06  06-01 00:00        30    1    8,000   05-31 in UTC
//   c07  06-01 12:00        30    1    5,000
//   c08  05-02              60    1    3,000
//   c09  04-02              90    1    2,000
//   c10  03-03             120    1    1,000
//   c11  cancelled only, c12 only on 07-05: not in the base.
// R: k = customers with R ≥ theirs: 120→1, 90→2, 60→3, 30→5 (c06 and c07 tie: both k = 5,
//    where ntile would give one of them 2), 20→6, 10→7, 5→8, 1→10 (tie).
//    Scores 1, 1, 2, 3, 3, 3, 4, 4, 5, 5.
// F: k = customers with F ≤ theirs: F=1→5 (score 3: the one-time buyers' run of ties takes the
//    score of its top, so F scores 1 and 2 are empty), F=2→7 (4), F=3→9 (5), F=5→10 (5).
// M: 1,000→1 (1), 2,000→2 (1), 3,000→3 (2), 5,000→4 (2), 8,000 (c04, c05, c06)→7 (4: the tie
//    straddles the 3|4 boundary and lands on 4 together), 30,000 (c02, c03)→9 (5), 50,000→10 (5).
// The churn window (no setting): proposed from the gaps before 07-01, 29, 30, 30, 31, 31, 51, 51,
//    60, 86, 148 (c01 29 31 30 60, c02 30 51, c03 31 86, c04 51, c05 148): p90 at 8.1 = 86 + 0.1·62
//    = 92.2 → 93 days; churned ⇔ last day before 03-30: c10 alone (c09's 90 days are within it).
// Segments (first rule that holds): churned 離反 c10; R ≤ 2 離反予備 c08, c09; one purchase 新規
//    c06, c07; R≥4 and F≥4 優良 c01–c04; the rest 安定 c05.
const EXPECTED = [
  ['c01', 1, 5, '50000', 5, 5, 5, 'loyal'],
  ['c02', 1, 3, '30000', 5, 5, 5, 'loyal'],
  ['c03', 5, 3, '30000', 4, 5, 5, 'loyal'],
  ['c04', 10, 2, '8000', 4, 4, 4, 'loyal'],
  ['c05', 20, 2, '8000', 3, 4, 4, 'stable'],
  ['c06', 30, 1, '8000', 3, 3, 4, 'new'],
  ['c07', 30, 1, '5000', 3, 3, 2, 'new'],
  ['c08', 60, 1, '3000', 2, 3, 2, 'at_risk'],
  ['c09', 90, 1, '2000', 1, 3, 1, 'at_risk'],
  ['c10', 120, 1, '1000', 1, 3, 1, 'churned'],
];

const orders: FixtureOrder[] = [
  ...['02-01', '03-01', '04-01', '05-01'].map((day) => ({ customer: 'c01', at: `2024-${day} 12:00`, amount: 10000 })),
  { customer: 'c01', at: '2024-06-30 23:59', amount: 10000 },
  { customer: 'c01', at: '2024-07-01 00:01', amount: 10000 },
  { customer: 'c02', at: '2024-04-10 12:00', amount: 10000 },
  { customer: 'c02', at: '2024-05-10 12:00', amount: 10000 },
  { customer: 'c02', at: '2024-06-15 12:00', amount: 99999, status: 'cancelled' },
  { customer: 'c02', at: '2024-06-30 00:30', amount: 10000 },
  { customer: 'c03', at: '2024-03-01 12:00', amount: 5000 },
  { customer: 'c03', at: '2024-04-01 12:00', amount: 5000 },
  { customer: 'c03', at: '2024-06-26 12:00', amount: 20000 },
  { customer: 'c04', at: '2024-05-01 12:00', amount: 4000 },
  { customer: 'c04', at: '2024-06-21 12:00', amount: 4000 },
  { customer: 'c04', at: '2024-06-25 12:00', amount: 7000, status: 'returned' },
  { customer: 'c05', at: '2024-01-15 12:00', amount: 3000 },
  { customer: 'c05', at: '2024-06-11 12:00', amount: 5000 },
  { customer: 'c06', at: '2024-06-01 00:00', amount: 8000 },
  { customer: 'c07', at: '2024-06-01 12:00', amount: 5000 },
  { customer: 'c08', at: '2024-05-02 12:00', amount: 3000 },
  { customer: 'c09', at: '2024-04-02 12:00', amount: 2000 },
  { customer: 'c10', at: '2024-03-03 12:00', amount: 1000 },
  { customer: 'c11', at: '2024-05-01 12:00', amount: 4000, status: 'cancelled' },
  { customer: 'c12', at: '2024-07-05 12:00', amount: 6000 },
];

beforeAll(async () => {
  workspace = await freshWorkspace(database, { timezone: 'Asia/Tokyo' });
  ids = await addOrders(database, workspace, orders);
});
afterAll(() => database.close());

const row = (c: CustomerRfm) => [c.externalId, c.recency, c.frequency, c.monetary, c.scores.recency, c.scores.frequency, c.scores.monetary, c.segment];

async function everyCustomer(asOf: string, limit = 100, segment?: CustomerRfm['segment']) {
  const pages: CustomerRfm[][] = [];
  let cursor: string | undefined;
  do {
    const page = await listRfmCustomers({ pool, workspaceId: workspace.id, asOf, limit, ...(segment ? { segment } : {}), ...(cursor ? { cursor } : {}) });
    pages.push(page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return pages;
}

describe('RFM', () => {
  it('scores by cume_dist quintiles, ties sharing a score, the most recent scoring 5, by local days', async () => {
    const customers = (await everyCustomer('2024-07-01')).flat();
    expect(customers.map(row)).toEqual(EXPECTED);
    expect(customers[0]).toMatchObject({ customerId: ids.get('c01'), lastPurchaseDay: '2024-06-30', name: null });
  });

  it('summarises the R × F grid, the segments with their value and the quintile boundaries used', async () => {
    const summary = await rfmScores({ pool, workspaceId: workspace.id, asOf: '2024-07-01' });
    expect(summary).toMatchObject({
      asOf: '2024-07-01',
      dataEndsOn: null,
      churnWindow: { days: 93, source: 'proposal' },
      customers: 10,
      monetary: '145000',
    });
    expect(summary.grid).toHaveLength(25);
    expect(summary.grid.filter((cell) => cell.customers > 0).map((c) => [c.recencyScore, c.frequencyScore, c.customers, c.monetary])).toEqual([
      [1, 3, 2, '3000'],
      [2, 3, 1, '3000'],
      [3, 3, 2, '13000'],
      [3, 4, 1, '8000'],
      [4, 4, 1, '8000'],
      [4, 5, 1, '30000'],
      [5, 5, 2, '80000'],
    ]);
    expect(summary.segments.map((s) => [s.code, s.ja, s.customers, s.monetary, s.customerShare, s.monetaryShare])).toEqual([
      ['churned', '離反', 1, '1000', 0.1, 1000 / 145000],
      ['at_risk', '離反予備', 2, '5000', 0.2, 5000 / 145000],
      ['new', '新規', 2, '13000', 0.2, 13000 / 145000],
      ['loyal', '優良', 4, '118000', 0.4, 118000 / 145000],
      ['stable', '安定', 1, '8000', 0.1, 8000 / 145000],
    ]);
    const bands = (list: { score: number; customers: number; min: unknown; max: unknown }[]) => list.map((b) => [b.score, b.customers, b.min, b.max]);
    expect(bands(summary.boundaries.recency)).toEqual([
      [1, 2, 90, 120],
      [2, 1, 60, 60],
      [3, 3, 20, 30],
      [4, 2, 5, 10],
      [5, 2, 1, 1],
    ]);
    expect(bands(summary.boundaries.frequency)).toEqual([
      [1, 0, null, null],
      [2, 0, null, null],
      [3, 5, 1, 1],
      [4, 2, 2, 2],
      [5, 3, 3, 5],
    ]);
    expect(bands(summary.boundaries.monetary)).toEqual([
      [1, 2, '1000', '2000'],
      [2, 2, '3000', '5000'],
      [3, 0, null, null],
      [4, 3, '8000', '8000'],
      [5, 3, '30000', '50000'],
    ]);
  });

  it('looks one customer up with the same values, scores and segment as the pages, as of any date', async () => {
    // As of 08-01 every purchase is before the date (the profiles' summaries are read): c01 has
    // 6 purchases (¥60,000, last 07-01, R = 31) and c12 joins the base.
    for (const asOf of ['2024-07-01', '2024-08-01']) {
      const pages = (await everyCustomer(asOf)).flat();
      expect(pages).toHaveLength(asOf === '2024-07-01' ? 10 : 11);
      for (const customer of pages) {
        expect(await rfmOfCustomer({ pool, workspaceId: workspace.id, asOf, customerId: customer.customerId })).toEqual(customer);
      }
    }
    expect(await rfmOfCustomer({ pool, workspaceId: workspace.id, asOf: '2024-08-01', customerId: ids.get('c01')! })).toMatchObject({
      recency: 31,
      frequency: 6,
      monetary: '60000',
      lastPurchaseDay: '2024-07-01',
    });
    expect(await rfmOfCustomer({ pool, workspaceId: workspace.id, asOf: '2024-07-01', customerId: ids.get('c11')! })).toBeNull();
    expect(await rfmOfCustomer({ pool, workspaceId: workspace.id, asOf: '2024-07-01', customerId: ids.get('c12')! })).toBeNull();
    await expect(rfmOfCustomer({ pool, workspaceId: workspace.id, asOf: '2024-07-01', customerId: '999999999' })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('pages customers in id order, each once, optionally one segment', async () => {
    const pages = await everyCustomer('2024-07-01', 3);
    expect(pages.map((page) => page.length)).toEqual([3, 3, 3, 1]);
    expect(pages.flat().map(row)).toEqual(EXPECTED);
    expect((await everyCustomer('2024-07-01', 3, 'loyal')).flat().map((c) => c.externalId)).toEqual(['c01', 'c02', 'c03', 'c04']);
  });

  it('gives an empty picture before anyone bought', async () => {
    const summary = await rfmScores({ pool, workspaceId: workspace.id, asOf: '2024-01-01' });
    expect(summary).toMatchObject({ customers: 0, monetary: '0' });
    expect(summary.segments.every((s) => s.customers === 0 && s.customerShare === null)).toBe(true);
    expect(summary.boundaries.recency.every((b) => b.customers === 0 && b.min === null)).toBe(true);
  });
});
