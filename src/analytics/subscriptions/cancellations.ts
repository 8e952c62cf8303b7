import type pg from 'pg';
import { z } from 'zod';
import { bucketDates, bucketsOf, GRANULARITIES, type Granularity, localBucket, localDayStart, type Period } from '../periods.ts';
import { workspaceTimezone } from '../purchases-as-of.ts';
import { AnalyticsPeriod, Count, Day, Quotient } from '../result-shapes.ts';
import { CancelReasonLabel, labelOf, type ReasonLabel } from './reason-labels.ts';
import { subscriptionStatusesAtSql } from './status-sql.ts';

/**
 * Cancellations (解約) in a period, per bucket (month by default):
 *
 * - in force at the bucket's start: subscriptions in force as of its first date (status-sql.ts:
 *   their status on the day before is active or paused);
 * - cancelled in the bucket: subscriptions whose cancellation (cancelled_at) falls on one of
 *   its local dates (a subscription taken out and cancelled within the bucket counts too);
 * - rate = cancelled ÷ in force at the start, null when none was.
 *
 * The period's cancellations by reason (the code of cancel_reason, ranked by count, with the
 * built-in or the workspace's words), and by the number of deliveries they had (0 … K, then
 * "K+"), each with its reasons: who stops at the 2nd delivery, and why.
 *
 * A cancellation is the subscription's current one: a subscription that was cancelled and then
 * resumed under the same 定期番号 is running again and has none.
 */

/** What the engine and the reference both count, per bucket of the period, per reason, per delivery. */
export interface CancellationCounts {
  inForceAtStart: number[];
  cancelled: number[];
  /** Reason code (null: none given) → cancellations in the period. */
  reasons: Map<string | null, number>;
  /** Per deliveries j = 0 … K, K + 1 for more: reason code → cancellations. */
  byDelivery: Map<string | null, number>[];
}

export function emptyCancellationCounts(buckets: number, maxDelivery: number): CancellationCounts {
  return {
    inForceAtStart: new Array(buckets).fill(0),
    cancelled: new Array(buckets).fill(0),
    reasons: new Map(),
    byDelivery: Array.from({ length: maxDelivery + 2 }, () => new Map()),
  };
}

const RATE = {
  inForceAtStart: Count.describe('Subscriptions in force (active or paused) at the start of the first date'),
  cancelled: Count.describe('Subscriptions cancelled on the dates'),
  rate: Quotient.describe('cancelled ÷ inForceAtStart; null when none was in force'),
};

export const CancellationBucket = z.object({ bucket: Day, period: AnalyticsPeriod, ...RATE });

export const CancelReasonCount = z.object({
  ...CancelReasonLabel,
  count: Count,
  share: z.number().describe('count ÷ the cancellations it is counted among'),
});
export type CancelReasonCount = z.infer<typeof CancelReasonCount>;

export const CancellationsAtDelivery = z.object({
  delivery: z.number().int().min(0).describe('Deliveries the cancelled subscriptions had (0: cancelled before the first)'),
  orMore: z.boolean().describe('True on the last row: maxDelivery + 1 deliveries or more'),
  cancelled: Count,
  reasons: z.array(CancelReasonCount).describe('Ranked by count'),
});

export const Cancellations = z
  .object({
    period: AnalyticsPeriod,
    granularity: z.enum(GRANULARITIES),
    maxDelivery: z.number().int(),
    total: z.object(RATE).describe('The whole period: cancelled in it ÷ in force at its start'),
    series: z.array(CancellationBucket).describe('One entry per bucket, in order'),
    reasons: z.array(CancelReasonCount).describe("The period's cancellations by reason, ranked by count"),
    byDelivery: z.array(CancellationsAtDelivery).describe("The period's cancellations by the deliveries they had, rows with cancellations only"),
  })
  .meta({ id: 'Cancellations' });
export type Cancellations = z.infer<typeof Cancellations>;

/** The first dates of the buckets of a period, cut at the period (the dates "in force at the start" is measured on). */
export function bucketStartDates(period: Period, granularity: Granularity): string[] {
  return bucketsOf(period, granularity).map((bucket) => bucketDates(bucket, granularity, period).from);
}

