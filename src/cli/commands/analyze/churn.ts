import { analyseChurn, analyseChurnWindow } from '../../../analytics/analyses.ts';
import { Option } from 'commander';
import type { ChurnList } from '../../../analytics/churn.ts';
import type { ChurnWindowProposal, ChurnWindowSource } from '../../../analytics/churn-window.ts';
import { addDays } from '../../../analytics/periods.ts';
import { setAnalyticsSettings, type AnalyticsSettings } from '../../../analytics/settings.ts';
import type { Workspace } from '../../../workspaces/workspaces.ts';
import type { CliContext, RegisterCommand } from '../../context.ts';
import { formatTable } from '../../format-table.ts';
import { formatCount, formatDecimal, formatNumber, formatPercent } from '../../format-numbers.ts';
import { dataEndLine } from './data-end-line.ts';
import { analysisCommand, calendarDate, churnWindowSetting, wholeNumber } from './options.ts';
import { runAnalysis, type AnalysisOptions } from './run-analysis.ts';

interface ChurnOptions extends AnalysisOptions {
  asOf?: string;
  window?: number;
  limit: number;
  cursor?: string;
  propose?: boolean;
  setWindow?: number | 'proposal';
}

export const registerChurnCommand: RegisterCommand = (analyze, context) => {
  analysisCommand(analyze, 'churn', { engine: true })
    .summary('churned customers; the churn window (--propose, --set-window)')
    .description('churned customers (離反): a purchase before the date, none in the last --window days; most valuable first')
    .option('--as-of <date>', 'the date asked about; purchases before it count (default: today)', calendarDate('--as-of'))
    .option(
      '--window <days>',
      "days without a purchase after which a customer is churned (default: the workspace's setting, else the proposal)",
      wholeNumber('--window', 'days'),
    )
    .option('--limit <n>', 'customers listed', wholeNumber('--limit'), 20)
    .option('--cursor <token>', "the next page: the nextCursor of the previous page's --json")
    .addOption(
      new Option('--propose', 'print the window proposed from the purchase intervals, with their distribution').conflicts(['window', 'cursor', 'setWindow']),
    )
    .addOption(
      new Option('--set-window <days|proposal>', 'store the workspace\'s window: a number of days, or "proposal" to follow the proposed one')
        .argParser(churnWindowSetting)
        .conflicts(['asOf', 'window', 'cursor']),
    )
    .action((options: ChurnOptions) => {
      if (options.setWindow !== undefined) return setWindow(context, options, options.setWindow === 'proposal' ? null : options.setWindow);
      if (options.propose) {
        return runAnalysis({
          context,
          options,
          compute: (deps, workspace) => analyseChurnWindow(deps, { workspace, asOf: options.asOf, engine: options.engine }),
          print: (proposal, workspace) => printProposal(proposal, workspace, options.asOf),
        });
      }
      return runAnalysis({
        context,
        options,
        compute: (deps, workspace) =>
          analyseChurn(deps, {
            workspace,
            asOf: options.asOf,
            window: options.window,
            limit: options.limit,
            cursor: options.cursor,
            engine: options.engine,
          }),
        print: printChurned,
      });
    });
};

function setWindow(context: CliContext, options: ChurnOptions, days: number | null): Promise<void> {
  return runAnalysis({
    context,
    options,
    compute: ({ pool }, workspace) => setAnalyticsSettings({ pool, workspaceId: workspace.id, changes: { churnWindowDays: days } }),
    print: (settings: AnalyticsSettings, workspace) => [
      settings.churnWindowDays === null
        ? `The churn window of workspace ${workspace.name} now follows the proposal from the purchase intervals (analyze churn --propose shows it).`
        : `The churn window of workspace ${workspace.name} is now ${formatCount(settings.churnWindowDays)} days; analyze churn uses it unless --window is given.`,
    ],
  });
}

