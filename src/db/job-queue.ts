import { Logger, runMigrations } from 'graphile-worker';
import type pg from 'pg';

/**
 * The job queue's schema (graphile-worker's `graphile_worker`), installed or upgraded with
 * Kizuna's migrations, so jobs can be added in any transaction of any process (the CLI, the
 * server, a test) whether or not a worker runs yet: they wait in the table for one.
 */
export async function migrateJobQueue(pool: pg.Pool): Promise<void> {
  await runMigrations({ pgPool: pool, logger: new Logger(() => () => {}) });
}
