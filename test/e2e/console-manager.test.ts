import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setAnalyticsSettings } from '../../src/analytics/settings.ts';
import { checkMessage } from '../../src/charter/check-message.ts';
import { seedDemoCharter } from '../../src/demo/demo-templates.ts';
import { ingestBatch } from '../../src/ingest/ingest-batch.ts';
import type { BatchKind } from '../../src/ingest/records.ts';
import type { Workspace } from '../../src/workspaces/workspaces.ts';
import { connectTestDatabase, freshWorkspace, withTransaction } from '../support/database.ts';
import { SCREENSHOTS, startConsole, type ConsoleUser, type RunningConsole } from '../support/e2e.ts';

/**
 * The console as a CRM manager uses it (issue 10 §5): a customer list that opens on buyers
 * and sorts and filters the way they ask.
 */

const database = connectTestDatabase();
let workspace: Workspace;
let running: RunningConsole;
let admin: ConsoleUser;
let page: Page;

function ingest(kind: BatchKind, records: unknown[]) {
  return withTransaction(database.pool, (client) => ingestBatch({ client, workspace, kind, records, mode: 'all-or-nothing' }));
}

const order = (id: string, customer: string, at: string, price: number) => ({
  order_id: id,
  customer_id: customer,
  ordered_at: at,
  status: 'delivered',
  items: [{ sku: 'AOJIRU-30', quantity: 1, unit_price: String(price), product_name: 'みのり青汁 30包' }],
});

// Leads registered last (the old list opened on them); three buyers:
//   青木 two purchases, last 2024-03-01, ¥6,000;  井上 one, 2024-04-01, ¥3,000;  上田 one, 2024-01-15, ¥9,000.
beforeAll(async () => {
  workspace = await freshWorkspace(database);
  // The fixture's purchases are of 2024; a ten-year churn window keeps them out of 離反 today,
  // so the RFM segments below come from the scores alone (離反 is the churn status, not R = 1).
  await setAnalyticsSettings({ pool: database.pool, workspaceId: workspace.id, changes: { churnWindowDays: 3650 } });
  await ingest('customers', [
    { customer_id: 'C-1', name: '青木 一郎' },
    { customer_id: 'C-2', name: '井上 二葉' },
    { customer_id: 'C-3', name: '上田 三奈' },
  ]);
  await ingest('orders', [
    order('O-1', 'C-1', '2024-01-10 10:00', 2000),
    order('O-2', 'C-1', '2024-03-01 10:00', 4000),
    order('O-3', 'C-2', '2024-04-01 10:00', 3000),
    order('O-4', 'C-3', '2024-01-15 10:00', 9000),
  ]);
  await ingest('customers', [
    { customer_id: 'L-1', name: '見込 一' },
    { customer_id: 'L-2', name: '見込 二' },
  ]);
  running = await startConsole(database);
  admin = await running.user('admin', 'E2E 管理者');
  ({ page } = await running.signedInPage(admin));
});

/**
 * A customer whose 360 page shows every kind of data Kizuna names (demo-brand attributes,
 * event properties, consent sources, an order confirmed on the "other" channel) and two
 * fields of the brand's own (好きな味, coupon_code, and a custom event type).
 */
async function seedProfileWithKizunaData(): Promise<void> {
  await ingest('customers', [
    {
      customer_id: 'D-1',
      name: '高橋 データ',
      email: 'data@example.jp',
      attributes: { customer_since: '2019-04-01', acquisition_source: 'web_ad', lead_source: 'line_friend', 好きな味: '抹茶' },
      consents: [{ channel: 'line', purpose: 'marketing', status: 'granted', at: '2024-01-05 10:00', source: 'line_friend_add' }],
    },
  ]);
  await ingest('orders', [{ ...order('O-D1', 'D-1', '2024-05-01 10:00', 3000), status: 'confirmed', channel: 'other' }]);
  await ingest('events', [
    {
      customer_id: 'D-1',
      type: 'page_view',
      occurred_at: '2024-05-01 09:50',
      properties: { path: '/products/aojiru-30', device: 'smartphone' },
      idempotency_key: 'd-1',
    },
    {
      customer_id: 'D-1',
      type: 'email_open',
      occurred_at: '2024-05-02 12:00',
      properties: { campaign: 'newsletter-2024-05', device: 'pc' },
      idempotency_key: 'd-2',
    },
    {
      customer_id: 'D-1',
      type: 'support_contact',
      occurred_at: '2024-05-03 12:00',
      properties: { topic: 'skip_delivery', via: 'phone', order_id: 'O-D1' },
      idempotency_key: 'd-3',
    },
    {
      customer_id: 'D-1',
      type: 'survey_answer',
      occurred_at: '2024-05-04 12:00',
      properties: { survey: 'trial_day14', felt_effect: true, satisfaction: 5 },
      idempotency_key: 'd-4',
    },
    { customer_id: 'D-1', type: 'review_posted', occurred_at: '2024-05-05 12:00', properties: { coupon_code: 'SPRING' }, idempotency_key: 'd-5' },
  ]);
}

