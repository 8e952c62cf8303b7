import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestDatabase, freshWorkspace } from '../../test/support/database.ts';
import { addOrders } from '../../test/support/purchases.ts';
import { localDateOf } from '../shared/time.ts';
import { addDays, MAX_BUCKETS, MAX_COHORTS, MAX_PERIOD_DAYS } from '../analytics/periods.ts';
import { createApiKey } from '../auth/api-keys.ts';
import type { Workspace } from '../workspaces/workspaces.ts';
import { buildApp } from './app.ts';
import { fixedClock } from '../shared/clock.ts';
import { AnalyticsEngine } from '../analytics/engine/analytics-engine.ts';

const database = connectTestDatabase();
let app: FastifyInstance;
let brand: Workspace;
let ids: Map<string, string>;
let writeKey: string;
let readKey: string;
let otherKey: string;

// Asia/Tokyo; one item per order at the amount.
//   A  2024-01-10 ¥1,000  02-05 ¥2,000  02-20 ¥3,000  03-15 ¥1,500
//   B  2024-01-20 ¥4,000  03-02 ¥2,000
//   C  2024-02-10 ¥5,000
//   D  2024-03-05 ¥1,000 and ¥500 (two orders, one day)
//   E  2024-02-14 ¥9,000 cancelled: never a purchase
// February: A 2 purchases ¥5,000, C 1 ¥5,000 → sales 10,000, customers 2, purchases 3, items 3.
// March:    A ¥1,500, B ¥2,000, D 2 × → sales 5,000, customers 3, purchases 4, items 4.
const ORDERS = [
  { customer: 'A', at: '2024-01-10 10:00', amount: 1000 },
  { customer: 'A', at: '2024-02-05 10:00', amount: 2000 },
  { customer: 'A', at: '2024-02-20 10:00', amount: 3000 },
  { customer: 'A', at: '2024-03-15 10:00', amount: 1500 },
  { customer: 'B', at: '2024-01-20 10:00', amount: 4000 },
  { customer: 'B', at: '2024-03-02 10:00', amount: 2000 },
  { customer: 'C', at: '2024-02-10 10:00', amount: 5000 },
  { customer: 'D', at: '2024-03-05 10:00', amount: 1000 },
  { customer: 'D', at: '2024-03-05 18:00', amount: 500 },
  { customer: 'E', at: '2024-02-14 10:00', amount: 9000, status: 'cancelled' as const },
];

beforeAll(async () => {
  app = await buildApp({ database, analytics: new AnalyticsEngine(database.pool), config: { secureCookies: false } });
  brand = await freshWorkspace(database, { timezone: 'Asia/Tokyo' });
  const other = await freshWorkspace(database);
  ids = await addOrders(database, brand, ORDERS);
  writeKey = (await createApiKey(database.db, { workspaceId: brand.id, name: 'crm', role: 'marketing' })).key;
  readKey = (await createApiKey(database.db, { workspaceId: brand.id, name: 'bi', role: 'read_only' })).key;
  otherKey = (await createApiKey(database.db, { workspaceId: other.id, name: 'other', role: 'admin' })).key;
});
afterAll(async () => {
  await app.close();
  await database.close();
});

function call(method: 'GET' | 'POST' | 'PUT', path: string, key: string | null, payload?: object) {
  return app.inject({
    method,
    url: `/api/v1/workspaces/${brand.name}${path}`,
    ...(payload ? { payload } : {}),
    headers: key ? { authorization: `Bearer ${key}` } : {},
  });
}

async function read(path: string) {
  const response = await call('GET', path, readKey);
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
}

