import { analyseCancellations, analyseContinuation, analyseStepUp, analyseSubscribers } from '../../../analytics/analyses.ts';
import { GRANULARITIES, type Granularity } from '../../../analytics/periods.ts';
import type { CancelReasonCount, Cancellations } from '../../../analytics/subscriptions/cancellations.ts';
import type { Continuation, ContinuationTable } from '../../../analytics/subscriptions/continuation.ts';
import type { StepUp, StepUpRate } from '../../../analytics/subscriptions/step-up.ts';
import type { Subscribers } from '../../../analytics/subscriptions/subscribers.ts';
import { CONTINUATION_SPLITS, DEFAULT_MAX_DELIVERY, DEFAULT_STEP_UP_DAYS, type ContinuationSplit } from '../../../analytics/subscriptions/terms.ts';
import type { Workspace } from '../../../workspaces/workspaces.ts';
import type { RegisterCommand } from '../../context.ts';
import { formatCount, formatPercent } from '../../format-numbers.ts';
import { formatTable } from '../../format-table.ts';
import { analysisCommand, calendarDate, oneOf, wholeNumber } from './options.ts';
import { bucketHeader, bucketLabel, periodLabel, runAnalysis, type AnalysisOptions } from './run-analysis.ts';

/**
 * `kizuna analyze continuation|cancellations|step-up|subscribers`: the subscription (定期)
 * analyses of src/analytics/subscriptions/, as readable tables or --json (the API's shape).
 */

const RIGHT = { align: 'right' } as const;
const granularity = oneOf<Granularity>('--granularity', GRANULARITIES);

interface ContinuationOptions extends AnalysisOptions {
  asOf?: string;
  by?: ContinuationSplit;
  maxDelivery: number;
}

export const registerContinuationCommand: RegisterCommand = (analyze, context) => {
  analysisCommand(analyze, 'continuation', { engine: true })
    .summary('continuation by delivery number (回数別継続率)')
    .description(
      'continuation by delivery number: for k = 1 … K, the subscriptions that reached delivery k, those that reached k + 1, the rate (still-running ones censored) and the survival curve',
    )
    .option('--as-of <date>', 'subscriptions started before this date, with their status at its start (default: today)', calendarDate('--as-of'))
    .option('--by <split>', `split by ${CONTINUATION_SPLITS.join(', ')}`, oneOf<ContinuationSplit>('--by', CONTINUATION_SPLITS))
    .option('--max-delivery <k>', 'K: rows 1 … K, then a K+ row (at most 60)', wholeNumber('--max-delivery'), DEFAULT_MAX_DELIVERY)
    .action((options: ContinuationOptions) =>
      runAnalysis({
        context,
        options,
        compute: (deps, workspace) =>
          analyseContinuation(deps, { workspace, asOf: options.asOf, by: options.by, maxDelivery: options.maxDelivery, engine: options.engine }),
        print: printContinuation,
      }),
    );
};

interface CancellationsOptions extends AnalysisOptions {
  from?: string;
  to?: string;
  granularity: Granularity;
  maxDelivery: number;
}

export const registerCancellationsCommand: RegisterCommand = (analyze, context) => {
  analysisCommand(analyze, 'cancellations', { engine: true })
    .summary('cancellations (解約): rate per month, reasons, reasons by delivery')
    .description(
      'cancellations: per bucket, cancelled in it ÷ in force at its start; the reasons ranked; the reasons by the deliveries the cancelled subscriptions had',
    )
    .option('--from <date>', "first day (default: the 1st of the month a year before --to's)", calendarDate('--from'))
    .option('--to <date>', 'first day after the period (default: today)', calendarDate('--to'))
    .option('--granularity <unit>', 'buckets: day, week or month', granularity, 'month')
    .option('--max-delivery <k>', 'reasons by delivery up to K, then a K+ row (at most 60)', wholeNumber('--max-delivery'), DEFAULT_MAX_DELIVERY)
    .action((options: CancellationsOptions) =>
      runAnalysis({
        context,
        options,
        compute: (deps, workspace) =>
          analyseCancellations(deps, {
            workspace,
            from: options.from,
            to: options.to,
            granularity: options.granularity,
            maxDelivery: options.maxDelivery,
            engine: options.engine,
          }),
        print: printCancellations,
      }),
    );
};

