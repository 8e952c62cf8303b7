import type pg from 'pg';
import { resolveCustomerIds } from '../customers/resolve-customers.ts';
import { inKeyOrder } from '../db/lock-order.ts';
import { insertEvents } from '../events/insert-events.ts';
import type { Clock } from '../shared/clock.ts';
import type { SubscriptionStatus } from '../shared/vocabulary.ts';
import { listCancelReasons, resolveCancelReason } from './cancel-reasons.ts';
import type { SubscriptionRecord } from './subscription-record.ts';
import { statusChangeEvents, type PlannedSubscription } from './subscription-events.ts';

/** Who writes: the clock for changes without a time of their own, and the actor named in the history when a record names none. */
export interface SubscriptionWriter {
  clock: Clock;
  /** An API key's or user's label, or 'import'. */
  actor: string;
}

export interface UnknownSubscriptionProduct {
  position: number;
  item: number;
  sku: string;
}

/** Items whose SKU the catalogue does not know: a subscription cannot create a product (it has no name or price). */
export async function findUnknownSubscriptionProducts(
  client: pg.ClientBase,
  workspaceId: string,
  records: readonly SubscriptionRecord[],
): Promise<UnknownSubscriptionProduct[]> {
  const known = await productIds(client, workspaceId, records);
  const unknown: UnknownSubscriptionProduct[] = [];
  records.forEach((record, position) => {
    record.items.forEach((item, index) => {
      if (!known.has(item.sku)) unknown.push({ position, item: index, sku: item.sku });
    });
  });
  return unknown;
}

async function productIds(client: pg.ClientBase, workspaceId: string, records: readonly SubscriptionRecord[]): Promise<Map<string, string>> {
  const skus = [...new Set(records.flatMap((record) => record.items.map((item) => item.sku)))];
  const { rows } = await client.query<{ id: string; sku: string }>('select id, sku from products where workspace_id = $1 and sku = any($2::text[])', [
    workspaceId,
    skus,
  ]);
  return new Map(rows.map((row) => [row.sku, row.id]));
}

interface StoredSubscription {
  id: string;
  external_id: string;
  status: SubscriptionStatus;
  status_changed_at: Date;
  skips: number;
}

/**
 * Writes subscriptions with their items, by 定期番号 (subscription_id), in the caller's
 * transaction. Unknown customers get a bare profile (as orders do); callers reject unknown
 * SKUs first (findUnknownSubscriptionProducts). A written cancel reason is resolved to a code
 * of the workspace's list, its words kept as the note (cancel-reasons.ts).
 *
 * When the status differs from the stored one, or the subscription is new, the change is
 * added to its history (subscription_status_changes) and to the customer's timeline
 * (events: subscription_started, _paused, _resumed, _cancelled), at the record's
 * status_changed_at, else cancelled_at for a cancellation, else started_at for a new
 * subscription, else the writer's clock. A new subscription's history starts with 'active'
 * at started_at. Skips that grew add one subscription_skipped event per skip. Events have
 * deterministic idempotency keys, and unchanged rows are not touched, so writing the same
 * batch twice changes nothing. One subscription_changes row notes a write that changed data.
 * Returns how many subscriptions were inserted or changed.
 */
