import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestDatabase, freshWorkspace } from '../../test/support/database.ts';
import { addOrders } from '../../test/support/purchases.ts';
import type { Workspace } from '../workspaces/workspaces.ts';
import { cohortRetention, type Cohort } from './retention.ts';
import { fixedClock } from '../shared/clock.ts';

const database = connectTestDatabase();
const { pool } = database;
let workspace: Workspace;

// Asia/Tokyo. Purchases (¥), with the local month each belongs to:
//   a  01-10 1,000 · 02-01 00:30 2,000 (Jan in UTC) · 04-05 500                 cohort Jan
//   b  01-20 3,000 · cancelled 02-10 9,999 · 03-01 1,000                           cohort Jan
//   c  02-01 00:05 4,000 (Jan in UTC) · 03-15 1,000 · 05-03 700 (May)              cohort Feb
//   d  02-20 2,000 · returned 03-05                                                cohort Feb
//   e  03-31 23:59 1,500 · 04-01 00:00 500 (Mar in UTC)                            cohort Mar
//   f  2023-12-31 23:00 800 · 01-15 600                                            cohort Dec 2023 (not asked)
//   g  cancelled 01-05 only                                                        no cohort
//   h  04-10 900                                                                   cohort Apr (not asked)
beforeAll(async () => {
  workspace = await freshWorkspace(database, { timezone: 'Asia/Tokyo' });
  await addOrders(database, workspace, [
    { customer: 'a', at: '2024-01-10 12:00', amount: 1000 },
    { customer: 'a', at: '2024-02-01 00:30', amount: 2000 },
    { customer: 'a', at: '2024-04-05 12:00', amount: 500 },
    { customer: 'b', at: '2024-01-20 12:00', amount: 3000 },
    { customer: 'b', at: '2024-02-10 12:00', amount: 9999, status: 'cancelled' },
    { customer: 'b', at: '2024-03-01 12:00', amount: 1000 },
    { customer: 'c', at: '2024-02-01 00:05', amount: 4000 },
    { customer: 'c', at: '2024-03-15 12:00', amount: 1000 },
    { customer: 'c', at: '2024-05-03 12:00', amount: 700 },
    { customer: 'd', at: '2024-02-20 12:00', amount: 2000 },
    { customer: 'd', at: '2024-03-05 12:00', amount: 3000, status: 'returned' },
    { customer: 'e', at: '2024-03-31 23:59', amount: 1500 },
    { customer: 'e', at: '2024-04-01 00:00', amount: 500 },
    { customer: 'f', at: '2023-12-31 23:00', amount: 800 },
    { customer: 'f', at: '2024-01-15 12:00', amount: 600 },
    { customer: 'g', at: '2024-01-05 12:00', amount: 5000, status: 'cancelled' },
    { customer: 'h', at: '2024-04-10 12:00', amount: 900 },
  ]);
});
afterAll(() => database.close());

/** [active, retention, revenue, revenue per customer, cumulative] per offset; null for a future cell. */
const table = (cohort: Cohort) =>
  cohort.cells.map((cell) =>
    cell.active === null ? null : [cell.active, cell.retention, cell.revenue, cell.revenuePerCustomer, cell.cumulativeRevenuePerCustomer],
  );

