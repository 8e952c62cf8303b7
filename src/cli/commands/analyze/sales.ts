import { analyseSales } from '../../../analytics/analyses.ts';
import type { Comparison, Granularity } from '../../../analytics/periods.ts';
import { FACTORS, type ComparedSales, type Factor, type SalesDecomposition, type SalesTotals } from '../../../analytics/sales-decomposition.ts';
import type { Workspace } from '../../../workspaces/workspaces.ts';
import type { RegisterCommand } from '../../context.ts';
import { formatTable } from '../../format-table.ts';
import { formatCount, formatDecimal, formatNumber, formatPercent, formatSignedDecimal, moneyFormatter } from '../../format-numbers.ts';
import { analysisCommand, comparisons, granularity } from './options.ts';
import { bucketHeader, bucketLabel, periodLabel, runAnalysis, type AnalysisOptions } from './run-analysis.ts';

interface SalesOptions extends AnalysisOptions {
  from: string;
  to: string;
  granularity: Granularity;
  compare?: Comparison[];
}

export const registerSalesCommand: RegisterCommand = (analyze, context) => {
  analysisCommand(analyze, 'sales', { period: true, engine: true })
    .summary('sales = customers × frequency × items/purchase × price/item, and its change')
    .description(
      "sales = customers × frequency × items per purchase × price per item, per bucket, and the change against other periods with each factor's share",
    )
    .option('--granularity <unit>', 'buckets of the series: day, week (Monday to Sunday) or month', granularity, 'month')
    .option('--compare <list>', 'compare with: previous, year, previous,year or none (default: previous,year)', comparisons)
    .action((options: SalesOptions) =>
      runAnalysis({
        context,
        options,
        compute: (deps, workspace) =>
          analyseSales(deps, {
            workspace,
            period: { from: options.from, to: options.to },
            granularity: options.granularity,
            compare: options.compare,
            engine: options.engine,
          }),
        print: printSales,
      }),
    );
};

export const FACTOR_LABELS: Record<Factor, string> = {
  customers: 'customers',
  frequency: 'frequency',
  itemsPerPurchase: 'items/purchase',
  pricePerItem: 'price/item',
};

/** A factor's value as the tables show it: customers as a count, price per item as money. */
export function factorValue(totals: SalesTotals, factor: Factor, money: (value: number | null) => string): string {
  switch (factor) {
    case 'customers':
      return formatCount(totals.customers);
    case 'frequency':
      return formatNumber(totals.frequency);
    case 'itemsPerPurchase':
      return formatNumber(totals.itemsPerPurchase);
    case 'pricePerItem':
      return money(totals.pricePerItem);
  }
}

function printSales(result: SalesDecomposition, workspace: Workspace): string[] {
  const money = moneyFormatter(workspace.currency);
  const totalsRow = (label: string, totals: SalesTotals) => [
    label,
    formatDecimal(totals.sales),
    formatCount(totals.customers),
    formatCount(totals.purchases),
    formatCount(totals.items),
    ...FACTORS.slice(1).map((factor) => factorValue(totals, factor, money)),
  ];
  const lines = [
    `Sales ${periodLabel(result.period)} by ${result.granularity} (workspace ${workspace.name}, ${workspace.currency})`,
    ...formatTable(
      [bucketHeader(result.granularity), 'sales', 'customers', 'purchases', 'items', 'frequency', 'items/purchase', 'price/item'].map((header, index) => ({
        header,
        align: index === 0 ? 'left' : 'right',
      })),
      [...result.series.map((bucket) => totalsRow(bucketLabel(bucket.bucket, result.granularity), bucket.totals)), totalsRow('total', result.totals)],
    ),
  ];
  for (const compared of result.comparisons) lines.push('', ...printChange(compared, result.totals, money));
  return lines;
}

const COMPARISON_LABELS: Record<Comparison, string> = { previous: 'the previous period', year: 'the same period a year earlier' };

function printChange(compared: ComparedSales, totals: SalesTotals, money: (value: number | null) => string): string[] {
  const { change } = compared;
  const ratio = change.salesRatio === null ? '' : ` (ratio ${formatNumber(change.salesRatio, 3)})`;
  return [
    `Against ${COMPARISON_LABELS[compared.comparison]}, ${periodLabel(compared.period)}: sales ${formatDecimal(compared.totals.sales)} → ${formatDecimal(totals.sales)}, ${formatSignedDecimal(change.salesDifference)}${ratio}`,
    ...formatTable(
      ['factor', 'before', 'after', 'ratio', 'share of change'].map((header, index) => ({ header, align: index === 0 ? 'left' : 'right' })),
      FACTORS.map((factor) => [
        FACTOR_LABELS[factor],
        factorValue(compared.totals, factor, money),
        factorValue(totals, factor, money),
        formatNumber(change.factors[factor].ratio, 3),
        formatPercent(change.factors[factor].share),
      ]),
    ),
    ...(change.unshared ? [`  ${change.unshared.message}`] : []),
  ];
}
