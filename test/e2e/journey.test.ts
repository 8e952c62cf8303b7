import { readFileSync } from 'node:fs';
import { XMLParser } from 'fast-xml-parser';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestBatch } from '../../src/ingest/ingest-batch.ts';
import type { BatchKind } from '../../src/ingest/records.ts';
import { saveJourneyMap } from '../../src/journey-map/maps.ts';
import type { JourneyMap } from '../../src/journey-map/model.ts';
import { drainJourneyChanges } from '../../src/journey-map/placement/reactor.ts';
import { systemClock } from '../../src/shared/clock.ts';
import type { Workspace } from '../../src/workspaces/workspaces.ts';
import { connectTestDatabase, freshWorkspace, withTransaction } from '../support/database.ts';
import { apiGet as apiGetOf, SCREENSHOTS, startConsole, type RunningConsole } from '../support/e2e.ts';

/**
 * The journey map in the console, in a real Chromium against the real server: a workspace of six
 * profiles on a 3 × 2 map (stages by purchases, levels by spend) saved through the domain, then
 * two writes that move customers (a second order: an advance; a cancelled order: a step-down).
 * The diagram shows the API's counts, a cell's panel its flows and the link lists exactly its
 * customers, the exports download real files, coverage and the technology map name the cells and
 * rows the map implies, and the 360 card shows the path the write made.
 *
 * Placement runs on the real clock (the flows of "the last 30 days" are the server's days).
 */

const database = connectTestDatabase();
let workspace: Workspace;
let running: RunningConsole;
let page: Page;

const DAY = 86_400_000;
const daysAgo = (days: number) => new Date(Date.now() - days * DAY).toISOString();

/** 見込み → 初回購入 → リピート; 関心 → 愛着 (¥10,000 spent). */
const MAP: JourneyMap = {
  name: 'スキンケア定期のジャーニー',
  goal: '肌の変化を実感し、ブランドとの接点が日常になっている状態',
  stages: [
    { key: 'prospect', name: '見込み', description: 'まだ購入していない' },
    { key: 'first_purchase', name: '初回購入', description: '1回購入した', rule: { fact: 'purchase_count', op: '>=', value: 1 } },
    { key: 'repeat', name: 'リピート', rule: { fact: 'purchase_count', op: '>=', value: 2 } },
  ],
  levels: [
    { key: 'interest', name: '関心' },
    { key: 'attached', name: '愛着', description: '累計1万円以上', rule: { fact: 'total_spend', op: '>=', value: 10000 } },
  ],
  cells: [
    {
      stage: 'prospect',
      level: 'interest',
      feelings: '効果があるか不安',
      measures: [{ name: 'ステップメール', purpose: '初回購入を後押し', department: 'marketing', channel: 'email', status: 'in_use' }],
    },
    { stage: 'prospect', level: 'attached', measures: [{ name: '相談電話', department: 'support', solution: 'コールセンター', status: 'not_introduced' }] },
    {
      stage: 'first_purchase',
      level: 'interest',
      feelings: '使い方が合っているか知りたい',
      measures: [
        { name: 'フォローメール', department: 'marketing', channel: 'email', status: 'in_use' },
        { name: '使い方メール', department: 'support', channel: 'email', status: 'planned' },
      ],
    },
    { stage: 'repeat', level: 'interest', measures: [{ name: 'サンプル同梱', department: 'marketing', solution: '同梱物', status: 'planned' }] },
    { stage: 'repeat', level: 'attached', goal: true, noContact: { reason: 'ロイヤル顧客には売り込まない' } },
  ],
};

const NAMES: Record<string, string> = {
  'K-1': '山田 花子',
  'K-2': '佐藤 美咲',
  'K-3': '鈴木 陽菜',
  'K-4': '高橋 結衣',
  'K-5': '田中 葵',
  'K-6': '伊藤 凛',
};

function ingest(kind: BatchKind, records: unknown[]) {
  const writer = { clock: systemClock, actor: 'import' };
  return withTransaction(database.pool, (client) => ingestBatch({ client, workspace, kind, records, mode: 'all-or-nothing', writer }));
}

const order = (orderId: string, customerId: string, price: number, days: number, status?: string) => ({
  order_id: orderId,
  customer_id: customerId,
  ordered_at: daysAgo(days),
  ...(status ? { status } : {}),
  items: [{ sku: 'SERUM-30', quantity: 1, unit_price: price }],
});

