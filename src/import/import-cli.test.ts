import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { fixture } from '../../test/fixtures/import/support.ts';
import { connectTestDatabase, freshWorkspace } from '../../test/support/database.ts';
import type { Workspace } from '../workspaces/workspaces.ts';

const database = connectTestDatabase();
let workspace: Workspace;
let scratch: string;

beforeAll(async () => {
  workspace = await freshWorkspace(database);
  scratch = await mkdtemp(path.join(tmpdir(), 'kizuna-cli-import-'));
});
afterAll(() => database.close());

/** Runs `node bin/kizuna.js import ...` against the test database. */
function kizuna(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['bin/kizuna.js', 'import', ...args],
      {
        cwd: path.resolve(import.meta.dirname, '../..'),
        env: { ...process.env, DATABASE_URL: inject('databaseUrl') },
      },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

async function orderCount() {
  return (await database.db.selectFrom('orders').select('id').where('workspace_id', '=', workspace.id).execute()).length;
}

describe('kizuna import', () => {
  it('imports an order export and prints a summary, exit code 0', async () => {
    const run = await kizuna('orders', fixture('orders-ja.csv'), '--workspace', workspace.name);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('utf-8, 6 lines, 4 orders');
    expect(run.stdout).toContain('受注番号 → order_id');
    expect(run.stdout).toContain('合計金額 → (ignored)');
    expect(run.stdout).toMatch(/Stored 6 lines in/);
    expect(await orderCount()).toBe(4);
  });

  it('lists every error and stores nothing when errors reject the file, exit code 1', async () => {
    const before = await orderCount();
    const run = await kizuna('orders', fixture('orders-mixed.csv'), '--workspace', workspace.name);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('line 3, 受注日時 "2024/02/31": no such date: "2024/02/31"');
    expect(run.stdout).toContain('line 4, 数量 "-1": quantity must be at least 1');
    expect(run.stdout).toContain('line 5, 商品コード "NOPE-1": unknown product code "NOPE-1"');
    expect(run.stdout).toContain('line 7, 受注日時 "2024/1/9": ordered_at differs from line 6');
    expect(run.stdout).toContain('Nothing was stored: 4 error(s)');
    expect(await orderCount()).toBe(before);
  });

  it('prints the full report as JSON, and with --skip-invalid stores the valid lines and writes the rejected ones', async () => {
    const rejected = path.join(scratch, 'rejected.csv');
    const run = await kizuna('orders', fixture('orders-mixed.csv'), '--workspace', workspace.name, '--skip-invalid', '--rejected', rejected, '--json');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({ stored: true, rows: 7, valid: 2, invalid: 5, rejectedPath: rejected });
    expect(report.errors.map((e: { line: number }) => e.line)).toEqual([3, 4, 5, 7]);
    expect((await readFile(rejected, 'utf8')).split('\r\n')).toHaveLength(7);
  });

  it('checks without storing on --dry-run, and reads an explicit --mapping', async () => {
    const file = path.join(scratch, 'odd-headers.csv');
    await writeFile(file, '伝票,日付,お客様,品番,品名,数,金額\nZ-1,2024/3/1,Z-1,P-1,石鹸,2,500\n');
    const mapping = path.join(scratch, 'mapping.json');
    await writeFile(
      mapping,
      JSON.stringify({ 伝票: 'order_id', 日付: 'ordered_at', お客様: 'customer_id', 品名: 'product_name', 数: 'quantity', 金額: 'unit_price' }),
    );
    const before = await orderCount();
    const dry = await kizuna('orders', file, '--workspace', workspace.name, '--mapping', mapping, '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('Dry run: 1 lines would be stored, 0 rejected; nothing was stored.');
    expect(await orderCount()).toBe(before);
    const unmapped = await kizuna('orders', file, '--workspace', workspace.name);
    expect(unmapped.code).toBe(1);
    expect(unmapped.stdout).toMatch(/no column for order_id/);
  });

  it('refuses an unknown kind and an unknown workspace with a clear message', async () => {
    const kind = await kizuna('invoices', fixture('orders-ja.csv'), '--workspace', workspace.name);
    expect(kind.code).toBe(1);
    expect(kind.stderr).toContain('Unknown kind "invoices"');
    const missing = await kizuna('orders', fixture('orders-ja.csv'), '--workspace', 'no-such-workspace');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('No workspace named "no-such-workspace"');
  });
});