afterAll(async () => {
  await running?.close();
  await database.close();
});

const consoleUrl = (path: string) => `${running.baseUrl}/w/${encodeURIComponent(workspace.name)}${path}`;

/** The names in the customer list, once it has settled (no request in flight). */
async function listedNames(): Promise<string[]> {
  const table = page.getByRole('table', { name: '顧客一覧' });
  if (!(await table.isVisible()) || (await table.locator('xpath=..').getAttribute('aria-busy')) === 'true') return [];
  return table.getByRole('link').allTextContents();
}

describe('the customer list', () => {
  it('opens on buyers by last purchase, leads after them', async () => {
    await page.goto(consoleUrl('/customers'));
    await expect.poll(listedNames).toEqual(['井上 二葉', '青木 一郎', '上田 三奈', '見込 二', '見込 一']);
    const header = page.getByRole('columnheader', { name: /最終購入日/ });
    expect(await header.getAttribute('aria-sort')).toBe('descending');
  });

  it('sorts by total spend from the column header, both directions, and keeps the order in the URL', async () => {
    await page.getByRole('button', { name: /累計購入額で並べ替え/ }).click();
    await expect.poll(listedNames).toEqual(['上田 三奈', '青木 一郎', '井上 二葉', '見込 二', '見込 一']);
    expect(await page.getByRole('columnheader', { name: /累計購入額/ }).getAttribute('aria-sort')).toBe('descending');
    await page.getByRole('button', { name: /累計購入額で並べ替え/ }).click();
    await expect.poll(listedNames).toEqual(['井上 二葉', '青木 一郎', '上田 三奈', '見込 二', '見込 一']);
    expect(page.url()).toContain('sort=totalSpend');
    expect(page.url()).toContain('order=asc');
    await page.reload();
    await expect.poll(listedNames).toEqual(['井上 二葉', '青木 一郎', '上田 三奈', '見込 二', '見込 一']);
    expect(await page.getByLabel('並び順').inputValue()).toBe('totalSpend:asc');
    await page.screenshot({ path: `${SCREENSHOTS}/console-customers-sorted.png`, fullPage: true });
  });

  it('sorts by last purchase, oldest first, from the sort menu', async () => {
    await page.getByLabel('並び順').selectOption('lastPurchase:asc');
    await expect.poll(listedNames).toEqual(['上田 三奈', '青木 一郎', '井上 二葉', '見込 二', '見込 一']);
  });

  // As of today (any day after April 2024) the three buyers score against each other: recency
  // 上田 > 青木 > 井上 gives R 2, 4, 5; purchases 1, 2, 1 give F 4, 5, 4. So 上田 is 離反予備
  // (R ≤ 2, not churned within the ten-year window), 青木 優良 (R ≥ 4, F ≥ 4) and 井上 新規 (one purchase, R ≥ 3).
  it('filters by RFM segment', async () => {
    await page.getByLabel('RFMセグメント').selectOption('loyal');
    await expect.poll(listedNames).toEqual(['青木 一郎']);
    await page.getByLabel('RFMセグメント').selectOption('at_risk');
    await expect.poll(listedNames).toEqual(['上田 三奈']);
    await page.getByLabel('RFMセグメント').selectOption('new');
    await expect.poll(listedNames).toEqual(['井上 二葉']);
    expect(page.url()).toContain('rfmSegment=new');
    await page.getByRole('button', { name: '条件をクリア' }).click();
  });

  it('filters by purchase count and shows leads through the lifecycle filter', async () => {
    await page.getByLabel('購入回数の下限').fill('2');
    await expect.poll(listedNames).toEqual(['青木 一郎']);
    await page.getByLabel('購入回数の下限').fill('');
    await page.getByLabel('購入回数の上限').fill('1');
    await expect.poll(listedNames).toEqual(['上田 三奈', '井上 二葉', '見込 二', '見込 一']);
    await page.getByRole('button', { name: '条件をクリア' }).click();
    await page.getByLabel('ライフサイクル').selectOption('lead');
    await expect.poll(listedNames).toEqual(['見込 二', '見込 一']);
    await page.getByRole('button', { name: '条件をクリア' }).click();
  });
});