/**
 * Before the writes: 見込み×関心 K-1, K-6; 初回購入×関心 K-2; 初回購入×愛着 K-3; リピート×関心 K-4;
 * リピート×愛着 K-5. The writes: K-2 buys again for ¥20,000 (→ リピート×愛着, an advance); K-5's
 * ¥17,000 order is cancelled (¥3,000 left: → リピート×関心, a step-down; the stage stays).
 */
async function seed(): Promise<void> {
  await ingest('products', [{ sku: 'SERUM-30', name: '美容液 30日分', price: 3000 }]);
  await ingest(
    'customers',
    Object.entries(NAMES).map(([customer_id, name]) => ({ customer_id, name })),
  );
  await ingest('orders', [
    order('ORD-21', 'K-2', 3000, 20),
    order('ORD-31', 'K-3', 12000, 20),
    order('ORD-41', 'K-4', 3000, 25),
    order('ORD-42', 'K-4', 3000, 15),
    order('ORD-51', 'K-5', 3000, 25),
    order('ORD-52', 'K-5', 17000, 15),
  ]);
  await drainJourneyChanges({ pool: database.pool, workspaceId: workspace.id, clock: systemClock });
  const saved = await saveJourneyMap({
    pool: database.pool,
    workspaceId: workspace.id,
    input: MAP,
    actor: { kind: 'system', label: 'e2e' },
    clock: systemClock,
  });
  expect(saved.outcome).toBe('saved');
  await ingest('orders', [order('ORD-22', 'K-2', 20000, 2)]);
  await ingest('orders', [order('ORD-52', 'K-5', 17000, 15, 'cancelled')]);
  await drainJourneyChanges({ pool: database.pool, workspaceId: workspace.id, clock: systemClock });
}

interface JourneyView {
  cells: Array<{ stage: string; level: string; customers: number }>;
  profiles: number;
  placed: number;
}

function apiGet<T>(url: string): Promise<T> {
  return apiGetOf<T>(page, url);
}

const consoleUrl = (path: string) => `${running.baseUrl}/w/${encodeURIComponent(workspace.name)}${path}`;
const apiUrl = (path: string) => `/api/v1/workspaces/${encodeURIComponent(workspace.name)}${path}`;

async function listedNames(): Promise<string[]> {
  const table = page.getByRole('table', { name: '顧客一覧' });
  if (!(await table.isVisible()) || (await table.locator('xpath=..').getAttribute('aria-busy')) === 'true') return [];
  return (await table.getByRole('link').allTextContents()).sort();
}

/** The diagram's cell (a button named by stage, level, count and share). */
function diagramCell(stage: string, level: string) {
  return page.getByRole('figure').getByRole('button', { name: new RegExp(`^${stage} × ${level}`) });
}

beforeAll(async () => {
  workspace = await freshWorkspace(database);
  await seed();
  running = await startConsole(database);
  const user = await running.user('marketing', 'E2E ジャーニー', [workspace]);
  ({ page } = await running.signedInPage(user));
});

afterAll(async () => {
  await running?.close();
  await database.close();
});

