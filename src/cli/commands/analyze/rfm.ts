import { analyseRfm } from '../../../analytics/analyses.ts';
import type { RfmSummary, ScoreBand } from '../../../analytics/rfm.ts';
import type { Workspace } from '../../../workspaces/workspaces.ts';
import type { RegisterCommand } from '../../context.ts';
import { formatTable } from '../../format-table.ts';
import { formatCount, formatDecimal, formatPercent, NO_VALUE } from '../../format-numbers.ts';
import { dataEndLine } from './data-end-line.ts';
import { analysisCommand, calendarDate } from './options.ts';
import { runAnalysis, type AnalysisOptions } from './run-analysis.ts';

interface RfmOptions extends AnalysisOptions {
  asOf?: string;
}

export const registerRfmCommand: RegisterCommand = (analyze, context) => {
  analysisCommand(analyze, 'rfm', { engine: true })
    .summary('RFM grid, segments and score boundaries')
    .description('RFM: recency, frequency and monetary scores 1–5 by quintile, the R × F grid, the named segments and the score boundaries')
    .option('--as-of <date>', 'purchases before this date count; recency is counted to it (default: today)', calendarDate('--as-of'))
    .action((options: RfmOptions) =>
      runAnalysis({
        context,
        options,
        compute: (deps, workspace) => analyseRfm(deps, { workspace, asOf: options.asOf, engine: options.engine }),
        print: printRfm,
      }),
    );
};

const SCORES = [5, 4, 3, 2, 1] as const;

function printRfm(rfm: RfmSummary, workspace: Workspace): string[] {
  const right = { align: 'right' } as const;
  const cell = (r: number, f: number) => rfm.grid.find((c) => c.recencyScore === r && c.frequencyScore === f)?.customers ?? 0;
  const band = <Value>(bands: ScoreBand<Value>[], score: number, format: (value: Value) => string) => {
    const found = bands.find((b) => b.score === score);
    if (!found || found.min === null || found.max === null) return NO_VALUE;
    return found.min === found.max ? format(found.min) : `${format(found.min)}-${format(found.max)}`;
  };
  const { recency, frequency, monetary } = rfm.boundaries;
  return [
    ...dataEndLine(rfm.dataEndsOn, rfm.asOf),
    `RFM as of ${rfm.asOf}: ${formatCount(rfm.customers)} customers, ${formatDecimal(rfm.monetary)} ${workspace.currency} spent (workspace ${workspace.name})`,
    rfm.churnWindow === null
      ? 'Churned (離反) follows the churn list: no window is set or can be proposed yet, so nobody is churned.'
      : `Churned (離反) is the churn list of the date: no purchase for more than ${formatCount(rfm.churnWindow.days)} days (the ${rfm.churnWindow.source === 'setting' ? "workspace's setting" : 'proposed window'}) and no subscription in force. The recency score is relative to the other customers: R = 1 is not churned by itself.`,
    'Segments',
    ...formatTable(
      [
        { header: 'segment' },
        { header: 'customers', ...right },
        { header: 'share', ...right },
        { header: 'monetary', ...right },
        { header: 'share', ...right },
        { header: 'who' },
      ],
      rfm.segments.map((s) => [
        `${s.ja} ${s.en}`,
        formatCount(s.customers),
        formatPercent(s.customerShare),
        formatDecimal(s.monetary),
        formatPercent(s.monetaryShare),
        s.meaning,
      ]),
    ),
    '',
    'Customers by recency score (rows, 5 = most recent) and frequency score (columns, 5 = most purchases)',
    ...formatTable(
      [{ header: '' }, ...[1, 2, 3, 4, 5].map((f) => ({ header: `F${f}`, ...right }))],
      SCORES.map((r) => [`R${r}`, ...[1, 2, 3, 4, 5].map((f) => formatCount(cell(r, f)))]),
    ),
    '',
    'Score boundaries: the values each score covers (a tie keeps one score, so a score can be empty)',
    ...formatTable(
      [
        { header: 'score' },
        { header: 'recency (days)', ...right },
        { header: 'frequency', ...right },
        { header: `monetary (${workspace.currency})`, ...right },
      ],
      SCORES.map((score) => [String(score), band(recency, score, formatCount), band(frequency, score, formatCount), band(monetary, score, formatDecimal)]),
    ),
  ];
}
