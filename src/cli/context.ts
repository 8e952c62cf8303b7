import type { Command } from 'commander';
import { readConfig, type KizunaConfig } from '../config.ts';
import type { Database } from '../db/connect.ts';
import { KizunaError } from '../shared/errors.ts';
import { EXIT, EXIT_CODES } from './exit-codes.ts';
import { findWorkspace, type Workspace } from '../workspaces/workspaces.ts';

/**
 * What every CLI command gets: the configuration, a database opened on demand (embedded unless
 * DATABASE_URL is set, and closed when the command ends), and the workspace of `--workspace`.
 */
export interface CliContext {
  config: KizunaConfig;
  withDatabase<T>(work: (database: Database) => Promise<T>): Promise<T>;
  workspace(database: Database, name: string | undefined): Promise<Workspace>;
}

export function createCliContext(): CliContext {
  const config = readConfig();
  return {
    config,
    async withDatabase(work) {
      // Loaded here: PostgreSQL's driver and Kysely are not needed by `--help` or a usage error.
      const { openDatabase } = await import('../db/connect.ts');
      const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, log: (line) => console.error(line) });
      try {
        return await work(database);
      } finally {
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