function printProposal(proposal: ChurnWindowProposal, workspace: Workspace, asOf: string | undefined): string[] {
  const seen = asOf ? `purchases up to ${addDays(asOf, -1)}` : 'all purchases';
  const population = populationLine(proposal);
  if (proposal.days === null) {
    return [
      `No churn window can be proposed for workspace ${workspace.name} (${seen}): no customer of the population has bought on two different days.`,
      population,
    ];
  }
  const { intervals } = proposal;
  const { width, counts } = intervals.histogram;
  const most = Math.max(...counts);
  return [
    `Proposed churn window: ${formatCount(proposal.days)} days, the 90th percentile of the gaps between a customer's purchase days, rounded up (workspace ${workspace.name}, ${seen})`,
    population,
    ...formatTable(
      [{ header: 'gaps between purchase days' }, { header: 'days', align: 'right' }],
      [
        ['count', formatCount(intervals.count)],
        ['median', formatNumber(intervals.median, 1)],
        ['75th percentile', formatNumber(intervals.p75, 1)],
        ['80th percentile', formatNumber(intervals.p80, 1)],
        ['90th percentile', formatNumber(intervals.p90, 1)],
        ['95th percentile', formatNumber(intervals.p95, 1)],
      ],
    ),
    ...formatTable(
      [{ header: 'gap (days)' }, { header: 'gaps', align: 'right' }, { header: '' }],
      counts.map((count, i) => [
        i === counts.length - 1
          ? `${formatCount(i * width + 1)}+`
          : width === 1
            ? formatCount(i + 1)
            : `${formatCount(i * width + 1)}-${formatCount((i + 1) * width)}`,
        formatCount(count),
        '#'.repeat(most === 0 ? 0 : Math.round((30 * count) / most)),
      ]),
    ),
    `Store it with --set-window ${proposal.days}, or --set-window proposal to follow the proposal as purchases come in.`,
  ];
}

/** Whose gaps the proposal read, and why, in words. */
function populationLine({ population }: ChurnWindowProposal): string {
  const { customers, subscribers, minimumGaps } = population;
  switch (population.reason) {
    case 'subscribers_left_out':
      return `Population: the ${formatCount(customers)} customers who never had a subscription; ${formatCount(subscribers)} subscribers left out, since their gaps follow the delivery cycle (and a subscriber in force is never churned).`;
    case 'no_subscribers':
      return `Population: every customer (${formatCount(customers)}); nobody has had a subscription.`;
    case 'too_few_gaps':
      return `Population: every customer (${formatCount(customers)}, ${formatCount(subscribers)} of them subscribers): the customers without a subscription gave fewer than ${formatCount(minimumGaps)} gaps, too few to read alone, so the window leans on the delivery cycle.`;
  }
}

const WINDOW_SOURCES: Record<ChurnWindowSource, string> = {
  given: 'given with --window',
  setting: "the workspace's setting",
  proposal: 'proposed from the purchase intervals',
};

function printChurned(list: ChurnList, workspace: Workspace): string[] {
  if (list.outcome === 'no_window') {
    return [
      ...dataEndLine(list.dataEndsOn, list.asOf),
      `No churn window for workspace ${workspace.name}: none is set, and none can be proposed before ${list.asOf} since no customer has bought on two different days. Give one with --window DAYS.`,
    ];
  }
  return [
    ...dataEndLine(list.dataEndsOn, list.asOf),
    `Churned as of ${list.asOf}: no purchase for more than ${formatCount(list.window.days)} days and no subscription in force, the window ${WINDOW_SOURCES[list.window.source]} (workspace ${workspace.name}, ${workspace.currency})`,
    `${formatCount(list.churned)} of ${formatCount(list.customers)} customers churned (${formatPercent(list.churnRate)})`,
    `${formatCount(list.keptBySubscription)} customers silent for longer have a subscription in force (active or paused): never churned.`,
    ...(list.items.length === 0
      ? []
      : [
          ...formatTable(
            ['customer', 'name', 'last purchase', 'days since', 'churned on', 'purchases', 'total spent', 'R score'].map((header) => ({
              header,
              align: ['days since', 'purchases', 'total spent', 'R score'].includes(header) ? 'right' : 'left',
            })),
            list.items.map((customer) => [
              customer.externalId,
              customer.name ?? '',
              customer.lastPurchaseDay,
              formatCount(customer.daysSince),
              customer.churnedOn,
              formatCount(customer.purchases),
              formatDecimal(customer.totalSpent),
              String(customer.recencyScore),
            ]),
          ),
          'R score: the RFM recency score (1-5, a quintile relative to the other customers), not the churn status: churned is days against the window.',
        ]),
    ...(list.nextCursor ? [`More follow: the next page with --cursor ${list.nextCursor}, or more at once with a larger --limit.`] : []),
  ];
}
