import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestDatabase, freshWorkspace } from '../../test/support/database.ts';
import { addOrders } from '../../test/support/purchases.ts';
import { createApiKey } from '../auth/api-keys.ts';
import { buildApp } from '../http/app.ts';
import { fixedClock } from '../shared/clock.ts';
import { dataCoverage } from './coverage.ts';

const database = connectTestDatabase();
afterAll(() => database.close());

describe('data coverage: today against the days the orders cover', () => {
  let workspaceName = '';
  let key = '';
  beforeAll(async () => {
    const brand = await freshWorkspace(database, { timezone: 'Asia/Tokyo' });
    workspaceName = brand.name;
    // 2024-03-31 23:30 in Tokyo is 14:30 UTC: the local day, not the UTC day, is the last order day.
    await addOrders(database, brand, [
      { customer: 'A', at: '2024-01-10 10:00', amount: 1000 },
      { customer: 'B', at: '2024-03-31 23:30', amount: 2000 },
    ]);
    key = (await createApiKey(database.db, { workspaceId: brand.id, name: 'bi', role: 'read_only' })).key;
  });

  it('says the data ends before today, from the local days of the first and last order', async () => {
    // 2024-06-01 01:00 in Tokyo, still May 31 in UTC.
    const app = await buildApp({ database, clock: fixedClock(new Date('2024-05-31T16:00:00Z')), config: { secureCookies: false } });
    try {
      const response = await app.inject({
        method: 'GET',
        url: `/api/v1/workspaces/${workspaceName}/analytics/coverage`,
        headers: { authorization: `Bearer ${key}` },
      });
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json()).toEqual({
        today: '2024-06-01',
        firstOrderOn: '2024-01-10',
        lastOrderOn: '2024-03-31',
        dataEnd: '2024-04-01',
        endsBeforeToday: true,
        hasSubscriptions: false,
      });
      const anonymous = await app.inject({ method: 'GET', url: `/api/v1/workspaces/${workspaceName}/analytics/coverage` });
      expect(anonymous.statusCode).toBe(401);
    } finally {
      await app.close();
    }
  });

  it('data that ends yesterday does not end before today; a workspace without orders has no ends', async () => {
    const brand = await freshWorkspace(database, { timezone: 'Asia/Tokyo' });
    await addOrders(database, brand, [{ customer: 'A', at: '2024-05-31 12:00', amount: 1000 }]);
    const coverage = await dataCoverage({ pool: database.pool, workspace: brand, clock: fixedClock(new Date('2024-06-01T03:00:00Z')) });
    expect(coverage).toMatchObject({ today: '2024-06-01', lastOrderOn: '2024-05-31', endsBeforeToday: false });
    const empty = await freshWorkspace(database);
    expect(await dataCoverage({ pool: database.pool, workspace: empty, clock: fixedClock(new Date('2024-06-01T03:00:00Z')) })).toMatchObject({
      firstOrderOn: null,
      lastOrderOn: null,
      dataEnd: null,
      endsBeforeToday: false,
    });
  });
});
