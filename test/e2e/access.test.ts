import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Workspace } from '../../src/workspaces/workspaces.ts';
import { connectTestDatabase, freshWorkspace } from '../support/database.ts';
import { SCREENSHOTS, startConsole, type ConsoleUser, type RunningConsole } from '../support/e2e.ts';

/**
 * The members and API keys pages, end to end: an admin of one workspace sees only it,
 * invites a new user (first password shown once), changes a role, cannot demote the last
 * admin, removes a member; creates an API key (shown once), sees it listed by prefix only,
 * revokes it. A read-only member gets neither page. No page breaks the Content-Security-Policy.
 */
const database = connectTestDatabase();
let running: RunningConsole;
let brand: Workspace;
let other: Workspace;
let admin: ConsoleUser;
let page: Page;
const cspViolations: string[] = [];

beforeAll(async () => {
  brand = await freshWorkspace(database);
  other = await freshWorkspace(database);
  running = await startConsole(database);
  admin = await running.user('admin', '管理 花子', [brand]);
  // Only this admin: instance admins of other test files may have joined the new workspace.
  const adminId = (await database.db.selectFrom('users').select('id').where('email', '=', admin.email).executeTakeFirstOrThrow()).id;
  await database.db.deleteFrom('workspace_members').where('workspace_id', '=', brand.id).where('user_id', '<>', adminId).execute();
  ({ page } = await running.signedInPage(admin));
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
  });
});
afterAll(async () => {
  await running?.close();
  await database.close();
});

const shot = (name: string) => page.screenshot({ path: path.join(SCREENSHOTS, `access-${name}.png`), fullPage: true });

describe('members', () => {
  it('shows an admin only the workspaces it is a member of', async () => {
    await page.goto(`${running.baseUrl}/w/${brand.name}`);
    await page.getByRole('heading', { level: 1 }).waitFor();
    const options = await page.getByLabel('ワークスペース').locator('option').allTextContents();
    expect(options).toEqual([brand.name]);
    await page.goto(`${running.baseUrl}/w/${other.name}`);
    await page.getByRole('alert').waitFor();
  });

  it('invites a new user with a first password shown once, changes a role and removes a member', async () => {
    await page.goto(`${running.baseUrl}/w/${brand.name}`);
    await page.getByRole('navigation', { name: 'メインナビゲーション' }).getByRole('link', { name: 'メンバー' }).click();
    await page.getByRole('heading', { name: 'メンバー', exact: true }).waitFor();
    const table = page.getByRole('table', { name: 'メンバー一覧' });
    await table.locator(`tr[data-email="${admin.email}"]`).waitFor();

    const email = `new-${Date.now()}@example.jp`;
    await page.getByLabel('メールアドレス').fill(email);
    await page.getByLabel('表示名(新しいユーザーのみ・任意)').fill('新人 一郎');
    await page.getByLabel('ロール', { exact: true }).selectOption('marketing');
    await page.getByRole('button', { name: '追加する' }).click();
    const notice = page.getByRole('status').filter({ hasText: `${email} のアカウントを作成しました。` });
    await notice.waitFor();
    const password = (await notice.locator('code').textContent())!;
    expect(password).toMatch(/^[\w-]{20}$/);
    await table.locator(`tr[data-email="${email}"]`).waitFor();
    expect(await page.getByRole('combobox', { name: '新人 一郎 のロール' }).inputValue()).toBe('marketing');
    await shot('members');

    await page.getByRole('combobox', { name: '新人 一郎 のロール' }).selectOption('read_only');
    await page.getByRole('status').filter({ hasText: '新人 一郎 のロールを「閲覧のみ」に変更しました。' }).waitFor();

    // The only admin cannot demote themselves.
    await page.getByRole('combobox', { name: '管理 花子 のロール' }).selectOption('sales');
    await page.getByRole('alert').filter({ hasText: '最後の管理者は外すことも' }).waitFor();
    expect(await page.getByRole('combobox', { name: '管理 花子 のロール' }).inputValue()).toBe('admin');

    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: '新人 一郎 を外す' }).click();
    await page.getByRole('status').filter({ hasText: '新人 一郎 を外しました。' }).waitFor();
    // The list is read again after the removal: wait for the row to go, then check it stays gone.
    await table.locator(`tr[data-email="${email}"]`).waitFor({ state: 'detached' });
    expect(await table.locator(`tr[data-email="${email}"]`).count()).toBe(0);
  });

  it('gives a read-only member neither page nor link', async () => {
    const reader = await running.user('read_only', '閲覧 次郎', [brand]);
    const { page: readerPage, context } = await running.signedInPage(reader);
    try {
      await readerPage.goto(`${running.baseUrl}/w/${brand.name}/members`);
      await readerPage.getByText('この画面はこのワークスペースの管理者だけが使えます。').waitFor();
      expect(await readerPage.getByRole('navigation', { name: 'メインナビゲーション' }).getByRole('link', { name: 'メンバー' }).count()).toBe(0);
    } finally {
      await context.close();
    }
  });
});

describe('API keys', () => {
  it('creates a key shown once, lists it by prefix only, and revokes it', async () => {
    await page.goto(`${running.baseUrl}/w/${brand.name}/api-keys`);
    await page.getByRole('heading', { name: 'API キー', exact: true }).waitFor();
    await page.getByLabel('名前(用途。例: EC サイト連携)').fill('EC 連携');
    await page.getByLabel('ロール', { exact: true }).selectOption('marketing');
    await page.getByRole('button', { name: '作成する' }).click();
    const notice = page.getByRole('status').filter({ hasText: 'API キー「EC 連携」を作成しました。' });
    await notice.waitFor();
    const key = (await notice.locator('code').textContent())!;
    expect(key).toMatch(/^kz_[0-9a-f]{8}_/);
    const row = page.getByRole('table', { name: 'API キー一覧' }).locator('tr[data-key="EC 連携"]');
    await row.waitFor();
    expect(await row.textContent()).toContain(`kz_${key.split('_')[1]}_…`);
    expect(await row.textContent()).toContain('有効');
    await shot('api-keys');

    // The key works until revoked.
    const call = () => fetch(`${running.baseUrl}/api/v1/workspaces`, { headers: { authorization: `Bearer ${key}` } });
    expect((await call()).status).toBe(200);
    page.once('dialog', (dialog) => void dialog.accept());
    await row.getByRole('button', { name: 'EC 連携 を無効にする' }).click();
    await page.getByRole('status').filter({ hasText: 'API キー「EC 連携」を無効にしました。' }).waitFor();
    await row.filter({ hasText: '無効化' }).waitFor();
    expect((await call()).status).toBe(401);
    // Reloaded, the page never shows the key again.
    await page.reload();
    await row.waitFor();
    expect(await page.content()).not.toContain(key);
  });
});

describe('Content-Security-Policy', () => {
  it('lets the console and the API docs run without a single violation', async () => {
    await page.goto(`${running.baseUrl}/docs`);
    await page.getByText('Kizuna API').first().waitFor();
    await page.locator('.opblock').first().waitFor();
    expect(cspViolations).toEqual([]);
  });
});
