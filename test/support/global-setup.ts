import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../src/db/embedded.ts';
import { migrate } from '../../src/db/migrator.ts';
import { buildServerIfStale } from '../../scripts/build-server.ts';

/**
 * One database for the whole run, made fresh and migrated here: on the server named by
 * DATABASE_URL when set (this machine's PostgreSQL), otherwise on an embedded PostgreSQL, so
 * the suite passes on a fresh machine too. Test files isolate themselves by workspace.
 * The CLI tests run bin/kizuna.js, which runs dist/: it is compiled first when older than src/.
 */
declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

let embedded: EmbeddedDatabase | undefined;
let adminUrl: string;
let databaseName: string;

export async function setup(project: TestProject): Promise<void> {
  await buildServerIfStale();
  if (process.env.DATABASE_URL) {
    adminUrl = process.env.DATABASE_URL;
  } else {
    embedded = await startEmbeddedPostgres(path.resolve('.kizuna-test'), (line) => console.error(line));
    adminUrl = embedded.url;
  }
  databaseName = `kizuna_test_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${databaseName}`);
  await admin.end();
  const url = withDatabase(adminUrl, databaseName);
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  await migrate(pool);
  await pool.end();
  project.provide('databaseUrl', url);
}

export async function teardown(): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`drop database if exists ${databaseName} with (force)`);
  await admin.end();
  await embedded?.stop();
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}
