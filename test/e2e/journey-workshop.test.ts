import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestBatch } from '../../src/ingest/ingest-batch.ts';
import type { BatchKind } from '../../src/ingest/records.ts';
import type { JourneyMap } from '../../src/journey-map/model.ts';
import type { Workspace } from '../../src/workspaces/workspaces.ts';
import { connectTestDatabase, freshWorkspace, withTransaction } from '../support/database.ts';
import { apiGet, SCREENSHOTS, startConsole, type RunningConsole } from '../support/e2e.ts';

/**
 * The journey map's workshop mode in a real Chromium against the real server: on a small brand
 * with a saved map (version 1), the team changes the goal, adds a measure to a cell and rewrites
 * a level's rule; the preview shows each cell's live count and the count the new rules would
 * give (「1人 → 0人」), equal to POST …/journey/preview and to the counts worked out by hand; a
 * rule naming an unknown SKU is refused beside that rule with nothing saved and nothing typed
 * lost; fixed, the map saves as version 2, which GET …/journey returns with the edits and the
 * customers re-placed as the preview said. Screenshots go to /tmp/kizuna-shots/.
 */

type CellCount = { stage: string; level: string; customers: number };
type JourneyView = { map: JourneyMap | null; version: { version: number; status: string } | null; cells: CellCount[]; profiles: number; placed: number };

const database = connectTestDatabase();
let running: RunningConsole;
let brand: Workspace;
let empty: Workspace;
let context: BrowserContext;
let page: Page;

function ingest(kind: BatchKind, records: unknown[]) {
  return withTransaction(database.pool, (client) => ingestBatch({ client, workspace: brand, kind, records, mode: 'all-or-nothing' }));
}

/** Version 1: three stages (by purchases), three levels (お試し bought; three purchases). */
const MAP_V1: JourneyMap = {
  name: 'テスト青汁のジャーニー',
  goal: '毎日の習慣になっている',
  stages: [
    { key: 'awareness', name: '認知' },
    { key: 'first_purchase', name: '初回購入', rule: { fact: 'purchase_count', op: '>=', value: 1 } },
    { key: 'repeat', name: 'リピート', rule: { fact: 'purchase_count', op: '>=', value: 2 } },
  ],
  levels: [
    { key: 'cold', name: '無関心' },
    { key: 'warm', name: '関心', rule: { fact: 'bought', categories: ['お試し'] } },
    { key: 'hot', name: 'ファン', rule: { fact: 'purchase_count', op: '>=', value: 3 } },
  ],
  cells: [{ stage: 'repeat', level: 'hot', goal: true, feelings: '手放せない' }],
};

/**
 * Five profiles: A bought the trial once; B the trial, then the 定期 product; C the 定期
 * product three times; D is a customer without purchases; E a lead.
 * Version 1 places A at 初回購入 × 関心, B at リピート × 関心, C at リピート × ファン, D and E at 認知 × 無関心.
 */
async function seedBrand(): Promise<void> {
  await ingest('products', [
    { sku: 'TRIAL-1', name: '青汁 お試し', category: 'お試し', price: 980, is_trial: true },
    { sku: 'TEI-30', name: '青汁 30日分', category: '定期', price: 3980, is_subscription: true },
  ]);
  await ingest('customers', [
    { customer_id: 'A', name: '青木 一郎', lifecycle: 'customer' },
    { customer_id: 'B', name: '馬場 二郎', lifecycle: 'customer' },
    { customer_id: 'C', name: '千葉 三郎', lifecycle: 'customer' },
    { customer_id: 'D', name: '土屋 四郎', lifecycle: 'customer' },
    { customer_id: 'E', name: '江口 五郎', lifecycle: 'lead' },
  ]);
  const order = (id: string, customer: string, sku: string, day: string) => ({
    order_id: id,
    customer_id: customer,
    ordered_at: `${day} 10:00`,
    status: 'delivered',
    delivered_at: `${day} 18:00`,
    items: [{ sku, quantity: 1, unit_price: sku === 'TRIAL-1' ? '980' : '3980' }],
  });
  await ingest('orders', [
    order('O-1', 'A', 'TRIAL-1', '2025-01-10'),
    order('O-2', 'B', 'TRIAL-1', '2025-01-11'),
    order('O-3', 'B', 'TEI-30', '2025-02-11'),
    order('O-4', 'C', 'TEI-30', '2025-01-05'),
    order('O-5', 'C', 'TEI-30', '2025-02-05'),
    order('O-6', 'C', 'TEI-30', '2025-03-05'),
  ]);
}