interface StepUpOptions extends AnalysisOptions {
  from: string;
  to: string;
  granularity: Granularity;
  within: number;
  asOf?: string;
}

export const registerStepUpCommand: RegisterCommand = (analyze, context) => {
  analysisCommand(analyze, 'step-up', {
    period: { from: 'first day of the trial purchases (YYYY-MM-DD)', to: 'first day after them (YYYY-MM-DD): the period is [from, to)' },
    engine: true,
  })
    .summary('step-up rate (引き上げ率): trial buyers who subscribe within W days')
    .description(
      'step-up rate: of the customers whose first purchase in the period holds a trial product, the share who start a subscription within --within days',
    )
    .option('--within <days>', 'days after the trial purchase in which a start counts', wholeNumber('--within', 'days'), DEFAULT_STEP_UP_DAYS)
    .option('--granularity <unit>', 'one cohort per day, week or month of trial purchases', granularity, 'month')
    .option('--as-of <date>', 'what is dated before this date counts (default: today)', calendarDate('--as-of'))
    .action((options: StepUpOptions) =>
      runAnalysis({
        context,
        options,
        compute: (deps, workspace) =>
          analyseStepUp(deps, {
            workspace,
            period: { from: options.from, to: options.to },
            granularity: options.granularity,
            within: options.within,
            asOf: options.asOf,
            engine: options.engine,
          }),
        print: printStepUp,
      }),
    );
};

interface SubscribersOptions extends AnalysisOptions {
  from?: string;
  to?: string;
  granularity: Granularity;
  asOf?: string;
}

export const registerSubscribersCommand: RegisterCommand = (analyze, context) => {
  analysisCommand(analyze, 'subscribers', { engine: true })
    .summary('subscriptions in force and subscribers over time')
    .description('subscriptions in force at the end of each bucket, active and paused apart, and the customers with at least one')
    .option('--from <date>', "first day (default: the 1st of the month a year before --to's)", calendarDate('--from'))
    .option('--to <date>', 'first day after the period (default: --as-of)', calendarDate('--to'))
    .option('--granularity <unit>', 'buckets: day, week or month', granularity, 'month')
    .option('--as-of <date>', 'no bucket is measured later than this date (default: today)', calendarDate('--as-of'))
    .action((options: SubscribersOptions) =>
      runAnalysis({
        context,
        options,
        compute: (deps, workspace) =>
          analyseSubscribers(deps, {
            workspace,
            from: options.from,
            to: options.to,
            granularity: options.granularity,
            asOf: options.asOf,
            engine: options.engine,
          }),
        print: printSubscribers,
      }),
    );
};

function continuationTable(table: ContinuationTable): string[] {
  // Rows up to the last delivery anyone reached (reached only falls with k); the tail only when someone went beyond K.
  const rows = table.rows
    .filter((row) => row.reached > 0)
    .map((row) => [
      String(row.delivery),
      formatCount(row.reached),
      formatCount(row.continued),
      formatCount(row.censored),
      formatCount(row.stopped),
      formatPercent(row.rate),
      formatPercent(row.survival),
    ]);
  const { tail } = table;
  if (tail.reached > 0) {
    rows.push([
      `${tail.fromDelivery}+`,
      formatCount(tail.reached),
      formatCount(tail.continuedDeliveries),
      formatCount(tail.censored),
      formatCount(tail.stopped),
      formatPercent(tail.rate),
      '',
    ]);
  }
  return [
    `  ${formatCount(table.subscriptions)} subscriptions; ${formatCount(table.withoutDelivery)} awaiting their first delivery, ${formatCount(table.cancelledWithoutDelivery)} cancelled before it`,
    ...formatTable(
      [
        { header: 'delivery' },
        { header: 'reached', ...RIGHT },
        { header: 'continued', ...RIGHT },
        { header: 'censored', ...RIGHT },
        { header: 'stopped', ...RIGHT },
        { header: 'rate', ...RIGHT },
        { header: 'survival', ...RIGHT },
      ],
      rows,
    ),
  ];
}

