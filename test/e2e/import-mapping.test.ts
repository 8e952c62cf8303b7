import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Workspace } from '../../src/workspaces/workspaces.ts';
import { connectTestDatabase, freshWorkspace } from '../support/database.ts';
import { startConsole, type RunningConsole } from '../support/e2e.ts';

/**
 * The import page's column-mapping step in a real Chromium: a customer export whose id column
 * has a header Kizuna does not know is mapped by the operator, imports, and the next export
 * with the same header is mapped already.
 */

const database = connectTestDatabase();
let workspace: Workspace;
let running: RunningConsole;
let page: Page;

/** A membership system's export: "会員No" is no header Kizuna knows, so no column feeds customer_id. */
const memberFile = (rows: string[][]) => Buffer.from(`${['会員No,氏名,ランク', ...rows.map((row) => row.join(','))].join('\n')}\n`);

async function storedCustomers(): Promise<{ external_id: string; name: string | null }[]> {
  return database.db.selectFrom('customers').select(['external_id', 'name']).where('workspace_id', '=', workspace.id).orderBy('external_id').execute();
}

async function preview(name: string, file: Buffer): Promise<void> {
  await page.getByLabel('データの種類').selectOption('customers');
  await page.getByLabel('CSVファイル').setInputFiles({ name, mimeType: 'text/csv', buffer: file });
  await page.getByRole('button', { name: 'プレビュー' }).click();
  await page.getByRole('region', { name: 'プレビュー結果' }).waitFor();
}

beforeAll(async () => {
  workspace = await freshWorkspace(database);
  running = await startConsole(database);
  const admin = await running.user('admin', 'E2E 取込担当');
  ({ page } = await running.signedInPage(admin));
  await page.goto(`${running.baseUrl}/w/${workspace.name}/import`);
  await page.getByRole('heading', { level: 1, name: 'データ取込' }).waitFor();
});

afterAll(async () => {
  await running?.close();
  await database.close();
});

describe('the import page column mapping', () => {
  it('asks for the field of an unknown column, imports with the mapping, and counts what it lists', async () => {
    await preview(
      'members-1.csv',
      memberFile([
        ['M-1', '山田 花子', 'ゴールド'],
        ['M-2', '佐藤 美咲', 'シルバー'],
      ]),
    );
    const step = page.getByRole('form', { name: '列の対応付けを確認してください' });
    await step.waitFor();
    expect(await step.getByRole('alert').textContent()).toContain('customer_id');
    // The report's counters agree with the one error it lists (no column for customer_id).
    const report = page.getByRole('region', { name: 'プレビュー結果' });
    expect(await report.locator('.stat').filter({ hasText: 'エラー件数' }).locator('.stat-value').textContent()).toBe('1');
    expect(await report.getByRole('table', { name: 'エラー一覧' }).getByRole('row').count()).toBe(2);

    await step.getByLabel('取込先の項目: 会員No').selectOption('customer_id');
    await step.getByRole('button', { name: 'この対応付けでプレビュー' }).click();
    await expect
      .poll(async () => (await page.getByRole('table', { name: '列の対応付け' }).getByRole('row').allTextContents()).join('|'))
      .toContain('会員Nocustomer_id');
    expect(await page.getByRole('table', { name: 'エラー一覧' }).isVisible()).toBe(false);
    expect(await report.locator('.stat').filter({ hasText: 'エラー件数' }).locator('.stat-value').textContent()).toBe('0');

    await page.getByRole('button', { name: '取り込む', exact: true }).click();
    await page.getByRole('status').filter({ hasText: '2 行を取り込みました。' }).waitFor();
    expect(await storedCustomers()).toEqual([
      { external_id: 'M-1', name: '山田 花子' },
      { external_id: 'M-2', name: '佐藤 美咲' },
    ]);
  });

  it('maps the next file with the same header as remembered', async () => {
    await page.getByRole('button', { name: '別のファイルを選ぶ' }).click();
    await preview('members-2.csv', memberFile([['M-3', '鈴木 陽菜', 'ブロンズ']]));
    await page.getByRole('status').filter({ hasText: '記憶していた列の対応付けを使いました。' }).waitFor();
    expect((await page.getByRole('table', { name: '列の対応付け' }).getByRole('row').allTextContents()).join('|')).toContain('会員Nocustomer_id');
    await page.getByRole('button', { name: '取り込む', exact: true }).click();
    await page.getByRole('status').filter({ hasText: '1 行を取り込みました。' }).waitFor();
    expect((await storedCustomers()).map((c) => c.external_id)).toEqual(['M-1', 'M-2', 'M-3']);
  });
});
