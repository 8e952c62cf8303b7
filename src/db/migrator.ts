import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { migrateJobQueue } from './job-queue.ts';

export const migrationsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../migrations');

/** A fixed key for pg_advisory_lock, so two processes never migrate at the same time. */
const MIGRATION_LOCK_KEY = 7_277_001;

export interface MigrationResult {
  applied: string[];
}

/**
 * Applies the pending `NNNN_name.sql` files of `dir` in name order, each in its own
 * transaction, under a session-level advisory lock. Refuses to run when the database holds a
 * migration whose file is gone or changed, or when a pending file sorts before one already
 * applied (a branch merged out of order), so the schema never silently diverges.
 */
export async function migrate(pool: pg.Pool, dir: string = migrationsDir): Promise<MigrationResult> {
  const files = (await readdir(dir)).filter((f) => /^\d{4}_[\w-]+\.sql$/.test(f)).sort();
  const client = await pool.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await client.query(`create table if not exists kizuna_migrations (
      name text primary key, checksum text not null, applied_at timestamptz not null default now())`);
    const { rows } = await client.query<{ name: string; checksum: string }>('select name, checksum from kizuna_migrations order by name');
    const sources = new Map<string, string>();
    for (const file of files) sources.set(file, await readFile(path.join(dir, file), 'utf8'));

    for (const row of rows) {
      const source = sources.get(row.name);
      if (source === undefined) {
        throw new Error(`Migration ${row.name} is applied in the database but its file is missing from ${dir}.`);
      }
      if (checksum(source) !== row.checksum) {
        throw new Error(`Migration ${row.name} was changed after it was applied; add a new migration instead.`);
      }
    }
    const appliedNames = new Set(rows.map((r) => r.name));
    const lastApplied = rows.at(-1)?.name;
    const pending = files.filter((f) => !appliedNames.has(f));
    const outOfOrder = pending.find((f) => lastApplied !== undefined && f < lastApplied);
    if (outOfOrder) {
      throw new Error(`Migration ${outOfOrder} sorts before ${lastApplied}, which is already applied; rename it to come last.`);
    }
    for (const name of pending) {
      const source = sources.get(name) ?? '';
      await client.query('begin');
      try {
        await client.query(source);
        await client.query('insert into kizuna_migrations (name, checksum) values ($1, $2)', [name, checksum(source)]);
        await client.query('commit');
      } catch (error) {
        await client.query('rollback');
        throw new Error(`Migration ${name} failed: ${(error as Error).message}`);
      }
    }
    // The job queue's schema with the application's (its own migrations, under its own lock).
    if (dir === migrationsDir) await migrateJobQueue(pool);
    return { applied: pending };
  } finally {
    await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    client.release();
  }
}

function checksum(source: string): string {
  return createHash('sha256').update(source).digest('hex');
}
