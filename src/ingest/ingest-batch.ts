import type pg from 'pg';
import { findIdentityConflicts, upsertCustomers } from '../customers/upsert-customers.ts';
import { insertEvents } from '../events/insert-events.ts';
import { catalogueFields, noteRecordsForJourney, subscriptionOwners } from '../journey-map/record-changes.ts';
import { findUnknownProducts, upsertOrders } from '../orders/upsert-orders.ts';
import { noteRecordsForScenarios, subscriptionsBeforeWrite } from '../scenarios/runtime/signals.ts';
import { upsertProducts } from '../products/upsert-products.ts';
import { systemClock } from '../shared/clock.ts';
import { assertNever } from '../shared/errors.ts';
import { findUnknownSubscriptionProducts, upsertSubscriptions, type SubscriptionWriter } from '../subscriptions/upsert-subscriptions.ts';
import type { Workspace } from '../workspaces/workspaces.ts';
import {
  issuesToErrors,
  schemaFor,
  type BatchKind,
  type CustomerRecord,
  type EventRecord,
  type OrderRecord,
  type ProductRecord,
  type RecordError,
  type SubscriptionRecord,
} from './records.ts';

export const MAX_BATCH_RECORDS = 10_000;
export const INGEST_MODES = ['all-or-nothing', 'skip-invalid'] as const;
export type IngestMode = (typeof INGEST_MODES)[number];

export type ValidRecords =
  | { kind: 'customers'; records: CustomerRecord[] }
  | { kind: 'products'; records: ProductRecord[] }
  | { kind: 'orders'; records: OrderRecord[] }
  | { kind: 'events'; records: EventRecord[] }
  | { kind: 'subscriptions'; records: SubscriptionRecord[] };

/**
 * Who writes, for the records that keep a history (subscriptions: the clock for a change
 * without a time of its own, the actor named in the history). Default: the system clock and
 * 'import'; the HTTP API passes the app's clock and the API key or user.
 */
export const DEFAULT_WRITER: SubscriptionWriter = { clock: systemClock, actor: 'import' };

export interface IngestResult {
  /** Records in the request. */
  received: number;
  /** Valid records written (or, when rejected, that would have been). */
  valid: number;
  /** Invalid records. */
  invalid: number;
  /** False when the batch was rejected whole (all-or-nothing with an invalid record). */
  stored: boolean;
  errors: RecordError[];
}

/**
 * Validates a batch and writes its valid records in one transaction on `client`.
 * all-or-nothing (the default): any invalid record rejects the whole batch, nothing is written.
 * skip-invalid: valid records are written, invalid ones reported. Errors carry the record's
 * index in the batch, the field and the reason. The caller owns the transaction.
 */
export async function ingestBatch(params: {
  client: pg.ClientBase;
  workspace: Workspace;
  kind: BatchKind;
  records: readonly unknown[];
  mode: IngestMode;
  writer?: SubscriptionWriter;
}): Promise<IngestResult> {
  const { client, workspace, kind, records, mode, writer = DEFAULT_WRITER } = params;
  const { valid, positions, errors } = validateRecords(kind, records, workspace.timezone);
  errors.push(...(await checkAgainstDatabase(client, workspace.id, valid, positions, records)));
  const invalidIndexes = new Set(errors.map((e) => e.index));
  const result = (stored: boolean): IngestResult => ({
    received: records.length,
    valid: records.length - invalidIndexes.size,
    invalid: invalidIndexes.size,
    stored,
    errors: errors.sort((a, b) => a.index - b.index),
  });
  if (invalidIndexes.size > 0 && mode === 'all-or-nothing') return result(false);
  const keep = (_: unknown, i: number) => !invalidIndexes.has(positions[i]!);
  await writeRecords(client, workspace.id, filterRecords(valid, keep), writer);
  return result(true);
}

/** Schema validation plus the checks that need the batch as a whole (duplicate ids). */
export function validateRecords(
  kind: BatchKind,
  records: readonly unknown[],
  timezone: string,
): {
  valid: ValidRecords;
  positions: number[];
  errors: RecordError[];
} {
  const schema = schemaFor(kind, timezone);
  const errors: RecordError[] = [];
  const parsed: unknown[] = [];
  const positions: number[] = [];
  const seen = new Map<string, number>();
  records.forEach((record, index) => {
    const outcome = schema.safeParse(record);
    if (!outcome.success) {
      errors.push(...issuesToErrors(index, outcome.error.issues, record));
      return;
    }
    const key = naturalKey(kind, outcome.data as never);
    const earlier = seen.get(key.value);
    if (earlier !== undefined) {
      // A repeated event is the same event sent twice: keep it once. Any other repeat is ambiguous.
      if (kind !== 'events')
        errors.push({
          index,
          field: key.field,
          reason: `duplicate ${key.field} "${key.value}" (also at index ${earlier})`,
          code: 'duplicate',
          value: key.value,
        });
      return;
    }
    seen.set(key.value, index);
    parsed.push(outcome.data);
    positions.push(index);
  });
  return { valid: { kind, records: parsed } as ValidRecords, positions, errors };
}

