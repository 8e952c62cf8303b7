import type { z } from 'zod';
import { customerRecordSchema, type CustomerRecord } from '../customers/customer-record.ts';
import { eventRecordSchema, type EventRecord } from '../events/event-record.ts';
import { orderRecordSchema, type OrderItemRecord, type OrderRecord } from '../orders/order-record.ts';
import { productRecordSchema, type ProductRecord } from '../products/product-record.ts';
import { shorten } from '../shared/normalize.ts';
import { refusalOfIssue, type ReasonCode, type ReasonParams } from '../shared/reasons.ts';
import { subscriptionRecordSchema, type SubscriptionRecord } from '../subscriptions/subscription-record.ts';

/**
 * The records Kizuna ingests, one zod schema each: the runtime check (with normalisation of
 * Japanese back-office spellings), the TypeScript type and the OpenAPI entry. Each schema lives
 * with its records (customers/customer-record.ts, products/, orders/, events/, subscriptions/) and is the
 * contract of their upsert; here they are composed into the batch API, which the HTTP routes
 * and the CSV importer share. CSV headers map onto these field names. Timestamps without a
 * zone are read in the workspace's time zone, so schemas are made per zone.
 */

function makeSchemas(timezone: string) {
  return {
    customer: customerRecordSchema(timezone),
    product: productRecordSchema(),
    order: orderRecordSchema(timezone),
    event: eventRecordSchema(timezone),
    subscription: subscriptionRecordSchema(timezone),
  };
}

export type RecordSchemas = ReturnType<typeof makeSchemas>;
export const RECORD_KINDS = ['customers', 'products', 'orders', 'events', 'subscriptions'] as const;
export type BatchKind = (typeof RECORD_KINDS)[number];

/** The intake's consumers (the importer, the batch) name the records through here; each contract lives with its records. */
export type { CustomerRecord, EventRecord, OrderItemRecord, OrderRecord, ProductRecord, SubscriptionRecord };

const schemasByZone = new Map<string, RecordSchemas>();

export function recordSchemas(timezone: string): RecordSchemas {
  let schemas = schemasByZone.get(timezone);
  if (!schemas) {
    schemas = makeSchemas(timezone);
    schemasByZone.set(timezone, schemas);
  }
  return schemas;
}

export function schemaFor(kind: BatchKind, timezone: string) {
  const schemas = recordSchemas(timezone);
  switch (kind) {
    case 'customers':
      return schemas.customer;
    case 'products':
      return schemas.product;
    case 'orders':
      return schemas.order;
    case 'events':
      return schemas.event;
    case 'subscriptions':
      return schemas.subscription;
  }
}

/** One invalid record: its position in the batch (or line in a file), the field, and why. */
export interface RecordError {
  index: number;
  field: string;
  reason: string;
  /** The reason as a stable code (src/shared/reasons.ts), when it is one of the common cases. */
  code?: ReasonCode;
  params?: ReasonParams;
  value?: unknown;
}

export function issuesToErrors(index: number, issues: readonly z.core.$ZodIssue[], record: unknown): RecordError[] {
  return issues.map((issue) => {
    const field =
      issue.path
        .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
        .join('')
        .replace(/^\./, '') || '(record)';
    const value = valueAt(record, issue.path);
    return { index, field, ...refusalOfIssue(issue, value), value: reportable(value) };
  });
}

function valueAt(record: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = record;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/**
 * A refused value as the error may echo it: long strings cut, objects only when small. A value
 * nested 100,000 deep cannot even be serialised, and a 140,000-digit price need not come back whole.
 */
function reportable(value: unknown): unknown {
  if (typeof value === 'string') return shorten(value, 200);
  if (value === null || typeof value !== 'object') return value;
  try {
    return JSON.stringify(value).length <= 1000 ? value : undefined;
  } catch {
    return undefined;
  }
}
