import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestDatabase, freshWorkspace } from '../../test/support/database.ts';
import { addSubscriptionBrand, SUBSCRIPTION_BRAND_NOW } from '../../test/support/subscription-brand.ts';
import { AnalyticsEngine } from '../analytics/engine/analytics-engine.ts';
import { createApiKey } from '../auth/api-keys.ts';
import { fixedClock } from '../shared/clock.ts';
import type { Workspace } from '../workspaces/workspaces.ts';
import { buildApp } from './app.ts';

/** The subscription analyses over HTTP, on the hand-computed brand of test/support/subscription-brand.ts (today 2024-07-01). */
const database = connectTestDatabase();
let app: FastifyInstance;
let brand: Workspace;
let readKey: string;
let otherKey: string;

beforeAll(async () => {
  const clock = fixedClock(SUBSCRIPTION_BRAND_NOW);
  app = await buildApp({ database, clock, analytics: new AnalyticsEngine(database.pool, { clock }), config: { secureCookies: false } });
  brand = await freshWorkspace(database, { timezone: 'Asia/Tokyo' });
  const other = await freshWorkspace(database);
  await addSubscriptionBrand(database, brand);
  readKey = (await createApiKey(database.db, { workspaceId: brand.id, name: 'bi', role: 'read_only' })).key;
  otherKey = (await createApiKey(database.db, { workspaceId: other.id, name: 'other', role: 'admin' })).key;
});
afterAll(async () => {
  await app.close();
  await database.close();
});

function get(path: string, key: string | null = readKey) {
  return app.inject({
    method: 'GET',
    url: `/api/v1/workspaces/${brand.name}/analytics/subscriptions${path}`,
    headers: key ? { authorization: `Bearer ${key}` } : {},
  });
}

async function read(path: string) {
  const response = await get(path);
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
}

describe('subscription analytics API', () => {
  it('gives continuation as of today by course, the same from the engine and the SQL reference', async () => {
    const [memory, sql] = await Promise.all([read('/continuation?by=course&maxDelivery=3'), read('/continuation?by=course&maxDelivery=3&engine=sql')]);
    expect(memory).toEqual(sql);
    expect(memory).toMatchObject({ asOf: '2024-07-01', by: 'course', deliveriesCountedFrom: 'stored_count' });
    expect(memory.total.rows.map((row: { rate: number }) => row.rate)).toEqual([4 / 5, 2 / 4, 1]);
    expect(memory.total.rows.map((row: { survival: number }) => row.survival)).toEqual([1, 0.8, 0.4]);
    expect(memory.groups.map((group: { key: string }) => group.key)).toEqual(['Monthly', 'Bimonthly']);
  });

  it('gives the monthly cancellation rate and the ranked reasons in both languages', async () => {
    const result = await read('/cancellations?from=2024-01-01&to=2024-07-01');
    expect(result.series.map((bucket: { rate: number | null }) => bucket.rate)).toEqual([null, 1 / 2, 1 / 3, 0, 0, 1 / 3]);
    expect(result.reasons[0]).toEqual({ code: 'no_effect', labelJa: '効果を感じない', labelEn: 'No effect felt', count: 2, share: 0.5 });
    expect(result.byDelivery.map((row: { delivery: number; cancelled: number }) => [row.delivery, row.cancelled])).toEqual([
      [0, 1],
      [1, 1],
      [2, 2],
    ]);
  });

  it('defaults the cancellations to the year before today, by month', async () => {
    const result = await read('/cancellations');
    expect(result.period).toEqual({ from: '2023-07-01', to: '2024-07-01' });
    expect(result.series).toHaveLength(12);
    expect(result.total.cancelled).toBe(4);
  });

  it('gives the step-up rate per cohort and by source, saying which window is still open', async () => {
    const result = await read('/step-up?from=2024-01-01&to=2024-07-01&within=30');
    expect(result.total).toEqual({ trialCustomers: 7, steppedUp: 4, rate: 4 / 7, complete: false });
    expect(result.cohorts.at(-1)).toMatchObject({ bucket: '2024-06-01', trialCustomers: 1, steppedUp: 0, complete: false });
    expect(result.bySource.map((source: { source: string | null }) => source.source)).toEqual(['instagram', 'search', null]);
  });

  it('gives the subscribers per month end', async () => {
    const result = await read('/subscribers?from=2024-04-01&to=2024-07-01');
    expect(result.series.map((bucket: { inForce: number; customers: number }) => [bucket.inForce, bucket.customers])).toEqual([
      [4, 4],
      [6, 5],
      [4, 3],
    ]);
  });
});

describe('subscription analytics API: bounds and access', () => {
  it('refuses terms beyond the bounds with 422 naming the field', async () => {
    for (const path of ['/continuation?maxDelivery=61', '/step-up?from=2024-01-01&to=2024-02-01&within=3651']) {
      const response = await get(path);
      expect(response.statusCode, path).toBe(422);
      expect(response.json().code).toBe('validation_failed');
    }
    const tooLong = await get('/subscribers?from=2000-01-01&to=2024-01-01&granularity=day');
    expect(tooLong.statusCode).toBe(422);
    expect(tooLong.json().details).toMatchObject({ field: 'granularity', limit: 3700 });
  });

  it('refuses a malformed request with 400 naming the parameter', async () => {
    const missing = await get('/step-up?to=2024-02-01');
    expect(missing.statusCode).toBe(400);
    expect(missing.body).toContain('from');
    const split = await get('/continuation?by=colour');
    expect(split.statusCode).toBe(400);
    const backwards = await get('/cancellations?from=2024-03-01&to=2024-02-01');
    expect(backwards.statusCode).toBe(400);
  });

  it('answers 401 without a key and 404 to a key of another workspace', async () => {
    expect((await get('/continuation', null)).statusCode).toBe(401);
    expect((await get('/continuation', otherKey)).statusCode).toBe(404);
  });
});
