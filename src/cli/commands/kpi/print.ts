import type { KpiBoard, KpiBoardEntry } from '../../../kpis/board.ts';
import { isRateMetric, KPI_FILTER_KEYS, type KpiGranularity, type KpiMetric, type KpiMetricKind } from '../../../kpis/definition.ts';
import type { KpiStatus } from '../../../kpis/status.ts';
import type { KpiTreeSeeding } from '../../../kpis/seed-tree.ts';
import type { Kpi, KpiInTree } from '../../../kpis/store.ts';
import { addDays, nextBucket } from '../../../analytics/periods.ts';
import { assertNever } from '../../../shared/errors.ts';
import type { Workspace } from '../../../workspaces/workspaces.ts';
import { formatTable } from '../../format-table.ts';
import { formatCount, formatDecimal, formatNumber, formatPercent, moneyFormatter, NO_VALUE } from '../../format-numbers.ts';

/** The readable output of the kpi commands: the tree, one KPI, the board, the seeded tree. */

/** A metric with its parameters: 'f2_rate within 90 days'. */
export function metricLabel(metric: KpiMetric): string {
  switch (metric.kind) {
    case 'f2_rate':
      return `f2_rate within ${metric.within} days`;
    case 'churn_rate':
      return metric.window === null ? 'churn_rate (workspace window)' : `churn_rate, window ${metric.window} days`;
    case 'continuation_rate':
      return `continuation_rate from delivery ${metric.deliveryNumber}`;
    case 'step_up_rate':
      return `step_up_rate within ${metric.within} days`;
    default:
      return metric.kind;
  }
}

/** A value of a metric: money for sales and price per item, a count for sums, a percentage for rates. */
export function metricValueFormatter(workspace: Workspace): (kind: KpiMetricKind, value: number | null) => string {
  const money = moneyFormatter(workspace.currency);
  return (kind, value) => {
    if (value === null) return NO_VALUE;
    if (isRateMetric(kind)) return formatPercent(value);
    switch (kind) {
      case 'sales':
      case 'price_per_item':
        return money(value);
      // A pro-rated target of a count can be fractional.
      case 'customers':
      case 'purchases':
        return Number.isInteger(value) ? formatCount(value) : formatNumber(value);
      default:
        return formatNumber(value);
    }
  };
}

function filterLabel(kpi: Kpi): string {
  return KPI_FILTER_KEYS.filter((key) => kpi.filters[key] !== undefined)
    .map((key) => `${key}=${kpi.filters[key]}`)
    .join(', ');
}

/** A KPI's name indented by its depth, so the table reads as the tree. */
function treeName(kpi: KpiInTree): string {
  return `${'  '.repeat(kpi.depth)}${kpi.name}`;
}

export function printKpiList(kpis: KpiInTree[], workspace: Workspace): string[] {
  if (kpis.length === 0)
    return [`No KPI in workspace ${workspace.name} yet: add one with kpi add, or seed the tree from the sales decomposition with kpi seed.`];
  const value = metricValueFormatter(workspace);
  return [
    `KPIs of workspace ${workspace.name} (${workspace.currency}), as a tree`,
    ...formatTable(
      [
        { header: 'id', align: 'right' },
        { header: 'KPI' },
        { header: 'metric' },
        { header: 'by' },
        { header: 'target', align: 'right' },
        { header: 'overrides', align: 'right' },
        { header: 'better' },
        { header: 'band', align: 'right' },
        { header: 'filter' },
      ],
      kpis.map((kpi) => [
        kpi.id,
        treeName(kpi),
        metricLabel(kpi.metric),
        kpi.granularity,
        value(kpi.metric.kind, kpi.target),
        formatCount(kpi.targetOverrides.length),
        kpi.direction === 'higher_is_better' ? 'higher' : 'lower',
        `±${formatPercent(kpi.tolerance)}`,
        filterLabel(kpi),
      ]),
    ),
  ];
}

/** One KPI after add or update: its definition on a few lines. */
export function printKpi(kpi: Kpi, workspace: Workspace, verb: 'Created' | 'Updated'): string[] {
  const value = metricValueFormatter(workspace);
  const filter = filterLabel(kpi);
  return [
    `${verb} KPI ${kpi.id} "${kpi.name}" in workspace ${workspace.name}: ${metricLabel(kpi.metric)} by ${kpi.granularity}${filter ? ` (${filter})` : ''}`,
    `  target ${value(kpi.metric.kind, kpi.target)} a ${kpi.granularity}, ${kpi.direction === 'higher_is_better' ? 'higher' : 'lower'} is better, on track within ±${formatPercent(kpi.tolerance)}`,
    ...kpi.targetOverrides.map((override) => `  target of ${override.bucket}: ${value(kpi.metric.kind, override.target)}`),
    `  ${kpi.parentId === null ? 'a root of the tree' : `below KPI ${kpi.parentId}`}`,
  ];
}

const STATUS_LABELS: Record<KpiStatus['status'], string> = { ahead: 'ahead', on_track: 'on track', behind: 'behind', no_data: 'no data' };

