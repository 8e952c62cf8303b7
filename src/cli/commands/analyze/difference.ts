import { analyseSalesDifference } from '../../../analytics/analyses.ts';
import { COMPARISONS, type Comparison } from '../../../analytics/periods.ts';
import { FACTORS } from '../../../analytics/sales-decomposition.ts';
import type { DifferenceDimension, DifferenceGroup, GroupOverlap, SalesDifference } from '../../../analytics/sales-difference.ts';
import type { Workspace } from '../../../workspaces/workspaces.ts';
import type { RegisterCommand } from '../../context.ts';
import { formatTable } from '../../format-table.ts';
import { formatDecimal, formatNumber, formatPercent, formatSignedDecimal } from '../../format-numbers.ts';
import { analysisCommand, dimension, oneOf } from './options.ts';
import { periodLabel, runAnalysis, type AnalysisOptions } from './run-analysis.ts';
import { FACTOR_LABELS } from './sales.ts';

interface DifferenceOptions extends AnalysisOptions {
  from: string;
  to: string;
  by: DifferenceDimension;
  compare: Comparison;
}

export const registerDifferenceCommand: RegisterCommand = (analyze, context) => {
  analysisCommand(analyze, 'difference', { period: true })
    .summary('the change of sales split by a dimension (--by)')
    .description('the change of sales split by a dimension, groups ranked by their contribution to it')
    .requiredOption('--by <dimension>', 'gender, age_band, prefecture, cohort, product, category, channel, place, store or attribute:KEY', dimension)
    .option(
      '--compare <comparison>',
      'compare with the previous period or the same period a year earlier: previous or year',
      oneOf('--compare', COMPARISONS),
      'previous',
    )
    .action((options: DifferenceOptions) =>
      runAnalysis({
        context,
        options,
        compute: (deps, workspace) =>
          analyseSalesDifference(deps, {
            workspace,
            period: { from: options.from, to: options.to },
            compare: options.compare,
            dimension: options.by,
          }),
        print: printDifference,
      }),
    );
};

const COMPARED_WITH: Record<Comparison, string> = { previous: 'the previous period', year: 'the same period a year earlier' };

const OVERLAP_NOTES: Record<GroupOverlap, string | null> = {
  none: null,
  customers: "A customer who bought in two groups counts in both: the groups' customers add up to more than the total.",
  customers_and_purchases: 'A purchase counts in every group it holds items of: only items and sales add up to the totals.',
};

export function dimensionLabel(dimension: DifferenceDimension): string {
  return dimension.kind === 'attribute' ? `attribute ${dimension.key}` : dimension.kind.replace('_', ' ');
}

function printDifference(result: SalesDifference, workspace: Workspace): string[] {
  const { totals } = result;
  const ratio = totals.change.salesRatio === null ? '' : ` (ratio ${formatNumber(totals.change.salesRatio, 3)})`;
  const overlap = OVERLAP_NOTES[result.overlap];
  return [
    `Sales by ${dimensionLabel(result.dimension)}, ${periodLabel(result.period)} against ${COMPARED_WITH[result.comparison]}, ${periodLabel(result.comparedPeriod)} (workspace ${workspace.name}, ${workspace.currency})`,
    `Total: sales ${formatDecimal(totals.compared.sales)} → ${formatDecimal(totals.current.sales)}, ${formatSignedDecimal(totals.change.salesDifference)}${ratio}`,
    ...formatTable(
      [dimensionLabel(result.dimension), 'sales before', 'sales after', 'difference', 'contribution', ...FACTORS.map((factor) => FACTOR_LABELS[factor])].map(
        (header, index) => ({ header, align: index === 0 ? 'left' : 'right' }),
      ),
      result.groups.map((group) => [
        groupLabel(group),
        formatDecimal(group.compared.sales),
        formatDecimal(group.current.sales),
        formatSignedDecimal(group.change.salesDifference),
        formatPercent(group.contribution),
        ...FACTORS.map((factor) => formatNumber(group.change.factors[factor].ratio, 3)),
      ]),
    ),
    "The last four columns are each factor's ratio, after ÷ before.",
    ...(result.groups.length === 0 ? ['No purchases in either period.'] : []),
    ...(overlap ? [overlap] : []),
  ];
}

function groupLabel(group: DifferenceGroup): string {
  if (group.key === null) return '(not recorded)';
  return group.name ? `${group.key} ${group.name}` : group.key;
}
