import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../src/shared/clock.ts';
import { createScenarioTasks, publishTaskScenario } from '../../src/tasks/test-tasks.ts';
import type { Workspace } from '../../src/workspaces/workspaces.ts';
import { connectTestDatabase, freshWorkspace } from '../support/database.ts';
import { type ConsoleUser, type RunningConsole, startConsole } from '../support/e2e.ts';

/**
 * タスク in the console, in a real Chromium against the real server: tasks a published scenario
 * created for nine customers (support, sales and marketing each), shown per department with
 * the customer, due date (overdue marked) and why; a support member takes one, marks it done,
 * and opens its customer; another department's tasks cannot be acted on; paging.
 */

const screenshots = path.resolve('test-results');
const database = connectTestDatabase();
const NAMES = ['山田 花子', '佐藤 美咲', '鈴木 陽菜', '高橋 結衣', '田中 葵', '伊藤 凛', '渡辺 さくら', '中村 心春', '小林 陽葵'];
// Ordered on June 1 (Tokyo 10:00); two days later the tasks: sales due June 4, support June 6, marketing June 13.
const clock = manualClock('2026-06-01T01:00:00.000Z');
// The browser's today: the sales tasks are overdue, the others not yet.
const BROWSER_NOW = new Date('2026-06-05T03:00:00.000Z');
let workspace: Workspace;
let running: RunningConsole;
let support: ConsoleUser;

async function openAs(user: ConsoleUser): Promise<{ context: BrowserContext; page: Page }> {
  const opened = await running.signedInPage(user);
  await opened.context.clock.setFixedTime(BROWSER_NOW);
  return opened;
}

const tasksUrl = (query = '') => `${running.baseUrl}/w/${encodeURIComponent(workspace.name)}/tasks${query}`;

async function rowTexts(page: Page): Promise<string[]> {
  const table = page.getByRole('table', { name: 'タスク一覧' });
  await table.waitFor();
  return (await table.locator('tbody tr').allTextContents()).map((text) => text.replace(/\s+/g, ' '));
}

async function waitForRows(page: Page, count: number): Promise<string[]> {
  await expect.poll(async () => (await page.getByRole('table', { name: 'タスク一覧' }).locator('tbody tr').count()) === count).toBe(true);
  await expect.poll(async () => page.locator('.table-wrap[aria-busy="true"]').count()).toBe(0);
  return rowTexts(page);
}

beforeAll(async () => {
  mkdirSync(screenshots, { recursive: true });
  workspace = await freshWorkspace(database);
  const version = await publishTaskScenario(database.pool, workspace, clock);
  await createScenarioTasks({
    pool: database.pool,
    workspace,
    clock,
    version,
    customers: NAMES.map((name, i) => ({ externalId: `T-${i + 1}`, name })),
  });
  running = await startConsole(database);
  support = await running.user('support', 'サポート 佐藤', [workspace]);
});

afterAll(async () => {
  await running?.close();
  await database.close();
});

