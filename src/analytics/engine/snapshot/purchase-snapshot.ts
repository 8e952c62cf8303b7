import type { CustomerIndex } from './customer-index.ts';

/**
 * A workspace's purchases held in memory as columns, for the analytics engine: one load from
 * PostgreSQL (two COPY streams in one repeatable-read snapshot, parsed from bytes), then every
 * analysis is a pass over typed arrays instead of a query over 10,000,000 orders.
 *
 * Customers are numbered 0 … n − 1. The purchases of customer c are the rows
 * `start[c] … start[c + 1] − 1`, in day order (a CSR layout: the analyses walk customer by
 * customer without any lookup). Days are local calendar days in the workspace's time zone,
 * as days since 1970-01-01 (`dayNumber`).
 *
 * Money is exact: amounts are held as whole multiples of 10^−scale (scale = the most decimals
 * of any amount loaded, 0 for yen), so sums of up to 2^53 units are exact in a float64; an
 * analysis whose sum would exceed that refuses (EngineLimit, from `unitsToDecimal`) rather than round.
 */
export interface PurchaseSnapshot {
  workspaceId: string;
  timezone: string;
  /** The order-data version loaded (src/orders/order-changes.ts). */
  version: string;
  loadedAt: Date;
  /** Seconds the load took. */
  loadSeconds: number;
  customers: number;
  purchases: number;
  /** Customer id of each customer index. */
  customerIds: Float64Array;
  /**
   * Local day of each customer's first purchase ever (`firstPurchaseEverSql`: the earlier of the
   * customer-since date and the first purchase among the orders); NO_DAY when neither is known.
   */
  firstEverDay: Int32Array;
  /** n + 1 offsets into the purchase columns. */
  start: Int32Array;
  day: Int32Array;
  /** Amount in units of 10^−scale. */
  amount: Float64Array;
  /** Σ quantity. */
  items: Int32Array;
  /** Decimals of the amounts. */
  scale: number;
  /** The index of a customer id, or −1. */
  indexOf(customerId: string | number): number;
  /** Customer id → index, shared by the snapshots of a workspace (later ones may append). */
  index: CustomerIndex;
  /** `pg_current_snapshot()` of the load: which changes it saw (src/orders/order-changes.ts). */
  pgSnapshot: string;
  /** How this snapshot was made: a full load, or the previous one with the changed customers read again. */
  refreshed: 'full' | 'changed_customers';
}

export const NO_DAY = -2_147_483_648;
