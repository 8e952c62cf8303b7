import type pg from 'pg';
import { customersChangedSince } from '../../../orders/order-changes.ts';
import { systemClock, type Clock } from '../../../shared/clock.ts';
import { inSnapshotTransaction, loadPurchaseSnapshot, readPurchases, versionOf } from './load.ts';
import type { PurchaseSnapshot } from './purchase-snapshot.ts';
import { spliceCustomers } from './splice.ts';

/** Reloading only what changed pays off up to this many customers; beyond, a full load is as quick. */
const MAX_INCREMENTAL_CUSTOMERS = 50_000;

/**
 * The snapshot brought up to the current order-data version. When every change committed
 * since `previous` was loaded names its customers (the ingest API's batches), only those
 * customers' purchases are read again (through the orders' customer index) and spliced into
 * a copy of the columns, which takes milliseconds instead of a full load; otherwise (a bulk
 * import, a new time zone, too many customers) everything is loaded again.
 */
export async function refreshPurchaseSnapshot(pool: pg.Pool, previous: PurchaseSnapshot, clock: Clock = systemClock): Promise<PurchaseSnapshot> {
  const startedAt = performance.now();
  const { workspaceId } = previous;
  const incremental = await inSnapshotTransaction(pool, async (client) => {
    const { found, pgSnapshot } = await versionOf(client, workspaceId);
    if (found.timezone !== previous.timezone) return null;
    const changed = await customersChangedSince(client, workspaceId, previous.pgSnapshot);
    if (changed === null || changed.length > MAX_INCREMENTAL_CUSTOMERS) return null;
    const { columns } = await readPurchases(client, workspaceId, found.timezone, changed);
    const merged = spliceCustomers(previous, changed.map(Number), columns);
    return {
      ...previous,
      ...merged,
      version: found.version,
      pgSnapshot,
      loadedAt: clock.now(),
      loadSeconds: (performance.now() - startedAt) / 1000,
      refreshed: 'changed_customers' as const,
    };
  });
  return incremental ?? loadPurchaseSnapshot(pool, workspaceId, clock);
}
