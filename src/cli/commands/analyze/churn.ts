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
  if (proposal.days === null) {
    return [`No churn window can be proposed for workspace ${workspace.name} (${seen}): no customer has bought on two different days.`];
  }
  const { intervals } = proposal;
  return [
    `Proposed churn window: ${formatCount(proposal.days)} days, the 90th percentile of the gaps between a customer's purchase days, rounded up (workspace ${workspace.name}, ${seen})`,
    ...formatTable(
      [{ header: 'gaps between purchase days' }, { header: 'days', align: 'right' }],
      [
        ['count', formatCount(intervals.count)],
        ['median', formatNumber(intervals.median, 1)],
        ['80th percentile', formatNumber(intervals.p80, 1)],
        ['90th percentile', formatNumber(intervals.p90, 1)],
      ],
    ),
    `Store it with --set-window ${proposal.days}, or --set-window proposal to follow the proposal as purchases come in.`,
  ];
}

const WINDOW_SOURCES: Record<ChurnWindowSource, string> = {
  given: 'given with --window',
  setting: "the workspace's setting",
  proposal: 'proposed from the purchase intervals',
};

function printChurned(list: ChurnList, workspace: Workspace): string[] {
  if (list.outcome === 'no_window') {
    return [
      `No churn window for workspace ${workspace.name}: none is set, and none can be proposed before ${list.asOf} since no customer has bought on two different days. Give one with --window DAYS.`,
    ];
  }
  return [
    `Churned as of ${list.asOf}: no purchase for more than ${formatCount(list.window.days)} days, the window ${WINDOW_SOURCES[list.window.source]} (workspace ${workspace.name}, ${workspace.currency})`,
    `${formatCount(list.churned)} of ${formatCount(list.customers)} customers churned (${formatPercent(list.churnRate)})`,
    ...(list.items.length === 0
      ? []
      : formatTable(
          ['customer', 'name', 'last purchase', 'days since', 'churned on', 'purchases', 'total spent'].map((header) => ({
            header,
            align: ['days since', 'purchases', 'total spent'].includes(header) ? 'right' : 'left',
          })),
          list.items.map((customer) => [
            customer.externalId,
            customer.name ?? '',
            customer.lastPurchaseDay,
            formatCount(customer.daysSince),
            customer.churnedOn,
            formatCount(customer.purchases),
            formatDecimal(customer.totalSpent),
          ]),
        )),
    ...(list.nextCursor ? [`More follow: the next page with --cursor ${list.nextCursor}, or more at once with a larger --limit.`] : []),
  ];
}
