import type { CustomerIndex } from '../snapshot/customer-index.ts';

/**
 * A workspace's subscriptions held in memory as columns, beside the purchase snapshot, for
 * the subscription analyses (continuation, cancellations, step-up, subscribers): loaded by
 * COPY in one repeatable-read transaction (load.ts), then every analysis is one pass over
 * typed arrays.
 *
 * Subscriptions are numbered 0 … n − 1 in id order. Days are local calendar days in the
 * workspace's time zone as days since 1970-01-01 (NO_DAY: none). Texts of few values (course,
 * first product's SKU, cancel reason code, acquisition source) are held as indexes into
 * dictionaries (−1: none).
 *
 * Keyed by the subscription data version together with the order-data version (data-version.ts):
 * the orders give the delivery numbers of a past as-of date and the trial starters of the
 * step-up rate. Either changing means a full load.
 */
export interface SubscriptionSnapshot {
  workspaceId: string;
  timezone: string;
  /** The subscription and order data versions loaded (data-version.ts). */
  version: string;
  loadedAt: Date;
  loadSeconds: number;

  subscriptions: number;
  /** Index of each subscription's customer in the customer columns below. */
  customer: Int32Array;
  startDay: Int32Array;
  /** The stored status: ACTIVE, PAUSED or CANCELLED. */
  status: Uint8Array;
  /** The stored number of deliveries (お届け回数). */
  deliveries: Int32Array;
  /** The local day of cancelled_at, NO_DAY while not cancelled. */
  cancelledDay: Int32Array;
  course: Int32Array;
  firstProduct: Int32Array;
  cancelReason: Int32Array;
  courses: string[];
  products: string[];
  reasons: string[];

  /** The status history (subscription_status_changes) of subscription i: rows historyStart[i] … historyStart[i + 1] − 1, in time order. */
  historyStart: Int32Array;
  historyDay: Int32Array;
  historyStatus: Uint8Array;

  /** The purchases naming subscription i with a delivery number: rows deliveryStart[i] … deliveryStart[i + 1] − 1, in no order. */
  deliveryStart: Int32Array;
  deliveryDay: Int32Array;
  deliveryNumber: Int32Array;

  /** Customers with a subscription or a first purchase, in id order. */
  customers: number;
  customerIds: Float64Array;
  customerIndex: CustomerIndex;
  /** Index into `sources` of attributes.acquisition_source, −1 when not given. */
  customerSource: Int32Array;
  sources: string[];
  /** Local day of the first purchase ever (firstPurchaseEverSql), NO_DAY without one. */
  firstDay: Int32Array;
  /** 1 when a purchase on the first purchase's day holds a trial product (trialStartersSql). */
  trialStart: Uint8Array;
  /** The subscriptions of customer c: subscriptionsByCustomer[customerStart[c] … customerStart[c + 1] − 1]. */
  customerStart: Int32Array;
  subscriptionsByCustomer: Int32Array;
}

export const ACTIVE = 0;
export const PAUSED = 1;
export const CANCELLED = 2;
/** statusAsOf of a subscription that had not started. */
export const NOT_STARTED = 3;

export const STATUS_CODES = { active: ACTIVE, paused: PAUSED, cancelled: CANCELLED } as const;
