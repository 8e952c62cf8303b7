import type pg from 'pg';
import type { PurchaseSnapshot } from '../analytics/engine/snapshot/purchase-snapshot.ts';
import { snapshotChurned } from '../analytics/engine/churn.ts';
import { snapshotF2, snapshotRepeatRates } from '../analytics/engine/customer-base.ts';
import type { SubscribedCustomers } from '../analytics/engine/subscribed-customers.ts';
import { snapshotPeriodTotals } from '../analytics/engine/sales.ts';
import { assertNever } from '../shared/errors.ts';
import { listChurned } from '../analytics/churn.ts';
import { filterGroup, isAdditiveMetric, type KpiFilters, type KpiGranularity, type KpiMetric, type SalesMetricKind } from './definition.ts';
import type { Period } from '../analytics/periods.ts';
import { f2Conversion, repeatRates } from '../analytics/repeat-f2.ts';
import { measureSales, totalsOf, type SalesTotals } from '../analytics/sales-decomposition.ts';
import { differenceBy } from '../analytics/sales-difference.ts';
import { snapshotCancellationCounts, snapshotStepUpTally, snapshotSubscriberCounts } from '../analytics/engine/subscriptions/base.ts';
import { snapshotContinuationCounts } from '../analytics/engine/subscriptions/continuation.ts';
import type { SubscriptionSnapshot } from '../analytics/engine/subscriptions/subscription-snapshot.ts';
import { cancellationCounts, cancellationsOf } from '../analytics/subscriptions/cancellations.ts';
import { continuationCounts, continuationTableOf, emptyDeliveryCounts } from '../analytics/subscriptions/continuation.ts';
import { stepUpOf, stepUpTally } from '../analytics/subscriptions/step-up.ts';
import { subscriberCounts } from '../analytics/subscriptions/subscribers.ts';

/**
 * A KPI's actual in each bucket of the board, read from the analyses' own functions (the
 * sales decomposition and difference, repeatRates, f2Conversion, listChurned, and the
 * subscription analyses of src/analytics/subscriptions/), so a KPI always says what the
 * analysis of the same dates says.
 *
 * The subscription metrics per bucket:
 * - active_subscribers: customers with a subscription in force at the bucket's end (the
 *   current bucket: as of asOf), as the subscribers analysis counts them;
 * - continuation_rate (k): rate(k) of the subscriptions started in the bucket (its start
 *   cohort), as of asOf, from the stored delivery counts; complete once none of them is still
 *   running with k deliveries or fewer (every one is decided at k);
 * - cancellation_rate: cancelled in the bucket ÷ in force at its start (the current bucket:
 *   cancellations so far; pro-rated against its target like a sum);
 * - step_up_rate (W): the step-up rate of the trial buyers whose first purchase is in the
 *   bucket; complete once their W-day window is over, as for F2.
 */

/** One bucket of the board: its dates measured, cut at `asOf` for the current bucket. */
export interface KpiSpan {
  /** First date of the bucket. */
  bucket: string;
  /** The dates measured: the whole bucket, or [bucket, asOf) for the current one. */
  period: Period;
  daysInBucket: number;
  elapsedDays: number;
  /** The bucket's last day is before `asOf`. */
  ended: boolean;
}

export interface KpiActuals {
  /** Per span, in order; null where the metric has no value. */
  values: (number | null)[];
  /** Per span: the value will not change as more days come in (see `measureKpi`). */
  complete: boolean[];
  /** Why there are no values at all (a churn rate without a window), else null. */
  missing: string | null;
}

/**
 * Measures KPIs over the same spans, sharing what they share: every unfiltered sales metric
 * of a granularity comes from one measureSales statement, each filtered one from one
 * differenceBy per span. Make one per board: it caches for the spans and `asOf` given.
 */