describe('the customer 360 page', () => {
  beforeAll(seedProfileWithKizunaData);

  it("labels every field and value Kizuna knows in Japanese, and marks the brand's own data as raw", async () => {
    await page.goto(consoleUrl('/customers'));
    await page.getByRole('table', { name: '顧客一覧' }).getByRole('link', { name: '高橋 データ' }).click();
    await page.getByRole('heading', { level: 1, name: '高橋 データ' }).waitFor();
    const timeline = page.getByRole('list', { name: 'タイムライン' });
    await expect.poll(() => timeline.getByRole('listitem').count()).toBeGreaterThanOrEqual(7);
    // The page's text without the parts marked as raw data.
    const readable = await page.locator('main').evaluate((main) => {
      const copy = main.cloneNode(true) as HTMLElement;
      for (const raw of copy.querySelectorAll('.raw-data')) raw.remove();
      // biome-ignore lint/performance/useDomNodeTextContent: the text as a person reads it (innerText leaves out what is hidden)
      return copy.innerText;
    });
    expect(readable.match(/\b[a-z]+(_[a-z0-9]+)+\b/g)).toBeNull();
    for (const code of ['smartphone', 'confirmed', 'other', 'device', 'campaign:', 'web_ad', 'line_friend', 'trial_day14', 'true']) {
      expect(readable, code).not.toContain(code);
    }
    for (const label of [
      '顧客になった日',
      '獲得経路',
      'Web広告',
      'LINE友だち追加',
      '端末: スマートフォン',
      '受注確定',
      'その他',
      '注文番号: O-D1',
      '内容: お届けのスキップ',
      '効果を実感: はい',
      'アンケート: お試し14日後アンケート',
    ]) {
      expect(readable, label).toContain(label);
    }
    const raw = await page.locator('main .raw-data').allTextContents();
    expect(raw).toEqual(expect.arrayContaining(['好きな味', '抹茶', 'review_posted', 'coupon_code', 'SPRING']));
    await page.screenshot({ path: `${SCREENSHOTS}/console-customer-360-labels.png`, fullPage: true });
  });
});

