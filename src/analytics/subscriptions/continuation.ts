import type pg from 'pg';
import { z } from 'zod';
import { localDate } from '../periods.ts';
import { workspaceTimezone } from '../purchases-as-of.ts';
import { Count, Day, Quotient } from '../result-shapes.ts';
import { deliveriesAsOfSql, subscriptionStatusesAtSql } from './status-sql.ts';
import { CONTINUATION_SPLITS, MAX_GROUPS, type ContinuationGrouping, type ContinuationSplit } from './terms.ts';

/**
 * Continuation by delivery number (回数別継続率), as of a date d (status-sql.ts: the state at
 * the start of d). The subscriptions counted are those started before d. For k = 1 … K:
 *
 * - reached(k): subscriptions with ≥ k deliveries;
 * - continued(k): those with ≥ k + 1 (reached(k + 1));
 * - censored(k): still active or paused with exactly k: their k + 1 is not decided yet, so
 *   they are left out of k's denominator;
 * - stopped(k): cancelled with exactly k;
 * - rate(k) = continued ÷ (continued + stopped), null when nothing is decided;
 * - survival S(1) = 1, S(k + 1) = S(k) × rate(k): the share of the subscriptions that got a
 *   first delivery still subscribed at delivery k + 1.
 *
 * Beyond K, one tail row "K+" pools every delivery from K + 1 on: its rate is the share of the
 * decided next deliveries that came (Σ continued ÷ Σ (continued + stopped) over k > K).
 *
 * Deliveries as of d (deliveriesAsOfSql): the stored count (お届け回数) when d is today or
 * later; for a past d, the highest delivery number among the subscription's orders before d
 * when orders name it with a delivery number, else the stored count (which may include
 * deliveries after d: the brand's orders are then the better record).
 */

/** Per number of deliveries j = 0 … K, and K + 1 for "more than K": the subscriptions by their status as of d. */
export interface DeliveryCounts {
  inForce: number[];
  cancelled: number[];
  /** Σ (deliveries − K − 1) over the subscriptions with more than K deliveries: their deliveries after K + 1. */
  tailContinued: number;
}

export function emptyDeliveryCounts(maxDelivery: number): DeliveryCounts {
  return { inForce: new Array(maxDelivery + 2).fill(0), cancelled: new Array(maxDelivery + 2).fill(0), tailContinued: 0 };
}

/** The counts of a whole population and of each group (key null: subscriptions without the split's value). */
export interface ContinuationCounts {
  total: DeliveryCounts;
  groups: Map<string | null, DeliveryCounts>;
}

export const ContinuationRow = z.object({
  delivery: z.number().int().min(1).describe('k'),
  reached: Count.describe('Subscriptions with at least k deliveries'),
  continued: Count.describe('Of them, those with at least k + 1'),
  censored: Count.describe('Active or paused with exactly k deliveries: not decided yet, left out of the rate'),
  stopped: Count.describe('Cancelled with exactly k deliveries'),
  rate: Quotient.describe('continued ÷ (continued + stopped); null when none is decided'),
  survival: Quotient.describe('S(1) = 1, S(k + 1) = S(k) × rate(k): share still subscribed at delivery k; null after an undefined rate'),
});
export type ContinuationRow = z.infer<typeof ContinuationRow>;

export const ContinuationTail = z.object({
  fromDelivery: z.number().int().describe('K + 1: the tail pools every delivery from this one on'),
  reached: Count.describe('Subscriptions with at least K + 1 deliveries'),
  continuedDeliveries: Count.describe('Deliveries after K + 1 that came (Σ continued(k) over k > K)'),
  censored: Count.describe('Active or paused with more than K deliveries'),
  stopped: Count.describe('Cancelled with more than K deliveries'),
  rate: Quotient.describe('continuedDeliveries ÷ (continuedDeliveries + stopped): the mean continuation per delivery beyond K'),
});