export function kpiMeasurer(params: {
  pool: pg.Pool;
  workspaceId: string;
  timezone: string;
  asOf: string;
  /** The first local date with an order, null without orders: additive metrics are null in buckets that end before it. */
  dataFrom: string | null;
  /** The purchases in memory, when the caller holds them (the analytics engine). */
  snapshot?: PurchaseSnapshot;
  /** The subscriptions in memory (the analytics engine), asked for only when a subscription metric is measured. */
  subscriptions?: () => Promise<SubscriptionSnapshot>;
  /** Who has a subscription, as the engine holds it: the churn rate comes from memory when given with the snapshot. */
  subscribed?: SubscribedCustomers;
}) {
  const { pool, workspaceId, timezone, asOf, dataFrom, snapshot, subscribed } = params;
  let subscriptions: Promise<SubscriptionSnapshot> | null = null;
  const subscriptionSnapshot = () => {
    if (!params.subscriptions) return null;
    subscriptions ??= params.subscriptions();
    return subscriptions;
  };
  const salesCache = new Map<string, Promise<SalesTotals[]>>();

  function salesTotals(spans: readonly KpiSpan[], granularity: KpiGranularity, filters: KpiFilters): Promise<SalesTotals[]> {
    const key = JSON.stringify([granularity, filters]);
    let totals = salesCache.get(key);
    if (!totals) {
      totals = measureSalesTotals(spans, filters);
      salesCache.set(key, totals);
    }
    return totals;
  }

  async function measureSalesTotals(spans: readonly KpiSpan[], filters: KpiFilters): Promise<SalesTotals[]> {
    const periods = spans.map((span) => span.period);
    const group = filterGroup(filters);
    if (group === null) return snapshot ? snapshotPeriodTotals(snapshot, periods) : (await measureSales({ pool, workspaceId, timezone, periods })).totals;
    // The difference measures the period and the one before it; only the period's group is used.
    return Promise.all(
      periods.map(async (period) => {
        const difference = await differenceBy({ pool, workspaceId, period, compare: 'previous', dimension: group.dimension });
        return difference.groups.find((candidate) => candidate.key === group.key)?.current ?? totalsOf({ sales: '0', customers: 0, purchases: 0, items: 0 });
      }),
    );
  }

  /**
   * The KPI's actual per span. Complete, per span: the bucket has ended, and for F2 the
   * cohort's window is over too (f2Conversion's `complete`): a younger cohort can still convert.
   */
  async function measureKpi(kpi: { metric: KpiMetric; granularity: KpiGranularity; filters: KpiFilters }, spans: readonly KpiSpan[]): Promise<KpiActuals> {
    const { metric, granularity } = kpi;
    const ended = spans.map((span) => span.ended);
    const from = spans[0]!.bucket;
    switch (metric.kind) {
      case 'sales':
      case 'customers':
      case 'purchases':
      case 'frequency':
      case 'items_per_purchase':
      case 'price_per_item': {
        const totals = await salesTotals(spans, granularity, kpi.filters);
        const values = totals.map((bucketTotals, index) => {
          const beforeData = dataFrom === null || spans[index]!.period.to <= dataFrom;
          return beforeData && isAdditiveMetric(metric.kind) ? null : salesValue(bucketTotals, metric.kind);
        });
        return { values, complete: ended, missing: null };
      }
      case 'repeat_rate': {
        const period = { from, to: asOf };
        const rates = snapshot ? snapshotRepeatRates(snapshot, { period, granularity }) : await repeatRates({ pool, workspaceId, period, granularity });
        return { values: rates.series.map((bucket) => bucket.rate), complete: ended, missing: null };
      }
      case 'f2_rate': {
        const f2Terms = { period: { from, to: asOf }, granularity, within: metric.within, asOf };
        const f2 = snapshot ? snapshotF2(snapshot, f2Terms) : await f2Conversion({ pool, workspaceId, ...f2Terms });
        return { values: f2.cohorts.map((cohort) => cohort.rate), complete: f2.cohorts.map((cohort) => cohort.complete), missing: null };
      }
      case 'churn_rate': {
        // The churn rate of a bucket is the one at its end: as of the day after it (or asOf).
        const lists = await Promise.all(
          spans.map((span) => {
            const terms = { asOf: span.period.to, limit: 1, ...(metric.window === null ? {} : { window: metric.window }) };
            return snapshot && subscribed ? snapshotChurned({ pool, snapshot, subscribed, ...terms }) : listChurned({ pool, workspaceId, ...terms });
          }),
        );
        const noWindow = lists.every((list) => list.outcome === 'no_window');
        return {
          values: lists.map((list) => (list.outcome === 'listed' ? list.churnRate : null)),
          complete: ended,
          missing: noWindow
            ? 'No churn window: set one on the KPI or the workspace, or wait until customers have bought on two days, from which one is proposed.'
            : null,
        };
      }
      case 'active_subscribers':
      case 'continuation_rate':
      case 'cancellation_rate':
      case 'step_up_rate':
        return measureSubscriptionKpi(metric, granularity, spans);
      default:
        return assertNever(metric, 'KPI metric');
    }
  }

  async function measureSubscriptionKpi(
    metric: Extract<KpiMetric, { kind: 'active_subscribers' | 'continuation_rate' | 'cancellation_rate' | 'step_up_rate' }>,
    granularity: KpiGranularity,
    spans: readonly KpiSpan[],
  ): Promise<KpiActuals> {
    const ended = spans.map((span) => span.ended);
    const period = { from: spans[0]!.bucket, to: asOf };
    const inMemory = await subscriptionSnapshot();
    switch (metric.kind) {
      case 'active_subscribers': {
        const dates = spans.map((span) => span.period.to);
        const counts = inMemory ? snapshotSubscriberCounts(inMemory, dates) : await subscriberCounts({ pool, workspaceId, dates });
        return { values: counts.map((count) => count.customers), complete: ended, missing: null };
      }
      case 'cancellation_rate': {
        const terms = { period, granularity, maxDelivery: 1 };
        const counts = inMemory ? snapshotCancellationCounts(inMemory, terms) : await cancellationCounts({ pool, workspaceId, ...terms });
        const result = cancellationsOf({ ...terms, counts, labels: new Map() });
        return { values: result.series.map((bucket) => bucket.rate), complete: ended, missing: null };
      }
      case 'continuation_rate': {
        const k = metric.deliveryNumber;
        const terms = { asOf, grouping: granularity === 'month' ? ('cohort' as const) : ('start_week' as const), maxDelivery: k, fromOrders: false };
        const counts = inMemory ? snapshotContinuationCounts(inMemory, terms) : await continuationCounts({ pool, workspaceId, ...terms });
        const cohorts = spans.map((span) => counts.groups.get(granularity === 'month' ? span.bucket.slice(0, 7) : span.bucket) ?? emptyDeliveryCounts(k));
        return {
          values: cohorts.map((cohort) => continuationTableOf(cohort, k).rows[k - 1]!.rate),
          // Decided at k: nobody of the cohort still running with k deliveries or fewer.
          complete: cohorts.map((cohort, index) => ended[index]! && cohort.inForce.slice(0, k + 1).every((count) => count === 0)),
          missing: null,
        };
      }
      case 'step_up_rate': {
        const terms = { period, granularity, within: metric.within, asOf };
        const tally = inMemory ? snapshotStepUpTally(inMemory, terms) : await stepUpTally({ pool, workspaceId, ...terms });
        const result = stepUpOf({ ...terms, tally });
        return { values: result.cohorts.map((cohort) => cohort.rate), complete: result.cohorts.map((cohort) => cohort.complete), missing: null };
      }
      default:
        return assertNever(metric, 'subscription metric');
    }
  }

  return { measureKpi };
}

function salesValue(totals: SalesTotals, kind: SalesMetricKind): number | null {
  switch (kind) {
    case 'sales':
      return Number(totals.sales);
    case 'customers':
      return totals.customers;
    case 'purchases':
      return totals.purchases;
    case 'frequency':
      return totals.frequency;
    case 'items_per_purchase':
      return totals.itemsPerPurchase;
    case 'price_per_item':
      return totals.pricePerItem;
    default:
      return assertNever(kind, 'sales metric');
  }
}