/** The result from its counts and the reasons' words. */
export function cancellationsOf(params: {
  period: Period;
  granularity: Granularity;
  maxDelivery: number;
  counts: CancellationCounts;
  labels: Map<string, ReasonLabel>;
}): Cancellations {
  const { period, granularity, maxDelivery, counts, labels } = params;
  const rate = (inForceAtStart: number, cancelled: number) => ({ inForceAtStart, cancelled, rate: inForceAtStart > 0 ? cancelled / inForceAtStart : null });
  const series = bucketsOf(period, granularity).map((bucket, index) => ({
    bucket,
    period: bucketDates(bucket, granularity, period),
    ...rate(counts.inForceAtStart[index]!, counts.cancelled[index]!),
  }));
  const cancelled = counts.cancelled.reduce((sum, count) => sum + count, 0);
  return {
    period,
    granularity,
    maxDelivery,
    total: rate(counts.inForceAtStart[0] ?? 0, cancelled),
    series,
    reasons: rankedReasons(counts.reasons, labels),
    byDelivery: counts.byDelivery.flatMap((reasons, delivery) => {
      const atDelivery = [...reasons.values()].reduce((sum, count) => sum + count, 0);
      return atDelivery === 0 ? [] : [{ delivery, orMore: delivery === maxDelivery + 1, cancelled: atDelivery, reasons: rankedReasons(reasons, labels) }];
    }),
  };
}

/** Reasons by count, most first, then by code (no reason last); shares of their sum. */
function rankedReasons(reasons: Map<string | null, number>, labels: Map<string, ReasonLabel>): CancelReasonCount[] {
  const total = [...reasons.values()].reduce((sum, count) => sum + count, 0);
  return [...reasons]
    .filter(([, count]) => count > 0)
    .sort(([a, countA], [b, countB]) => countB - countA || (a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1))
    .map(([code, count]) => ({ code, ...labelOf(labels, code), count, share: count / total }));
}

/**
 * The reference: in force at each bucket's start (one pass of the status history over the
 * buckets' first dates), and the period's cancellations grouped by bucket, reason and deliveries.
 */
export async function cancellationCounts(params: {
  pool: pg.Pool;
  workspaceId: string;
  period: Period;
  granularity: Granularity;
  maxDelivery: number;
}): Promise<CancellationCounts> {
  const { pool, workspaceId, period, granularity, maxDelivery } = params;
  const timezone = await workspaceTimezone(pool, workspaceId);
  const starts = bucketStartDates(period, granularity);
  const buckets = bucketsOf(period, granularity);
  const counts = emptyCancellationCounts(buckets.length, maxDelivery);
  const [inForce, cancelled] = await Promise.all([
    pool.query<{ d: string; in_force: number }>(
      `select st.d::text as d, count(*) filter (where st.status <> 'cancelled')::int as in_force
         from ${subscriptionStatusesAtSql({ workspaceId: '$1', timezone: '$2', dates: '$3' })} st group by st.d`,
      [workspaceId, timezone, starts],
    ),
    pool.query<{ bucket: string; reason: string | null; j: number; cancelled: number }>(
      `select ${localBucket('s.cancelled_at', '$2', granularity)}::text as bucket, s.cancel_reason as reason,
              least(s.deliveries, $5 + 1) as j, count(*)::int as cancelled
         from subscriptions s
        where s.workspace_id = $1 and s.cancelled_at >= ${localDayStart('$3', '$2')} and s.cancelled_at < ${localDayStart('$4', '$2')}
        group by 1, 2, 3`,
      [workspaceId, timezone, period.from, period.to, maxDelivery],
    ),
  ]);
  const startIndex = new Map(starts.map((date, index) => [date, index]));
  for (const row of inForce.rows) counts.inForceAtStart[startIndex.get(row.d)!] = row.in_force;
  const bucketIndex = new Map(buckets.map((bucket, index) => [bucket, index]));
  for (const row of cancelled.rows) {
    counts.cancelled[bucketIndex.get(row.bucket)!]! += row.cancelled;
    counts.reasons.set(row.reason, (counts.reasons.get(row.reason) ?? 0) + row.cancelled);
    const atDelivery = counts.byDelivery[row.j]!;
    atDelivery.set(row.reason, (atDelivery.get(row.reason) ?? 0) + row.cancelled);
  }
  return counts;
}