function naturalKey(
  kind: BatchKind,
  record: CustomerRecord & ProductRecord & OrderRecord & EventRecord & SubscriptionRecord,
): { field: string; value: string } {
  switch (kind) {
    case 'customers':
      return { field: 'customer_id', value: record.customer_id };
    case 'products':
      return { field: 'sku', value: record.sku };
    case 'orders':
      return { field: 'order_id', value: record.order_id };
    case 'events':
      return { field: 'idempotency_key', value: record.idempotency_key };
    case 'subscriptions':
      return { field: 'subscription_id', value: record.subscription_id };
    default:
      return assertNever(kind, 'batch kind');
  }
}

async function checkAgainstDatabase(
  client: pg.ClientBase,
  workspaceId: string,
  valid: ValidRecords,
  positions: number[],
  /** The records as sent, to name a field as the sender wrote it. */
  sent: readonly unknown[],
): Promise<RecordError[]> {
  switch (valid.kind) {
    case 'customers':
      return (await findIdentityConflicts(client, workspaceId, valid.records)).map((c) => ({
        index: positions[c.position]!,
        field: c.field,
        reason: c.reason,
        code: 'identity_taken',
        value: valid.records[c.position]![c.field],
      }));
    case 'orders':
      return (await findUnknownProducts(client, workspaceId, valid.records)).map((u) => ({
        index: positions[u.position]!,
        field: `items[${u.item}].sku`,
        reason: `unknown product "${u.sku}" and no product_name to create it from`,
        code: 'unknown_product',
        value: u.sku,
      }));
    case 'subscriptions':
      return (await findUnknownSubscriptionProducts(client, workspaceId, valid.records)).map((u) => {
        const index = positions[u.position]!;
        // A course's product comes as `sku` or as `items`; the error names the field that was sent.
        const asItems = typeof sent[index] === 'object' && sent[index] !== null && 'items' in sent[index];
        return {
          index,
          field: asItems ? `items[${u.item}].sku` : 'sku',
          reason: `unknown product "${u.sku}": add it to the catalogue first (a subscription cannot create a product)`,
          code: 'unknown_product' as const,
          value: u.sku,
        };
      });
    case 'products':
    case 'events':
      return [];
    default:
      return assertNever(valid, 'batch kind');
  }
}

function filterRecords(valid: ValidRecords, keep: (record: unknown, i: number) => boolean): ValidRecords {
  switch (valid.kind) {
    case 'customers':
      return { kind: valid.kind, records: valid.records.filter(keep) };
    case 'products':
      return { kind: valid.kind, records: valid.records.filter(keep) };
    case 'orders':
      return { kind: valid.kind, records: valid.records.filter(keep) };
    case 'events':
      return { kind: valid.kind, records: valid.records.filter(keep) };
    case 'subscriptions':
      return { kind: valid.kind, records: valid.records.filter(keep) };
    default:
      return assertNever(valid, 'batch kind');
  }
}

/** Writes already validated records; shared by the HTTP API and the CSV importer. */
export async function writeRecords(
  client: pg.ClientBase,
  workspaceId: string,
  valid: ValidRecords,
  writer: SubscriptionWriter = DEFAULT_WRITER,
): Promise<void> {
  if (valid.records.length === 0) return;
  // Each write queues the customers it touched for the journey map, in this transaction (src/journey-map/record-changes.ts),
  // and the changes scenarios react to (src/scenarios/runtime/signals.ts).
  switch (valid.kind) {
    case 'customers':
      await noteRecordsForJourney(client, workspaceId, valid, { customerIds: await upsertCustomers(client, workspaceId, valid.records) });
      return;
    case 'products': {
      const skus = valid.records.map((r) => r.sku);
      const before = await catalogueFields(client, workspaceId, skus);
      await upsertProducts(client, workspaceId, valid.records);
      await noteRecordsForJourney(client, workspaceId, valid, { catalogueChanged: (await catalogueFields(client, workspaceId, skus)) !== before });
      return;
    }
    case 'orders':
      await noteRecordsForJourney(client, workspaceId, valid, { orders: await upsertOrders(client, workspaceId, valid.records) });
      await noteRecordsForScenarios(client, workspaceId, valid, {});
      return;
    case 'events': {
      const { customerIds } = await insertEvents(client, workspaceId, valid.records);
      await noteRecordsForJourney(client, workspaceId, valid, { customerIds });
      await noteRecordsForScenarios(client, workspaceId, valid, { customerIds });
      return;
    }
    case 'subscriptions': {
      const previousOwners = await subscriptionOwners(client, workspaceId, valid.records);
      const subscriptionsBefore = await subscriptionsBeforeWrite(client, workspaceId, valid.records);
      await upsertSubscriptions(client, { workspaceId, records: valid.records, writer });
      await noteRecordsForJourney(client, workspaceId, valid, { previousOwners });
      await noteRecordsForScenarios(client, workspaceId, valid, { subscriptionsBefore });
      return;
    }
    default:
      assertNever(valid, 'batch kind');
  }
}
