import type { PropertyTest, SubscriptionState } from '../model.ts';

/**
 * What a rule can read about a customer, as of a moment: the contract between the rule
 * compiler (compile.ts: conditions → predicates over CustomerFacts, and → SQL) and the facts
 * loader (../placement/facts-loader.ts: CustomerFacts for one customer, a few, or a whole
 * workspace, from the tables). Only the facts a map's rules need are loaded (FactNeeds).
 *
 * Days are local calendar days in the workspace's time zone, numbered as days since
 * 1970-01-01 (src/shared/time.ts `dayNumber`). "Days since X" is `today − day(X)`: delivered
 * yesterday → 1, today → 0. A fact that has no value (no purchase yet, no delivery, no
 * subscription in force, no P(alive) computed) makes every comparison on it false; `not`
 * turns that into true.
 */

/** A product in the catalogue, as rules resolve SKUs and categories. */
export interface CatalogueProduct {
  id: string;
  sku: string;
  category: string | null;
  effectFirstFeelingDays: number | null;
  effectClearDays: number | null;
}

/** A product selection of a rule, resolved to product ids; `key` is stable for the same selection. */
export interface ProductNeed {
  key: string;
  productIds: string[];
}

/** An event count a rule reads: events of `type` whose properties pass `where`, over the last `withinDays` days (today included). */
export interface EventNeed {
  key: string;
  type: string;
  where: PropertyTest[];
  withinDays: number;
}

/** The facts a map's (or a condition's) rules read. */
export interface FactNeeds {
  /** purchase count, total spend, days since first / last purchase, lifecycle */
  purchases: boolean;
  products: ProductNeed[];
  subscriptions: boolean;
  events: EventNeed[];
  rfm: boolean;
  pAlive: boolean;
  /** attribute names */
  attributes: string[];
}

/** A customer's purchases of a product selection: how many purchases contained one, and the first and last delivery days. */
export interface ProductFacts {
  purchases: number;
  firstDeliveredDay: number | null;
  lastDeliveredDay: number | null;
}

export interface CustomerFacts {
  customerId: string;
  lifecycle: 'lead' | 'customer';
  /** Purchases (orders neither cancelled nor returned, src/orders/purchase.ts) so far. */
  purchaseCount: number;
  totalSpend: number;
  firstPurchaseDay: number | null;
  lastPurchaseDay: number | null;
  /** By ProductNeed.key; a selection the customer never bought may be absent. */
  products: Record<string, ProductFacts>;
  subscription: {
    /** active: a subscription in force; paused: none in force, one paused; cancelled: had one, none left; none: never. */
    state: SubscriptionState;
    /** The most deliveries (お届け回数) of any of the customer's subscriptions so far. */
    deliveries: number;
    /** The start day of the subscription in force (active or paused; the earliest), else null. */
    startedDay: number | null;
  };
  /** By EventNeed.key; zero may be absent. */
  events: Record<string, number>;
  rfmSegment: string | null;
  pAlive: number | null;
  attributes: Record<string, unknown>;
}

/** A compiled condition: does it hold for this customer on local day `today`? */
export type Predicate = (facts: CustomerFacts, today: number) => boolean;
