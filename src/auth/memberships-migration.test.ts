import { copyFile, mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { migrate, migrationsDir } from '../db/migrator.ts';

/**
 * Migration 0010 on an instance that has users and workspaces from before roles per
 * workspace: nobody loses access (every user becomes a member of every workspace with the role
 * they had), and the former admins become instance admins.
 */
const scratchName = `kizuna_upgrade_${process.pid}_${Date.now()}`;
const serverUrl = inject('databaseUrl');
const scratchUrl = (() => {
  const url = new URL(serverUrl);
  url.pathname = `/${scratchName}`;
  return url.toString();
})();
let admin: pg.Client;
let pool: pg.Pool;

beforeAll(async () => {
  admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${scratchName}`);
  pool = new pg.Pool({ connectionString: scratchUrl, max: 2 });
});
afterAll(async () => {
  await pool.end();
  await admin.query(`drop database if exists ${scratchName}`);
  await admin.end();
});

describe('migration 0010 (workspace members)', () => {
  it('makes every existing user a member of every existing workspace with their role, and admins instance admins', async () => {
    const before = await mkdtemp(path.join(tmpdir(), 'kizuna-migrations-'));
    const files = (await readdir(migrationsDir)).filter((file) => file.endsWith('.sql')).sort();
    for (const file of files.filter((f) => f < '0010')) await copyFile(path.join(migrationsDir, file), path.join(before, file));
    await migrate(pool, before);
    await pool.query(`insert into workspaces (name) values ('brand-a'), ('brand-b')`);
    await pool.query(`insert into users (email, display_name, role, password_hash) values
      ('boss@example.jp', 'Boss', 'admin', 'x'), ('help@example.jp', 'Help', 'support', 'x')`);

    const upgrade = files.find((f) => f.startsWith('0010_'))!;
    await copyFile(path.join(migrationsDir, upgrade), path.join(before, upgrade));
    await migrate(pool, before);

    const { rows } = await pool.query<{ email: string; workspace: string; role: string; instance_admin: boolean }>(`
      select u.email, w.name as workspace, m.role, u.instance_admin
      from workspace_members m join users u on u.id = m.user_id join workspaces w on w.id = m.workspace_id
      order by u.email, w.name`);
    expect(rows).toEqual([
      { email: 'boss@example.jp', workspace: 'brand-a', role: 'admin', instance_admin: true },
      { email: 'boss@example.jp', workspace: 'brand-b', role: 'admin', instance_admin: true },
      { email: 'help@example.jp', workspace: 'brand-a', role: 'support', instance_admin: false },
      { email: 'help@example.jp', workspace: 'brand-b', role: 'support', instance_admin: false },
    ]);
  });
});