export async function upsertSubscriptions(
  client: pg.ClientBase,
  params: { workspaceId: string; records: readonly SubscriptionRecord[]; writer: SubscriptionWriter },
): Promise<{ changed: number }> {
  const { workspaceId, writer } = params;
  if (params.records.length === 0) return { changed: 0 };
  // Customers, then subscriptions, then their items are locked in key order, so concurrent
  // batches sharing them never deadlock (db/lock-order.ts).
  const records = inKeyOrder(params.records, (r) => r.subscription_id);
  const customerIds = await resolveCustomerIds(
    client,
    workspaceId,
    records.map((r) => r.customer_id),
  );
  const products = await productIds(client, workspaceId, records);
  const reasons = await listCancelReasons(client, workspaceId);
  const { rows: storedRows } = await client.query<StoredSubscription>(
    `select id, external_id, status, status_changed_at, skips from subscriptions
      where workspace_id = $1 and external_id = any($2::text[]) order by external_id for update`,
    [workspaceId, records.map((r) => r.subscription_id)],
  );
  const stored = new Map(storedRows.map((row) => [row.external_id, row]));
  const now = writer.clock.now();
  const planned = records.map((record) => plan(record, stored.get(record.subscription_id), reasons, now, writer.actor));

  const column = <T>(pick: (p: PlannedSubscription) => T) => planned.map(pick);
  const { rows: touched } = await client.query<{ id: string }>(
    `insert into subscriptions as s (workspace_id, external_id, customer_id, course, cycle_unit, cycle_every, status, status_changed_at,
                                     started_at, next_delivery_on, deliveries, skips, cancelled_at, cancel_reason, cancel_note, first_product_id)
     select $1, * from unnest($2::text[], $3::bigint[], $4::text[], $5::text[], $6::int[], $7::text[], $8::timestamptz[],
                              $9::timestamptz[], $10::date[], $11::int[], $12::int[], $13::timestamptz[], $14::text[], $15::text[], $16::bigint[])
     on conflict (workspace_id, external_id) do update set
       customer_id = excluded.customer_id, course = excluded.course, cycle_unit = excluded.cycle_unit, cycle_every = excluded.cycle_every,
       status = excluded.status, status_changed_at = excluded.status_changed_at, started_at = excluded.started_at,
       next_delivery_on = excluded.next_delivery_on, deliveries = excluded.deliveries, skips = excluded.skips,
       cancelled_at = excluded.cancelled_at, cancel_reason = excluded.cancel_reason, cancel_note = excluded.cancel_note,
       first_product_id = excluded.first_product_id, updated_at = now()
     where (s.customer_id, s.course, s.cycle_unit, s.cycle_every, s.status, s.status_changed_at, s.started_at, s.next_delivery_on,
            s.deliveries, s.skips, s.cancelled_at, s.cancel_reason, s.cancel_note, s.first_product_id)
           is distinct from
           (excluded.customer_id, excluded.course, excluded.cycle_unit, excluded.cycle_every, excluded.status, excluded.status_changed_at,
            excluded.started_at, excluded.next_delivery_on, excluded.deliveries, excluded.skips, excluded.cancelled_at,
            excluded.cancel_reason, excluded.cancel_note, excluded.first_product_id)
     returning s.id`,
    [
      workspaceId,
      column((p) => p.record.subscription_id),
      column((p) => customerIds.get(p.record.customer_id)!),
      column((p) => p.record.course),
      column((p) => p.record.cycle.unit),
      column((p) => p.record.cycle.every),
      column((p) => p.record.status),
      column((p) => p.statusChangedAt.toISOString()),
      column((p) => p.record.started_at.toISOString()),
      column((p) => p.record.next_delivery_on ?? null),
      column((p) => p.record.deliveries),
      column((p) => p.record.skips),
      column((p) => p.record.cancelled_at?.toISOString() ?? null),
      column((p) => p.cancelReason),
      column((p) => p.cancelNote),
      column((p) => products.get(p.record.items[0]!.sku)!),
    ],
  );
  const { rows: idRows } = await client.query<{ id: string; external_id: string }>(
    'select id, external_id from subscriptions where workspace_id = $1 and external_id = any($2::text[])',
    [workspaceId, column((p) => p.record.subscription_id)],
  );
  const ids = new Map(idRows.map((row) => [row.external_id, row.id]));
  const itemsChanged = await replaceItems(client, workspaceId, planned, ids, products);
  await writeHistory(client, workspaceId, planned, ids, customerIds);
  await insertEvents(
    client,
    workspaceId,
    planned.flatMap((p) => statusChangeEvents(p, reasons, now)),
  );
  const changed = new Set([...touched.map((row) => row.id), ...itemsChanged]).size;
  if (changed > 0) await noteSubscriptionsChanged(client, workspaceId);
  return { changed };
}

/** Records, in the caller's transaction, that the workspace's subscriptions changed (see migrations/0013). */
export async function noteSubscriptionsChanged(client: pg.ClientBase, workspaceId: string): Promise<void> {
  await client.query('insert into subscription_changes (workspace_id) values ($1)', [workspaceId]);
}

