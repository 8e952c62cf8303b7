import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestBatch } from '../../src/ingest/ingest-batch.ts';
import type { BatchKind } from '../../src/ingest/records.ts';
import { fixedClock } from '../../src/shared/clock.ts';
import type { Workspace } from '../../src/workspaces/workspaces.ts';
import { connectTestDatabase, freshWorkspace, withTransaction } from '../support/database.ts';
import { startConsole, type RunningConsole } from '../support/e2e.ts';

/**
 * Subscriptions (定期) in the console, in a real Chromium against the real server: the customer
 * 360 page shows a customer's subscriptions with their status, cycle, deliveries, cancellation
 * reason and history, and the customer list filters by subscription status.
 */

const screenshots = path.resolve('test-results');
const database = connectTestDatabase();
let workspace: Workspace;
let running: RunningConsole;
let page: Page;

function ingest(kind: BatchKind, records: unknown[], at = '2024-06-01T00:00:00Z') {
  const writer = { clock: fixedClock(at), actor: 'import' };
  return withTransaction(database.pool, (client) => ingestBatch({ client, workspace, kind, records, mode: 'all-or-nothing', writer }));
}

async function seed(): Promise<void> {
  await ingest('products', [{ sku: 'SERUM-30', name: '美容液 30日分', price: 3980 }]);
  await ingest('customers', [
    { customer_id: 'K-1', name: '山田 花子' },
    { customer_id: 'K-2', name: '佐藤 美咲' },
    { customer_id: 'K-3', name: '鈴木 陽菜' },
  ]);
  const base = { sku: 'SERUM-30', course: '美容液定期コース', cycle: '1ヶ月ごと', started_at: '2024-01-10' };
  await ingest('subscriptions', [
    { ...base, subscription_id: 'T-100', customer_id: 'K-1', status: 'active', deliveries: 5, next_delivery_on: '2024-06-10' },
    { ...base, subscription_id: 'T-200', customer_id: 'K-3', status: 'paused', deliveries: 2 },
  ]);
  // K-1 cancels T-100 in words; the reason is matched to 価格 and the words kept.
  await ingest(
    'subscriptions',
    [
      {
        ...base,
        subscription_id: 'T-100',
        customer_id: 'K-1',
        status: 'cancelled',
        deliveries: 5,
        skips: 1,
        cancelled_at: '2024-06-05',
        cancel_reason: '値段が高いので',
        changed_by: 'CS 田中',
      },
    ],
    '2024-06-06T00:00:00Z',
  );
  await ingest('orders', [
    {
      order_id: 'ORD-1',
      customer_id: 'K-1',
      ordered_at: '2024-05-10',
      subscription_id: 'T-100',
      delivery_number: 5,
      items: [{ sku: 'SERUM-30', quantity: 1, unit_price: 3980 }],
    },
  ]);
}

async function listedNames(): Promise<string[]> {
  const table = page.getByRole('table', { name: '顧客一覧' });
  if (!(await table.isVisible()) || (await table.locator('xpath=..').getAttribute('aria-busy')) === 'true') return [];
  return table.getByRole('link').allTextContents();
}

beforeAll(async () => {
  mkdirSync(screenshots, { recursive: true });
  workspace = await freshWorkspace(database);
  await seed();
  running = await startConsole(database);
  const user = await running.user('marketing', 'E2E 定期', [workspace]);
  ({ page } = await running.signedInPage(user));
});

afterAll(async () => {
  await running?.close();
  await database.close();
});

describe('subscriptions in the console', () => {
  it('filters the customer list by subscription status', async () => {
    await page.goto(`${running.baseUrl}/w/${encodeURIComponent(workspace.name)}/customers?sort=registered&order=asc`);
    await expect.poll(listedNames).toEqual(['山田 花子', '佐藤 美咲', '鈴木 陽菜']);
    const filter = page.getByRole('combobox', { name: /^定期購入/ });
    await filter.selectOption({ label: '休止中の定期あり' });
    await expect.poll(listedNames).toEqual(['鈴木 陽菜']);
    expect(page.url()).toContain('subscription=paused');
    await filter.selectOption({ label: '解約した定期あり' });
    await expect.poll(listedNames).toEqual(['山田 花子']);
    await filter.selectOption({ label: '定期なし' });
    await expect.poll(listedNames).toEqual(['佐藤 美咲']);
    await page.screenshot({ path: path.join(screenshots, 'subscriptions-filter.png'), fullPage: true });
  });

  it("shows a customer's subscription on the 360 page: status, cycle, deliveries, reason and history", async () => {
    await page.getByRole('combobox', { name: /^定期購入/ }).selectOption({ label: '解約した定期あり' });
    await expect.poll(listedNames).toEqual(['山田 花子']);
    await page.getByRole('link', { name: '山田 花子' }).click();
    const card = page.getByRole('region', { name: '定期購入' });
    const subscription = card.getByRole('article', { name: '定期 T-100' });
    await subscription.waitFor();
    const text = await subscription.textContent();
    for (const expected of ['解約', 'T-100', '美容液定期コース', '1ヶ月ごと', '5 回', '価格', '値段が高いので', 'SERUM-30', '美容液 30日分'])
      expect(text).toContain(expected);
    await subscription.getByText('ステータス履歴').click();
    const history = subscription.getByRole('table', { name: '定期 T-100 ステータス履歴' });
    const rows = await history.getByRole('row').allTextContents();
    expect(rows).toHaveLength(3);
    expect(rows[1]).toContain('解約');
    expect(rows[1]).toContain('CS 田中');
    expect(rows[2]).toContain('継続中');
    // The order that delivered it names the subscription and the delivery number.
    expect(await page.getByRole('article', { name: '注文番号 ORD-1' }).textContent()).toContain('定期 T-100・5 回目');
    // The timeline lists the same changes as events.
    const timeline = page.getByRole('region', { name: 'タイムライン' });
    await timeline.getByText('定期購入の解約').waitFor();
    await page.screenshot({ path: path.join(screenshots, 'subscriptions-360.png'), fullPage: true });
  });
});
