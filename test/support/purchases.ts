import type { Database } from '../../src/db/connect.ts';
import { ingestBatch } from '../../src/ingest/ingest-batch.ts';
import type { OrderStatus } from '../../src/shared/vocabulary.ts';
import type { Workspace } from '../../src/workspaces/workspaces.ts';
import { withTransaction } from './database.ts';

/** One order of a fixture: whose, when (wall-clock time in the workspace's zone), how much. */
export interface FixtureOrder {
  customer: string;
  /** e.g. '2024-05-31 23:59', read in the workspace's time zone. */
  at: string;
  amount: number;
  /** Default 'delivered' (a purchase); 'cancelled' and 'returned' are not purchases. */
  status?: OrderStatus;
  /** The one item's product; default 'FIXTURE'. */
  sku?: string;
}

/**
 * Writes orders through the ingest path (one item each, quantity 1 at `amount`), so the
 * customers' profiles and purchase summaries are kept as in production. Returns the
 * customers' ids by external id.
 */
export async function addOrders(database: Database, workspace: Workspace, orders: readonly FixtureOrder[]): Promise<Map<string, string>> {
  const records = orders.map((order, index) => ({
    order_id: `O${String(index + 1).padStart(4, '0')}-${order.customer}`,
    customer_id: order.customer,
    ordered_at: order.at,
    status: order.status ?? 'delivered',
    items: [{ sku: order.sku ?? 'FIXTURE', quantity: 1, unit_price: order.amount, product_name: order.sku ? `Fixture ${order.sku}` : 'Fixture product' }],
  }));
  const result = await withTransaction(database.pool, (client) => ingestBatch({ client, workspace, kind: 'orders', records, mode: 'all-or-nothing' }));
  if (result.invalid > 0) throw new Error(`fixture orders refused: ${JSON.stringify(result.errors)}`);
  const { rows } = await database.pool.query<{ id: string; external_id: string }>('select id, external_id from customers where workspace_id = $1', [
    workspace.id,
  ]);
  return new Map(rows.map((row) => [row.external_id, row.id]));
}