/** What writing one record does: its stored status fields, and the status changes it adds to the history. */
function plan(
  record: SubscriptionRecord,
  prior: StoredSubscription | undefined,
  reasons: Parameters<typeof resolveCancelReason>[1],
  now: Date,
  actor: string,
): PlannedSubscription {
  const cancelled = record.status === 'cancelled';
  const resolved = cancelled && record.cancel_reason ? resolveCancelReason(record.cancel_reason, reasons) : null;
  // The words of a reason that was not just a code or a label are kept, before any note given beside them.
  const cancelNote = [resolved?.words, record.cancel_note].filter((text): text is string => Boolean(text)).join('\n') || null;
  const statusChanges = !prior || prior.status !== record.status;
  const statusChangedAt =
    record.status_changed_at ??
    (prior && !statusChanges ? prior.status_changed_at : cancelled && record.cancelled_at ? record.cancelled_at : !prior ? record.started_at : now);
  const by = record.changed_by ?? actor;
  const changes: PlannedSubscription['changes'] = [];
  if (!prior) changes.push({ status: 'active', at: record.started_at, actor: by });
  if (statusChanges && !(record.status === 'active' && !prior)) changes.push({ status: record.status, at: statusChangedAt, actor: by });
  return {
    record,
    priorStatus: prior?.status ?? null,
    priorSkips: prior?.skips ?? 0,
    statusChangedAt,
    cancelReason: resolved?.code ?? null,
    cancelNote: cancelled ? cancelNote : null,
    changes,
  };
}

/** Items of subscriptions whose stored items differ are replaced (so an unchanged subscription is not rewritten); returns their ids. */
async function replaceItems(
  client: pg.ClientBase,
  workspaceId: string,
  planned: readonly PlannedSubscription[],
  ids: Map<string, string>,
  products: Map<string, string>,
): Promise<string[]> {
  const rows = planned.flatMap((p) =>
    p.record.items.map((item, index) => ({
      id: ids.get(p.record.subscription_id)!,
      lineNo: index + 1,
      product: products.get(item.sku)!,
      quantity: item.quantity,
    })),
  );
  const incoming = 'unnest($1::bigint[], $2::int[], $3::bigint[], $4::int[]) as i(subscription_id, line_no, product_id, quantity)';
  const itemParams = [rows.map((r) => r.id), rows.map((r) => r.lineNo), rows.map((r) => r.product), rows.map((r) => r.quantity)];
  const { rows: changed } = await client.query<{ subscription_id: string }>(
    `with incoming as (select * from ${incoming}),
          stored as (select subscription_id, line_no, product_id, quantity from subscription_items where subscription_id = any($5::bigint[]))
     select subscription_id from (select * from incoming except all select * from stored) added
     union
     select subscription_id from (select * from stored except all select * from incoming) removed
     order by 1`,
    [...itemParams, [...ids.values()]],
  );
  if (changed.length === 0) return [];
  const changedIds = changed.map((row) => row.subscription_id);
  await client.query('delete from subscription_items where subscription_id = any($1::bigint[])', [changedIds]);
  await client.query(
    `insert into subscription_items (subscription_id, line_no, workspace_id, product_id, quantity)
     select i.subscription_id, i.line_no, $6, i.product_id, i.quantity from ${incoming}
      where i.subscription_id = any($5::bigint[]) order by i.subscription_id, i.line_no`,
    [...itemParams, changedIds, workspaceId],
  );
  return changedIds;
}

/** The status changes into the history; a change already recorded (same subscription, time and status) is kept once. */
async function writeHistory(
  client: pg.ClientBase,
  workspaceId: string,
  planned: readonly PlannedSubscription[],
  ids: Map<string, string>,
  customerIds: Map<string, string>,
): Promise<void> {
  const rows = planned.flatMap((p) =>
    p.changes.map((change) => ({
      subscription: ids.get(p.record.subscription_id)!,
      customer: customerIds.get(p.record.customer_id)!,
      ...change,
      reason: change.status === 'cancelled' ? p.cancelReason : null,
      note: change.status === 'cancelled' ? p.cancelNote : null,
    })),
  );
  if (rows.length === 0) return;
  await client.query(
    `insert into subscription_status_changes (workspace_id, subscription_id, customer_id, status, changed_at, reason, note, actor)
     select $1, * from unnest($2::bigint[], $3::bigint[], $4::text[], $5::timestamptz[], $6::text[], $7::text[], $8::text[])
     on conflict (subscription_id, changed_at, status) do nothing`,
    [
      workspaceId,
      rows.map((r) => r.subscription),
      rows.map((r) => r.customer),
      rows.map((r) => r.status),
      rows.map((r) => r.at.toISOString()),
      rows.map((r) => r.reason),
      rows.map((r) => r.note),
      rows.map((r) => r.actor),
    ],
  );
}
