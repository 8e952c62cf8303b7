import { addDays, type Granularity, type Period } from '../../../analytics/periods.ts';
import type { Workspace } from '../../../workspaces/workspaces.ts';
import type { CliContext } from '../../context.ts';
import type { EngineChoice } from '../../../analytics/engine/analytics-engine.ts';
import type { AnalysisDeps } from '../../../analytics/analyses.ts';

export interface AnalysisOptions {
  workspace?: string;
  json?: boolean;
  /** memory (default): the analytics engine, which reads the purchases once; sql: the SQL reference. */
  engine?: EngineChoice;
}

/**
 * The one shape of every analyze command: open the database, find `--workspace`, compute
 * (one domain call, src/analytics/analyses.ts, given the database, the command's analytics
 * engine and the clock), then print either the result as JSON, exactly as computed, or the
 * readable lines `print` makes of it.
 */
export async function runAnalysis<Result>(params: {
  context: CliContext;
  options: AnalysisOptions;
  compute: (deps: AnalysisDeps, workspace: Workspace) => Promise<Result>;
  print: (result: Result, workspace: Workspace) => string[];
}): Promise<void> {
  const { context, options, compute, print } = params;
  const { workspace, result } = await context.withDatabase(async (database, { analytics }) => {
    const workspace = await context.workspace(database, options.workspace);
    return { workspace, result: await compute({ pool: database.pool, analytics, clock: context.clock }, workspace) };
  });
  console.log(options.json ? JSON.stringify(result, null, 2) : print(result, workspace).join('\n'));
}

/** A half-open period [from, to) as people read it, last day included: '2024-03-01 – 2024-03-31'. */
export function periodLabel(period: Period): string {
  return `${period.from} – ${addDays(period.to, -1)}`;
}

/** A bucket as a table's first column: '2024-03' for a month, its first date for a day or week. */
export function bucketLabel(bucket: string, granularity: Granularity): string {
  return granularity === 'month' ? bucket.slice(0, 7) : bucket;
}

/** The header of a bucket column. */
export function bucketHeader(granularity: Granularity): string {
  return { day: 'day', week: 'week of', month: 'month' }[granularity];
}
