import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/auth/api-keys.ts';
import { ingest } from '../../src/journey-map/placement/test-map.ts';
import { createSmtpTransport } from '../../src/messaging/smtp.ts';
import { startScenarioReactor } from '../../src/scenarios/runtime/reactor.ts';
import { prepareScenarioWorkspace } from '../../src/scenarios/test-scenario.ts';
import { systemClock } from '../../src/shared/clock.ts';
import { type KizunaWorker, scheduleWakeJob, startWorker } from '../../src/worker/worker.ts';
import type { Workspace } from '../../src/workspaces/workspaces.ts';
import { freshWorkspace, isolatedTestDatabase } from '../support/database.ts';
import { apiGet, type RunningConsole, SCREENSHOTS, startConsole } from '../support/e2e.ts';
import { type SmtpSink, startSmtpSink } from '../support/smtp-sink.ts';

/**
 * The scenarios section in a real Chromium against the real server, with the job queue's
 * worker sending over SMTP to a real SMTP server on loopback (KIZUNA_SMTP_URL) and the
 * scenario reactor listening: a marketing member builds a scenario in the flow editor (an
 * event trigger and one send step of a published template), runs the dry run on a customer
 * and sees the path, publishes; an event ingested over the API sends the mail, which arrives
 * at the sink, and the send log shows it with its reason. A read-only member sees the same
 * editor with every control disabled. Screenshots go to /tmp/kizuna-shots/.
 */
// A database of its own: the worker and reactor here act on every workspace of their database.
const database = await isolatedTestDatabase();
let running: RunningConsole;
let sink: SmtpSink;
let worker: KizunaWorker;
let reactor: ReturnType<typeof startScenarioReactor>;
let brand: Workspace;
let integrationKey: string;
let templateId: string;

beforeAll(async () => {
  sink = await startSmtpSink();
  process.env.KIZUNA_SMTP_URL = sink.url;
  brand = await freshWorkspace(database);
  const { templateIds } = await prepareScenarioWorkspace(database.pool, brand, systemClock);
  templateId = templateIds[1]!;
  await ingest(
    database.pool,
    brand,
    'customers',
    [
      {
        customer_id: 'C-1',
        name: '山田 花子',
        email: 'hanako@example.jp',
        consents: [{ channel: 'email', purpose: 'marketing', status: 'granted', at: '2026-05-01T10:00:00+09:00', source: 'signup form' }],
      },
    ],
    systemClock,
  );
  integrationKey = (await createApiKey(database.db, { workspaceId: brand.id, name: 'shop', role: 'marketing' })).key;
  running = await startConsole(database);
  worker = await startWorker({
    pool: database.pool,
    clock: systemClock,
    email: { transport: createSmtpTransport(process.env.KIZUNA_SMTP_URL), secret: 'x'.repeat(40), publicUrl: 'https://crm.example.jp' },
  });
  reactor = startScenarioReactor({ connectionString: database.url, clock: systemClock, schedule: scheduleWakeJob });
}, 180_000);

afterAll(async () => {
  await reactor?.stop();
  await worker?.stop();
  await running?.close();
  await sink?.close();
  delete process.env.KIZUNA_SMTP_URL;
  await database.close();
});

const scenariosUrl = () => `${running.baseUrl}/w/${encodeURIComponent(brand.name)}/scenarios`;

async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOTS, `scenarios-${name}.png`), fullPage: true });
}

