import { randomUUID } from 'node:crypto';
import { Kysely, PostgresDialect } from 'kysely';
import { inject } from 'vitest';
import { createPool, type Database } from '../../src/db/connect.ts';
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

/** A workspace of its own for one test file or test, so tests never see each other's rows. */
export function freshWorkspace(database: Database, params: { timezone?: string; currency?: string } = {}): Promise<Workspace> {
  return createWorkspace(database.db, { name: `t-${randomUUID().slice(0, 12)}`, ...params });
}