describe('KPI settings', () => {
  const kpiRow = (name: string) => page.getByRole('table', { name: '設定済みのKPI' }).locator(`tr[data-kpi="${name}"]`);

  it('adds a KPI, telling what is wrong field by field first', async () => {
    await page.goto(consoleUrl('/analytics/kpis'));
    const settings = page.getByRole('region', { name: 'KPIの設定' });
    await settings.getByRole('button', { name: 'KPIを追加' }).click();
    const form = page.getByRole('form', { name: 'KPIを追加' });
    await form.getByRole('button', { name: 'KPIを追加' }).click();
    expect(await form.getByLabel('KPI名').getAttribute('aria-invalid')).toBe('true');
    expect(await form.textContent()).toContain('入力してください。');

    await form.getByLabel('KPI名').fill('月間客数');
    await form.getByLabel('指標').selectOption('customers');
    await form.getByLabel('目標(1期間あたり)').fill('-3');
    await form.getByRole('button', { name: 'KPIを追加' }).click();
    expect(await form.getByLabel('目標(1期間あたり)').getAttribute('aria-invalid')).toBe('true');
    expect(await form.textContent()).toContain('0 より大きい数値を入力してください。');

    await form.getByLabel('目標(1期間あたり)').fill('120');
    await form.getByRole('button', { name: 'KPIを追加' }).click();
    await settings.getByRole('status').filter({ hasText: '「月間客数」を追加しました。' }).waitFor();
    await expect.poll(() => kpiRow('月間客数').textContent()).toContain('120人');
    // The board shows it at once.
    await page.locator('.kpi-board [data-kpi="月間客数"]').waitFor();
  });

  it("puts the server's refusal beside the field it names: a name already taken", async () => {
    const settings = page.getByRole('region', { name: 'KPIの設定' });
    await settings.getByRole('button', { name: 'KPIを追加' }).click();
    const form = page.getByRole('form', { name: 'KPIを追加' });
    await form.getByLabel('KPI名').fill('月間客数');
    await form.getByLabel('目標(1期間あたり)').fill('1000000');
    await form.getByRole('button', { name: 'KPIを追加' }).click();
    await expect.poll(() => form.getByLabel('KPI名').getAttribute('aria-invalid')).toBe('true');
    expect(await form.textContent()).toContain('already exists');
    await form.getByRole('button', { name: 'キャンセル' }).click();
  });

  it('edits the target of a KPI', async () => {
    await page.getByRole('button', { name: '編集: 月間客数' }).click();
    const form = page.getByRole('form', { name: '「月間客数」を編集' });
    await form.getByLabel('目標(1期間あたり)').fill('150');
    await form.getByRole('button', { name: '保存' }).click();
    await page.getByRole('status').filter({ hasText: '「月間客数」を保存しました。' }).waitFor();
    await expect.poll(() => kpiRow('月間客数').textContent()).toContain('150人');
    const stored = await database.pool.query('select target::float8 as target from kpis where workspace_id = $1 and name = $2', [workspace.id, '月間客数']);
    expect(stored.rows[0].target).toBe(150);
  });

  it('removes a KPI after asking', async () => {
    await page.getByRole('button', { name: '削除: 月間客数' }).click();
    await page.getByRole('alertdialog', { name: '「月間客数」を削除しますか?' }).getByRole('button', { name: '削除する' }).click();
    await page.getByRole('status').filter({ hasText: '「月間客数」を削除しました。' }).waitFor();
    await expect.poll(() => kpiRow('月間客数').count()).toBe(0);
    const stored = await database.pool.query('select count(*)::int as n from kpis where workspace_id = $1', [workspace.id]);
    expect(stored.rows[0].n).toBe(0);
  });

  it('shows a read-only user the board without any control', async () => {
    const reader = await running.user('read_only', '閲覧 担当');
    const { context, page: readerPage } = await running.signedInPage(reader);
    await readerPage.goto(consoleUrl('/analytics/kpis'));
    await readerPage.getByText('閲覧のみの権限ではKPIを設定できません').waitFor();
    expect(await readerPage.getByRole('region', { name: 'KPIの設定' }).count()).toBe(0);
    expect(await readerPage.getByRole('button', { name: 'KPIを追加' }).count()).toBe(0);
    await context.close();
  });
});

describe("the checker's まとめて修正", () => {
  beforeAll(async () => {
    await seedDemoCharter({ pool: database.pool, workspaceId: workspace.id, check: checkMessage });
  });

  it('fixes what it can into natural Japanese, then says plainly what still blocks publication', async () => {
    await page.goto(consoleUrl('/charter/check'));
    const body = page.getByRole('textbox', { name: '本文' });
    await body.fill('血圧が下がる！今だけ限定です。');
    const list = page.getByRole('list', { name: '指摘' });
    const claim = list.locator('[data-rule="claims.yakkiho.blood_pressure"]');
    await expect.poll(() => claim.locator('.finding-text').textContent()).toBe('血圧が下がる');

    await page.getByRole('button', { name: /まとめて修正/ }).click();
    await expect.poll(() => body.inputValue()).toBe('いつもありがとうございます。\n血圧が下がります！期間限定です。\n今後ともよろしくお願いいたします。');
    const outcome = page.getByRole('status').filter({ hasText: '件を修正しました。' });
    await expect.poll(() => outcome.textContent()).toContain('1 件の問題は自動では直せないため、まだ公開できません');
    expect(await outcome.textContent()).toContain('薬機法(健康食品)「血圧が下がります」');
    expect(await claim.locator('.finding-text').textContent()).toBe('血圧が下がります');
    expect(await page.getByText('エラーがあるため、このままでは公開できません').isVisible()).toBe(true);
  });
});

