import path from 'node:path';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { createPool, type Database } from '../../src/db/connect.ts';
import { startEmbeddedPostgres } from '../../src/db/embedded.ts';
import { migrate } from '../../src/db/migrator.ts';
import type { DB } from '../../src/db/schema.ts';

/**
 * A fresh, migrated database for one benchmark run, dropped at the end: on the server of
 * DATABASE_URL when set, otherwise on the embedded PostgreSQL (under .kizuna-bench), so a
 * benchmark never touches the data of a running Kizuna.
 */
export async function openBenchDatabase(name: string): Promise<{ database: Database; drop(): Promise<void> }> {
  const embedded = process.env.DATABASE_URL ? undefined : await startEmbeddedPostgres(path.resolve('.kizuna-bench'));
  const serverUrl = process.env.DATABASE_URL ?? embedded!.url;
  const databaseName = `kizuna_bench_${name}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${databaseName}`);
  const url = new URL(serverUrl);
  url.pathname = `/${databaseName}`;
  // createPool's error handlers: connections ended by the final drop are not thrown.
  const pool = createPool({ url: url.toString(), max: 8, applicationName: 'kizuna-bench' });
  admin.on('error', () => {});
  await migrate(pool);
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  const database: Database = { db, pool, url: url.toString(), embedded: embedded !== undefined, close: () => db.destroy() };
  return {
    database,
    drop: async () => {
      await database.close();
      await admin.query(`drop database if exists ${databaseName} with (force)`);
      await admin.end();
      await embedded?.stop();
    },
  };
}

/** Median and 95th percentile of a list of durations (ms). */
export function percentiles(samples: readonly number[]): { p50: number; p95: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { p50: at(0.5), p95: at(0.95) };
}