function trendLabel(entry: KpiBoardEntry): string {
  const { trend } = entry;
  if (trend.direction === 'insufficient_data') return 'too few buckets';
  return `${trend.direction} (${trend.assessment}), ${trend.relativeSlope! >= 0 ? '+' : ''}${formatPercent(trend.relativeSlope)}/bucket`;
}

/**
 * The board: one row per KPI with its judged bucket (actual, expected to date, pace, status)
 * and trend, then the actuals per bucket, a table per granularity with a column per KPI.
 */
export function printKpiBoard(board: KpiBoard, workspace: Workspace): string[] {
  if (board.entries.length === 0) return [`No KPI in workspace ${workspace.name} yet: add one with kpi add, or seed the tree with kpi seed.`];
  const value = metricValueFormatter(workspace);
  const right = { align: 'right' } as const;
  const lines = [
    `KPI board of workspace ${workspace.name} (${workspace.currency}) as of ${board.asOf}: purchases up to ${addDays(board.asOf, -1)}`,
    ...formatTable(
      [
        { header: 'KPI' },
        { header: 'metric' },
        { header: 'bucket' },
        { header: 'actual', ...right },
        { header: 'expected', ...right },
        { header: 'pace', ...right },
        { header: 'status' },
        { header: 'trend' },
      ],
      board.entries.map((entry) => {
        const { kpi, status } = entry;
        const judged =
          status.status === 'no_data'
            ? [NO_VALUE, NO_VALUE, NO_VALUE]
            : [value(kpi.metric.kind, status.actual), value(kpi.metric.kind, status.expected), formatPercent(status.pace)];
        return [
          treeName(kpi),
          metricLabel(kpi.metric),
          bucketLabel(status.bucket, kpi.granularity),
          ...judged,
          STATUS_LABELS[status.status],
          trendLabel(entry),
        ];
      }),
    ),
    'Expected: the target pro-rated by the days elapsed for sales, customers and purchases, the target itself for the others; on track within the band.',
  ];
  for (const reason of board.entries.flatMap((entry) => (entry.status.status === 'no_data' ? [`  ${entry.kpi.name}: ${entry.status.reason}`] : [])))
    lines.push(reason);
  for (const granularity of ['month', 'week'] as const) {
    const entries = board.entries.filter((entry) => entry.kpi.granularity === granularity);
    if (entries.length === 0) continue;
    const buckets = entries[0]!.series;
    lines.push(
      '',
      `Actuals by ${granularity} (the last one to date)`,
      ...formatTable(
        [{ header: granularity }, ...entries.map((entry) => ({ header: entry.kpi.name, ...right }))],
        buckets.map((bucket, index) => [
          bucketLabel(bucket.bucket, granularity) + (bucket.period.to < nextBucket(bucket.bucket, granularity) ? ' (to date)' : ''),
          ...entries.map((entry) => value(entry.kpi.metric.kind, entry.series[index]!.actual)),
        ]),
      ),
    );
  }
  return lines;
}

function bucketLabel(bucket: string, granularity: KpiGranularity): string {
  return granularity === 'month' ? bucket.slice(0, 7) : bucket;
}

export function printSeededTree(tree: KpiTreeSeeding, workspace: Workspace, salesTarget: number): string[] {
  const money = moneyFormatter(workspace.currency);
  const { baseline } = tree;
  switch (tree.outcome) {
    case 'no_baseline':
      return [`Nothing seeded in workspace ${workspace.name}: ${tree.reason}`];
    case 'seeded': {
      const value = metricValueFormatter(workspace);
      const { totals } = baseline;
      const baselineValues: Record<string, number | null> = {
        sales: Number(totals.sales),
        customers: totals.customers,
        frequency: totals.frequency,
        items_per_purchase: totals.itemsPerPurchase,
        price_per_item: totals.pricePerItem,
      };
      return [
        `Seeded the KPI tree of workspace ${workspace.name} (${workspace.currency}) from ${baseline.period.from} – ${addDays(baseline.period.to, -1)}: ` +
          `sales ${formatDecimal(totals.sales)} = ${formatCount(totals.customers)} customers × ${formatNumber(totals.frequency)} × ${formatNumber(totals.itemsPerPurchase)} × ${money(totals.pricePerItem)}`,
        `Sales target ${money(salesTarget)}: × ${formatNumber(tree.salesGrowth, 4)}, so each of the four factors × ${formatNumber(tree.factorGrowth, 4)} (the change split evenly in log terms)`,
        ...formatTable(
          [
            { header: 'id', align: 'right' },
            { header: 'KPI' },
            { header: 'metric' },
            { header: 'baseline', align: 'right' },
            { header: 'target', align: 'right' },
          ],
          [tree.root, ...tree.children].map((kpi) => [
            kpi.id,
            `${kpi.parentId === null ? '' : '  '}${kpi.name}`,
            kpi.metric.kind,
            value(kpi.metric.kind, baselineValues[kpi.metric.kind] ?? null),
            value(kpi.metric.kind, kpi.target),
          ]),
        ),
        "Set the factors the brand plans for with kpi update ID --target N; kpi board shows each one's pace.",
      ];
    }
    default:
      return assertNever(tree, 'seeded tree');
  }
}