describe('cohortRetention', () => {
  it('gives each cohort month its share with a purchase and revenue per customer by local months, future cells null', async () => {
    // As of 05-01: complete months are Jan..Apr. Cohorts Jan {a, b}, Feb {c, d}, Mar {e}.
    //   Jan k0 Jan: a, b 4,000 → 2/2, 4,000/2 = 2,000, cum 2,000
    //       k1 Feb: a 2,000 (b's cancelled order is none) → 1/2, 1,000, cum 3,000
    //       k2 Mar: b 1,000 → 1/2, 500, cum 3,500;  k3 Apr: a 500 → 1/2, 250, cum 3,750
    //   Feb k0 Feb: c, d 6,000 → 2/2, 3,000;  k1 Mar: c 1,000 (d's return is none) → 1/2, 500, cum 3,500
    //       k2 Apr: nobody → 0 (known, not null), cum 3,500;  k3 May: not complete → null
    //   Mar k0 Mar: e 1,500 → 1/1;  k1 Apr: e 500 → 1/1, cum 2,000;  k2 May, k3 Jun → null
    const retention = await cohortRetention({ pool, workspaceId: workspace.id, from: '2024-01-01', to: '2024-04-01', months: 3, asOf: '2024-05-01' });
    expect(retention.cohorts.map((c) => [c.month, c.customers])).toEqual([
      ['2024-01-01', 2],
      ['2024-02-01', 2],
      ['2024-03-01', 1],
    ]);
    const [jan, feb, mar] = retention.cohorts as [Cohort, Cohort, Cohort];
    expect(table(jan)).toEqual([
      [2, 1, '4000', 2000, 2000],
      [1, 0.5, '2000', 1000, 3000],
      [1, 0.5, '1000', 500, 3500],
      [1, 0.5, '500', 250, 3750],
    ]);
    expect(table(feb)).toEqual([[2, 1, '6000', 3000, 3000], [1, 0.5, '1000', 500, 3500], [0, 0, '0', 0, 3500], null]);
    expect(table(mar)).toEqual([[1, 1, '1500', 1500, 1500], [1, 1, '500', 500, 2000], null, null]);
    expect(feb.cells.map((cell) => cell.month)).toEqual(['2024-02-01', '2024-03-01', '2024-04-01', '2024-05-01']);
  });

  it('leaves the month holding asOf null, and does not see purchases from asOf on', async () => {
    // As of 04-15: April is not complete. Jan k3 (Apr), Feb k2 (Apr) and Mar k1 (Apr) are null.
    const retention = await cohortRetention({ pool, workspaceId: workspace.id, from: '2024-01-01', to: '2024-04-01', months: 3, asOf: '2024-04-15' });
    const [jan, feb, mar] = retention.cohorts as [Cohort, Cohort, Cohort];
    expect(table(jan).map((cell) => cell?.[0] ?? null)).toEqual([2, 1, 1, null]);
    expect(table(feb).map((cell) => cell?.[0] ?? null)).toEqual([2, 1, null, null]);
    expect(table(mar).map((cell) => cell?.[0] ?? null)).toEqual([1, null, null, null]);
    // As of 03-10, the March cohort has no customer yet (e's first purchase is on 03-31) and no known cell.
    const early = await cohortRetention({ pool, workspaceId: workspace.id, from: '2024-03-01', to: '2024-04-01', months: 1, asOf: '2024-03-10' });
    expect(early.cohorts).toEqual([
      {
        month: '2024-03-01',
        customers: 0,
        cells: [
          { offset: 0, month: '2024-03-01', active: null, retention: null, revenue: null, revenuePerCustomer: null, cumulativeRevenuePerCustomer: null },
          { offset: 1, month: '2024-04-01', active: null, retention: null, revenue: null, revenuePerCustomer: null, cumulativeRevenuePerCustomer: null },
        ],
      },
    ]);
  });

  it('takes today in the workspace time zone as asOf by default, and cohorts from the month holding from', async () => {
    // 2024-04-30T15:30Z is 05-01 00:30 in Tokyo: April is complete, as in the first test.
    const retention = await cohortRetention({
      pool,
      workspaceId: workspace.id,
      from: '2024-02-15',
      to: '2024-03-02',
      months: 2,
      clock: fixedClock('2024-04-30T15:30:00Z'),
    });
    expect(retention.asOf).toBe('2024-05-01');
    expect(retention.cohorts.map((c) => [c.month, c.customers, table(c).map((cell) => cell?.[0] ?? null)])).toEqual([
      ['2024-02-01', 2, [2, 1, 0]],
      ['2024-03-01', 1, [1, 1, null]],
    ]);
  });

  it('refuses an empty period and an offset range it will not draw', async () => {
    await expect(cohortRetention({ pool, workspaceId: workspace.id, from: '2024-04-01', to: '2024-01-01', months: 3 })).rejects.toMatchObject({
      code: 'validation_failed',
    });
    await expect(cohortRetention({ pool, workspaceId: workspace.id, from: '2024-01-01', to: '2024-04-01', months: -1 })).rejects.toMatchObject({
      code: 'validation_failed',
    });
  });
});
