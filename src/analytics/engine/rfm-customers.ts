import type pg from 'pg';
import { KizunaError } from '../../shared/errors.ts';
import { checkRfmPage, type CustomerRfm } from '../rfm.ts';
import { RFM_SEGMENTS, type RfmSegmentCode } from '../rfm-segments.ts';
import { snapshotChurnedFlags, snapshotChurnWindow } from './churn.ts';
import type { PurchaseSnapshot } from './snapshot/purchase-snapshot.ts';
import { rfmRow, snapshotRfmTable, type RfmTable } from './rfm.ts';
import type { SubscribedCustomers } from './subscribed-customers.ts';

/**
 * `listRfmCustomers` and `rfmOfCustomer` (src/analytics/rfm.ts) from a snapshot. The scored
 * table of a date is kept with the snapshot (the last few dates, churn windows and
 * subscription versions), so paging through a segment scores the base once, not once per page.
 */
const tables = new WeakMap<PurchaseSnapshot, Map<string, RfmTable>>();
const TABLES_KEPT = 4;

/** The scored table as of `asOf`, its 離反 by the churn rule with the window the churn list of the date uses. */
export async function rfmTableOf(params: { pool: pg.Pool; snapshot: PurchaseSnapshot; subscribed: SubscribedCustomers; asOf: string }): Promise<RfmTable> {
  const { snapshot, subscribed, asOf } = params;
  const resolved = await snapshotChurnWindow(params);
  const churnWindow = resolved.outcome === 'resolved' ? resolved.window : null;
  let byKey = tables.get(snapshot);
  if (!byKey) {
    byKey = new Map();
    tables.set(snapshot, byKey);
  }
  const key = `${asOf}|${churnWindow?.days ?? ''}|${churnWindow?.source ?? ''}|${subscribed.version}|${subscribed.timezone}`;
  let table = byKey.get(key);
  if (table) {
    byKey.delete(key);
  } else {
    table = snapshotRfmTable(snapshot, asOf, { churnWindow, churned: snapshotChurnedFlags(snapshot, subscribed, asOf, churnWindow) });
    if (byKey.size >= TABLES_KEPT) byKey.delete(byKey.keys().next().value!);
  }
  byKey.set(key, table);
  return table;
}

/** One page of customers with their RFM, in customer id order after `cursor`, optionally of one segment. */
export async function snapshotRfmCustomers(params: {
  pool: pg.Pool;
  snapshot: PurchaseSnapshot;
  subscribed: SubscribedCustomers;
  asOf: string;
  segment?: RfmSegmentCode;
  limit: number;
  cursor?: string;
}): Promise<{ items: CustomerRfm[]; nextCursor: string | null }> {
  const { pool, snapshot, limit, cursor } = params;
  checkRfmPage(limit, cursor);
  const table = await rfmTableOf(params);
  const segment = params.segment === undefined ? -1 : RFM_SEGMENTS.findIndex((s) => s.code === params.segment);
  const after = cursor === undefined ? -Infinity : Number(cursor);
  const picked: number[] = [];
  const order = idOrder(snapshot, table);
  for (let k = 0; k < table.customer.length; k++) {
    const i = order === null ? k : order[k]!;
    if (snapshot.customerIds[table.customer[i]!]! <= after || (segment >= 0 && table.segment[i] !== segment)) continue;
    picked.push(i);
    if (picked.length > limit) break;
  }
  const page = picked.slice(0, limit);
  const profiles = await profilesOf(
    pool,
    snapshot,
    page.map((i) => String(snapshot.customerIds[table.customer[i]!])),
  );
  const items = page.map((i) => rfmRow(snapshot, table, i, profiles.get(String(snapshot.customerIds[table.customer[i]!]))!));
  return { items, nextCursor: picked.length > limit ? items.at(-1)!.customerId : null };
}

/** One customer's RFM scored against the base; null when they had no purchase before `asOf`; not_found when unknown. */
export async function snapshotRfmOfCustomer(params: {
  pool: pg.Pool;
  snapshot: PurchaseSnapshot;
  subscribed: SubscribedCustomers;
  asOf: string;
  customerId: string;
}): Promise<CustomerRfm | null> {
  const { pool, snapshot, customerId } = params;
  const profiles = /^\d{1,18}$/.test(customerId) ? await profilesOf(pool, snapshot, [customerId]) : new Map();
  const profile = profiles.get(customerId);
  if (!profile) throw new KizunaError('not_found', `No customer ${customerId} in this workspace.`);
  const index = snapshot.indexOf(customerId);
  if (index < 0) return null;
  const table = await rfmTableOf(params);
  // table.customer is increasing: a binary search finds the customer's row.
  let lo = 0;
  let hi = table.customer.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (table.customer[mid]! < index) lo = mid + 1;
    else hi = mid;
  }
  return lo < table.customer.length && table.customer[lo] === index ? rfmRow(snapshot, table, lo, profile) : null;
}

const idOrders = new WeakMap<RfmTable, Int32Array | null>();

/**
 * Table positions in customer id order, null when that is the table's own order (snapshot
 * indexes follow ids, except profiles appended during a load). Made once per table, like the
 * table itself, not once per page.
 */
function idOrder(snapshot: PurchaseSnapshot, table: RfmTable): Int32Array | null {
  let order = idOrders.get(table);
  if (order === undefined) {
    const ids = snapshot.customerIds;
    let ordered = true;
    for (let i = 1; i < table.customer.length && ordered; i++) ordered = ids[table.customer[i - 1]!]! < ids[table.customer[i]!]!;
    order = ordered
      ? null
      : Int32Array.from({ length: table.customer.length }, (_, i) => i).sort((a, b) => ids[table.customer[a]!]! - ids[table.customer[b]!]!);
    idOrders.set(table, order);
  }
  return order;
}

async function profilesOf(pool: pg.Pool, snapshot: PurchaseSnapshot, ids: string[]): Promise<Map<string, { externalId: string; name: string | null }>> {
  if (ids.length === 0) return new Map();
  const { rows } = await pool.query<{ id: string; external_id: string; name: string | null }>(
    'select id, external_id, name from customers where workspace_id = $1 and id = any($2::bigint[])',
    [snapshot.workspaceId, ids],
  );
  return new Map(rows.map((row) => [row.id, { externalId: row.external_id, name: row.name }]));
}