function printContinuation(result: Continuation, workspace: Workspace): string[] {
  const counted =
    result.deliveriesCountedFrom === 'orders' ? 'deliveries from the orders naming each subscription where there are some' : 'stored delivery counts';
  return [
    `Continuation by delivery number as of ${result.asOf} (workspace ${workspace.name}; ${counted})`,
    ...continuationTable(result.total),
    ...result.groups.flatMap((group) => ['', `${result.by} ${group.key ?? '(none)'}:`, ...continuationTable(group)]),
    ...(result.omittedGroups > 0 ? [`${formatCount(result.omittedGroups)} more groups left out.`] : []),
    'rate = continued ÷ (continued + stopped); censored (still running with exactly k deliveries) are left out; the k+ row pools every later delivery.',
  ];
}

const reasonLabel = (reason: CancelReasonCount) => (reason.labelJa === reason.labelEn ? reason.labelJa : `${reason.labelJa} / ${reason.labelEn}`);

function printCancellations(result: Cancellations, workspace: Workspace): string[] {
  return [
    `Cancellations ${periodLabel(result.period)} by ${result.granularity} (workspace ${workspace.name}): cancelled in the bucket ÷ in force at its start`,
    ...formatTable(
      [
        { header: bucketHeader(result.granularity) },
        { header: 'in force at start', ...RIGHT },
        { header: 'cancelled', ...RIGHT },
        { header: 'rate', ...RIGHT },
      ],
      result.series.map((bucket) => [
        bucketLabel(bucket.bucket, result.granularity),
        formatCount(bucket.inForceAtStart),
        formatCount(bucket.cancelled),
        formatPercent(bucket.rate),
      ]),
    ),
    '',
    'Reasons:',
    ...formatTable(
      [{ header: 'reason' }, { header: 'code' }, { header: 'cancelled', ...RIGHT }, { header: 'share', ...RIGHT }],
      result.reasons.map((reason) => [reasonLabel(reason), reason.code ?? '-', formatCount(reason.count), formatPercent(reason.share)]),
    ),
    '',
    'By deliveries received:',
    ...formatTable(
      [{ header: 'deliveries' }, { header: 'cancelled', ...RIGHT }, { header: 'reasons' }],
      result.byDelivery.map((row) => [
        `${row.delivery}${row.orMore ? '+' : ''}`,
        formatCount(row.cancelled),
        row.reasons
          .slice(0, 3)
          .map((reason) => `${reason.labelJa} ${formatPercent(reason.share)}`)
          .join(', '),
      ]),
    ),
  ];
}

function printStepUp(result: StepUp, workspace: Workspace): string[] {
  const cells = (rate: StepUpRate) => [formatCount(rate.trialCustomers), formatCount(rate.steppedUp), formatPercent(rate.rate), rate.complete ? '' : 'open'];
  const columns = [{ header: 'trial buyers', ...RIGHT }, { header: 'stepped up', ...RIGHT }, { header: 'rate', ...RIGHT }, { header: '' }];
  return [
    `Step-up within ${formatCount(result.within)} days, trial purchases ${periodLabel(result.period)} by ${result.granularity}, data before ${result.asOf} (workspace ${workspace.name})`,
    ...formatTable(
      [{ header: `cohort (${bucketHeader(result.granularity)})` }, ...columns],
      [...result.cohorts.map((cohort) => [bucketLabel(cohort.bucket, result.granularity), ...cells(cohort)]), ['total', ...cells(result.total)]],
    ),
    '',
    'By acquisition source:',
    ...formatTable(
      [{ header: 'source' }, ...columns],
      result.bySource.map((source) => [source.source ?? '(none)', ...cells(source)]),
    ),
    ...(result.total.complete ? [] : [`open: a window ends on or after ${result.asOf}, so more of the cohort may still step up.`]),
  ];
}

function printSubscribers(result: Subscribers, workspace: Workspace): string[] {
  return [
    `Subscriptions in force at the end of each ${result.granularity}, ${periodLabel(result.period)} (workspace ${workspace.name})`,
    ...formatTable(
      [
        { header: bucketHeader(result.granularity) },
        { header: 'as of' },
        { header: 'active', ...RIGHT },
        { header: 'paused', ...RIGHT },
        { header: 'in force', ...RIGHT },
        { header: 'subscribers', ...RIGHT },
      ],
      result.series.map((bucket) => [
        bucketLabel(bucket.bucket, result.granularity),
        bucket.measuredAt,
        formatCount(bucket.active),
        formatCount(bucket.paused),
        formatCount(bucket.inForce),
        formatCount(bucket.customers),
      ]),
    ),
    '"as of" is the start of that date: the day after the bucket, or --as-of for the current one.',
  ];
}
