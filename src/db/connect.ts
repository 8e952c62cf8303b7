import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { startEmbeddedPostgres } from './embedded.ts';
import { migrate } from './migrator.ts';
import type { DB } from './schema.ts';

// Dates (OID 1082) stay 'YYYY-MM-DD' strings: a birth date has no time zone.
pg.types.setTypeParser(1082, (value) => value);

export type Kdb = Kysely<DB>;

/** A migrated database: Kysely for queries, the pg pool for COPY and raw batches. */
export interface Database {
  db: Kdb;
  pool: pg.Pool;
  url: string;
  embedded: boolean;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** Use this server; when absent, the embedded PostgreSQL under `dataDir`. */
  databaseUrl: string | undefined;
  dataDir: string;
  poolSize?: number;
  log?: (line: string) => void;
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  const embedded = options.databaseUrl ? undefined : await startEmbeddedPostgres(options.dataDir, options.log);
  const url = options.databaseUrl ?? embedded!.url;
  const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10 });
  let closing = false;
  pool.on('error', (error) => {
    if (!closing) options.log?.(`database: ${error.message}`);
  });
  try {
    await migrate(pool);
  } catch (error) {
    await pool.end();
    await embedded?.stop();
    throw error;
  }
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    pool,
    url,
    embedded: embedded !== undefined,
    close: async () => {
      closing = true;
      await db.destroy();
      await embedded?.stop();
    },
  };
}