describe('the scenarios console', () => {
  it('builds a scenario in the flow editor, dry-runs it on a customer, publishes it; an ingested event sends the mail, shown in the send log with why', async () => {
    const marketer = await running.user('marketing', 'マーケ 担当');
    const { context, page } = await running.signedInPage(marketer);
    try {
      await page.goto(scenariosUrl());
      await page.getByRole('heading', { level: 1, name: 'シナリオ' }).waitFor();
      await page.getByRole('link', { name: '新しいシナリオ' }).click();

      // The settings: key, name, and the trigger (an event of a type).
      await page.getByLabel('キー(英小文字・数字・_)').fill('course_follow');
      await page.getByLabel('シナリオ名').fill('講座ページのフォロー');
      await page.getByLabel('トリガーの種類').selectOption('event');
      await page.getByLabel('イベントの種類').fill('page_view');

      // Without a step the checker refuses, and says where.
      const problems = page.getByTestId('scenario-problems');
      await problems.getByText('エラー').first().waitFor();

      // One send step of a published template, chosen in its side panel.
      await page.getByLabel('追加するステップの種類').selectOption('send');
      await page.getByRole('button', { name: 'ステップを追加' }).click();
      const panel = page.getByRole('region', { name: 'ステップ「send」' });
      await panel.getByLabel('テンプレート(公開済みのメール)').selectOption(templateId);
      await panel.getByLabel('表示名').fill('フォローのメール');
      await page.getByTestId('flow-step-send').getByText('フォローのメール').waitFor();
      // No error left; the one warning is the missing holdout (a marketing scenario whose effect cannot be measured), which lets it through.
      await problems.getByText('エラー 0 件・注意 1 件').waitFor();
      expect(await problems.locator('.problem-warning code').allTextContents()).toEqual(['measurement']);
      await screenshot(page, 'editor');

      // Saved as a draft: the address becomes the scenario's.
      await page.getByRole('button', { name: '下書きを保存' }).click();
      await page.getByRole('status').filter({ hasText: '下書きを保存しました。' }).waitFor();
      await page.waitForURL(/\/scenarios\/course_follow$/);
      await page.getByTestId('scenario-status').filter({ hasText: '下書き' }).waitFor();

      // The dry run on C-1: the path through the send step, with its time.
      await page.getByRole('tab', { name: 'ドライラン' }).click();
      await page.getByLabel('お客様(顧客ID・名前で検索)').fill('C-1');
      await page.getByRole('button', { name: 'ドライランを実行' }).click();
      const result = page.getByTestId('dry-run-result');
      await result.waitFor();
      const rows = result.locator('tbody tr');
      expect(await rows.count()).toBeGreaterThanOrEqual(1);
      expect(await rows.first().locator('td').nth(1).textContent()).toBe('send');
      expect(await rows.first().locator('td').nth(3).textContent()).toBe('通過');
      expect(await result.textContent()).toContain('最後の状態: 完了');
      await screenshot(page, 'dry-run');

      // Publish: version 1, active.
      await page.getByRole('tab', { name: 'フロー' }).click();
      await page.getByRole('button', { name: '公開' }).click();
      await page.getByRole('status').filter({ hasText: 'バージョン 1 を公開しました。' }).waitFor();
      await page.getByTestId('scenario-status').filter({ hasText: '配信中' }).waitFor();

      // An event over the API triggers it; the mail arrives at the SMTP sink.
      const response = await fetch(`${running.baseUrl}/api/v1/workspaces/${encodeURIComponent(brand.name)}/events/batch`, {
        method: 'POST',
        headers: { authorization: `Bearer ${integrationKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          records: [{ idempotency_key: 'ev-1', customer_id: 'C-1', type: 'page_view', occurred_at: new Date().toISOString(), properties: { page: 'course' } }],
        }),
      });
      expect(response.status).toBe(200);
      for (let attempt = 0; attempt < 300 && sink.received.length === 0; attempt++) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(sink.received.map((mail) => mail.to)).toEqual([['hanako@example.jp']]);
      const mail = sink.received[0]!;
      expect(mail.parsed.text).toContain('このメールをお送りした理由');

      // The send log shows it, sent, with the reason in words (the footer's sentence).
      const why = 'サイトのページをご覧になった方にお送りしています。「講座ページのフォロー」のご案内です。';
      expect(mail.parsed.text).toContain(why);
      await page.getByRole('tab', { name: '送信ログ' }).click();
      const log = page.getByTestId('send-log');
      for (let attempt = 0; attempt < 100; attempt++) {
        if ((await log.count()) > 0 && ((await log.textContent()) ?? '').includes('送信済み')) break;
        await page.getByRole('button', { name: '再試行' }).click();
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const row = log.locator('tbody tr').first();
      expect(await row.textContent()).toContain('山田 花子');
      expect(await row.textContent()).toContain('送信済み');
      expect(await row.locator('.send-why p').textContent()).toBe(why);
      await screenshot(page, 'send-log');

      // The list: active, 1 sent; the flow's node counts the customer who passed.
      const list = await apiGet<Array<{ key: string; sent: number; entered: number; status: string }>>(
        page,
        `/api/v1/workspaces/${encodeURIComponent(brand.name)}/scenarios`,
      );
      expect(list).toMatchObject([{ key: 'course_follow', status: 'active', sent: 1, entered: 1 }]);
      await page.getByRole('tab', { name: 'フロー' }).click();
      await page.getByTestId('flow-counters-send').filter({ hasText: '入った 1・待機中 0・通過 1・離脱 0' }).waitFor();
      await page.goto(scenariosUrl());
      const listed = page.getByTestId('scenario-list').locator('tr[data-scenario="course_follow"]');
      await listed.waitFor();
      expect(await listed.textContent()).toContain('配信中');
    } finally {
      await context.close();
    }
  }, 120_000);

  it('connects steps by dragging a handle onto a node, adds a connected step where a drag ends on the canvas, disconnects an edge; picks the cell from the map; edits a monthly schedule in its form', async () => {
    const marketer = await running.user('marketing', 'マーケ 担当2');
    const { context, page } = await running.signedInPage(marketer);
    const draftOf = async () =>
      (
        await apiGet<{ draft: { document: { trigger: Record<string, unknown>; start: string; steps: Array<Record<string, unknown>> } } | null }>(
          page,
          `/api/v1/workspaces/${encodeURIComponent(brand.name)}/scenarios/drag_flow`,
        )
      ).draft!.document;
    const save = async () => {
      await page.getByRole('button', { name: '下書きを保存' }).click();
      await page.getByRole('status').filter({ hasText: '下書きを保存しました。' }).waitFor();
    };
    /** Presses the mouse on the centre of `from`, moves in small steps to `to` (a point), releases. */
    const drag = async (from: { x: number; y: number; width: number; height: number }, to: { x: number; y: number }) => {
      await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
      await page.mouse.down();
      await page.mouse.move(from.x + from.width / 2 + 5, from.y + from.height / 2 + 5, { steps: 3 });
      await page.mouse.move(to.x, to.y, { steps: 15 });
      await page.mouse.up();
    };
    try {
      await page.goto(`${scenariosUrl()}/new`);
      await page.getByLabel('キー(英小文字・数字・_)').fill('drag_flow');
      await page.getByLabel('シナリオ名').fill('ドラッグで組むフロー');

      // The cell trigger: the stage and level chosen by name from the active map; the keys are stored.
      await page.getByLabel('トリガーの種類').selectOption('cell_entered');
      const stage = page.getByLabel('ステージ', { exact: true });
      await stage.waitFor();
      const stageOptions = await stage.locator('option').allTextContents();
      expect(stageOptions).toEqual(['(どのステージでも)', '認知・関心', 'お試し', '実感', '定期継続', '日常化']);
      await stage.selectOption({ label: 'お試し' });
      await page.getByLabel('好意度', { exact: true }).selectOption({ label: '関心' });

      // Two steps, not connected: a send, then (with the settings selected) a wait.
      await page.getByLabel('追加するステップの種類').selectOption('send');
      await page.getByRole('button', { name: 'ステップを追加' }).click();
      await page.getByRole('region', { name: 'ステップ「send」' }).getByLabel('テンプレート(公開済みのメール)').selectOption(templateId);
      await page.getByRole('button', { name: '設定・トリガー・離脱ルール' }).click();
      await page.getByLabel('追加するステップの種類').selectOption('wait');
      await page.getByRole('button', { name: 'ステップを追加' }).click();
      await page.getByRole('button', { name: '設定・トリガー・離脱ルール' }).click();
      const sendNode = page.getByTestId('flow-step-send');
      const waitNode = page.getByTestId('flow-step-wait');
      await waitNode.waitFor();
      // The trigger's edge to the first step only (edges are drawn once their nodes are measured).
      await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(1);
      const canvas = page.getByRole('region', { name: 'シナリオのフロー' });
      /** Where a node is drawn inside the canvas (the page above it may grow or shrink as the problems change). */
      const placeOf = async (node: typeof waitNode) => {
        const [box, frame] = [(await node.boundingBox())!, (await canvas.boundingBox())!];
        return { x: box.x - frame.x, y: box.y - frame.y };
      };
      // The problems above the canvas change with every edit (and move it down or up): each measure waits for the check to answer.
      const settled = () => page.getByTestId('scenario-problems').getByText('確認しています…').waitFor({ state: 'detached' });
      await settled();
      await canvas.evaluate((element) => element.scrollIntoView({ block: 'start' }));
      // Zoomed out a little: room around the nodes to drop a new one.
      for (let i = 0; i < 3; i++) await canvas.getByRole('button', { name: '縮小' }).click();
      const waitBefore = (await waitNode.boundingBox())!;
      const waitPlace = await placeOf(waitNode);
      const sendPlace = await placeOf(sendNode);

      // Drag send's "next" handle onto the wait node: connected; no node moves.
      const sendHandle = (await page.getByTestId('flow-handle-send-next').boundingBox())!;
      await drag(sendHandle, { x: waitBefore.x + waitBefore.width / 2, y: waitBefore.y + waitBefore.height / 2 });
      await page.locator('.react-flow__edge[data-id="send:next"]').waitFor({ state: 'attached' });
      expect(await placeOf(waitNode)).toEqual(waitPlace);
      expect(await placeOf(sendNode)).toEqual(sendPlace);
      await sendNode.click();
      expect(await page.getByRole('region', { name: 'ステップ「send」' }).getByLabel('次のステップ').inputValue()).toBe('wait');

      await settled();
      // Drag wait's handle onto the empty canvas to its right: the menu adds an exit step there, connected.
      const waitHandle = (await page.getByTestId('flow-handle-wait-next').boundingBox())!;
      const frame = (await canvas.boundingBox())!;
      const drop = { x: waitHandle.x + 190, y: waitHandle.y - 30 };
      expect(drop.y + 80).toBeLessThan(frame.y + frame.height);
      expect(drop.x + 80).toBeLessThan(frame.x + frame.width);
      const dropPlace = { x: drop.x - frame.x, y: drop.y - frame.y };
      await drag(waitHandle, drop);
      const menu = page.getByRole('dialog', { name: 'ステップを追加して接続' });
      await menu.getByLabel('ここに追加するステップの種類').selectOption('exit');
      await menu.getByRole('button', { name: '追加して接続' }).click();
      await page.getByTestId('flow-step-exit').waitFor();
      await page.locator('.react-flow__edge[data-id="wait:next"]').waitFor({ state: 'attached' });
      await settled();
      // The new node stands where the drag ended (its top centre there), and nothing else moved.
      const exitPlace = await placeOf(page.getByTestId('flow-step-exit'));
      const exitBox = (await page.getByTestId('flow-step-exit').boundingBox())!;
      expect(Math.abs(exitPlace.x + exitBox.width / 2 - dropPlace.x)).toBeLessThan(3);
      expect(Math.abs(exitPlace.y - dropPlace.y)).toBeLessThan(3);
      expect(await placeOf(waitNode)).toEqual(waitPlace);
      await screenshot(page, 'drag-connect');

      await save();
      await page.waitForURL(/\/scenarios\/drag_flow$/);
      let saved = await draftOf();
      expect(saved.trigger).toEqual({ kind: 'cell_entered', stage: 'trial', level: 'interested' });
      expect(saved.start).toBe('send');
      expect(saved.steps.map((step) => [step.id, step.kind, step.next ?? null])).toEqual([
        ['send', 'send', 'wait'],
        ['wait', 'wait', 'exit'],
        ['exit', 'exit', null],
      ]);

      // Select the wait → exit edge with the keyboard and press Delete: disconnected (next: null).
      const edge = page.locator('.react-flow__edge[data-id="wait:next"]');
      await edge.focus();
      await page.keyboard.press('Enter');
      await page.getByTestId('flow-edge-panel').getByRole('button', { name: '接続を外す' }).waitFor();
      await page.keyboard.press('Delete');
      await edge.waitFor({ state: 'detached' });
      await save();
      saved = await draftOf();
      expect(saved.steps.find((step) => step.id === 'wait')!.next).toBeNull();

      // The + under send inserts a step after it: send → wait_until → wait.
      await page.getByRole('button', { name: '「send」の後ろにステップを挿入' }).click();
      const insert = page.getByRole('dialog', { name: 'ステップを追加して接続' });
      await insert.getByLabel('ここに追加するステップの種類').selectOption('wait_until');
      await insert.getByRole('button', { name: '追加して接続' }).click();
      await page.locator('.react-flow__edge[data-id="wait_until:next"]').waitFor({ state: 'attached' });
      await save();
      saved = await draftOf();
      expect(saved.steps.find((step) => step.id === 'send')!.next).toBe('wait_until');
      expect(saved.steps.find((step) => step.id === 'wait_until')!.next).toBe('wait');

      // The audience trigger's schedule in its form: monthly on the 15th at 08:30.
      await page.getByRole('button', { name: '設定・トリガー・離脱ルール' }).click();
      await page.getByLabel('トリガーの種類').selectOption('audience');
      await page.getByLabel('実行する間隔').selectOption({ label: '毎日' });
      await page.getByLabel('時刻', { exact: true }).fill('07:15');
      await page.getByLabel('実行する間隔').selectOption({ label: '毎月' });
      await page.getByLabel('日にち(1〜28日)').selectOption({ label: '15日' });
      expect(await page.getByLabel('日にち(1〜28日)').locator('option').count()).toBe(28);
      expect(await page.getByLabel('時刻', { exact: true }).inputValue()).toBe('07:15');
      await page.getByLabel('時刻', { exact: true }).fill('08:30');
      await screenshot(page, 'schedule');
      await save();
      saved = await draftOf();
      expect(saved.trigger.schedule).toEqual({ kind: 'monthly', dayOfMonth: 15, at: '08:30' });
    } finally {
      await context.close();
    }
  }, 120_000);

  it('says there is no active journey map (with a link to it) where a cell is to be chosen in a workspace without one', async () => {
    const bare = await freshWorkspace(database);
    const marketer = await running.user('marketing', 'マーケ 担当3', [bare]);
    const { context, page } = await running.signedInPage(marketer);
    try {
      await page.goto(`${running.baseUrl}/w/${encodeURIComponent(bare.name)}/scenarios/new`);
      await page.getByLabel('トリガーの種類').selectOption('cell_entered');
      const note = page.getByRole('note').filter({ hasText: '有効なジャーニーマップがないため、セルを選べません。' });
      await note.waitFor();
      expect(await note.getByRole('link', { name: 'ジャーニーマップへ' }).getAttribute('href')).toBe(`/w/${encodeURIComponent(bare.name)}/journey`);
      expect(await page.getByLabel('ステージ', { exact: true }).locator('option').allTextContents()).toEqual(['(どのステージでも)']);
    } finally {
      await context.close();
    }
  }, 60_000);

  it('shows a read-only member the same editor with every control disabled and no way to save or publish', async () => {
    const reader = await running.user('read_only', '閲覧 担当');
    const { context, page } = await running.signedInPage(reader);
    try {
      await page.goto(`${scenariosUrl()}/course_follow`);
      await page.getByText('この権限ではシナリオを閲覧のみできます').waitFor();
      expect(await page.getByRole('link', { name: '新しいシナリオ' }).count()).toBe(0);
      expect(await page.getByRole('button', { name: '下書きを保存' }).count()).toBe(0);
      expect(await page.getByRole('button', { name: '公開' }).count()).toBe(0);
      expect(await page.getByRole('button', { name: 'ステップを追加' }).count()).toBe(0);
      expect(await page.getByLabel('シナリオ名').isDisabled()).toBe(true);
      await page.getByTestId('flow-step-send').click();
      const panel = page.getByRole('region', { name: 'ステップ「send」' });
      expect(await panel.getByLabel('テンプレート(公開済みのメール)').isDisabled()).toBe(true);
      expect(await panel.getByRole('button', { name: 'このステップを削除' }).isDisabled()).toBe(true);
      // The send log is readable.
      await page.getByRole('tab', { name: '送信ログ' }).click();
      await page.getByTestId('send-log').getByText('送信済み').waitFor();
      await screenshot(page, 'read-only');
    } finally {
      await context.close();
    }
  }, 60_000);
});