describe('the journey diagram', () => {
  it("shows every cell's live count as the API gives it", async () => {
    await page.goto(consoleUrl('/journey'));
    await page.getByRole('heading', { level: 1, name: MAP.name }).waitFor();
    const view = await apiGet<JourneyView>(apiUrl('/journey'));
    // Hand-computed after the two writes.
    const expected = [
      { stage: 'prospect', level: 'interest', customers: 2 },
      { stage: 'first_purchase', level: 'attached', customers: 1 },
      { stage: 'repeat', level: 'interest', customers: 2 },
      { stage: 'repeat', level: 'attached', customers: 1 },
    ];
    const key = (c: { stage: string; level: string }) => `${c.stage}.${c.level}`;
    expect([...view.cells].sort((a, b) => key(a).localeCompare(key(b)))).toEqual([...expected].sort((a, b) => key(a).localeCompare(key(b))));
    expect(view.profiles).toBe(6);
    expect(view.placed).toBe(6);
    for (const stage of MAP.stages) {
      for (const level of MAP.levels) {
        const count = view.cells.find((c) => c.stage === stage.key && c.level === level.key)?.customers ?? 0;
        const label = await diagramCell(stage.name, level.name).getAttribute('aria-label');
        expect(Number(/: ([\d,]+)人/.exec(label ?? '')?.[1]?.replace(/,/g, ''))).toBe(count);
      }
    }
    expect(await page.getByText(MAP.goal).first().isVisible()).toBe(true);
    await page.screenshot({ path: `${SCREENSHOTS}/journey-diagram.png`, fullPage: true });
  });

  it("opens a cell's panel on click and on Enter, with its measures, flows and step-downs", async () => {
    await diagramCell('リピート', '関心').click();
    const panel = page.getByRole('complementary', { name: 'リピート × 関心' });
    await panel.waitFor();
    const text = await panel.textContent();
    for (const expected of ['サンプル同梱', '計画中', 'マーケティング', '同梱物', '2人', '33.3%']) expect(text).toContain(expected);
    const into = panel.getByRole('table', { name: '流入' });
    await into.waitFor();
    const rows = (await into.locator('tbody tr').allTextContents()).sort();
    expect(rows).toEqual(['リピート × 愛着ステップダウン1', '(新たに配置)新規1'].sort());
    expect(page.url()).toContain('cell=repeat.interest');

    // The cell the step-down left: the pattern and its count; Enter on a focused cell opens it.
    await diagramCell('リピート', '愛着').focus();
    await page.keyboard.press('Enter');
    const loyal = page.getByRole('complementary', { name: 'リピート × 愛着' });
    await loyal.waitFor();
    expect(await loyal.textContent()).toContain('ロイヤル顧客には売り込まない');
    expect(await loyal.locator('.journey-step-downs').textContent()).toContain('リピート × 関心 へ 1 人');
    await page.screenshot({ path: `${SCREENSHOTS}/journey-panel.png`, fullPage: true });
  });

  it('links a cell to exactly its customers, with a chip that names the cell and clears the filter', async () => {
    await diagramCell('リピート', '関心').click();
    const panel = page.getByRole('complementary', { name: 'リピート × 関心' });
    await panel.getByRole('link', { name: /この顧客一覧を見る/ }).click();
    await expect.poll(listedNames).toEqual([NAMES['K-4'], NAMES['K-5']].sort());
    expect(page.url()).toContain('journeyStage=repeat');
    expect(page.url()).toContain('journeyLevel=interest');
    const chips = page.getByRole('group', { name: 'ジャーニーのセル' });
    await expect.poll(() => chips.textContent()).toContain('ジャーニー: リピート × 関心');
    await chips.getByRole('button', { name: 'ジャーニーの絞り込みを解除' }).click();
    await expect.poll(async () => (await listedNames()).length).toBe(6);
    expect(page.url()).not.toContain('journeyStage');
  });

  it('downloads the diagram as SVG, PNG and PDF for the period, in the language of the console', async () => {
    await page.goto(consoleUrl('/journey?days=90'));
    await page.getByRole('heading', { level: 1, name: MAP.name }).waitFor();
    const exports = page.getByRole('group', { name: '書き出し' });
    await exports.getByRole('combobox', { name: '用紙' }).selectOption('a3');
    const svgLink = exports.getByRole('link', { name: /SVG/ });
    // The period comes from the workspace's today, which the page loads: wait until the link carries it.
    await expect.poll(async () => (await svgLink.getAttribute('href')) ?? '').toMatch(/from=\d{4}-\d{2}-\d{2}&to=\d{4}-\d{2}-\d{2}/);
    const href = (await svgLink.getAttribute('href'))!;
    expect(href).toContain('paper=a3');
    expect(href).toContain('locale=ja');
    const [download] = await Promise.all([page.waitForEvent('download'), svgLink.click()]);
    expect(download.suggestedFilename()).toMatch(/^journey-map-.*\.svg$/);
    const svg = readFileSync((await download.path())!, 'utf8');
    const parsed = new XMLParser({ ignoreAttributes: false }).parse(svg) as { svg?: unknown };
    expect(parsed.svg).toBeDefined();
    expect(svg).toContain(MAP.name);

    for (const [format, type, magic] of [
      ['PNG', 'image/png', '\u0089PNG'],
      ['PDF', 'application/pdf', '%PDF'],
    ] as const) {
      const link = exports.getByRole('link', { name: new RegExp(format) });
      const response = await page.context().request.get(`${running.baseUrl}${await link.getAttribute('href')}`);
      expect(response.status()).toBe(200);
      expect(response.headers()['content-type']).toContain(type);
      expect(response.headers()['content-disposition']).toContain('attachment');
      const body = await response.body();
      expect(body.length).toBeGreaterThan(1000);
      expect(body.subarray(0, magic.length).toString('latin1')).toBe(magic);
      const [file] = await Promise.all([page.waitForEvent('download'), link.click()]);
      expect(file.suggestedFilename().endsWith(`.${format.toLowerCase()}`)).toBe(true);
    }
  });
});