describe('sales analytics API', () => {
  it('decomposes March by month (the default) and compares it with February and March 2023', async () => {
    const sales = await read('/analytics/sales?from=2024-03-01&to=2024-04-01');
    expect(sales.granularity).toBe('month');
    expect(sales.totals).toEqual({ sales: '5000', customers: 3, purchases: 4, items: 4, frequency: 4 / 3, itemsPerPurchase: 1, pricePerItem: 1250 });
    expect(sales.series).toEqual([{ bucket: '2024-03-01', period: { from: '2024-03-01', to: '2024-04-01' }, totals: sales.totals }]);
    const [previous, year] = sales.comparisons;
    expect(previous.period).toEqual({ from: '2024-02-01', to: '2024-03-01' });
    expect(previous.totals).toMatchObject({ sales: '10000', customers: 2, purchases: 3, items: 3 });
    // Sales halved: customers × 1.5, frequency × 8/9, items per purchase × 1, price per item × 0.375.
    const { salesRatio, salesDifference, factors, unshared } = previous.change;
    expect([salesRatio, salesDifference, unshared]).toEqual([0.5, '-5000', null]);
    expect(factors.customers.ratio).toBeCloseTo(1.5, 12);
    expect(factors.frequency.ratio).toBeCloseTo(8 / 9, 12);
    expect(factors.pricePerItem.ratio).toBeCloseTo(0.375, 12);
    expect(factors.customers.share).toBeCloseTo(Math.log(1.5) / Math.log(0.5), 12);
    expect(factors.itemsPerPurchase.share).toBe(0);
    expect(factors.pricePerItem.share).toBeCloseTo(Math.log(0.375) / Math.log(0.5), 12);
    expect(year.period).toEqual({ from: '2023-03-01', to: '2023-04-01' });
    expect(year.change.unshared.reason).toBe('no_sales_in_compared_period');
  });

  it('splits the change by acquisition cohort, the month that lost most first', async () => {
    const difference = await read('/analytics/sales/difference?from=2024-03-01&to=2024-04-01&by=cohort');
    expect(difference).toMatchObject({ dimension: { kind: 'cohort' }, comparison: 'previous', overlap: 'none' });
    // January cohort (A, B): 5,000 → 3,500; February (C): 5,000 → 0; March (D): 0 → 1,500. Total −5,000.
    expect(difference.groups.map((g: { key: string; contribution: number }) => [g.key, g.contribution])).toEqual([
      ['2024-02', 1],
      ['2024-01', 0.3],
      ['2024-03', -0.3],
    ]);
  });

  it('gives the repeat rate per month and of the whole period', async () => {
    const repeat = await read('/analytics/repeat?from=2024-01-01&to=2024-04-01');
    expect(repeat.total).toEqual({ customers: 4, repeaters: 3, rate: 0.75 });
    expect(repeat.series.map((b: { customers: number; repeaters: number }) => [b.customers, b.repeaters])).toEqual([
      [2, 0],
      [2, 1],
      [3, 1],
    ]);
  });

  it('gives F2 conversion within W days per cohort, incomplete while the window is open', async () => {
    const f2 = await read('/analytics/f2?from=2024-01-01&to=2024-04-01&within=30');
    // Data ends with A's order of 03-15. January: A again after 26 days, B after 42 → 1 of 2.
    expect(f2).toMatchObject({ within: 30, asOf: '2024-03-16', total: { cohortSize: 4, converted: 1, rate: 0.25, complete: false } });
    expect(f2.cohorts.map((c: { cohortSize: number; converted: number; complete: boolean }) => [c.cohortSize, c.converted, c.complete])).toEqual([
      [2, 1, true],
      [1, 0, false],
      [1, 0, false],
    ]);
  });

  it('refuses a missing or reversed period and an unknown dimension with 400, naming the parameter', async () => {
    const missing = await call('GET', '/analytics/repeat?to=2024-04-01', readKey);
    expect(missing.statusCode).toBe(400);
    expect(missing.json().message).toContain('querystring.from: from is required');
    const reversed = await call('GET', '/analytics/sales?from=2024-04-01&to=2024-03-01', readKey);
    expect(reversed.statusCode).toBe(400);
    expect(reversed.json().message).toContain('from (2024-04-01) must be before to (2024-03-01)');
    const unknown = await call('GET', '/analytics/sales/difference?from=2024-03-01&to=2024-04-01&by=colour', readKey);
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().message).toMatch(/querystring\.by: by must be one of gender, .* or attribute:KEY/);
    expect((await call('GET', '/analytics/sales?from=2024-02-30&to=2024-04-01', readKey)).statusCode).toBe(400);
    expect((await call('GET', '/analytics/sales?from=2024-03-01&to=2024-04-01&compare=decade', readKey)).statusCode).toBe(400);
  });
});

