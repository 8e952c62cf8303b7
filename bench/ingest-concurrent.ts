/**
 * Order batches through the HTTP API from 8 concurrent clients that share new customers and
 * products, against the same batches sent by 1 client (the baseline), in one run.
 *   npx tsx bench/ingest-concurrent.ts [--orders 80000] [--customers 5000] [--products 200] [--batch 1000] [--clients 8]
 * Each batch names customers and products spread over the whole range, so concurrent batches
 * keep meeting the same new rows (what made 6 of 8 batches fail with "deadlock detected").
 * Prints orders/s for both and the count of failed requests, which must be 0.
 * Uses DATABASE_URL when set, otherwise the embedded PostgreSQL; a fresh database is dropped after.
 */
import { parseArgs } from 'node:util';
import { createApiKey } from '../src/auth/api-keys.ts';
import { buildApp } from '../src/http/app.ts';
import { createWorkspace, type Workspace } from '../src/workspaces/workspaces.ts';
import { openBenchDatabase } from './support/bench-database.ts';

const { values: args } = parseArgs({
  options: {
    orders: { type: 'string', default: '80000' },
    customers: { type: 'string', default: '5000' },
    products: { type: 'string', default: '200' },
    batch: { type: 'string', default: '1000' },
    clients: { type: 'string', default: '8' },
  },
});
const ORDERS = Number(args.orders);
const CUSTOMERS = Number(args.customers);
const PRODUCTS = Number(args.products);
const BATCH = Number(args.batch);
const CLIENTS = Number(args.clients);

/** The i-th order: customers and products picked by strides, so every batch spans all of them. */
function orderAt(i: number) {
  const items = Array.from({ length: 1 + (i % 3) }, (_, k) => {
    const sku = `SKU-${(i * 31 + k * 7) % PRODUCTS}`;
    return { sku, quantity: 1 + (k % 2), unit_price: 1980, product_name: `商品 ${sku}` };
  });
  return {
    order_id: `O${i}`,
    customer_id: `C${(i * 7919) % CUSTOMERS}`,
    ordered_at: new Date(Date.UTC(2025, 0, 1) + i * 60_000).toISOString(),
    items,
  };
}

const { database, drop } = await openBenchDatabase('ingest_concurrent');
try {
  const bodies: string[] = [];
  for (let start = 0; start < ORDERS; start += BATCH) {
    bodies.push(JSON.stringify({ records: Array.from({ length: Math.min(BATCH, ORDERS - start) }, (_, j) => orderAt(start + j)) }));
  }
  console.log(
    `Concurrent ingest: ${ORDERS.toLocaleString('en-US')} orders in batches of ${BATCH.toLocaleString('en-US')}, ` +
      `${CUSTOMERS.toLocaleString('en-US')} customers and ${PRODUCTS} products all new and shared by every batch, ` +
      `${database.embedded ? 'embedded PostgreSQL' : 'DATABASE_URL'}`,
  );
  const app = await buildApp({ database, config: { secureCookies: false } });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });

  /** Sends every batch into a fresh workspace from `clients` concurrent clients. */
  async function run(clients: number): Promise<{ seconds: number; failed: string[]; workspace: Workspace }> {
    const workspace = await createWorkspace(database.db, { name: `bench-${clients}-clients` });
    const { key } = await createApiKey(database.db, { workspaceId: workspace.id, name: 'bench', role: 'marketing' });
    const failed: string[] = [];
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: clients }, async () => {
        while (next < bodies.length) {
          const body = bodies[next++]!;
          const response = await fetch(`${address}/api/v1/workspaces/${workspace.name}/orders/batch`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
            body,
          });
          if (response.status !== 200) failed.push(`HTTP ${response.status}: ${(await response.text()).slice(0, 200)}`);
        }
      }),
    );
    return { seconds: (performance.now() - started) / 1000, failed, workspace };
  }

  const baseline = await run(1);
  const concurrent = await run(CLIENTS);
  await app.close();

  const line = (label: string, result: typeof baseline) =>
    `${label}: ${Math.round(ORDERS / result.seconds).toLocaleString('en-US')} orders/s (${result.seconds.toFixed(2)} s), ${result.failed.length} failed requests`;
  console.log(line(' 1 client ', baseline));
  console.log(line(`${String(CLIENTS).padStart(2)} clients`, concurrent));
  for (const failure of [...baseline.failed, ...concurrent.failed].slice(0, 5)) console.log(`  ${failure}`);
  if (baseline.failed.length + concurrent.failed.length > 0) process.exitCode = 1;
  // Every stored order counted once in its customer's purchase summary.
  for (const { workspace, failed } of [baseline, concurrent]) {
    if (failed.length > 0) continue;
    const { rows } = await database.pool.query<{ orders: number; purchases: number }>(
      `select (select count(*)::int from orders where workspace_id = $1) as orders,
              (select sum(purchase_count)::int from customers where workspace_id = $1) as purchases`,
      [workspace.id],
    );
    if (rows[0]!.orders !== ORDERS || rows[0]!.purchases !== ORDERS)
      throw new Error(`${workspace.name}: stored ${JSON.stringify(rows[0])}, expected ${ORDERS} orders`);
  }
} finally {
  await drop();
}
