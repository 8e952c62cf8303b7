import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestDatabase, freshWorkspace } from '../../test/support/database.ts';
import { addOrders } from '../../test/support/purchases.ts';
import type { Workspace } from '../workspaces/workspaces.ts';
import { listChurned, type ChurnList } from './churn.ts';
import { proposeChurnWindow } from './churn-window.ts';
import { readAnalyticsSettings, setAnalyticsSettings } from './settings.ts';

const database = connectTestDatabase();
const { pool } = database;
afterAll(() => database.close());

function listed(list: ChurnList) {
  if (list.outcome !== 'listed') throw new Error(`expected a list, got ${list.outcome}`);
  return list;
}

async function everyPage(params: { workspaceId: string; asOf: string; window?: number; limit: number }) {
  const pages = [];
  let cursor: string | undefined;
  do {
    const page = listed(await listChurned({ pool, ...params, ...(cursor ? { cursor } : {}) }));
    pages.push(page);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return pages;
}

describe('listChurned', () => {
  // Asia/Tokyo, as of d = 2024-07-01, window w = 30: churned ⇔ last purchase day < 06-01.
  //   A  03-01 ¥3,000, 05-31 23:59 ¥5,000           last 05-31, 31 days → churned, 2 purchases ¥8,000
  //   B  06-01 00:00 ¥4,000 (05-31 15:00 UTC)        last 06-01, 30 days → not churned (exactly w)
  //   C  05-31 23:30 ¥2,000, cancelled 06-20, returned 06-25 → last 05-31, 31 days → churned, ¥2,000
  //   D  04-01 ¥2,000, 07-01 00:10 ¥500 (on d: not seen) → last 04-01, 91 days → churned, 1 purchase ¥2,000
  //   E  07-01 09:00 ¥700 only (on d)                not a customer yet
  //   F  06-30 23:59 ¥100                            last 06-30, 1 day
  //   G  cancelled order only                        never bought
  // Base (bought before d) = A, B, C, D, F = 5; churned A, C, D = 3; rate 3/5.
  let workspace: Workspace;
  let ids: Map<string, string>;
  beforeAll(async () => {
    workspace = await freshWorkspace(database, { timezone: 'Asia/Tokyo' });
    ids = await addOrders(database, workspace, [
      { customer: 'A', at: '2024-03-01 10:00', amount: 3000 },
      { customer: 'A', at: '2024-05-31 23:59', amount: 5000 },
      { customer: 'B', at: '2024-06-01 00:00', amount: 4000 },
      { customer: 'C', at: '2024-05-31 23:30', amount: 2000 },
      { customer: 'C', at: '2024-06-20 12:00', amount: 9000, status: 'cancelled' },
      { customer: 'C', at: '2024-06-25 12:00', amount: 9000, status: 'returned' },
      { customer: 'D', at: '2024-04-01 12:00', amount: 2000 },
      { customer: 'D', at: '2024-07-01 00:10', amount: 500 },
      { customer: 'E', at: '2024-07-01 09:00', amount: 700 },
      { customer: 'F', at: '2024-06-30 23:59', amount: 100 },
      { customer: 'G', at: '2024-03-01 10:00', amount: 5000, status: 'cancelled' },
    ]);
  });
  const byId = (a: string, b: string) => Number(ids.get(a)) - Number(ids.get(b));

  it('counts a customer silent exactly w days as not churned and w + 1 days as churned, by local days', async () => {
    const list = listed(await listChurned({ pool, workspaceId: workspace.id, asOf: '2024-07-01', window: 30, limit: 10 }));
    expect(list).toMatchObject({ customers: 5, churned: 3, churnRate: 3 / 5, window: { days: 30, source: 'given' }, nextCursor: null });
    expect(list.items.map((c) => c.externalId)).toEqual(['A', ...['C', 'D'].sort(byId)]);
    expect(list.items[0]).toMatchObject({
      customerId: ids.get('A'),
      lastPurchaseDay: '2024-05-31',
      daysSince: 31,
      churnedOn: '2024-07-01',
      purchases: 2,
      totalSpent: '8000',
    });
    expect(list.items[0]!.lastPurchaseAt.toISOString()).toBe('2024-05-31T14:59:00.000Z');
    // D's purchase on d itself is not seen yet: one purchase, ¥2,000, silent since 04-01 (91 days).
    expect(list.items.find((c) => c.externalId === 'D')).toMatchObject({
      lastPurchaseDay: '2024-04-01',
      daysSince: 91,
      churnedOn: '2024-05-02',
      purchases: 1,
      totalSpent: '2000',
    });
    // w = 29: B's 30 days are now more than w.
    const narrower = listed(await listChurned({ pool, workspaceId: workspace.id, asOf: '2024-07-01', window: 29, limit: 10 }));
    expect(narrower.items.map((c) => c.externalId)).toEqual(['A', 'B', ...['C', 'D'].sort(byId)]);
    expect(narrower.items[1]).toMatchObject({ lastPurchaseDay: '2024-06-01', daysSince: 30, churnedOn: '2024-07-01' });
  });

  it('pages most valuable first, ties by customer id, each churned customer once, with the total on every page', async () => {
    const pages = await everyPage({ workspaceId: workspace.id, asOf: '2024-07-01', window: 30, limit: 1 });
    expect(pages.map((page) => page.items.map((c) => c.externalId))).toEqual([['A'], ...['C', 'D'].sort(byId).map((c) => [c])]);
    expect(pages.map((page) => page.churned)).toEqual([3, 3, 3]);
    const pairs = await everyPage({ workspaceId: workspace.id, asOf: '2024-07-01', window: 30, limit: 2 });
    expect(pairs.flatMap((page) => page.items.map((c) => c.externalId))).toEqual(['A', ...['C', 'D'].sort(byId)]);
  });

  it('reads the purchase summaries of the profiles as of a date after every purchase, and agrees with the orders', async () => {
    // As of 08-01, w = 30: churned ⇔ last day < 07-02; every customer who bought is. D now has
    // 2 purchases (¥2,500), E one (¥700); value order A 8,000, B 4,000, D 2,500, C 2,000, E 700, F 100.
    const list = listed(await listChurned({ pool, workspaceId: workspace.id, asOf: '2024-08-01', window: 30, limit: 10 }));
    expect(list).toMatchObject({ customers: 6, churned: 6, churnRate: 1 });
    expect(list.items.map((c) => [c.externalId, c.purchases, c.totalSpent, c.daysSince])).toEqual([
      ['A', 2, '8000', 62],
      ['B', 1, '4000', 61],
      ['D', 2, '2500', 31],
      ['C', 1, '2000', 62],
      ['E', 1, '700', 31],
      ['F', 1, '100', 32],
    ]);
  });

  it('refuses a window that is not a positive whole number of days and a cursor it did not make', async () => {
    await expect(listChurned({ pool, workspaceId: workspace.id, asOf: '2024-07-01', window: 0, limit: 10 })).rejects.toMatchObject({
      code: 'validation_failed',
    });
    await expect(listChurned({ pool, workspaceId: workspace.id, asOf: '2024-07-01', window: 30, limit: 10, cursor: 'nope' })).rejects.toMatchObject({
      code: 'bad_request',
    });
    await expect(listChurned({ pool, workspaceId: workspace.id, asOf: '2024-02-30', window: 30, limit: 10 })).rejects.toMatchObject({
      code: 'validation_failed',
    });
  });
});

describe('proposeChurnWindow and the window a churn list uses', () => {
  // Purchase days (Asia/Tokyo) and the gaps between consecutive ones of the same customer:
  //   P  01-01, 01-11, 01-31                      → 10, 20
  //   Q  01-01 10:00 and 20:00 (one day), 01-31   → 30
  //   R  02-01 23:50, 02-02 00:10 (same UTC day)  → 1
  //   S  01-01, cancelled 02-01, 03-02            → 61 (31 + 29 + 1, leap year)
  //   T  01-05 only                               → none
  // Gaps 1, 10, 20, 30, 61 (n = 5, linear interpolation at p·(n − 1)):
  //   median = 20; p80 at 3.2 = 30 + 0.2·31 = 36.2; p90 at 3.6 = 30 + 0.6·31 = 48.6 → window 49.
  // Before 02-20 (S's 03-02 not yet): gaps 1, 10, 20, 30 (n = 4):
  //   median at 1.5 = 15; p80 at 2.4 = 24; p90 at 2.7 = 20 + 0.7·10 = 27 → window 27
  //   (PostgreSQL's percentile_cont gives 24.000000000000004 for p80: computed here in hundredths).
  let workspace: Workspace;
  beforeAll(async () => {
    workspace = await freshWorkspace(database, { timezone: 'Asia/Tokyo' });
    await addOrders(database, workspace, [
      { customer: 'P', at: '2024-01-01 12:00', amount: 1000 },
      { customer: 'P', at: '2024-01-11 12:00', amount: 1000 },
      { customer: 'P', at: '2024-01-31 12:00', amount: 1000 },
      { customer: 'Q', at: '2024-01-01 10:00', amount: 1000 },
      { customer: 'Q', at: '2024-01-01 20:00', amount: 1000 },
      { customer: 'Q', at: '2024-01-31 10:00', amount: 1000 },
      { customer: 'R', at: '2024-02-01 23:50', amount: 1000 },
      { customer: 'R', at: '2024-02-02 00:10', amount: 1000 },
      { customer: 'S', at: '2024-01-01 12:00', amount: 1000 },
      { customer: 'S', at: '2024-02-01 12:00', amount: 1000, status: 'cancelled' },
      { customer: 'S', at: '2024-03-02 12:00', amount: 1000 },
      { customer: 'T', at: '2024-01-05 12:00', amount: 1000 },
    ]);
  });

  it('proposes the 90th percentile of the gaps between purchase days, rounded up, with its distribution', async () => {
    // p75 at 3.0 = 30; p95 at 3.8 = 30 + 0.8·31 = 54.8; histogram width ⌈54.8 ÷ 19⌉ = 3: bins ⌊(gap − 1) ÷ 3⌋ = 0, 3, 6, 9, 20 → 19.
    const population = { kind: 'all_customers', reason: 'no_subscribers', customers: 5, subscribers: 0, minimumGaps: 30 };
    const bins = (width: number, filled: Record<number, number>) => ({ width, counts: Array.from({ length: 20 }, (_, i) => filled[i] ?? 0) });
    expect(await proposeChurnWindow({ pool, workspaceId: workspace.id })).toEqual({
      days: 49,
      population,
      intervals: { count: 5, median: 20, p75: 30, p80: 36.2, p90: 48.6, p95: 54.8, histogram: bins(3, { 0: 1, 3: 1, 6: 1, 9: 1, 19: 1 }) },
    });
    // Before 02-20: p75 at 2.25 = 22.5, p95 at 2.85 = 28.5; width ⌈28.5 ÷ 19⌉ = 2: bins 0, 4, 9, 14.
    expect(await proposeChurnWindow({ pool, workspaceId: workspace.id, asOf: '2024-02-20' })).toEqual({
      days: 27,
      population,
      intervals: { count: 4, median: 15, p75: 22.5, p80: 24, p90: 27, p95: 28.5, histogram: bins(2, { 0: 1, 4: 1, 9: 1, 14: 1 }) },
    });
  });

  it('uses the window given, else the workspace setting, else the proposal as of the date', async () => {
    // As of 02-20, base P, Q, R, S, T (last days 01-31, 01-31, 02-02, 01-01, 01-05).
    // Proposal 27: churned ⇔ last day < 01-24 → S, T. Setting 47: < 01-04 → S. Given 19: < 02-01 → P, Q, S, T.
    const asOf = '2024-02-20';
    const names = (list: ChurnList) =>
      listed(list)
        .items.map((c) => c.externalId)
        .sort();
    const proposed = listed(await listChurned({ pool, workspaceId: workspace.id, asOf, limit: 10 }));
    expect(proposed).toMatchObject({ window: { days: 27, source: 'proposal' }, customers: 5, churned: 2, churnRate: 0.4 });
    expect(names(proposed)).toEqual(['S', 'T']);

    expect(await setAnalyticsSettings({ pool, workspaceId: workspace.id, changes: { churnWindowDays: 47 } })).toEqual({ churnWindowDays: 47, clvMargin: null });
    const set = listed(await listChurned({ pool, workspaceId: workspace.id, asOf, limit: 10 }));
    expect(set.window).toEqual({ days: 47, source: 'setting' });
    expect(names(set)).toEqual(['S']);
    expect(names(await listChurned({ pool, workspaceId: workspace.id, asOf, window: 19, limit: 10 }))).toEqual(['P', 'Q', 'S', 'T']);

    await setAnalyticsSettings({ pool, workspaceId: workspace.id, changes: { churnWindowDays: null } });
    expect(await readAnalyticsSettings({ pool, workspaceId: workspace.id })).toEqual({ churnWindowDays: null, clvMargin: null });
    expect(listed(await listChurned({ pool, workspaceId: workspace.id, asOf, limit: 10 })).window).toEqual({ days: 27, source: 'proposal' });
    await expect(setAnalyticsSettings({ pool, workspaceId: workspace.id, changes: { churnWindowDays: 2.5 } })).rejects.toMatchObject({
      code: 'validation_failed',
    });
  });

  it('interpolates percentiles as PostgreSQL percentile_cont does, on an irregular distribution', async () => {
    const irregular = await freshWorkspace(database, { timezone: 'Asia/Tokyo' });
    let seed = 7;
    const next = () => (seed = (seed * 48271) % 2147483647);
    const orders = Array.from({ length: 60 }, (_, i) => {
      const day = new Date(Date.UTC(2023, 0, 1) + (next() % 500) * 86_400_000).toISOString().slice(0, 10);
      return { customer: `K${next() % 13}`, at: `${day} ${String(next() % 24).padStart(2, '0')}:30`, amount: 1000 + i };
    });
    await addOrders(database, irregular, orders);
    const { rows } = await pool.query<{ count: number; q: number[] }>(
      `with days as (select distinct customer_id, (ordered_at at time zone 'Asia/Tokyo')::date as day from orders where workspace_id = $1),
            gaps as (select day - lag(day) over (partition by customer_id order by day) as gap from days)
       select count(gap)::int as count, percentile_cont(array[0.5, 0.8, 0.9]) within group (order by gap) as q from gaps where gap is not null`,
      [irregular.id],
    );
    const proposal = await proposeChurnWindow({ pool, workspaceId: irregular.id });
    expect(proposal.intervals.count).toBe(rows[0]!.count);
    expect(proposal.intervals.count).toBeGreaterThan(30);
    const [median, p80, p90] = rows[0]!.q as [number, number, number];
    expect(proposal.intervals.median).toBeCloseTo(median, 9);
    expect(proposal.intervals.p80).toBeCloseTo(p80, 9);
    expect(proposal.intervals.p90).toBeCloseTo(p90, 9);
    expect(proposal.days).toBe(Math.ceil(p90 - 1e-9));
  });

  it('says there is no window when nobody has bought on two days and none is set', async () => {
    const single = await freshWorkspace(database, { timezone: 'Asia/Tokyo' });
    await addOrders(database, single, [
      { customer: 'U', at: '2024-01-01 10:00', amount: 1000 },
      { customer: 'U', at: '2024-01-01 18:00', amount: 1000 },
      { customer: 'V', at: '2024-01-02 10:00', amount: 1000 },
    ]);
    expect(await listChurned({ pool, workspaceId: single.id, asOf: '2024-03-01', limit: 10 })).toEqual({
      outcome: 'no_window',
      asOf: '2024-03-01',
      dataEndsOn: '2024-01-02',
      proposal: {
        days: null,
        population: { kind: 'all_customers', reason: 'no_subscribers', customers: 2, subscribers: 0, minimumGaps: 30 },
        intervals: { count: 0, median: null, p75: null, p80: null, p90: null, p95: null, histogram: { width: 1, counts: [] } },
      },
    });
  });
});