describe('bounded work', () => {
  it('refuses 1900-01-01 – 9999-12-31 by day with 422 naming the field and the limit, before reading anything', async () => {
    for (const engine of ['memory', 'sql']) {
      const response = await call('GET', `/analytics/sales?from=1900-01-01&to=9999-12-31&granularity=day&engine=${engine}`, readKey);
      expect(response.statusCode, response.body).toBe(422);
      expect(response.json()).toMatchObject({ code: 'validation_failed', details: { field: 'to', limit: MAX_PERIOD_DAYS } });
    }
    const repeat = await call('GET', '/analytics/repeat?from=1990-01-01&to=2026-01-01&granularity=day', readKey);
    expect(repeat.statusCode).toBe(422);
    expect(repeat.json()).toMatchObject({ code: 'validation_failed', details: { field: 'granularity', limit: MAX_BUCKETS } });
    expect(repeat.json().message).toContain('at most 3,700 buckets');
    const difference = await call('GET', '/analytics/sales/difference?from=1900-01-01&to=9999-12-31&by=gender', readKey);
    expect(difference.statusCode).toBe(422);
  });

  it('accepts every limit at its boundary and refuses one beyond', async () => {
    const lastDay = addDays('2015-01-01', MAX_BUCKETS);
    expect((await call('GET', `/analytics/sales?from=2015-01-01&to=${lastDay}&granularity=day&compare=`, readKey)).statusCode).toBe(200);
    expect((await call('GET', `/analytics/sales?from=2015-01-01&to=${addDays(lastDay, 1)}&granularity=day&compare=`, readKey)).statusCode).toBe(422);
    expect((await call('GET', `/analytics/f2?from=2015-01-01&to=${addDays(lastDay, 1)}&granularity=day`, readKey)).statusCode).toBe(422);
    const century = addDays('1926-01-01', MAX_PERIOD_DAYS);
    expect((await call('GET', `/analytics/sales?from=1926-01-01&to=${century}&granularity=month&compare=`, readKey)).statusCode).toBe(200);
    expect((await call('GET', `/analytics/sales?from=1926-01-01&to=${addDays(century, 1)}&granularity=month&compare=`, readKey)).statusCode).toBe(422);
    expect((await call('GET', '/analytics/retention?from=2014-01-01&to=2024-01-01&months=120&asOf=2024-04-01', readKey)).statusCode).toBe(200);
    const cohorts = await call('GET', '/analytics/retention?from=2013-12-01&to=2024-01-01&asOf=2024-04-01', readKey);
    expect(cohorts.statusCode).toBe(422);
    expect(cohorts.json()).toMatchObject({ details: { field: 'from', limit: MAX_COHORTS } });
    expect((await call('GET', '/analytics/churn?asOf=2024-04-01&limit=200', readKey)).statusCode).toBe(200);
    expect((await call('GET', '/analytics/churn?asOf=2024-04-01&limit=201', readKey)).statusCode).toBe(422);
  });
});

