/**
 * The closed value lists of the data model, each written once: the table types
 * (src/db/schema.ts), the record schemas (src/ingest/records.ts), the HTTP schemas and the
 * CLI derive from them, and the migration's CHECK constraints spell the same values.
 */
export const ROLES = ['admin', 'marketing', 'support', 'site_operations', 'sales', 'read_only'] as const;
export const LIFECYCLES = ['lead', 'customer'] as const;
export const GENDERS = ['female', 'male', 'other', 'unknown'] as const;
export const IDENTITY_KINDS = ['email', 'phone', 'line_user_id'] as const;
export const CONSENT_CHANNELS = ['email', 'line', 'sms', 'phone', 'postal'] as const;
export const CONSENT_PURPOSES = ['marketing', 'transactional'] as const;
export const CONSENT_STATUSES = ['granted', 'withdrawn'] as const;
export const ORDER_CHANNELS = ['web', 'phone', 'line', 'store', 'other'] as const;
export const ORDER_STATUSES = ['pending', 'confirmed', 'shipped', 'delivered', 'cancelled', 'returned'] as const;
export const SUBSCRIPTION_STATUSES = ['active', 'paused', 'cancelled'] as const;
/** A cycle: every N days, every N months, or monthly on a day of the month. */
export const CYCLE_UNITS = ['days', 'months', 'day_of_month'] as const;

export type Role = (typeof ROLES)[number];
export type Lifecycle = (typeof LIFECYCLES)[number];
export type Gender = (typeof GENDERS)[number];
export type IdentityKind = (typeof IDENTITY_KINDS)[number];
export type ConsentChannel = (typeof CONSENT_CHANNELS)[number];
export type ConsentPurpose = (typeof CONSENT_PURPOSES)[number];
export type ConsentStatus = (typeof CONSENT_STATUSES)[number];
export type OrderChannel = (typeof ORDER_CHANNELS)[number];
export type OrderStatus = (typeof ORDER_STATUSES)[number];
export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];
export type CycleUnit = (typeof CYCLE_UNITS)[number];