const TABLE = {
  subscriptions: Count.describe('Subscriptions started before asOf'),
  withoutDelivery: Count.describe('Active or paused with no delivery yet'),
  cancelledWithoutDelivery: Count.describe('Cancelled before their first delivery'),
  rows: z.array(ContinuationRow).describe('k = 1 … maxDelivery'),
  tail: ContinuationTail,
};
export const ContinuationTable = z.object(TABLE);
export type ContinuationTable = z.infer<typeof ContinuationTable>;

export const ContinuationGroup = z.object({
  key: z
    .string()
    .nullable()
    .describe(
      'cohort: the start month YYYY-MM; course: the course name; product: the SKU of the first product; source: the acquisition source. Null: none given',
    ),
  ...TABLE,
});
export type ContinuationGroup = z.infer<typeof ContinuationGroup>;

export const DELIVERY_SOURCES = ['stored_count', 'orders'] as const;

export const Continuation = z
  .object({
    asOf: Day.describe('Subscriptions started before this date, with their status at its start'),
    by: z.enum(CONTINUATION_SPLITS).nullable(),
    maxDelivery: z.number().int().describe('K: rows 1 … K, then the K+ tail'),
    deliveriesCountedFrom: z
      .enum(DELIVERY_SOURCES)
      .describe(
        "stored_count: each subscription's stored number of deliveries (asOf today or later); orders: for a past asOf, the highest delivery number of the orders before asOf naming the subscription, where orders name it (else the stored count)",
      ),
    total: ContinuationTable,
    groups: z.array(ContinuationGroup).describe('One per value of `by` (cohorts in month order, the others largest first); empty without `by`'),
    omittedGroups: Count.describe(`Groups beyond the first ${MAX_GROUPS} (the oldest cohorts, the smallest other groups), left out`),
  })
  .meta({ id: 'Continuation' });
export type Continuation = z.infer<typeof Continuation>;

/** The table of one population from its counts. */
export function continuationTableOf(counts: DeliveryCounts, maxDelivery: number): ContinuationTable {
  const { inForce, cancelled } = counts;
  const atLeast = new Array<number>(maxDelivery + 3).fill(0);
  for (let j = maxDelivery + 1; j >= 0; j--) atLeast[j] = atLeast[j + 1]! + inForce[j]! + cancelled[j]!;
  const rows: ContinuationRow[] = [];
  let survival: number | null = atLeast[1]! > 0 ? 1 : null;
  for (let k = 1; k <= maxDelivery; k++) {
    const continued = atLeast[k + 1]!;
    const stopped = cancelled[k]!;
    const rate = continued + stopped > 0 ? continued / (continued + stopped) : null;
    rows.push({ delivery: k, reached: atLeast[k]!, continued, censored: inForce[k]!, stopped, rate, survival });
    survival = survival !== null && rate !== null ? survival * rate : null;
  }
  const tailStopped = cancelled[maxDelivery + 1]!;
  const decided = counts.tailContinued + tailStopped;
  return {
    subscriptions: atLeast[0]!,
    withoutDelivery: inForce[0]!,
    cancelledWithoutDelivery: cancelled[0]!,
    rows,
    tail: {
      fromDelivery: maxDelivery + 1,
      reached: atLeast[maxDelivery + 1]!,
      continuedDeliveries: counts.tailContinued,
      censored: inForce[maxDelivery + 1]!,
      stopped: tailStopped,
      rate: decided > 0 ? counts.tailContinued / decided : null,
    },
  };
}

