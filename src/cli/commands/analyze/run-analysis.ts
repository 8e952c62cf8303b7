import type pg from 'pg';
import { addDays, type Granularity, type Period } from '../../../analytics/periods.ts';
import { localDateOf } from '../../../shared/time.ts';
import type { Workspace } from '../../../workspaces/workspaces.ts';
import type { CliContext } from '../../context.ts';
import type { EngineChoice } from '../../../analytics/engine/analytics-engine.ts';
import type { Clock } from '../../../shared/clock.ts';
import type { PurchaseSnapshot } from '../../../analytics/engine/purchase-snapshot.ts';

export interface AnalysisOptions {
  workspace?: string;
  json?: boolean;
  /** memory (default): the analytics engine, which reads the purchases once; sql: the SQL reference. */
  engine?: EngineChoice;
}

/**
 * The one shape of every analyze command: open the database, find `--workspace`, compute
 * (one domain call, or two for a run and its list), then print either the result as JSON,
 * exactly as computed, or the readable lines `print` makes of it.
 */
export async function runAnalysis<Result>(params: {
  context: CliContext;
  options: AnalysisOptions;
  compute: (pool: pg.Pool, workspace: Workspace) => Promise<Result>;
  /** The same analysis from the engine's snapshot of the purchases (used unless --engine sql). */
  inMemory?: (snapshot: PurchaseSnapshot, pool: pg.Pool, workspace: Workspace) => Result | Promise<Result>;
  print: (result: Result, workspace: Workspace) => string[];
}): Promise<void> {
  const { context, options, compute, inMemory, print } = params;
  const { workspace, result } = await context.withDatabase(async (database, { analytics }) => {
    const workspace = await context.workspace(database, options.workspace);
    const reference = () => compute(database.pool, workspace);
    if (!inMemory) return { workspace, result: await reference() };
    return { workspace, result: await analytics.run(workspace.id, (snapshot) => inMemory(snapshot, database.pool, workspace), reference, options.engine) };
  });
  console.log(options.json ? JSON.stringify(result, null, 2) : print(result, workspace).join('\n'));
}

/** Today in the workspace's time zone by the CLI's clock: the default "as of" of the customer-base analyses (purchases before today). */
export function today(workspace: Workspace, clock: Clock): string {
  return localDateOf(clock.now(), workspace.timezone);
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