const journeyUrl = (workspace: Workspace = brand) => `/api/v1/workspaces/${encodeURIComponent(workspace.name)}/journey`;

/** A write through the page's own session, as the console makes it. */
async function apiSend<T>(target: Page, method: 'PUT' | 'POST', url: string, body: unknown): Promise<{ status: number; body: T }> {
  return target.evaluate(
    async ({ method, url, body }) => {
      const response = await fetch(url, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: response.status, body: await response.json() };
    },
    { method, url, body },
  ) as Promise<{ status: number; body: T }>;
}

const sorted = (cells: CellCount[]) => [...cells].filter((c) => c.customers > 0).sort((a, b) => `${a.stage}|${a.level}`.localeCompare(`${b.stage}|${b.level}`));

async function screenshot(name: string): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOTS, `journey-workshop-${name}.png`), fullPage: true });
}

const STAGE_NAMES: Record<string, string> = { awareness: '認知', first_purchase: '初回購入', repeat: 'リピート' };
const LEVEL_NAMES: Record<string, string> = { cold: '無関心', warm: '関心', hot: 'ファン' };

/**
 * What the diagram shows for a cell: its live count (in the cell, 「1人 (20%)」, read from its
 * accessible name) and, after a preview, the badge over its corner (「1人 → 0人」).
 */
async function shownCount(stage: string, level: string): Promise<{ live: number; preview: string | undefined }> {
  const cell = page.locator(`.journey-diagram__cell[aria-label^="${STAGE_NAMES[stage]} × ${LEVEL_NAMES[level]}"]`);
  const label = (await cell.getAttribute('aria-label')) ?? '';
  const live = Number(/: ([\d,]+)人/.exec(label)?.[1]?.replace(/,/g, ''));
  const badge = page.locator(`.workshop-cell-badges[data-cell="${stage}|${level}"] .preview-count`);
  return { live, preview: (await badge.count()) > 0 ? ((await badge.textContent()) ?? '') : undefined };
}

beforeAll(async () => {
  brand = await freshWorkspace(database);
  empty = await freshWorkspace(database);
  await seedBrand();
  running = await startConsole(database);
  const admin = await running.user('admin', 'ワークショップ 担当');
  ({ context, page } = await running.signedInPage(admin));
  await page.goto(`${running.baseUrl}/w/${encodeURIComponent(brand.name)}`);
  const saved = await apiSend<{ outcome: string; version: { version: number } }>(page, 'PUT', journeyUrl(), { map: MAP_V1, activate: true });
  expect(saved.status).toBe(200);
  expect(saved.body.version.version).toBe(1);
}, 180_000);

afterAll(async () => {
  await context?.close();
  await running?.close();
  await database.close();
});

