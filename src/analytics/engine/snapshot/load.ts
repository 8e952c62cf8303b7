import type pg from 'pg';
import { withTransaction } from '../../../db/transaction.ts';
import { purchaseCondition } from '../../../orders/purchase.ts';
import { compactOrderChanges, ordersVersion, type OrdersVersion } from '../../../orders/order-changes.ts';
import { systemClock, type Clock } from '../../../shared/clock.ts';
import { KizunaError } from '../../../shared/errors.ts';
import { firstPurchaseEverSql } from '../../repeat-f2.ts';
import { localDate } from '../../periods.ts';
import { copyRows } from './copy-text.ts';
import type { CustomerIndex } from './customer-index.ts';
import { CustomerColumns, OrderColumns, type Columns } from './purchase-columns.ts';
import type { PurchaseSnapshot } from './purchase-snapshot.ts';

/**
 * Loads the workspace's purchases (orders neither cancelled nor returned) and its customers'
 * first-purchase days, with the order-data version they correspond to: both read in one
 * repeatable-read transaction, so the data is exactly that version.
 */
export async function loadPurchaseSnapshot(pool: pg.Pool, workspaceId: string, clock: Clock = systemClock): Promise<PurchaseSnapshot> {
  const startedAt = performance.now();
  // Outside the load's repeatable-read transaction, where a concurrent compaction would be a serialization failure.
  await compactOrderChanges(pool, workspaceId);
  return inSnapshotTransaction(pool, async (client) => {
    const { found, pgSnapshot } = await versionOf(client, workspaceId);
    const { columns, index } = await readPurchases(client, workspaceId, found.timezone);
    return snapshotOf({ workspaceId, found, pgSnapshot, startedAt, columns, index, loadedAt: clock.now() });
  });
}

/** One repeatable-read transaction: the version and the data it reads are one snapshot. */
export function inSnapshotTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  return withTransaction(pool, work, { isolation: 'repeatable read' });
}

export async function versionOf(client: pg.PoolClient, workspaceId: string): Promise<{ found: OrdersVersion; pgSnapshot: string }> {
  const found = await ordersVersion(client, workspaceId);
  if (!found) throw new KizunaError('not_found', `No workspace with id ${workspaceId}.`);
  const { rows } = await client.query<{ snapshot: string }>('select pg_current_snapshot()::text as snapshot');
  return { found, pgSnapshot: rows[0]!.snapshot };
}

/** The purchases and first days of the workspace's customers, or of `only` these customer ids. */
export async function readPurchases(
  client: pg.PoolClient,
  workspaceId: string,
  timezone: string,
  only?: string[],
): Promise<{ columns: Columns; index: CustomerIndex }> {
  const tz = `'${timezone.replaceAll("'", "''")}'`;
  const ws = Number(workspaceId);
  // Ids come from the database's own bigint column; Number() keeps the literal a number.
  const customerFilter = (column: string) => (only ? `and ${column} = any('{${only.map((id) => Number(id)).join(',')}}'::bigint[])` : '');
  const customers = new CustomerColumns();
  await copyRows(
    client,
    `copy (select c.id, ${localDate(firstPurchaseEverSql('c'), tz)} - date '1970-01-01', c.purchase_count
                                  from customers c
                                 where c.workspace_id = ${ws} and ${firstPurchaseEverSql('c')} is not null ${customerFilter('c.id')}) to stdout`,
    customers,
  );
  const index = customers.index();
  const orders = new OrderColumns(index, customers);
  await copyRows(
    client,
    `copy (select o.customer_id, ${localDate('o.ordered_at', tz)} - date '1970-01-01', o.amount, o.item_count
                                  from orders o
                                 where o.workspace_id = ${ws} and ${purchaseCondition('o')} ${customerFilter('o.customer_id')}) to stdout`,
    orders,
  );
  return { columns: orders.sorted(), index: orders.unknown.size > 0 ? index.with(orders.unknown) : index };
}

function snapshotOf(params: {
  workspaceId: string;
  found: OrdersVersion;
  pgSnapshot: string;
  startedAt: number;
  columns: Columns;
  index: CustomerIndex;
  loadedAt: Date;
}): PurchaseSnapshot {
  const { workspaceId, found, pgSnapshot, startedAt, columns, index, loadedAt } = params;
  return {
    workspaceId,
    timezone: found.timezone,
    version: found.version,
    pgSnapshot,
    loadedAt,
    loadSeconds: (performance.now() - startedAt) / 1000,
    refreshed: 'full',
    ...columns,
    index,
    indexOf(customerId) {
      const id = Number(customerId);
      return Number.isSafeInteger(id) ? this.index.get(id) : -1;
    },
  };
}
