import { analyseF2, analyseRepeat } from '../../../analytics/analyses.ts';
import { addDays, type Granularity } from '../../../analytics/periods.ts';
import type { F2Conversion, F2Rate, RepeatRate, RepeatRates } from '../../../analytics/repeat-f2.ts';
import type { Workspace } from '../../../workspaces/workspaces.ts';
import type { RegisterCommand } from '../../context.ts';
import { formatTable } from '../../format-table.ts';
import { formatCount, formatPercent } from '../../format-numbers.ts';
import { analysisCommand, calendarDate, granularity, wholeNumber } from './options.ts';
import { bucketHeader, bucketLabel, periodLabel, runAnalysis, type AnalysisOptions } from './run-analysis.ts';

interface RepeatOptions extends AnalysisOptions {
  from: string;
  to: string;
  granularity: Granularity;
}

interface F2Options extends RepeatOptions {
  within: number;
  asOf?: string;
}

export const registerRepeatCommand: RegisterCommand = (analyze, context) => {
  analysisCommand(analyze, 'repeat', { period: true, engine: true })
    .summary('repeat rate per bucket')
    .description('repeat rate: customers with 2 or more purchases in a period ÷ customers with one or more, per bucket and overall')
    .option('--granularity <unit>', 'buckets: day, week or month', granularity, 'month')
    .action((options: RepeatOptions) =>
      runAnalysis({
        context,
        options,
        compute: (deps, workspace) =>
          analyseRepeat(deps, { workspace, period: { from: options.from, to: options.to }, granularity: options.granularity, engine: options.engine }),
        print: printRepeat,
      }),
    );
};

export const registerF2Command: RegisterCommand = (analyze, context) => {
  analysisCommand(analyze, 'f2', {
    period: { from: 'first day of the first purchases (YYYY-MM-DD)', to: 'first day after them (YYYY-MM-DD): the period is [from, to)' },
    engine: true,
  })
    .summary('F2 conversion of first buyers, per cohort')
    .description('F2 conversion: of the customers whose first purchase falls in the period, the share who buy again on a later day within --within days')
    .option('--granularity <unit>', 'one cohort per day, week or month of first purchases', granularity, 'month')
    .requiredOption('--within <days>', 'days after the first purchase in which a second one counts', wholeNumber('--within', 'days'))
    .option('--as-of <date>', 'purchases before this date count (default: the day after the latest order)', calendarDate('--as-of'))
    .action((options: F2Options) =>
      runAnalysis({
        context,
        options,
        compute: (deps, workspace) =>
          analyseF2(deps, {
            workspace,
            period: { from: options.from, to: options.to },
            granularity: options.granularity,
            within: options.within,
            asOf: options.asOf,
            engine: options.engine,
          }),
        print: printF2,
      }),
    );
};

const RIGHT = { align: 'right' } as const;

function printRepeat(result: RepeatRates, workspace: Workspace): string[] {
  const row = (label: string, rate: RepeatRate) => [label, formatCount(rate.customers), formatCount(rate.repeaters), formatPercent(rate.rate)];
  return [
    `Repeat rate, ${periodLabel(result.period)} by ${result.granularity} (workspace ${workspace.name}): customers with 2 or more purchases ÷ customers`,
    ...formatTable(
      [{ header: bucketHeader(result.granularity) }, { header: 'customers', ...RIGHT }, { header: 'repeaters', ...RIGHT }, { header: 'repeat rate', ...RIGHT }],
      [...result.series.map((bucket) => row(bucketLabel(bucket.bucket, result.granularity), bucket)), row('total', result.total)],
    ),
    'A customer who bought once in each of two buckets is a repeater in the total only.',
  ];
}

function printF2(result: F2Conversion, workspace: Workspace): string[] {
  const row = (label: string, rate: F2Rate, windowEnd: string) => [
    label,
    formatCount(rate.cohortSize),
    formatCount(rate.converted),
    formatPercent(rate.rate),
    windowEnd,
    rate.complete ? '' : 'open',
  ];
  const open = !result.total.complete;
  return [
    `F2 conversion within ${formatCount(result.within)} days, first purchases ${periodLabel(result.period)} by ${result.granularity}, ` +
      `purchases up to ${addDays(result.asOf, -1)} (workspace ${workspace.name})`,
    ...formatTable(
      [
        { header: `cohort (${bucketHeader(result.granularity)})` },
        { header: 'first buyers', ...RIGHT },
        { header: 'converted', ...RIGHT },
        { header: 'F2 rate', ...RIGHT },
        { header: 'window ends' },
        { header: '' },
      ],
      [
        ...result.cohorts.map((cohort) => row(bucketLabel(cohort.bucket, result.granularity), cohort, cohort.windowEnd)),
        row('total', result.total, result.cohorts.at(-1)?.windowEnd ?? ''),
      ],
    ),
    ...(open ? [`open: the window ends on or after ${result.asOf}, so more of the cohort may still convert.`] : []),
  ];
}
