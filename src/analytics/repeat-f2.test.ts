import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestDatabase, freshWorkspace, withTransaction } from '../../test/support/database.ts';
import { ingestBatch } from '../ingest/ingest-batch.ts';
import type { Workspace } from '../workspaces/workspaces.ts';
import { f2Conversion, repeatRates } from './repeat-f2.ts';

const database = connectTestDatabase();
afterAll(() => database.close());

/** An order of one item at 1,000, wall-clock time `at` in Asia/Tokyo (UTC+9). */
function order(id: string, customer: string, at: string, status = 'delivered') {
  return { order_id: id, customer_id: customer, ordered_at: at, status, items: [{ sku: 'A', quantity: 1, unit_price: 1000, product_name: 'A' }] };
}

// First purchases ever and what follows, with W = 30 days:
//   A1 03-01 00:05 (Feb 29 in UTC)   second 03-31 10:00 = first + 30            → converted
//   A2 03-05 10:00                   again 03-05 20:00 (same day), 04-05 = +31  → not converted (with W = 31: converted)
//   A3 03-10 23:30                   second 03-11 00:30, the next local day
//                                    (an hour later, the same day in UTC)       → converted
//   A4 03-20 12:00                   03-25 cancelled, 03-28 returned            → not converted
//   A7 03-15 12:00 (03-03 cancelled: not a purchase) second 03-16               → converted
//   A8 03-31 23:59                   second 04-30 12:00 = first + 30            → converted
//   A5 02-15 12:00                   second 03-10 = +24                         → converted (February cohort)
//   A9 02-10 12:00                   no second                                  → not converted
//   A6 a customer since 2023-06-01 (before the orders held), bought 03-02 and 03-09: in no 2024 cohort
// March cohort: A1 A2 A3 A4 A7 A8 = 6, converted A1 A3 A7 A8 = 4. February: A5 A9 = 2, converted 1.
// The latest order is on 04-30, so the data ends on 2024-05-01.
const ORDERS = [
  order('A1-1', 'A1', '2024-03-01 00:05'),
  order('A1-2', 'A1', '2024-03-31 10:00'),
  order('A2-1', 'A2', '2024-03-05 10:00'),
  order('A2-2', 'A2', '2024-03-05 20:00'),
  order('A2-3', 'A2', '2024-04-05 10:00'),
  order('A3-1', 'A3', '2024-03-10 23:30'),
  order('A3-2', 'A3', '2024-03-11 00:30'),
  order('A4-1', 'A4', '2024-03-20 12:00'),
  order('A4-2', 'A4', '2024-03-25 12:00', 'cancelled'),
  order('A4-3', 'A4', '2024-03-28 12:00', 'returned'),
  order('A7-0', 'A7', '2024-03-03 12:00', 'cancelled'),
  order('A7-1', 'A7', '2024-03-15 12:00'),
  order('A7-2', 'A7', '2024-03-16 12:00'),
  order('A8-1', 'A8', '2024-03-31 23:59'),
  order('A8-2', 'A8', '2024-04-30 12:00'),
  order('A5-1', 'A5', '2024-02-15 12:00'),
  order('A5-2', 'A5', '2024-03-10 12:00'),
  order('A9-1', 'A9', '2024-02-10 12:00'),
  order('A6-1', 'A6', '2024-03-02 12:00'),
  order('A6-2', 'A6', '2024-03-09 12:00'),
];

const MARCH = { from: '2024-03-01', to: '2024-04-01' };
const FEBRUARY_MARCH = { from: '2024-02-01', to: '2024-04-01' };
let workspace: Workspace;

beforeAll(async () => {
  workspace = await freshWorkspace(database, { timezone: 'Asia/Tokyo' });
  const result = await withTransaction(database.pool, (client) => ingestBatch({ client, workspace, kind: 'orders', records: ORDERS, mode: 'all-or-nothing' }));
  expect(result.errors).toEqual([]);
  await database.pool.query(`update customers set became_customer_at = '2023-06-01T03:00:00Z' where workspace_id = $1 and external_id = 'A6'`, [workspace.id]);
});

const f2 = (params: { period?: typeof MARCH; granularity?: 'day' | 'week' | 'month'; within?: number; asOf?: string }) =>
  f2Conversion({
    pool: database.pool,
    workspaceId: workspace.id,
    period: params.period ?? FEBRUARY_MARCH,
    granularity: params.granularity ?? 'month',
    within: params.within ?? 30,
    ...(params.asOf ? { asOf: params.asOf } : {}),
  });

