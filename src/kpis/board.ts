import type pg from 'pg';
import { z } from 'zod';
import { AnalyticsPeriod, Day, Quotient } from '../analytics/result-shapes.ts';
import type { PurchaseSnapshot } from '../analytics/engine/snapshot/purchase-snapshot.ts';
import type { SubscriptionSnapshot } from '../analytics/engine/subscriptions/subscription-snapshot.ts';
import type { SubscribedCustomers } from '../analytics/engine/subscribed-customers.ts';
import { KizunaError } from '../shared/errors.ts';
import { kpiMeasurer, type KpiActuals, type KpiSpan } from './actuals.ts';
import { isAdditiveMetric, type KpiGranularity } from './definition.ts';
import { judgeStatus, KpiStatus, KpiTrend, trendOf } from './status.ts';
import { KpiInTree, listKpis } from './store.ts';
import { addDays, addMonths, bucketsOf, bucketStart, dayNumber, nextBucket, requireCalendarDate } from '../analytics/periods.ts';
import { workspaceTimezone } from '../analytics/purchases-as-of.ts';
import { todayIn, type AnalysisDeps } from '../analytics/analyses.ts';
import type { Workspace } from '../workspaces/workspaces.ts';

/**
 * The KPI board: every KPI of a workspace with its actual per bucket, its target and
 * attainment, the status of the current bucket and the trend (rules in status.ts).
 *
 * `asOf` is how far the data is read, as in the other analyses: a local date, excluded. The
 * *current bucket* is the one holding the last day read (asOf − 1), measured over
 * [its first date, asOf): on asOf 2024-06-11 it is June to date, 10 of its 30 days elapsed;
 * on asOf 2024-07-01, the whole of June (complete). The board shows it after the `buckets`
 * buckets before it.
 */

export const KpiBucketActual = z.object({
  bucket: Day,
  period: AnalyticsPeriod.describe('The dates measured: the bucket, or [bucket, asOf) for the current one'),
  complete: z.boolean().describe("The value will not change with more days: the bucket has ended (for F2, the cohort's window too)"),
  /** Sales are the decomposition's exact decimal as a number, as the board divides and plots them. */
  actual: Quotient.describe('The metric in the bucket; null where it has none (a quotient without its denominator, a bucket before the first order)'),
  target: z.number().describe("The bucket's override, else the KPI's target"),
  attainment: Quotient.describe("actual ÷ target (the whole bucket's target, not pro-rated)"),
});
export type KpiBucketActual = z.infer<typeof KpiBucketActual>;

export const KpiBoardEntry = z.object({
  kpi: KpiInTree,
  series: z.array(KpiBucketActual).describe('The `buckets` buckets before the current one, then the current one; oldest first'),
  /**
   * The current bucket's status. For f2_rate, the latest cohort whose window is over: a
   * younger cohort is still converting, so its rate is low by construction, not behind.
   */
  status: KpiStatus,
  trend: KpiTrend,
});
export type KpiBoardEntry = z.infer<typeof KpiBoardEntry>;

export const KpiBoard = z
  .object({
    asOf: Day.describe('The data is read to this local date, excluded'),
    entries: z.array(KpiBoardEntry).describe('Every KPI, in tree order'),
  })
  .meta({ id: 'KpiBoard' });
export type KpiBoard = z.infer<typeof KpiBoard>;

export const DEFAULT_BOARD_BUCKETS = 12;
export const MAX_BOARD_BUCKETS = 60;

/**
 * The board of every KPI of the workspace, in tree order (listKpis), as of `asOf`.
 * Deterministic given `asOf`: no clock is read.
 *
 * @example
 * const board = await kpiBoard({ pool, workspaceId, asOf: '2024-06-11' });
 * board.entries[0]!.status; // { status: 'behind', bucket: '2024-06-01', actual: 9000, expected: 10000, pace: 0.9, elapsedShare: 0.333… }
 */
export async function kpiBoard(params: {
  pool: pg.Pool;
  workspaceId: string;
  asOf: string;
  buckets?: number;
  /** The workspace's purchases in memory (the analytics engine): unfiltered sales metrics come from it instead of a query. */
  snapshot?: PurchaseSnapshot;
  /** The workspace's subscriptions in memory (the analytics engine), for the subscription metrics. */
  subscriptions?: () => Promise<SubscriptionSnapshot>;
  /** Who has a subscription, as the engine holds it: with the snapshot, the churn rate comes from memory too. */
  subscribed?: SubscribedCustomers;
}): Promise<KpiBoard> {
  const { pool, workspaceId, asOf } = params;
  const buckets = params.buckets ?? DEFAULT_BOARD_BUCKETS;
  requireCalendarDate(asOf, 'asOf');
  if (!Number.isInteger(buckets) || buckets < 1 || buckets > MAX_BOARD_BUCKETS) {
    throw new KizunaError('validation_failed', `buckets must be a whole number from 1 to ${MAX_BOARD_BUCKETS}, not ${buckets}.`);
  }
  const timezone = await workspaceTimezone(pool, workspaceId);
  const [kpis, dataFrom] = await Promise.all([listKpis({ pool, workspaceId }), firstDataDay(pool, workspaceId, timezone)]);
  const { measureKpi } = kpiMeasurer({
    pool,
    workspaceId,
    timezone,
    asOf,
    dataFrom,
    snapshot: params.snapshot,
    subscriptions: params.subscriptions,
    subscribed: params.subscribed,
  });
  const spansByGranularity = new Map<KpiGranularity, KpiSpan[]>();
  const spansOf = (granularity: KpiGranularity) => {
    const spans = spansByGranularity.get(granularity) ?? boardSpans(asOf, granularity, buckets);
    spansByGranularity.set(granularity, spans);
    return spans;
  };
  const entries = await Promise.all(
    kpis.map(async (kpi) => {
      const spans = spansOf(kpi.granularity);
      return boardEntry(kpi, spans, await measureKpi(kpi, spans));
    }),
  );
  return { asOf, entries };
}