describe('customer base analytics API', () => {
  it('tabulates cohort retention and cumulative revenue per customer, future months null', async () => {
    const retention = await read('/analytics/retention?from=2024-01-01&to=2024-04-01&months=2&asOf=2024-04-01');
    const rows = retention.cohorts.map(
      (c: { month: string; customers: number; cells: { retention: number | null; cumulativeRevenuePerCustomer: number | null }[] }) => [
        c.month,
        c.customers,
        c.cells.map((cell) => [cell.retention, cell.cumulativeRevenuePerCustomer]),
      ],
    );
    expect(rows).toEqual([
      [
        '2024-01-01',
        2,
        [
          [1, 2500],
          [0.5, 5000],
          [1, 6750],
        ],
      ],
      [
        '2024-02-01',
        1,
        [
          [1, 5000],
          [0, 5000],
          [null, null],
        ],
      ],
      [
        '2024-03-01',
        1,
        [
          [1, 1500],
          [null, null],
          [null, null],
        ],
      ],
    ]);
  });

  it('lists churned customers most valuable first, page by page, with the window of the setting or the proposal', async () => {
    // Window 20 as of 04-01: churned ⇔ last purchase day before 03-12: B (03-02), C (02-10), D (03-05); A (03-15) not.
    const first = await read('/analytics/churn?asOf=2024-04-01&window=20&limit=2');
    expect(first).toMatchObject({ outcome: 'listed', window: { days: 20, source: 'given' }, customers: 4, churned: 3, churnRate: 0.75 });
    expect(first.items.map((c: { externalId: string }) => c.externalId)).toEqual(['B', 'C']);
    expect(first.items[0]).toMatchObject({ lastPurchaseDay: '2024-03-02', daysSince: 30, churnedOn: '2024-03-23', purchases: 2, totalSpent: '6000' });
    const second = await read(`/analytics/churn?asOf=2024-04-01&window=20&limit=2&cursor=${first.nextCursor}`);
    expect(second.items.map((c: { externalId: string }) => c.externalId)).toEqual(['D']);
    expect(second.nextCursor).toBeNull();
    // Gaps between purchase days: 15, 24, 26 (A), 42 (B); p90 = 37.2 → 38 days: only C (02-10) is churned.
    const proposed = await read('/analytics/churn?asOf=2024-04-01');
    expect(proposed).toMatchObject({ window: { days: 38, source: 'proposal' }, churned: 1 });
  });

  it('proposes the churn window from the intervals and keeps the one a marketer sets until it is cleared', async () => {
    expect(await read('/analytics/churn/window')).toEqual({
      // p75 at 2.25 = 26 + 0.25·16 = 30, p95 at 2.85 = 39.6; bins of ⌈39.6 ÷ 19⌉ = 3 days: ⌊(gap − 1) ÷ 3⌋ = 4, 7, 8, 13.
      proposal: {
        days: 38,
        population: { kind: 'all_customers', reason: 'no_subscribers', customers: 4, subscribers: 0, minimumGaps: 30 },
        intervals: {
          count: 4,
          median: 25,
          p75: 30,
          p80: 32.4,
          p90: 37.2,
          p95: 39.6,
          histogram: { width: 3, counts: Array.from({ length: 20 }, (_, i) => ([4, 7, 8, 13].includes(i) ? 1 : 0)) },
        },
      },
      churnWindowDays: null,
    });
    const set = await call('PUT', '/analytics/settings', writeKey, { churnWindowDays: 20 });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json()).toEqual({ churnWindowDays: 20, clvMargin: null });
    expect(await read('/analytics/settings')).toEqual({ churnWindowDays: 20, clvMargin: null });
    expect((await read('/analytics/churn/window')).churnWindowDays).toBe(20);
    expect(await read('/analytics/churn?asOf=2024-04-01')).toMatchObject({ window: { days: 20, source: 'setting' }, churned: 3 });
    expect((await call('PUT', '/analytics/settings', writeKey, { churnWindowDays: 0 })).statusCode).toBe(400);
    expect((await call('PUT', '/analytics/settings', writeKey, { churnWindowDays: null })).json()).toEqual({ churnWindowDays: null, clvMargin: null });
  });

  it('scores RFM by quintiles with the grid, segments and boundaries, and pages the customers of a segment', async () => {
    // As of 04-01: A r17 f4 ¥7,500 → 5/5/5; B r30 f2 ¥6,000 → 3/4/4; C r51 f1 ¥5,000 → 2/2/3; D r27 f2 ¥1,500 → 4/4/2.
    // The proposed window, 38 days, churns C (51 days): RFM's 離反 is the churn list.
    const rfm = await read('/analytics/rfm?asOf=2024-04-01');
    expect(rfm).toMatchObject({ asOf: '2024-04-01', customers: 4, monetary: '20000' });
    const filled = rfm.grid
      .filter((cell: { customers: number }) => cell.customers > 0)
      .map((cell: { recencyScore: number; frequencyScore: number }) => `${cell.recencyScore}${cell.frequencyScore}`);
    expect(filled.sort()).toEqual(['22', '34', '44', '55']);
    const segments = Object.fromEntries(
      rfm.segments.map((s: { code: string; customers: number; monetaryShare: number | null }) => [s.code, [s.customers, s.monetaryShare]]),
    );
    expect(segments).toEqual({ churned: [1, 0.25], at_risk: [0, 0], new: [0, 0], loyal: [2, 0.45], stable: [1, 0.3] });
    expect(rfm.churnWindow).toEqual({ days: 38, source: 'proposal' });
    expect(rfm.boundaries.recency.find((band: { score: number }) => band.score === 5)).toEqual({ score: 5, customers: 1, min: 17, max: 17 });

    const loyal = await read('/analytics/rfm/customers?asOf=2024-04-01&segment=loyal&limit=1');
    expect(loyal.items).toEqual([
      expect.objectContaining({
        externalId: 'A',
        recency: 17,
        frequency: 4,
        monetary: '7500',
        scores: { recency: 5, frequency: 5, monetary: 5 },
        segment: 'loyal',
      }),
    ]);
    const rest = await read(`/analytics/rfm/customers?asOf=2024-04-01&segment=loyal&cursor=${loyal.nextCursor}`);
    expect(rest).toMatchObject({ items: [{ externalId: 'D', segment: 'loyal' }], nextCursor: null });
  });
});

