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
  /** PostgreSQL's statement_timeout for every connection of the pool; 0 or absent: none. */
  statementTimeoutMs?: number;
  log?: (line: string) => void;
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  const embedded = options.databaseUrl ? undefined : await startEmbeddedPostgres(options.dataDir, options.log);
  const url = options.databaseUrl ?? embedded!.url;
  let closing = false;
  const pool = createPool({
    url,
    max: options.poolSize ?? 10,
    statementTimeoutMs: options.statementTimeoutMs,
    log: (line) => {
      if (!closing) options.log?.(line);
    },
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

export interface PoolOptions {
  url: string;
  max: number;
  /** PostgreSQL's statement_timeout on every connection; 0 or absent: none. */
  statementTimeoutMs?: number | undefined;
  /** application_name of the connections (pg_stat_activity); default 'kizuna'. */
  applicationName?: string;
  /** Where a connection that broke is reported. */
  log?: (line: string) => void;
}

/**
 * A pool that survives the database going away. pg emits an `error` event on a client whose
 * connection breaks (PostgreSQL ended the backend, the server stopped or was killed). The
 * pool listens on idle clients only; on a client checked out (a transaction between two
 * statements, a COPY, the analytics engine's load) nobody listened, so Node threw the event
 * and the whole process died. Every client here gets a listener for its life: the error is
 * reported, the statement in flight fails (the caller gets it; the HTTP edge answers 503, see
 * db/unavailable.ts), and the client, no longer queryable, is dropped when released. New
 * connections are made when the database is back, so nothing needs a restart.
 * A connection attempt gives up after 10 s, so a request never waits on an unreachable host.
 */
export function createPool(options: PoolOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.max,
    connectionTimeoutMillis: 10_000,
    application_name: options.applicationName ?? 'kizuna',
    ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {}),
  });
  const report = (error: Error) => options.log?.(`database: ${error.message}`);
  pool.on('connect', (client) => client.on('error', report));
  // The pool re-emits an idle client's error, already reported by the listener above.
  pool.on('error', () => undefined);
  return pool;
}
