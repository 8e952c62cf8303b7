import { randomUUID } from 'node:crypto';
import net from 'node:net';
import type { FastifyInstance } from 'fastify';
import { Kysely, PostgresDialect } from 'kysely';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestDatabase, freshWorkspace } from '../../test/support/database.ts';
import { createApiKey } from '../auth/api-keys.ts';
import { createPool, type Database } from '../db/connect.ts';
import type { DB } from '../db/schema.ts';
import { withTransaction } from '../db/transaction.ts';
import { databaseUnavailable } from '../db/unavailable.ts';
import type { Workspace } from '../workspaces/workspaces.ts';
import { buildApp } from './app.ts';

const admin = connectTestDatabase();
let workspace: Workspace;
let key: string;

beforeAll(async () => {
  workspace = await freshWorkspace(admin);
  key = (await createApiKey(admin.db, { workspaceId: workspace.id, name: 'reader', role: 'read_only' })).key;
});
afterAll(() => admin.close());

/** A database of its own connections (named, so the test can end exactly those backends). */
function databaseAt(url: string, options: { statementTimeoutMs?: number } = {}): Database & { applicationName: string } {
  const applicationName = `kizuna-test-${randomUUID().slice(0, 8)}`;
  const pool = createPool({ url, max: 4, applicationName, statementTimeoutMs: options.statementTimeoutMs });
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return { db, pool, url, embedded: false, applicationName, close: () => db.destroy() };
}

function listCustomers(app: FastifyInstance) {
  return app.inject({ method: 'GET', url: `/api/v1/workspaces/${workspace.name}/customers`, headers: { authorization: `Bearer ${key}` } });
}

/** Ends every backend of `applicationName`, as an operator's pg_terminate_backend or a server restart would. */
async function terminateBackends(applicationName: string): Promise<number> {
  const { rows } = await admin.pool.query<{ ended: number }>(
    'select count(*) filter (where pg_terminate_backend(pid))::int as ended from pg_stat_activity where application_name = $1',
    [applicationName],
  );
  return rows[0]!.ended;
}

/** Waits (by asking the server) until a statement of `applicationName` is running. */
async function untilRunning(applicationName: string, sql: string): Promise<void> {
  for (let attempt = 0; attempt < 500; attempt++) {
    const { rowCount } = await admin.pool.query(`select 1 from pg_stat_activity where application_name = $1 and state = 'active' and query = $2`, [
      applicationName,
      sql,
    ]);
    if (rowCount) return;
  }
  throw new Error(`"${sql}" never started`);
}

describe('a database connection that drops', () => {
  it('does not crash the process: the statements on it fail as unavailable, and the next requests succeed', async () => {
    const database = databaseAt(admin.url);
    const app = await buildApp({ database, config: { secureCookies: false } });
    try {
      expect((await listCustomers(app)).statusCode).toBe(200);
      // A client checked out mid-transaction, idle between two statements (nobody is awaiting it).
      const checkedOut: pg.PoolClient = await database.pool.connect();
      await checkedOut.query('begin');
      await checkedOut.query('select 1');
      const checkedOutEnded = new Promise<void>((resolve) => checkedOut.once('end', () => resolve()));
      // A transaction in the middle of a statement.
      const sleeping = withTransaction(database.pool, (client) => client.query('select pg_sleep(30)')).then(
        () => undefined,
        (error: unknown) => error,
      );
      await untilRunning(database.applicationName, 'select pg_sleep(30)');
      // Requests in flight while the backends end.
      const inFlight = Array.from({ length: 6 }, () => listCustomers(app));

      expect(await terminateBackends(database.applicationName)).toBeGreaterThanOrEqual(2);
      await checkedOutEnded;

      await expect(checkedOut.query('select 1')).rejects.toThrow();
      checkedOut.release();
      expect(databaseUnavailable(await sleeping)?.code).toBe('unavailable');
      for (const response of await Promise.all(inFlight)) expect([200, 503]).toContain(response.statusCode);
      // The pool dropped the broken connections and makes new ones.
      for (let i = 0; i < 6; i++) expect((await listCustomers(app)).statusCode).toBe(200);
    } finally {
      await app.close();
      await database.close();
    }
  });

  it('answers 503 "unavailable", never 500, while the database cannot be reached', async () => {
    const database = databaseAt(`postgres://kizuna@127.0.0.1:${await closedPort()}/kizuna`);
    const app = await buildApp({ database, config: { secureCookies: false } });
    try {
      const response = await listCustomers(app);
      expect(response.statusCode).toBe(503);
      expect(response.json()).toMatchObject({ code: 'unavailable', message: expect.stringMatching(/database is unavailable/) });
      const login = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'a@example.jp', password: 'correct horse battery' } });
      expect(login.statusCode).toBe(503);
    } finally {
      await app.close();
      await database.close();
    }
  });
});

describe('the statement timeout and the request deadline', () => {
  it('a statement cancelled by the statement timeout answers 503 with a clear message', async () => {
    const database = databaseAt(admin.url, { statementTimeoutMs: 50 });
    const app = await buildApp({ database, config: { secureCookies: false } });
    app.get('/slow-statement', async () => (await database.pool.query('select pg_sleep(5)')).rowCount);
    try {
      const response = await app.inject({ method: 'GET', url: '/slow-statement' });
      expect(response.statusCode).toBe(503);
      expect(response.json()).toMatchObject({ code: 'unavailable', message: expect.stringMatching(/statement timeout \(KIZUNA_STATEMENT_TIMEOUT_MS\)/) });
      // The connection stays usable.
      expect((await listCustomers(app)).statusCode).toBe(200);
    } finally {
      await app.close();
      await database.close();
    }
  });

  it('a request still running at the deadline answers 503 instead of waiting forever', async () => {
    let release = () => {};
    const stuck = new Promise<void>((resolve) => {
      release = resolve;
    });
    const app = await buildApp({ database: admin, config: { secureCookies: false, requestTimeoutMs: 50 } });
    app.get('/stuck', async () => {
      await stuck;
      return 'late';
    });
    try {
      const response = await app.inject({ method: 'GET', url: '/stuck' });
      expect(response.statusCode).toBe(503);
      expect(response.json()).toMatchObject({ code: 'unavailable', message: expect.stringMatching(/request deadline \(KIZUNA_REQUEST_TIMEOUT_MS\)/) });
    } finally {
      release();
      await app.close();
    }
  });
});

/** A port nothing listens on. */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