describe('customer value API', () => {
  it('has no run at first: null, not 404, and no customer values', async () => {
    expect(await read('/analytics/customer-value')).toBeNull();
    expect(await read('/analytics/customer-value/customers')).toEqual({ items: [], nextCursor: null });
  });

  it("runs the models for a writer, then serves the run, the ranking and each customer's value beside their RFM", async () => {
    const terms = { calibrationEnd: '2024-03-31', unit: 'day', horizonMonths: 6 };
    // No margin given or set: refused with how to set one, never a silent 100 %.
    const refused = await call('POST', '/analytics/customer-value', writeKey, terms);
    expect(refused.statusCode).toBe(422);
    expect(refused.json().message).toMatch(/^No margin \(粗利率\)/);
    const margin = await call('PUT', '/analytics/settings', writeKey, { clvMargin: 0.3 });
    expect(margin.json()).toEqual({ churnWindowDays: null, clvMargin: 0.3 });
    const run = await call('POST', '/analytics/customer-value', writeKey, terms);
    expect(run.statusCode, run.body).toBe(200);
    expect(run.json()).toMatchObject({ calibrationEnd: '2024-03-31', unit: 'day', horizonMonths: 6, customers: 4, repeatCustomers: 2, holdout: null });
    expect(run.json()).toMatchObject({ margin: 0.3, marginSource: 'setting' });
    expect(run.json().spendModel.method).toMatch(/^(gamma_gamma|shrunk_mean)$/);
    // The stored run is the run answered: fits, distributions, holdout and the time it was computed.
    expect(await read('/analytics/customer-value')).toEqual(run.json());
    const ranking = await read('/analytics/customer-value/customers?limit=3');
    expect(ranking.items).toHaveLength(3);
    const clvs = ranking.items.map((item: { clv: number }) => item.clv);
    expect(clvs).toEqual([...clvs].sort((a, b) => b - a));
    const rest = await read(`/analytics/customer-value/customers?cursor=${encodeURIComponent(ranking.nextCursor)}`);
    expect(rest.items).toHaveLength(1);

    const a = await read(`/customers/${ids.get('A')}/analytics?asOf=2024-04-01`);
    expect(a.rfm).toMatchObject({ externalId: 'A', recency: 17, scores: { recency: 5, frequency: 5, monetary: 5 }, segment: 'loyal' });
    expect(a.value).toMatchObject({ externalId: 'A', repeatPurchases: 3, margin: 0.3 });
    // The churn status beside the RFM: A last bought 03-15, 17 days before, within the proposed window.
    expect(a.churn).toMatchObject({ status: 'within_window', lastPurchaseDay: '2024-03-15', daysSince: 17, window: { source: 'proposal' } });
    await call('PUT', '/analytics/settings', writeKey, { clvMargin: null });
    expect(a.value.probabilityAlive).toBeGreaterThan(0);
  });

  it("gives a customer's RFM as of today in the workspace's time zone by default", async () => {
    const today = localDateOf(new Date(), 'Asia/Tokyo');
    const d = await read(`/customers/${ids.get('D')}/analytics`);
    expect(d.asOf).toBe(today);
    expect(d.rfm).toMatchObject({ lastPurchaseDay: '2024-03-05', frequency: 2, monetary: '1500' });
    // E only ever cancelled: a profile without purchases has no RFM.
    expect((await read(`/customers/${ids.get('E')}/analytics`)).rfm).toBeNull();
  });

  it('refuses a run on terms out of range with 400', async () => {
    const response = await call('POST', '/analytics/customer-value', writeKey, { horizonMonths: 0 });
    expect(response.statusCode).toBe(400);
    expect(response.json().message).toContain('body.horizonMonths');
  });
});

