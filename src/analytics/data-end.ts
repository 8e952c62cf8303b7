import type pg from 'pg';
import type { PurchaseSnapshot } from './engine/snapshot/purchase-snapshot.ts';
import { addDays, formatDay, localDate } from './periods.ts';
import { Day } from './result-shapes.ts';

/**
 * Where the data ends, for the analyses "as of" a date (churn, RFM, customer value), which
 * default to today: a brand whose last import was a month ago would otherwise read that every
 * customer is silent for a month longer than they are, and nothing says why. The result names
 * the last purchase day when it is more than DATA_END_GRACE_DAYS before the day before asOf
 * (a file imported weekly, or a weekend without orders, is not a gap worth a word).
 */

/** Days without any purchase before asOf that are still "the data is current". */
export const DATA_END_GRACE_DAYS = 3;

export const DataEndsOn = Day.nullable().describe(
  `The local day of the last purchase in the data, when it is more than ${DATA_END_GRACE_DAYS} days before the day before asOf: every figure is as of asOf, but the data ends there. Null when the data reaches asOf (or has no purchase)`,
);

/** `lastPurchaseDay` when the data ends well before `asOf`, else null. */
export function dataEndsOnOf(lastPurchaseDay: string | null, asOf: string): string | null {
  return lastPurchaseDay !== null && lastPurchaseDay < addDays(asOf, -1 - DATA_END_GRACE_DAYS) ? lastPurchaseDay : null;
}

/** The local day of the workspace's last purchase (one probe of customers_last_purchase_idx); null without purchases. */
export async function lastPurchaseDay(pool: pg.Pool, workspaceId: string, timezone: string): Promise<string | null> {
  const { rows } = await pool.query<{ day: string | null }>(
    `select ${localDate('max(last_purchase_at)', '$2')}::text as day from customers where workspace_id = $1 and last_purchase_at is not null`,
    [workspaceId, timezone],
  );
  return rows[0]?.day ?? null;
}

const lastDays = new WeakMap<PurchaseSnapshot, string | null>();

/** The same from a snapshot: the latest purchase day held (computed once per snapshot). */
export function snapshotLastPurchaseDay(snapshot: PurchaseSnapshot): string | null {
  let day = lastDays.get(snapshot);
  if (day === undefined) {
    let max = Number.NEGATIVE_INFINITY;
    const { start, day: days } = snapshot;
    // Each customer's purchases are in day order: the last of each is theirs.
    for (let c = 0; c < snapshot.customers; c++) if (start[c + 1]! > start[c]!) max = Math.max(max, days[start[c + 1]! - 1]!);
    day = max === Number.NEGATIVE_INFINITY ? null : formatDay(max);
    lastDays.set(snapshot, day);
  }
  return day;
}