/** The continuation result from its counts: the groups ordered and cut at MAX_GROUPS. */
export function continuationOf(params: {
  asOf: string;
  by: ContinuationSplit | null;
  maxDelivery: number;
  fromOrders: boolean;
  counts: ContinuationCounts;
}): Continuation {
  const { asOf, by, maxDelivery, fromOrders, counts } = params;
  const tables = [...counts.groups].map(([key, groupCounts]) => ({ key, ...continuationTableOf(groupCounts, maxDelivery) }));
  const byKey = (a: { key: string | null }, b: { key: string | null }) =>
    a.key === b.key ? 0 : a.key === null ? 1 : b.key === null ? -1 : a.key < b.key ? -1 : 1;
  let groups: ContinuationGroup[];
  if (by === 'cohort') {
    tables.sort(byKey);
    groups = tables.length > MAX_GROUPS ? tables.slice(tables.length - MAX_GROUPS) : tables;
  } else {
    tables.sort((a, b) => b.subscriptions - a.subscriptions || byKey(a, b));
    groups = tables.slice(0, MAX_GROUPS);
  }
  return {
    asOf,
    by,
    maxDelivery,
    deliveriesCountedFrom: fromOrders ? 'orders' : 'stored_count',
    total: continuationTableOf(counts.total, maxDelivery),
    groups,
    omittedGroups: tables.length - groups.length,
  };
}

/** SQL: a subscription's group key (alias s; p its first product, c its customer), or null for the whole population. */
function groupKeySql(grouping: ContinuationGrouping | null, timezone: string): string {
  switch (grouping) {
    case null:
      return 'null::text';
    case 'cohort':
      return `to_char(${localDate('s.started_at', timezone)}, 'YYYY-MM')`;
    case 'start_week':
      return `date_trunc('week', ${localDate('s.started_at', timezone)})::date::text`;
    case 'course':
      return 's.course';
    case 'product':
      return 'p.sku';
    case 'source':
      return "c.attributes->>'acquisition_source'";
  }
}

/**
 * The reference: the counts of continuation as of `asOf`, of every subscription and per
 * group of `grouping`, in one statement over subscriptions, their status history and (for a
 * past asOf, `fromOrders`) the orders naming them.
 */
export async function continuationCounts(params: {
  pool: pg.Pool;
  workspaceId: string;
  asOf: string;
  grouping: ContinuationGrouping | null;
  maxDelivery: number;
  fromOrders: boolean;
}): Promise<ContinuationCounts> {
  const { pool, workspaceId, asOf, grouping, maxDelivery, fromOrders } = params;
  const timezone = await workspaceTimezone(pool, workspaceId);
  const { rows } = await pool.query<{ key: string | null; per_group: boolean; j: number; cancelled: boolean; subscriptions: number; beyond: string }>(
    `with counted as (
       select ${groupKeySql(grouping, '$2')} as key, least(d.delivered, $4 + 1) as j, st.status = 'cancelled' as cancelled,
              greatest(d.delivered - $4 - 1, 0) as beyond
         from ${subscriptionStatusesAtSql({ workspaceId: '$1', timezone: '$2', dates: 'array[$3::date]' })} st
         join subscriptions s on s.id = st.id
         join ${deliveriesAsOfSql({ workspaceId: '$1', timezone: '$2', asOf: '$3', fromOrders: '$5' })} d on d.subscription_id = st.id
         left join products p on p.id = s.first_product_id
         left join customers c on c.id = s.customer_id)
     select key, grouping(key) = 0 as per_group, j, cancelled, count(*)::int as subscriptions, sum(beyond)::text as beyond
       from counted group by grouping sets ((j, cancelled), (key, j, cancelled))`,
    [workspaceId, timezone, asOf, maxDelivery, fromOrders],
  );
  const total = emptyDeliveryCounts(maxDelivery);
  const groups = new Map<string | null, DeliveryCounts>();
  for (const row of rows) {
    let counts = total;
    if (row.per_group) {
      if (grouping === null) continue;
      counts = groups.get(row.key) ?? emptyDeliveryCounts(maxDelivery);
      groups.set(row.key, counts);
    }
    (row.cancelled ? counts.cancelled : counts.inForce)[row.j]! += row.subscriptions;
    counts.tailContinued += Number(row.beyond);
  }
  return { total, groups };
}