describe('the frame', () => {
  it('lists every page of the sidebar once', async () => {
    await page.goto(consoleUrl(''));
    const navigation = page.getByRole('navigation', { name: 'メインナビゲーション' });
    await navigation.getByRole('link', { name: '顧客', exact: true }).waitFor();
    const labels = (await navigation.getByRole('link').allTextContents()).map((label) => label.trim());
    expect(labels).toContain('関係性定義');
    expect(labels).toContain('定義の編集');
    for (const journey of ['カスタマージャーニー', '漏れなくチェック', 'テクノロジーマップ']) expect(labels).toContain(journey);
    expect(labels.filter((label, index) => labels.indexOf(label) !== index)).toEqual([]);
  });

  it('shows an unknown address inside the frame, with the navigation', async () => {
    for (const address of [consoleUrl('/no-such-page'), `${running.baseUrl}/no/such/page`]) {
      await page.goto(address);
      await page.getByRole('heading', { level: 1, name: 'ページが見つかりません' }).waitFor();
      expect(await page.getByRole('navigation', { name: 'メインナビゲーション' }).getByRole('link', { name: '顧客', exact: true }).isVisible()).toBe(true);
      expect(await page.getByRole('button', { name: 'ログアウト' }).isVisible()).toBe(true);
    }
  });

  it('folds the navigation behind a menu button on a phone, so the page itself fills the first screen', async () => {
    const { context, page: phone } = await running.signedInPage(admin);
    await phone.setViewportSize({ width: 390, height: 844 });
    await phone.goto(consoleUrl('/customers'));
    const heading = phone.getByRole('heading', { level: 1, name: '顧客' });
    await heading.waitFor();
    const box = (await heading.boundingBox())!;
    expect(box.y + box.height).toBeLessThan(844 / 2);
    const navigation = phone.getByRole('navigation', { name: 'メインナビゲーション' });
    expect(await navigation.isVisible()).toBe(false);

    const menu = phone.getByRole('button', { name: 'メニュー' });
    expect(await menu.getAttribute('aria-expanded')).toBe('false');
    await menu.click();
    await navigation.getByRole('link', { name: 'KPIボード' }).click();
    await phone.getByRole('heading', { level: 1, name: 'KPIボード' }).waitFor();
    // Opening a page folds the menu again.
    await expect.poll(() => navigation.isVisible()).toBe(false);
    await phone.screenshot({ path: `${SCREENSHOTS}/console-phone.png` });
    await context.close();
  });
});

describe('the home page', () => {
  it("names the brand, not the workspace, and gives this month's sales against last month's and the KPI board in a line", async () => {
    await page.goto(consoleUrl(''));
    await page.getByRole('heading', { level: 1, name: `${workspace.name} の概要` }).waitFor();
    // An admin names the brand through the API (PATCH /workspaces/{workspace}); the page says it.
    const status = await page.evaluate(
      async (url) =>
        (
          await fetch(url, {
            method: 'PATCH',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ displayName: ' みのり青汁本舗 ' }),
          })
        ).status,
      `/api/v1/workspaces/${encodeURIComponent(workspace.name)}`,
    );
    expect(status).toBe(200);
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'みのり青汁本舗 の概要' }).waitFor();
    // The latest order is 高橋 データ's ¥3,000 on 2024-05-01: May to date against April 1–1.
    const sales = page.getByRole('region', { name: '売上' });
    await expect.poll(() => sales.textContent()).toContain('￥3,000');
    expect(await sales.textContent()).toContain('前月の同じ期間');
    const kpis = page.getByRole('region', { name: 'KPI', exact: true });
    await expect.poll(() => kpis.textContent()).toContain('KPIはまだ設定されていません。');
    expect(await page.getByRole('link', { name: 'KPIボードを開く' }).isVisible()).toBe(true);
    await page.screenshot({ path: `${SCREENSHOTS}/console-home.png`, fullPage: true });
  });
});