/**
 * The spans of a board: the bucket holding asOf − 1 (cut at asOf) and the `count` buckets
 * before it. Weeks are ISO weeks (Monday to Sunday), months calendar months.
 */
export function boardSpans(asOf: string, granularity: KpiGranularity, count: number): KpiSpan[] {
  const current = bucketStart(addDays(asOf, -1), granularity);
  const first = granularity === 'month' ? addMonths(current, -count) : addDays(current, -7 * count);
  return bucketsOf({ from: first, to: nextBucket(current, granularity) }, granularity).map((bucket) => {
    const end = nextBucket(bucket, granularity);
    const to = end < asOf ? end : asOf;
    return {
      bucket,
      period: { from: bucket, to },
      daysInBucket: dayNumber(end) - dayNumber(bucket),
      elapsedDays: dayNumber(to) - dayNumber(bucket),
      ended: end <= asOf,
    };
  });
}

function boardEntry(kpi: KpiInTree, spans: readonly KpiSpan[], actuals: KpiActuals): KpiBoardEntry {
  const overrides = new Map(kpi.targetOverrides.map((override) => [override.bucket, override.target]));
  const series = spans.map((span, index): KpiBucketActual => {
    const actual = actuals.values[index] ?? null;
    const target = overrides.get(span.bucket) ?? kpi.target;
    return {
      bucket: span.bucket,
      period: span.period,
      complete: actuals.complete[index]!,
      actual,
      target,
      attainment: actual === null ? null : actual / target,
    };
  });
  return { kpi, series, status: statusOf(kpi, spans, series, actuals), trend: trendOf({ series, direction: kpi.direction }) };
}

function statusOf(kpi: KpiInTree, spans: readonly KpiSpan[], series: readonly KpiBucketActual[], actuals: KpiActuals): KpiStatus {
  const { metric } = kpi;
  // A cohort metric is judged on its latest complete cohort; continuation on its latest start cohort with a decided subscription.
  const judged =
    metric.kind === 'f2_rate' || metric.kind === 'step_up_rate'
      ? lastIndexWhere(series, (entry) => entry.complete)
      : metric.kind === 'continuation_rate'
        ? Math.max(
            0,
            lastIndexWhere(series, (entry) => entry.actual !== null),
          )
        : series.length - 1;
  if (judged < 0) {
    const within = metric.kind === 'f2_rate' || metric.kind === 'step_up_rate' ? metric.within : 0;
    return {
      status: 'no_data',
      bucket: series.at(-1)!.bucket,
      reason: `No ${metric.kind === 'f2_rate' ? 'F2' : 'step-up'} cohort on the board has its ${within}-day window over yet: show more buckets to judge one.`,
    };
  }
  const entry = series[judged]!;
  const span = spans[judged]!;
  return judgeStatus({
    bucket: entry.bucket,
    actual: entry.actual,
    target: entry.target,
    additive: isAdditiveMetric(metric.kind),
    direction: kpi.direction,
    tolerance: kpi.tolerance,
    elapsedDays: span.elapsedDays,
    daysInBucket: span.daysInBucket,
    missing: actuals.missing ?? `${metric.kind} has no value in the bucket of ${entry.bucket}: nothing to measure in it yet.`,
  });
}

function lastIndexWhere<T>(items: readonly T[], test: (item: T) => boolean): number {
  for (let index = items.length - 1; index >= 0; index -= 1) if (test(items[index]!)) return index;
  return -1;
}

/** The local date of the workspace's first order, or null without orders (one probe of the orders' time index). */
async function firstDataDay(pool: pg.Pool, workspaceId: string, timezone: string): Promise<string | null> {
  const { rows } = await pool.query<{ first_day: string | null }>(
    'select (min(ordered_at) at time zone $2)::date::text as first_day from orders where workspace_id = $1',
    [workspaceId, timezone],
  );
  return rows[0]?.first_day ?? null;
}

/**
 * The board as the edges ask for it (HTTP, CLI): as of today in the workspace's time zone by
 * the injected clock unless given, unfiltered sales metrics from the analytics engine's
 * snapshot (the SQL reference when the data is beyond the engine).
 */
export function kpiBoardOf(deps: AnalysisDeps, params: { workspace: Workspace; asOf?: string; buckets?: number }): Promise<KpiBoard> {
  const { workspace, buckets } = params;
  const board = { pool: deps.pool, workspaceId: workspace.id, asOf: params.asOf ?? todayIn(workspace, deps.clock), buckets };
  return deps.analytics.run(
    workspace.id,
    async (snapshot) =>
      kpiBoard({
        ...board,
        snapshot,
        subscriptions: () => deps.analytics.subscriptionSnapshot(workspace.id),
        subscribed: await deps.analytics.subscribedCustomers(workspace.id, snapshot.timezone),
      }),
    () => kpiBoard(board),
  );
}