describe('coverage and the technology map', () => {
  it('lists the uncovered cell with its customers, the cells served on paper only, and that the counts add up', async () => {
    await page.goto(consoleUrl('/journey/coverage'));
    await page.getByRole('heading', { level: 1, name: '漏れなくチェック' }).waitFor();
    expect(await page.getByRole('status').filter({ hasText: '顧客・見込み客' }).textContent()).toContain('6 人全員');
    const uncovered = page.getByRole('table', { name: '施策のないセル(未対応)' });
    expect((await uncovered.locator('tbody tr').allTextContents()).map((row) => row.trim())).toEqual(['初回購入 × 愛着1この顧客一覧を見る']);
    const paperOnly = page.getByRole('table', { name: '計画だけのセル(実施中の施策なし)' });
    const paperRows = await paperOnly.locator('tbody th').allTextContents();
    expect(paperRows.sort()).toEqual(['リピート × 関心', '見込み × 愛着'].sort());
    await uncovered.getByRole('link', { name: '初回購入 × 愛着 の顧客一覧' }).click();
    await expect.poll(listedNames).toEqual([NAMES['K-3']]);
  });

  it('draws stages × channels and solutions, with the gaps, the duplicate and the solution not yet introduced', async () => {
    await page.goto(consoleUrl('/journey/technology'));
    await page.getByRole('heading', { level: 1, name: 'テクノロジーマップ' }).waitFor();
    const matrix = page.getByRole('table', { name: 'テクノロジーマップ' });
    expect(await matrix.locator('thead th').allTextContents()).toEqual([
      'チャネル・ソリューション',
      '見込み施策 2 件',
      '初回購入施策 2 件',
      'リピート施策 1 件',
    ]);
    const rowHeads = await matrix.locator('tbody th .journey-tech-row-name').allTextContents();
    expect(rowHeads.sort()).toEqual(['ソリューション: コールセンター', 'ソリューション: 同梱物', 'チャネル: メール'].sort());
    expect(await page.getByRole('list', { name: '施策のないセル' }).textContent()).toBe('初回購入 × 愛着');
    const duplicates = await page.getByRole('list', { name: '重複(同じセル・同じチャネルに複数の部署)' }).textContent();
    expect(duplicates).toContain('初回購入 × 関心・チャネル: メール');
    expect(duplicates).toContain('フォローメール(マーケティング)');
    expect(duplicates).toContain('使い方メール(カスタマーサポート)');
    expect(await page.getByRole('list', { name: '未導入のソリューション' }).textContent()).toContain('ソリューション: コールセンター');
    await page.screenshot({ path: `${SCREENSHOTS}/journey-technology.png`, fullPage: true });
  });
});

describe("a customer's journey on the 360 page", () => {
  it('shows the current cell and the path, newest first, with the order that moved the customer', async () => {
    await page.goto(consoleUrl(`/customers?q=${encodeURIComponent(NAMES['K-2']!)}`));
    await page.getByRole('link', { name: NAMES['K-2'] }).click();
    const card = page.getByRole('region', { name: 'カスタマージャーニー' });
    await card.getByText('リピート × 愛着', { exact: true }).waitFor();
    const path = card.getByRole('table', { name: '移動の履歴' });
    const rows = await path.locator('tbody tr').allTextContents();
    expect(rows).toHaveLength(2);
    expect(rows[0]).toContain('初回購入 × 関心 → リピート × 愛着');
    expect(rows[0]).toContain('前進');
    expect(rows[0]).toContain('注文 ORD-22');
    expect(rows[1]).toContain('初回購入 × 関心 に配置');
    expect(rows[1]).toContain('マップの変更');
    await page.screenshot({ path: `${SCREENSHOTS}/journey-360.png`, fullPage: true });
  });
});

describe('a workspace without a map', () => {
  it('explains how to make one', async () => {
    const empty = await freshWorkspace(database);
    const user = await running.user('marketing', 'E2E 空', [empty]);
    const { context, page: other } = await running.signedInPage(user);
    await other.goto(`${running.baseUrl}/w/${encodeURIComponent(empty.name)}/journey`);
    await other.getByRole('heading', { name: 'まだジャーニーマップがありません' }).waitFor();
    expect(await other.getByText('npx kizuna journey set FILE.json').isVisible()).toBe(true);
    // The coverage and technology pages too (their endpoints answer 404 without a map).
    for (const section of ['coverage', 'technology']) {
      await other.goto(`${running.baseUrl}/w/${encodeURIComponent(empty.name)}/journey/${section}`);
      await other.getByRole('heading', { name: 'まだジャーニーマップがありません' }).waitFor();
    }
    await context.close();
  });
});
