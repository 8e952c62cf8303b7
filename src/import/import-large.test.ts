import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeOrderExport, type OrderExportTotals } from '../../test/fixtures/import/order-lines.ts';
import { connectTestDatabase, freshWorkspace } from '../../test/support/database.ts';
import type { Workspace } from '../workspaces/workspaces.ts';
import { importCsv } from './import-csv.ts';

const database = connectTestDatabase();
let workspace: Workspace;
let directory: string;
let file: string;
let totals: OrderExportTotals;

beforeAll(async () => {
  workspace = await freshWorkspace(database);
  directory = await mkdtemp(path.join(tmpdir(), 'kizuna-large-'));
  file = path.join(directory, 'juchu.csv');
  totals = await writeOrderExport(file, { lines: 350_000, customers: 30_000, products: 300, seed: 7 });
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
  await database.close();
});

describe('importCsv: a 50 MB Shift_JIS order export', () => {
  it('streams the file in and stores every line, with amounts that match the export', { timeout: 300_000 }, async () => {
    expect((await stat(file)).size).toBeGreaterThan(50 * 1024 * 1024);
    const startedAt = performance.now();
    const report = await importCsv({ pool: database.pool, workspace, kind: 'orders', source: { path: file }, mode: 'all-or-nothing', dryRun: false });
    const seconds = (performance.now() - startedAt) / 1000;
    expect(report).toMatchObject({ encoding: 'shift_jis', rows: 350_000, records: totals.orders, valid: 350_000, invalid: 0, stored: true, errors: [] });
    const { rows } = await database.pool.query(
      `select (select count(*)::int from orders where workspace_id = $1) as orders,
              (select count(*)::int from order_items where workspace_id = $1) as items,
              (select count(*)::int from customers where workspace_id = $1) as customers,
              (select sum(amount)::text from orders where workspace_id = $1 and status <> 'cancelled') as purchases,
              (select sum(purchase_total)::text from customers where workspace_id = $1) as customer_totals`,
      [workspace.id],
    );
    expect(rows[0]).toEqual({
      orders: totals.orders,
      items: 350_000,
      customers: totals.customers,
      purchases: String(totals.purchaseTotal),
      customer_totals: String(totals.purchaseTotal),
    });
    // Generous: the 2-core CI machine imports ~30,000 lines/s; this guards against a collapse, not a regression of a few percent.
    expect(seconds).toBeLessThan(120);
  });
});
