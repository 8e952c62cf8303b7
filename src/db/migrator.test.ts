import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectTestDatabase } from '../../test/support/database.ts';
import { migrate } from './migrator.ts';

const database = connectTestDatabase();
afterAll(() => database.close());

// Each test migrates a schema of its own (first on the search path) from a folder of its own.
let schema: string;
let dir: string;
let pool: pg.Pool;
beforeEach(async () => {
  schema = `migrator_${randomUUID().slice(0, 8)}`;
  await database.pool.query(`create schema ${schema}`);
  pool = new pg.Pool({ connectionString: database.url, max: 2, options: `-c search_path=${schema}` });
  dir = await mkdtemp(path.join(tmpdir(), 'kizuna-migrations-'));
});
afterEach(async () => {
  await pool.end();
  await database.pool.query(`drop schema ${schema} cascade`);
  await rm(dir, { recursive: true, force: true });
});

const file = (name: string, sql: string) => writeFile(path.join(dir, name), sql);
const tables = async () =>
  (await database.pool.query<{ table_name: string }>('select table_name from information_schema.tables where table_schema = $1 order by 1', [schema])).rows.map(
    (r) => r.table_name,
  );

describe('migrate', () => {
  it('applies the pending files in name order, each once', async () => {
    await file('0002_b.sql', 'create table b (a_id int references a (id));');
    await file('0001_a.sql', 'create table a (id int primary key);');
    await file('notes.txt', 'not a migration');
    expect(await migrate(pool, dir)).toEqual({ applied: ['0001_a.sql', '0002_b.sql'] });
    expect(await migrate(pool, dir)).toEqual({ applied: [] });
    await file('0003_c.sql', 'create table c (id int);');
    expect(await migrate(pool, dir)).toEqual({ applied: ['0003_c.sql'] });
    expect(await tables()).toEqual(['a', 'b', 'c', 'kizuna_migrations']);
  });

  it('refuses to run when an applied file was changed, and applies nothing', async () => {
    await file('0001_a.sql', 'create table a (id int primary key);');
    await migrate(pool, dir);
    await file('0001_a.sql', 'create table a (id bigint primary key);');
    await file('0002_b.sql', 'create table b (id int);');
    await expect(migrate(pool, dir)).rejects.toThrow('Migration 0001_a.sql was changed after it was applied; add a new migration instead.');
    expect(await tables()).toEqual(['a', 'kizuna_migrations']);
  });

  it('refuses to run when an applied file was removed', async () => {
    await file('0001_a.sql', 'create table a (id int primary key);');
    await file('0002_b.sql', 'create table b (id int);');
    await migrate(pool, dir);
    await unlink(path.join(dir, '0001_a.sql'));
    await expect(migrate(pool, dir)).rejects.toThrow(/^Migration 0001_a.sql is applied in the database but its file is missing/);
  });

  it('refuses a new file that sorts before one already applied', async () => {
    await file('0001_a.sql', 'create table a (id int primary key);');
    await file('0003_c.sql', 'create table c (id int);');
    await migrate(pool, dir);
    await file('0002_b.sql', 'create table b (id int);');
    await expect(migrate(pool, dir)).rejects.toThrow('Migration 0002_b.sql sorts before 0003_c.sql, which is already applied; rename it to come last.');
    expect(await tables()).toEqual(['a', 'c', 'kizuna_migrations']);
  });

  it('rolls a failing migration back whole and does not record it; the ones before it stay applied', async () => {
    await file('0001_a.sql', 'create table a (id int primary key);');
    await file('0002_b.sql', 'create table b (id int); select * from no_such_table;');
    await expect(migrate(pool, dir)).rejects.toThrow(/^Migration 0002_b.sql failed: relation "no_such_table" does not exist/);
    expect(await tables()).toEqual(['a', 'kizuna_migrations']);
    const { rows } = await pool.query<{ name: string }>('select name from kizuna_migrations');
    expect(rows.map((r) => r.name)).toEqual(['0001_a.sql']);
  });

  it('applies each file once when two processes migrate at the same time', async () => {
    await file('0001_a.sql', 'create table a (id int primary key);');
    await file('0002_b.sql', 'create table b (id int);');
    const other = new pg.Pool({ connectionString: database.url, max: 1, options: `-c search_path=${schema}` });
    try {
      const [first, second] = await Promise.all([migrate(pool, dir), migrate(other, dir)]);
      expect([...first.applied, ...second.applied].sort()).toEqual(['0001_a.sql', '0002_b.sql']);
    } finally {
      await other.end();
    }
  });
});