describe('repeatRates', () => {
  it('counts customers with two or more purchases in the period, same-day purchases included', async () => {
    // March purchases: A1 2, A2 2 (same day), A3 2, A4 1, A5 1, A6 2, A7 2, A8 1: 5 of 8.
    const result = await repeatRates({ pool: database.pool, workspaceId: workspace.id, period: MARCH, granularity: 'month' });
    expect(result.total).toEqual({ customers: 8, repeaters: 5, rate: 5 / 8 });
    expect(result.series).toEqual([{ bucket: '2024-03-01', period: MARCH, customers: 8, repeaters: 5, rate: 5 / 8 }]);
  });

  it('gives each local week its own repeat rate', async () => {
    // Week of 02-26 (Mar 1–3): A1, A6 once each → 0/2. 03-04: A2 twice, A3 (03-10 23:30), A5, A6 → 1/4.
    // 03-11: A3 (03-11 00:30), A7 twice → 1/2 (in UTC A3's two purchases would share the week of 03-04).
    // 03-18: A4 → 0/1. 03-25: A1, A8 (03-31 23:59) → 0/2.
    const { series } = await repeatRates({ pool: database.pool, workspaceId: workspace.id, period: MARCH, granularity: 'week' });
    expect(series.map((s) => [s.bucket, s.customers, s.repeaters])).toEqual([
      ['2024-02-26', 2, 0],
      ['2024-03-04', 4, 1],
      ['2024-03-11', 2, 1],
      ['2024-03-18', 1, 0],
      ['2024-03-25', 2, 0],
    ]);
    expect(series[0]!.period).toEqual({ from: '2024-03-01', to: '2024-03-04' });
  });

  it('gives a null rate, not NaN, to a bucket without customers', async () => {
    const result = await repeatRates({ pool: database.pool, workspaceId: workspace.id, period: { from: '2024-06-01', to: '2024-06-03' }, granularity: 'day' });
    expect(result.total).toEqual({ customers: 0, repeaters: 0, rate: null });
    expect(result.series.map((s) => s.rate)).toEqual([null, null]);
  });
});

describe('f2Conversion', () => {
  it('converts a second purchase on a later local day up to W days after the first, per cohort of first purchases', async () => {
    const result = await f2({});
    expect(result.asOf).toBe('2024-05-01');
    expect(result.cohorts).toEqual([
      // February: last first day 02-29, window to 03-30. March: last first day 03-31, window to 04-30.
      {
        bucket: '2024-02-01',
        period: { from: '2024-02-01', to: '2024-03-01' },
        windowEnd: '2024-03-30',
        cohortSize: 2,
        converted: 1,
        rate: 0.5,
        complete: true,
      },
      { bucket: '2024-03-01', period: MARCH, windowEnd: '2024-04-30', cohortSize: 6, converted: 4, rate: 4 / 6, complete: true },
    ]);
    expect(result.total).toEqual({ cohortSize: 8, converted: 5, rate: 5 / 8, complete: true });
  });

  it('does not convert a second purchase on the first day or on day W + 1', async () => {
    // A2: same day and +31. With W = 31 the purchase on 04-05 counts.
    expect((await f2({ period: MARCH, within: 30 })).total).toMatchObject({ cohortSize: 6, converted: 4 });
    expect((await f2({ period: MARCH, within: 31 })).total).toMatchObject({ cohortSize: 6, converted: 5 });
    // With W = 1: A3 (next local day) and A7 (next day) only.
    expect((await f2({ period: MARCH, within: 1 })).total).toMatchObject({ cohortSize: 6, converted: 2 });
  });

  it('puts customers in the cohort of their local first-purchase day', async () => {
    // Daily cohorts of March 1–3: A1 bought first on 03-01 00:05 Tokyo (Feb 29 in UTC); A6 bought on 03-02 but became a customer in 2023.
    const result = await f2({ period: { from: '2024-03-01', to: '2024-03-04' }, granularity: 'day' });
    expect(result.cohorts.map((c) => [c.bucket, c.cohortSize, c.converted])).toEqual([
      ['2024-03-01', 1, 1],
      ['2024-03-02', 0, 0],
      ['2024-03-03', 0, 0],
    ]);
    expect(result.cohorts[1]!.rate).toBeNull();
  });

  it('flags cohorts whose window is not over as of a date, and ignores purchases from that date on', async () => {
    // As of 04-15: March's window (to 04-30) is open, A8's second purchase (04-30) is not seen yet → 3 of 6.
    const mid = await f2({ asOf: '2024-04-15' });
    expect(mid.cohorts.map((c) => [c.bucket, c.cohortSize, c.converted, c.complete])).toEqual([
      ['2024-02-01', 2, 1, true],
      ['2024-03-01', 6, 3, false],
    ]);
    expect(mid.total.complete).toBe(false);
    // As of 03-20: only first purchases before 03-20 are known (A1 A2 A3 A7), converted A3 and A7 (A1's 03-31 is not seen).
    const early = await f2({ period: MARCH, asOf: '2024-03-20' });
    expect(early.cohorts[0]).toMatchObject({ cohortSize: 4, converted: 2, complete: false });
    // The window of a cohort is over the day after its end: March with W = 30 is complete as of 05-01, not as of 04-30.
    expect((await f2({ period: MARCH, asOf: '2024-04-30' })).cohorts[0]!.complete).toBe(false);
    expect((await f2({ period: MARCH, asOf: '2024-05-01' })).cohorts[0]!.complete).toBe(true);
  });

  it('refuses a window that is not a whole number of days and an asOf that is not a date', async () => {
    await expect(f2({ within: 0 })).rejects.toThrow(/within must be a whole number of days/);
    await expect(f2({ within: 1.5 })).rejects.toThrow(/within must be a whole number of days/);
    await expect(f2({ asOf: '2024-02-30' })).rejects.toThrow(/asOf must be a date/);
  });
});
