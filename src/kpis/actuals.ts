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

/**
 * A KPI's actual in each bucket of the board, read from the analyses' own functions (the
 * sales decomposition and difference, repeatRates, f2Conversion, listChurned), so a KPI
 * always says what the analysis of the same dates says.
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
  /** Who has a subscription, as the engine holds it: the churn rate comes from memory when given with the snapshot. */
  subscribed?: SubscribedCustomers;
}) {
  const { pool, workspaceId, timezone, asOf, dataFrom, snapshot, subscribed } = params;
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
      default:
        return assertNever(metric, 'KPI metric');
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