describe('tasks in the console', () => {
  it("opens on the member's department: each task with its customer, due date and why", async () => {
    const { page, context } = await openAs(support);
    await page.getByRole('navigation', { name: 'メインナビゲーション' }).getByRole('link', { name: 'タスク' }).click();
    await page.getByRole('heading', { name: 'タスク' }).waitFor();
    const departments = page.getByRole('group', { name: '部署' });
    expect(await departments.getByRole('button', { name: 'カスタマーサポート' }).getAttribute('aria-pressed')).toBe('true');
    const rows = await waitForRows(page, 9);
    for (const row of rows) {
      expect(row).toContain('お電話でご様子を伺う');
      expect(row).toContain('ご注文いただいてから2日後の方');
      expect(row).toContain('シナリオ「お試し後のフォロー」のステップ「call」');
      expect(row).not.toContain('期限切れ');
    }
    expect(rows.map((row) => NAMES.find((name) => row.includes(name)))).toEqual(NAMES);
    await page.screenshot({ path: path.join(screenshots, 'tasks-support.png'), fullPage: true });

    // Sales: overdue (due June 4, the browser's today is June 5), and support cannot act on them.
    await departments.getByRole('button', { name: '営業' }).click();
    const sales = await waitForRows(page, 9);
    for (const row of sales) {
      expect(row).toContain('定期便のご提案を準備する');
      expect(row).toContain('期限切れ');
    }
    const first = page.getByRole('table', { name: 'タスク一覧' }).locator('tbody tr').first();
    expect(await first.getAttribute('class')).toContain('task-overdue');
    expect(await first.getByRole('button', { name: '自分が担当する' }).isDisabled()).toBe(true);
    expect(await first.getByRole('button', { name: '完了にする' }).isDisabled()).toBe(true);
    expect(await first.textContent()).toContain('このタスクを操作できるのは営業の担当者と管理者です。');
    expect(page.url()).toContain('department=sales');
    await context.close();
  });

  it('takes a task (assign to me), finds it under mine, marks it done and finds it under done', async () => {
    const { page, context } = await openAs(support);
    await page.goto(tasksUrl('?department=support&view=open'));
    await waitForRows(page, 9);
    const row = page.getByRole('table', { name: 'タスク一覧' }).locator('tbody tr', { hasText: '佐藤 美咲' });
    await row.getByRole('button', { name: '自分が担当する' }).click();
    await page.getByRole('status').filter({ hasText: '「お電話でご様子を伺う」を担当しました。' }).waitFor();
    await expect.poll(async () => row.textContent()).toContain('サポート 佐藤');

    await page.getByRole('group', { name: '表示' }).getByRole('button', { name: '自分の担当' }).click();
    const mine = await waitForRows(page, 1);
    expect(mine[0]).toContain('佐藤 美咲');
    await page.getByRole('button', { name: '完了にする' }).click();
    await page.getByText('「お電話でご様子を伺う」を完了にしました。').waitFor();
    await page.getByText('あなたが担当している未完了のタスクはありません。').waitFor();

    await page.getByRole('group', { name: '表示' }).getByRole('button', { name: '完了', exact: true }).click();
    const done = await waitForRows(page, 1);
    expect(done[0]).toContain('佐藤 美咲');
    expect(done[0]).not.toContain('完了にする');
    await page.getByRole('group', { name: '表示' }).getByRole('button', { name: '未完了' }).click();
    expect(await waitForRows(page, 8)).not.toContainEqual(expect.stringContaining('佐藤 美咲'));
    await context.close();
  });

  it("links each task to its customer's page", async () => {
    const { page, context } = await openAs(support);
    await page.goto(tasksUrl('?department=support'));
    await waitForRows(page, 8);
    await page.getByRole('table', { name: 'タスク一覧' }).getByRole('link', { name: '鈴木 陽菜' }).click();
    await page.getByRole('heading', { name: '鈴木 陽菜' }).waitFor();
    expect(page.url()).toMatch(/\/customers\/\d+$/);
    await context.close();
  });

  it('pages through all departments, and a read-only member sees the actions disabled', async () => {
    const reader = await running.user('read_only', '閲覧 担当', [workspace]);
    const { page, context } = await openAs(reader);
    await page.goto(tasksUrl());
    expect(await page.getByRole('group', { name: '部署' }).getByRole('button', { name: 'すべての部署' }).getAttribute('aria-pressed')).toBe('true');
    // 26 open tasks (27 made, one done): 25 on the first page, 1 on the second.
    await waitForRows(page, 25);
    await page.getByText('1〜25 件目').waitFor();
    const pages = page.getByRole('navigation', { name: 'ページ送り' });
    expect(await pages.getByRole('button', { name: /前へ/ }).isDisabled()).toBe(true);
    await pages.getByRole('button', { name: /次へ/ }).click();
    const last = await waitForRows(page, 1);
    expect(last[0]).toContain('手書きのカードを送る');
    await page.getByText('26〜26 件目').waitFor();
    expect(await pages.getByRole('button', { name: /次へ/ }).isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: '完了にする' }).isDisabled()).toBe(true);
    expect(last[0]).toContain('閲覧のみの権限ではタスクを操作できません。');
    await context.close();
  });
});
