import { z } from 'zod';
import { CONSENT_CHANNELS, CONSENT_PURPOSES, CONSENT_STATUSES, GENDERS, LIFECYCLES, ORDER_CHANNELS, ORDER_STATUSES } from '../shared/vocabulary.ts';
import { normalizeEmail, normalizePhone, shorten } from '../shared/normalize.ts';
import { refusalOfIssue, type ReasonCode, type ReasonParams } from '../shared/reasons.ts';
import {
  externalId, integer, jsonObject, normalized, optionalText, prefecture, price, storableString, text, timestamp,
} from '../shared/record-fields.ts';
import { parseCalendarDate } from '../shared/time.ts';

/**
 * The records Kizuna ingests, one zod schema each: the runtime check (with normalisation of
 * Japanese back-office spellings), the TypeScript type and the OpenAPI entry. The same schemas
 * serve the HTTP batch API and the CSV importer; CSV headers map onto these field names.
 * Timestamps without a zone are read in the workspace's time zone, so schemas are made per zone.
 */

function makeSchemas(timezone: string) {
  const consent = z.object({
    channel: z.enum(CONSENT_CHANNELS),
    purpose: z.enum(CONSENT_PURPOSES),
    status: z.enum(CONSENT_STATUSES),
    at: timestamp(timezone).describe('When consent was given or withdrawn'),
    source: optionalText(200).describe('Where: a form, a call, a store...'),
  });

  const customer = z.object({
    customer_id: externalId,
    lifecycle: z.enum(LIFECYCLES).optional()
      .describe('Profiles start as leads and become customers with their first purchase; "customer" marks a purchase made before the data here'),
    name: optionalText(200),
    name_kana: optionalText(200),
    gender: z.enum(GENDERS).nullish(),
    birth_date: normalized(parseCalendarDate).nullish(),
    prefecture: prefecture.nullish(),
    email: normalized(normalizeEmail).nullish(),
    phone: normalized(normalizePhone).nullish(),
    line_user_id: optionalText(100),
    attributes: jsonObject().optional().describe('Any further attributes, merged into the profile'),
    consents: z.array(consent).max(20).optional(),
  });

  const product = z.object({
    sku: externalId,
    name: text(300),
    category: optionalText(200),
    price: price('price').nullish(),
    is_subscription: z.boolean().optional(),
    effect_first_feeling_days: integer.pipe(z.number().int().min(0).max(3650)).nullish()
      .describe('Days until users first feel the product'),
    effect_clear_days: integer.pipe(z.number().int().min(0).max(3650)).nullish()
      .describe('Days until a clear effect'),
    effect_share: z.number().min(0).max(1).nullish().describe('Share of users who feel it by effect_clear_days (0..1)'),
    attributes: jsonObject().optional(),
  });

  const orderItem = z.object({
    sku: externalId,
    // At most 1,000,000: quantities and an order's item count (Σ over up to 1,000 items) are PostgreSQL integers.
    quantity: integer.pipe(z.number().int().positive('quantity must be at least 1').max(1_000_000, 'quantity must be at most 1,000,000')),
    unit_price: price('unit_price'),
    product_name: optionalText(300).describe('Creates the product when the SKU is not yet known'),
  });

  const order = z.object({
    order_id: externalId,
    customer_id: externalId,
    ordered_at: timestamp(timezone),
    channel: z.enum(ORDER_CHANNELS).default('other'),
    prefecture: prefecture.nullish(),
    store: optionalText(200),
    status: z.enum(ORDER_STATUSES).default('confirmed'),
    delivered_at: timestamp(timezone).nullish(),
    items: z.array(orderItem).min(1, 'an order needs at least one item').max(1000),
  });

  const event = z.object({
    customer_id: externalId,
    type: storableString().regex(/^[a-z][a-z0-9_.]{0,63}$/, 'type must be snake_case, e.g. page_view'),
    occurred_at: timestamp(timezone),
    properties: jsonObject().optional(),
    idempotency_key: storableString().min(1).max(200).describe('Sending the same key twice stores the event once'),
  });

  return { customer, product, order, event };
}

export type RecordSchemas = ReturnType<typeof makeSchemas>;
export const RECORD_KINDS = ['customers', 'products', 'orders', 'events'] as const;
export type BatchKind = (typeof RECORD_KINDS)[number];

export type CustomerRecord = z.output<RecordSchemas['customer']>;
export type ProductRecord = z.output<RecordSchemas['product']>;
export type OrderRecord = z.output<RecordSchemas['order']>;
export type OrderItemRecord = OrderRecord['items'][number];
export type EventRecord = z.output<RecordSchemas['event']>;

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
    case 'customers': return schemas.customer;
    case 'products': return schemas.product;
    case 'orders': return schemas.order;
    case 'events': return schemas.event;
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
    const field = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '') || '(record)';
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
