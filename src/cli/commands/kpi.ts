import type { Command } from 'commander';
import { todayIn } from '../../analytics/analyses.ts';
import { DEFAULT_BOARD_BUCKETS, kpiBoardOf } from '../../kpis/board.ts';
import { KPI_GRANULARITIES, type KpiGranularity } from '../../kpis/definition.ts';
import { seedKpiTree } from '../../kpis/seed-tree.ts';
import { createKpi, deleteKpi, listKpis, updateKpi } from '../../kpis/store.ts';
import type { RegisterCommand } from '../context.ts';
import { EXIT } from '../exit-codes.ts';
import { calendarDate, decimalNumber, oneOf, usageError, wholeNumber } from './analyze/options.ts';
import { runAnalysis, type AnalysisOptions } from './analyze/run-analysis.ts';
import { kpiFieldOptions, kpiFields, type KpiFieldOptions } from './kpi/options.ts';
import { printKpi, printKpiBoard, printKpiList, printSeededTree } from './kpi/print.ts';

/**
 * `kizuna kpi list|add|update|remove|board|seed`: the workspace's KPI tree, its board and the
 * tree seeded from the sales decomposition (src/kpis/: store.ts, board.ts, seed-tree.ts).
 * Readable tables, or with --json the result as computed. Exit codes: 0 done; 1 the domain
 * refused (a definition that does not hold together, a name taken, a KPI with KPIs below it,
 * a seed without a baseline); 2 a usage error on one line naming the option, an unknown
 * workspace or KPI, or another failure.
 */
export const registerKpiCommand: RegisterCommand = (program, context) => {
  const kpi = program
    .command('kpi')
    .description('KPIs: the tree of targets, the board (status and trend), and the tree seeded from the sales decomposition')
    // Copied into the subcommands: a usage error is one line (exit code 2, src/cli/exit-codes.ts).
    .showHelpAfterError(false);

  kpiCommand(kpi, 'list')
    .description("the workspace's KPIs as a tree")
    .action((options: AnalysisOptions) =>
      runAnalysis({
        context,
        options,
        compute: ({ pool }, workspace) => listKpis({ pool, workspaceId: workspace.id }),
        print: printKpiList,
      }),
    );

  kpiFieldOptions(kpiCommand(kpi, 'add'), true)
    .description('add a KPI: a metric with a target per bucket, e.g. --name 売上 --metric sales --target 12000000')
    .action((options: KpiFieldOptions & AnalysisOptions) =>
      runAnalysis({
        context,
        options,
        compute: ({ pool }, workspace) => createKpi({ pool, workspaceId: workspace.id, input: { granularity: 'month', ...kpiFields(options) } }),
        print: (created, workspace) => printKpi(created, workspace, 'Created'),
      }),
    );

  kpiFieldOptions(kpiCommand(kpi, 'update').argument('<id>', "the KPI's id (see kpi list)", kpiId), false)
    .description('change a KPI: the fields given, the others kept (--override and --filter replace the lists; "none" clears them)')
    .action((id: string, options: KpiFieldOptions & AnalysisOptions) =>
      runAnalysis({
        context,
        options,
        compute: ({ pool }, workspace) => updateKpi({ pool, workspaceId: workspace.id, kpiId: id, changes: changesOf(options) }),
        print: (updated, workspace) => printKpi(updated, workspace, 'Updated'),
      }),
    );

  kpiCommand(kpi, 'remove')
    .argument('<id>', "the KPI's id (see kpi list)", kpiId)
    .description('remove a KPI; one with KPIs below it only with --with-descendants, which removes them too')
    .option('--with-descendants', 'also remove every KPI below it')
    .action((id: string, options: AnalysisOptions & { withDescendants?: boolean }) =>
      runAnalysis({
        context,
        options,
        compute: ({ pool }, workspace) => deleteKpi({ pool, workspaceId: workspace.id, kpiId: id, withDescendants: options.withDescendants }),
        print: ({ deleted }, workspace) => [`Removed ${deleted.length === 1 ? 'KPI' : 'KPIs'} ${deleted.join(', ')} from workspace ${workspace.name}.`],
      }),
    );

  kpiCommand(kpi, 'board')
    .description(
      "the KPI board: each KPI's actual against its target in the current bucket (status: ahead, on track, behind), the trend, and the actuals per bucket",
    )
    .option('--as-of <date>', 'read purchases before this date; the current bucket holds the day before (default: today)', calendarDate('--as-of'))
    .option('--buckets <n>', `buckets shown before the current one (default: ${DEFAULT_BOARD_BUCKETS})`, wholeNumber('--buckets'))
    .action((options: AnalysisOptions & { asOf?: string; buckets?: number }) =>
      runAnalysis({
        context,
        options,
        compute: (deps, workspace) => kpiBoardOf(deps, { workspace, asOf: options.asOf, buckets: options.buckets }),
        print: printKpiBoard,
      }),
    );

  kpiCommand(kpi, 'seed')
    .description(
      "create the KPI tree from the sales decomposition: sales (売上) at the root, customers × frequency × items per purchase × price per item below it, each factor's target its baseline × (target ÷ baseline sales)^(1/4)",
    )
    .requiredOption('--sales-target <amount>', 'the sales target per bucket', decimalNumber('--sales-target'))
    .option('--granularity <unit>', `buckets: ${KPI_GRANULARITIES.join(' or ')}`, oneOf<KpiGranularity>('--granularity', KPI_GRANULARITIES), 'month')
    .option('--as-of <date>', 'the baseline is the last complete bucket before this date (default: today)', calendarDate('--as-of'))
    .action((options: AnalysisOptions & { salesTarget: number; granularity: KpiGranularity; asOf?: string }) =>
      runAnalysis({
        context,
        options,
        compute: async ({ pool, clock }, workspace) => {
          const tree = await seedKpiTree({
            pool,
            workspaceId: workspace.id,
            salesTarget: options.salesTarget,
            granularity: options.granularity,
            asOf: options.asOf ?? todayIn(workspace, clock),
          });
          // Nothing was created: a refusal, though the result is printed as usual.
          if (tree.outcome === 'no_baseline') process.exitCode = EXIT.refused;
          return tree;
        },
        print: (tree, workspace) => printSeededTree(tree, workspace, options.salesTarget),
      }),
    );
};

/** A kpi subcommand with the options they all take. */
function kpiCommand(kpi: Command, name: string): Command {
  return kpi.command(name).option('--workspace <name>', 'the workspace (default: demo)').option('--json', 'print the result as JSON, as computed');
}

function kpiId(value: string): string {
  if (!/^\d{1,18}$/.test(value)) throw usageError(`the KPI id must be a whole number (see kpi list), not "${value}"`);
  return value;
}

function changesOf(options: KpiFieldOptions): Record<string, unknown> {
  const changes = kpiFields(options);
  if (Object.keys(changes).length === 0)
    throw usageError(
      'nothing to change: give at least one of --name, --metric, --target, --granularity, --override, --filter, --direction, --tolerance, --parent',
    );
  return changes;
}