describe('the journey map workshop', () => {
  it('edits, previews, is refused beside the bad rule without losing anything, then saves version 2', async () => {
    await page.goto(`${running.baseUrl}/w/${encodeURIComponent(brand.name)}/journey`);
    await page.getByRole('button', { name: 'ワークショップモード' }).click();
    await page.getByRole('heading', { level: 2, name: 'ワークショップ' }).waitFor();

    // The live counts of version 1, as GET …/journey gives them and as worked out by hand.
    const before = await apiGet<JourneyView>(page, journeyUrl());
    expect(sorted(before.cells)).toEqual([
      { stage: 'awareness', level: 'cold', customers: 2 },
      { stage: 'first_purchase', level: 'warm', customers: 1 },
      { stage: 'repeat', level: 'hot', customers: 1 },
      { stage: 'repeat', level: 'warm', customers: 1 },
    ]);
    expect(await shownCount('first_purchase', 'warm')).toEqual({ live: 1, preview: undefined });
    expect(await shownCount('awareness', 'cold')).toEqual({ live: 2, preview: undefined });

    // The goal, in place.
    await page.getByLabel('ゴール(目指す状態)').fill('青汁が毎日の習慣になり、ブランドを人に勧めている');

    // A measure for 初回購入 × 無関心.
    await page.getByRole('button', { name: /^初回購入 × 無関心/ }).click();
    const panel = page.getByRole('region', { name: 'セル「初回購入 × 無関心」' });
    await panel.getByLabel('お客様の気持ち・考え').fill('効果があるのか半信半疑');
    await panel.getByRole('button', { name: '施策を追加' }).click();
    const measure = panel.getByRole('group', { name: '施策 1' });
    await measure.getByLabel('施策名').fill('お試し後のフォローメール');
    await measure.getByLabel('目的').fill('飲み方のコツを伝える');
    await measure.getByLabel('部署').selectOption('support');
    await measure.getByLabel('チャネル').selectOption('email');
    await measure.getByLabel('状況').selectOption('planned');

    // 関心 now means: bought the 定期 product. Invalid JSON first: named at once, preview blocked.
    await page.getByRole('button', { name: '「関心」を編集' }).click();
    const levelPanel = page.getByRole('region', { name: '好意度「関心」' });
    const levelRule = levelPanel.getByLabel('条件(JSON)');
    await levelRule.fill('{"fact": "bought", "categories": ["定期"]');
    expect(await levelPanel.locator('.rule-invalid').textContent()).toContain('JSONとして読めません');
    expect(await page.getByRole('button', { name: 'プレビュー' }).isDisabled()).toBe(true);
    await levelRule.fill('{"fact": "bought", "categories": ["定期"]}');
    expect(await levelPanel.locator('.rule-state').textContent()).toContain('JSONとして正しい形です');
    await screenshot('editing');

    // Preview: the counts shown are POST …/journey/preview's for the map the page sent.
    const previewRequest = page.waitForRequest((request) => request.url().endsWith('/journey/preview') && request.method() === 'POST');
    await page.getByRole('button', { name: 'プレビュー' }).click();
    const sentBody = (await previewRequest).postDataJSON() as { map: JourneyMap };
    await page.getByTestId('preview-state').filter({ hasText: 'プレビュー: 5人' }).waitFor();
    expect(sentBody.map.goal).toBe('青汁が毎日の習慣になり、ブランドを人に勧めている');
    expect(sentBody.map.levels[1]!.rule).toEqual({ fact: 'bought', categories: ['定期'] });
    const preview = await apiSend<{ cells: CellCount[]; profiles: number }>(page, 'POST', `${journeyUrl()}/preview`, sentBody);
    expect(preview.status).toBe(200);
    // By hand: A no longer 関心 (no 定期 bought); B still 関心 (bought 定期); C ファン; D, E 認知 × 無関心.
    expect(sorted(preview.body.cells)).toEqual([
      { stage: 'awareness', level: 'cold', customers: 2 },
      { stage: 'first_purchase', level: 'cold', customers: 1 },
      { stage: 'repeat', level: 'hot', customers: 1 },
      { stage: 'repeat', level: 'warm', customers: 1 },
    ]);
    for (const stage of ['awareness', 'first_purchase', 'repeat']) {
      for (const level of ['cold', 'warm', 'hot']) {
        const live = before.cells.find((c) => c.stage === stage && c.level === level)?.customers ?? 0;
        const previewed = preview.body.cells.find((c) => c.stage === stage && c.level === level)?.customers ?? 0;
        expect(await shownCount(stage, level), `${stage} × ${level}`).toEqual({ live, preview: `${live}人 → ${previewed}人` });
      }
    }
    expect((await shownCount('first_purchase', 'warm')).preview).toBe('1人 → 0人');
    expect((await shownCount('first_purchase', 'cold')).preview).toBe('0人 → 1人');
    await screenshot('preview');

    // A rule naming an unknown SKU: refused, beside that rule and in the list on top; nothing saved.
    await page.getByRole('button', { name: '「リピート」を編集' }).click();
    const stagePanel = page.getByRole('region', { name: 'ステージ「リピート」' });
    const stageRule = stagePanel.getByLabel('条件(JSON)');
    await stageRule.fill('{"all": [{"fact": "purchase_count", "op": ">=", "value": 2}, {"fact": "bought", "products": ["NO-SUCH-SKU"]}]}');
    await page.getByRole('button', { name: '保存して反映' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('保存できませんでした。');
    expect(await alert.textContent()).toContain('ステージ「リピート」の条件');
    expect(await stageRule.getAttribute('aria-invalid')).toBe('true');
    const note = stagePanel.locator('.field-problem[role="note"]');
    expect(await note.textContent()).toContain('NO-SUCH-SKU');
    expect(await note.textContent()).toContain('all[1].products[0]');
    expect(await stageRule.evaluate((element) => element === document.activeElement)).toBe(true);
    await screenshot('refused');
    const unchanged = await apiGet<JourneyView>(page, journeyUrl());
    expect(unchanged.version?.version).toBe(1);
    expect(unchanged.map?.goal).toBe(MAP_V1.goal);
    // Nothing typed is lost.
    expect(await page.getByLabel('ゴール(目指す状態)').inputValue()).toBe('青汁が毎日の習慣になり、ブランドを人に勧めている');
    await page.getByRole('button', { name: /^初回購入 × 無関心/ }).click();
    expect(await page.getByRole('group', { name: '施策 1' }).getByLabel('施策名').inputValue()).toBe('お試し後のフォローメール');

    // Fixed, it saves as version 2 and everyone is re-placed as the preview said.
    await page.getByRole('button', { name: 'ステージ「リピート」の条件' }).click();
    await stageRule.fill('{"all": [{"fact": "purchase_count", "op": ">=", "value": 2}, {"fact": "bought", "products": ["TEI-30"]}]}');
    await page.getByRole('button', { name: '保存して反映' }).click();
    await page.getByRole('heading', { level: 2, name: 'ワークショップ' }).waitFor({ state: 'detached' });
    await screenshot('saved');

    const after = await apiGet<JourneyView>(page, journeyUrl());
    expect(after.version?.version).toBe(2);
    expect(after.map?.goal).toBe('青汁が毎日の習慣になり、ブランドを人に勧めている');
    expect(after.map?.levels[1]?.rule).toEqual({ fact: 'bought', categories: ['定期'] });
    expect(after.map?.stages[2]?.rule).toEqual({
      all: [
        { fact: 'purchase_count', op: '>=', value: 2 },
        { fact: 'bought', products: ['TEI-30'] },
      ],
    });
    expect(after.map?.cells).toEqual([
      {
        stage: 'first_purchase',
        level: 'cold',
        feelings: '効果があるのか半信半疑',
        measures: [{ name: 'お試し後のフォローメール', purpose: '飲み方のコツを伝える', department: 'support', channel: 'email', status: 'planned' }],
      },
      { stage: 'repeat', level: 'hot', goal: true, feelings: '手放せない' },
    ]);
    expect(sorted(after.cells)).toEqual(sorted(preview.body.cells));
    expect(after.placed).toBe(5);
  });

  it('starts a workspace without a map from the 5 × 4 template, undoes a change, opens a cell from the keyboard, saves a draft and activates it', async () => {
    await page.goto(`${running.baseUrl}/w/${encodeURIComponent(empty.name)}/journey`);
    await page.getByRole('button', { name: 'ワークショップモード' }).click();
    await page.getByRole('heading', { level: 2, name: 'ワークショップ' }).waitFor();
    expect(await page.getByText('5つのステージ × 4つの好意度のひな型から始めます').count()).toBe(1);
    const stages = page.getByRole('region', { name: 'ステージ', exact: true }).getByRole('listitem');
    expect(await stages.count()).toBe(5);
    expect(await page.getByRole('region', { name: '好意度', exact: true }).getByRole('listitem').count()).toBe(4);

    await page.getByRole('button', { name: 'ステージを追加' }).click();
    expect(await stages.count()).toBe(6);
    await page.getByRole('button', { name: '元に戻す' }).click();
    expect(await stages.count()).toBe(5);

    // From the keyboard: a cell's edit button opens its editor, which takes the focus; Escape closes it.
    await page.getByRole('button', { name: '「認知 × 無関心」を編集' }).focus();
    await page.keyboard.press('Enter');
    const heading = page.getByRole('heading', { level: 3, name: 'セル「認知 × 無関心」' });
    await heading.waitFor();
    expect(await heading.evaluate((element) => element === document.activeElement)).toBe(true);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.type('まだブランドを知らない');
    expect(await page.getByLabel('お客様の気持ち・考え').inputValue()).toBe('まだブランドを知らない');
    await page.keyboard.press('Escape');
    await heading.waitFor({ state: 'detached' });
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('「認知 × 無関心」を編集');
    await screenshot('template');

    // A draft first: stored as version 1, not active; then 「保存して反映」 activates that version.
    await page.getByRole('button', { name: '下書き保存' }).click();
    await page.getByRole('status').filter({ hasText: '下書きとして保存しました(バージョン 1)' }).waitFor();
    expect((await apiGet<JourneyView>(page, journeyUrl(empty))).map).toBeNull();
    const activation = page.waitForRequest((request) => request.url().endsWith('/journey/versions/1/activate') && request.method() === 'POST');
    await page.getByRole('button', { name: '保存して反映' }).click();
    await activation;
    await page.getByRole('heading', { level: 2, name: 'ワークショップ' }).waitFor({ state: 'detached' });
    const saved = await apiGet<JourneyView>(page, journeyUrl(empty));
    expect(saved.version?.version).toBe(1);
    expect(saved.map?.stages.map((stage) => stage.name)).toEqual(['認知', '初回購入', '実感', '定期継続', '日常化']);
    expect(saved.map?.levels.map((level) => level.name)).toEqual(['無関心', '関心', '信頼', 'ファン']);
    expect(saved.map?.cells).toEqual([{ stage: 'awareness', level: 'indifferent', feelings: 'まだブランドを知らない' }]);
  });
});
