import { analyseRetention } from '../../../analytics/analyses.ts';
import { addDays } from '../../../analytics/periods.ts';
import type { Cohort, CohortRetention, RetentionCell } from '../../../analytics/retention.ts';
import type { Workspace } from '../../../workspaces/workspaces.ts';
import type { RegisterCommand } from '../../context.ts';
import { formatTable, type TableColumn } from '../../format-table.ts';
import { formatCount, formatPercent, moneyFormatter } from '../../format-numbers.ts';
import { analysisCommand, calendarDate, wholeNumber } from './options.ts';
import { runAnalysis, type AnalysisOptions } from './run-analysis.ts';

interface RetentionOptions extends AnalysisOptions {
  from: string;
  to: string;
  months: number;
  asOf?: string;
}

export const registerRetentionCommand: RegisterCommand = (analyze, context) => {
  analysisCommand(analyze, 'retention', {
    period: { from: 'first cohort: the month holding this date (YYYY-MM-DD)', to: 'cohorts of months starting before this date (YYYY-MM-DD)' },
    engine: true,
  })
    .summary('cohort retention and historical LTV')
    .description('cohort retention: per month of first purchase, the share buying in each month after, and the cumulative revenue per customer')
    .option('--months <n>', 'months after the first one to show', wholeNumber('--months', 'months'), 24)
    .option('--as-of <date>', 'purchases before this date count; a month not over by then is left blank (default: today)', calendarDate('--as-of'))
    .action((options: RetentionOptions) =>
      runAnalysis({
        context,
        options,
        compute: (deps, workspace) =>
          analyseRetention(deps, {
            workspace,
            from: options.from,
            to: options.to,
            months: options.months,
            asOf: options.asOf,
            engine: options.engine,
          }),
        print: printRetention,
      }),
    );
};

function printRetention(result: CohortRetention, workspace: Workspace): string[] {
  const money = moneyFormatter(workspace.currency);
  const first = result.cohorts[0]?.month.slice(0, 7);
  const last = result.cohorts.at(-1)?.month.slice(0, 7);
  const matrix = (cell: (cell: RetentionCell) => string) =>
    formatTable(
      [{ header: 'cohort' }, { header: 'customers', align: 'right' }, ...offsets(result.months)],
      result.cohorts.map((cohort: Cohort) => [
        cohort.month.slice(0, 7),
        formatCount(cohort.customers),
        // A month not over yet is blank: unknown, not 0.
        ...cohort.cells.map((c) => (c.active === null ? '' : cell(c))),
      ]),
    );
  return [
    `Cohort retention, cohorts ${first} – ${last}, purchases up to ${addDays(result.asOf, -1)} (workspace ${workspace.name}, ${workspace.currency})`,
    'Share of the cohort with a purchase in month k (M0: the month of the first purchase)',
    ...matrix((c) => formatPercent(c.retention)),
    '',
    'Cumulative revenue per cohort customer up to month k (historical LTV)',
    ...matrix((c) => money(c.cumulativeRevenuePerCustomer)),
  ];
}

function offsets(months: number): TableColumn[] {
  return Array.from({ length: months + 1 }, (_, k) => ({ header: `M${k}`, align: 'right' }));
}
