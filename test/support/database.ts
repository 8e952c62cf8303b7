import { randomUUID } from 'node:crypto';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { inject } from 'vitest';
import { createPool, type Database } from '../../src/db/connect.ts';
import { migrate } from '../../src/db/migrator.ts';
import type { DB } from '../../src/db/schema.ts';
export { withTransaction } from '../../src/db/transaction.ts';
import { createWorkspace, type Workspace } from '../../src/workspaces/workspaces.ts';

/** The run's migrated test database (see global-setup.ts). Close it in afterAll. */
export function connectTestDatabase(): Database {
  const url = inject('databaseUrl');
  const pool = createPool({ url, max: 4 });
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return { db, pool, url, embedded: false, close: () => db.destroy() };
}

/** The workspaces this test file made with freshWorkspace (each test file runs in a process of its own). */
const madeHere: Workspace[] = [];

/** A workspace of its own for one test file or test, so tests never see each other's rows. */
export async function freshWorkspace(database: Database, params: { timezone?: string; currency?: string } = {}): Promise<Workspace> {
  const workspace = await createWorkspace(database.db, { name: `t-${randomUUID().slice(0, 12)}`, ...params });
  madeHere.push(workspace);
  return workspace;
}

/**
 * The workspaces this test file made so far: what a console user joins by default. Never every
 * workspace of the shared database: an admin joining another file's workspace would make its
 * "only admin" no longer the only one while it runs.
 */
export function workspacesMadeHere(): readonly Workspace[] {
  return [...madeHere];
}

/**
 * A database of its own, created and migrated for one test file, dropped by close(): for tests
 * of instance-wide tables (sign-in throttles, sessions) that another file's purge, run with
 * another clock, would otherwise change under them.
 */
export async function isolatedTestDatabase(): Promise<Database> {
  const shared = new URL(inject('databaseUrl'));
  const name = `${shared.pathname.slice(1)}_iso_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const admin = new pg.Client({ connectionString: shared.toString() });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(shared);
  url.pathname = `/${name}`;
  const pool = createPool({ url: url.toString(), max: 4 });
  await migrate(pool);
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    pool,
    url: url.toString(),
    embedded: false,
    close: async () => {
      await db.destroy();
      const dropper = new pg.Client({ connectionString: shared.toString() });
      await dropper.connect();
      try {
        await dropper.query(`drop database if exists ${name} with (force)`);
      } finally {
        await dropper.end();
      }
    },
  };
}