describe("the app's clock and engine", () => {
  it('takes the default "as of" of every route from the injected clock, in the workspace\'s time zone', async () => {
    // 2024-03-09 16:00 UTC is 2024-03-10 01:00 in Tokyo.
    const analytics = new AnalyticsEngine(database.pool);
    const clocked = await buildApp({ database, analytics, clock: fixedClock('2024-03-09T16:00:00Z'), config: { secureCookies: false } });
    try {
      const get = async (path: string) => {
        const response = await clocked.inject({
          method: 'GET',
          url: `/api/v1/workspaces/${brand.name}${path}`,
          headers: { authorization: `Bearer ${readKey}` },
        });
        expect(response.statusCode, response.body).toBe(200);
        return response.json();
      };
      expect((await get('/analytics/rfm')).asOf).toBe('2024-03-10');
      expect((await get('/analytics/churn?window=30')).asOf).toBe('2024-03-10');
      expect((await get('/analytics/retention?from=2024-01-01')).asOf).toBe('2024-03-10');
      const d = await get(`/customers/${ids.get('D')}/analytics`);
      expect(d.asOf).toBe('2024-03-10');
      // As of 03-10, D's purchases of 03-05 count.
      expect(d.rfm).toMatchObject({ lastPurchaseDay: '2024-03-05', recency: 5 });
      expect((await get('/analytics/kpis/board')).asOf).toBe('2024-03-10');
      expect(analytics.holds(brand.id)).toBe(true);
    } finally {
      await clocked.close();
    }
    // The app closed the engine it was given with it.
    expect(analytics.holds(brand.id)).toBe(false);
  });
});

describe('analytics API access', () => {
  it('answers 401 without a key', async () => {
    expect((await call('GET', '/analytics/rfm', null)).statusCode).toBe(401);
    expect((await call('PUT', '/analytics/settings', null, { churnWindowDays: 30 })).statusCode).toBe(401);
  });

  it('lets a read-only key read but not run the models or change the settings (403)', async () => {
    const run = await call('POST', '/analytics/customer-value', readKey, {});
    expect(run.statusCode).toBe(403);
    expect(run.json().code).toBe('forbidden');
    expect((await call('PUT', '/analytics/settings', readKey, { churnWindowDays: 30 })).statusCode).toBe(403);
    expect(await read('/analytics/settings')).toEqual({ churnWindowDays: null, clvMargin: null });
  });

  it("shows a key of another workspace nothing (404), not even a customer's analytics", async () => {
    expect((await call('GET', '/analytics/sales?from=2024-03-01&to=2024-04-01', otherKey)).statusCode).toBe(404);
    expect((await call('PUT', '/analytics/settings', otherKey, { churnWindowDays: 30 })).statusCode).toBe(404);
    expect((await call('GET', `/customers/${ids.get('A')}/analytics`, otherKey)).statusCode).toBe(404);
  });

  it('answers 404 for a customer the workspace does not have, 400 for what cannot be a customer id', async () => {
    expect((await call('GET', '/customers/999999999/analytics', readKey)).statusCode).toBe(404);
    expect((await call('GET', '/customers/99999999999999999999/analytics', readKey)).statusCode).toBe(400);
  });
});

describe('analytics engines', () => {
  const paths = [
    '/analytics/sales?from=2024-01-01&to=2024-04-01&granularity=week',
    '/analytics/retention?from=2024-01-01&to=2024-04-01&months=3&asOf=2024-05-01',
    '/analytics/rfm?asOf=2024-04-01',
    '/analytics/rfm/customers?asOf=2024-04-01&limit=2',
    '/analytics/repeat?from=2024-01-01&to=2024-04-01&granularity=month',
    '/analytics/f2?from=2024-01-01&to=2024-04-01&within=60',
    '/analytics/churn?asOf=2024-05-01&window=30',
    '/analytics/churn/window?asOf=2024-04-01',
  ];
  it.each(paths)('gives the same figures from memory and from SQL: %s', async (path) => {
    const memory = await read(`${path}&engine=memory`);
    const sql = await read(`${path}&engine=sql`);
    expect(memory).toEqual(sql);
  });

  it('refuses an unknown engine (400)', async () => {
    const response = await call('GET', '/analytics/rfm?engine=duckdb', readKey);
    expect(response.statusCode).toBe(400);
    expect(response.json().message).toContain('engine');
  });

  it('answers with orders written a moment before through the ingest API', async () => {
    const april = '/analytics/sales?from=2024-04-01&to=2024-05-01&compare=previous';
    expect((await read(april)).totals.purchases).toBe(0);
    const written = await call('POST', '/orders/batch', writeKey, {
      mode: 'all-or-nothing',
      records: [
        {
          order_id: 'APRIL-1',
          customer_id: 'C',
          ordered_at: '2024-04-02T10:00:00+09:00',
          status: 'delivered',
          items: [{ sku: 'FIXTURE', quantity: 2, unit_price: 1250 }],
        },
      ],
    });
    expect(written.statusCode, written.body).toBe(200);
    expect((await read(april)).totals).toMatchObject({ sales: '2500', customers: 1, purchases: 1, items: 2 });
  });
});
