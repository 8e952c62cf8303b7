import type { FastifyInstance } from 'fastify';
import { Kysely, PostgresDialect } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestDatabase, freshWorkspace } from '../../test/support/database.ts';
import { createApiKey } from '../auth/api-keys.ts';
import { createPool, type Database } from '../db/connect.ts';
import type { DB } from '../db/schema.ts';
import type { Workspace } from '../workspaces/workspaces.ts';
import { buildApp } from './app.ts';

const admin = connectTestDatabase();
// As many connections as concurrent batches, so every batch holds its transaction at once.
const pool = createPool({ url: admin.url, max: 8 });
const database: Database = { db: new Kysely<DB>({ dialect: new PostgresDialect({ pool }) }), pool, url: admin.url, embedded: false, close: async () => {} };
let app: FastifyInstance;

beforeAll(async () => {
  app = await buildApp({ database, config: { secureCookies: false } });
});
afterAll(async () => {
  await app.close();
  await database.db.destroy();
  await admin.close();
});

const BATCHES = 8;

/** A deterministic shuffle (LCG), so each batch meets the shared customers in its own order. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const copy = [...items];
  let state = seed;
  for (let i = copy.length - 1; i > 0; i--) {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    const j = state % (i + 1);
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

async function writer(workspace: Workspace): Promise<string> {
  return (await createApiKey(admin.db, { workspaceId: workspace.id, name: 'sync', role: 'marketing' })).key;
}

function sendBatches(workspace: Workspace, key: string, kind: string, batches: unknown[][]) {
  return Promise.all(
    batches.map((records) =>
      app.inject({
        method: 'POST',
        url: `/api/v1/workspaces/${workspace.name}/${kind}/batch`,
        headers: { authorization: `Bearer ${key}` },
        payload: { records },
      }),
    ),
  );
}

describe('concurrent ingest batches sharing new customers and products', () => {
  it('all 8 order batches succeed and the purchase summaries add up', async () => {
    const workspace = await freshWorkspace(admin);
    const key = await writer(workspace);
    const customers = Array.from({ length: 40 }, (_, i) => `SHARED-C${String(i).padStart(2, '0')}`);
    const skus = Array.from({ length: 12 }, (_, i) => `SHARED-SKU${i}`);
    const batches = Array.from({ length: BATCHES }, (_, batch) =>
      shuffled(customers, batch + 1).map((customer, i) => ({
        order_id: `B${batch}-O${i}`,
        customer_id: customer,
        ordered_at: `2024-05-${String(1 + batch).padStart(2, '0')} 10:00`,
        items: shuffled(skus, batch * 100 + i + 1)
          .slice(0, 3)
          .map((sku) => ({ sku, quantity: 1, unit_price: 1000, product_name: `商品 ${sku}` })),
      })),
    );

    const responses = await sendBatches(workspace, key, 'orders', batches);

    expect(responses.map((r) => [r.statusCode, r.statusCode === 200 ? '' : r.body])).toEqual(batches.map(() => [200, '']));
    const { rows } = await admin.pool.query<{ customers: number; products: number; orders: number; counts: number[]; totals: string[] }>(
      `select (select count(*)::int from customers where workspace_id = $1) as customers,
              (select count(*)::int from products where workspace_id = $1) as products,
              (select count(*)::int from orders where workspace_id = $1) as orders,
              (select array_agg(distinct purchase_count) from customers where workspace_id = $1) as counts,
              (select array_agg(distinct purchase_total::text) from customers where workspace_id = $1) as totals`,
      [workspace.id],
    );
    const skusUsed = new Set(batches.flat().flatMap((order) => order.items.map((item) => item.sku)));
    expect(rows[0]).toEqual({ customers: 40, products: skusUsed.size, orders: 40 * BATCHES, counts: [BATCHES], totals: [String(3000 * BATCHES)] });
  });

  it('all 8 customer batches updating the same new customers succeed', async () => {
    const workspace = await freshWorkspace(admin);
    const key = await writer(workspace);
    const ids = Array.from({ length: 60 }, (_, i) => `SHARED-M${String(i).padStart(2, '0')}`);
    const batches = Array.from({ length: BATCHES }, (_, batch) =>
      shuffled(ids, batch + 7).map((customer_id, i) => ({
        customer_id,
        name: `顧客 ${i}`,
        attributes: { [`batch${batch}`]: true },
      })),
    );

    const responses = await sendBatches(workspace, key, 'customers', batches);

    expect(responses.map((r) => [r.statusCode, r.statusCode === 200 ? '' : r.body])).toEqual(batches.map(() => [200, '']));
    const { rows } = await admin.pool.query<{ customers: number; keys: number[] }>(
      `select count(*)::int as customers, array_agg(distinct (select count(*) from jsonb_object_keys(attributes))::int) as keys
         from customers where workspace_id = $1`,
      [workspace.id],
    );
    expect(rows[0]).toEqual({ customers: 60, keys: [BATCHES] });
  });
});
