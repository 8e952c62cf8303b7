import type { Command } from 'commander';
import { readConfig, type KizunaConfig } from '../config.ts';
import type { Database } from '../db/connect.ts';
import type { AnalyticsEngine } from '../analytics/engine/analytics-engine.ts';
import { systemClock, type Clock } from '../shared/clock.ts';
import { KizunaError } from '../shared/errors.ts';
import { EXIT, EXIT_CODES } from './exit-codes.ts';
import { findWorkspace, type Workspace } from '../workspaces/workspaces.ts';

/**
 * What every CLI command gets: the configuration, the clock, a database opened on demand
 * (embedded unless DATABASE_URL is set) with the command's analytics engine on it, both closed
 * when the command ends, and the workspace of `--workspace`.
 */
export interface CliContext {
  config: KizunaConfig;
  /** The time: the analyses' default dates ("today") read it. */
  clock: Clock;
  withDatabase<T>(work: (database: Database, services: CliServices) => Promise<T>): Promise<T>;
  workspace(database: Database, name: string | undefined): Promise<Workspace>;
}

/** What a command gets with its database. */
export interface CliServices {
  /** The command's analytics engine on the database (created with it, closed when the command ends). */
  analytics: AnalyticsEngine;
}

export function createCliContext(options: { clock?: Clock } = {}): CliContext {
  const config = readConfig();
  const clock = options.clock ?? systemClock;
  return {
    config,
    clock,
    async withDatabase(work) {
      // Loaded here: PostgreSQL's driver and Kysely are not needed by `--help` or a usage error.
      const [{ openDatabase }, { AnalyticsEngine }] = await Promise.all([import('../db/connect.ts'), import('../analytics/engine/analytics-engine.ts')]);
      const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, log: (line) => console.error(line) });
      const analytics = new AnalyticsEngine(database.pool, { clock });
      try {
        return await work(database, { analytics });
      } finally {
        analytics.close();
        await database.close();
      }
    },
    workspace: (database, name) => findWorkspace(database.db, name ?? 'demo'),
  };
}

export type RegisterCommand = (program: Command, context: CliContext) => void;

/**
 * Prints an error as one clear line and sets the exit code of its code (src/cli/exit-codes.ts);
 * an unexpected error exits 2. Its stack trace is printed with KIZUNA_DEBUG=1.
 */
export function reportCliError(error: unknown): void {
  if (error instanceof KizunaError) {
    console.error(`error: ${error.message}`);
    process.exitCode = EXIT_CODES[error.code];
    return;
  }
  const message = error instanceof Error ? error.message : String(error);
  console.error(`error: ${message}`);
  if (process.env.KIZUNA_DEBUG === '1' && error instanceof Error) console.error(error.stack);
  else console.error('(run with KIZUNA_DEBUG=1 for details)');
  process.exitCode = EXIT.failed;
}
