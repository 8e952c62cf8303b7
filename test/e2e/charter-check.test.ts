import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkMessage } from '../../src/charter/check-message.ts';
import { seedDemoCharter } from '../../src/demo/demo-templates.ts';
import type { Workspace } from '../../src/workspaces/workspaces.ts';
import { connectTestDatabase, freshWorkspace } from '../support/database.ts';
import { apiGet, SCREENSHOTS, startConsole, type RunningConsole } from '../support/e2e.ts';

/**
 * The live checker and the template publish gate in a real Chromium against the real server
 * and checker, on a workspace holding the demo brand's charter and templates: a mixed-register
 * sentence typed in is underlined where it is, its card shows on hover and its fix applies in
 * one click; a template with errors is refused at publication, an admin publishes it over a
 * written reason that lands in the audit log, and other roles cannot.
 */

const database = connectTestDatabase();
let running: RunningConsole;
let brand: Workspace;
let admin: Page;

const GREETING = 'いつもありがとうございます。';
const SIGN_OFF = '今後ともよろしくお願いいたします。';

async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOTS, `charter-${name}.png`), fullPage: true });
}

function workspacePath(...parts: string[]): string {
  return `${running.baseUrl}/w/${encodeURIComponent(brand.name)}/${parts.join('/')}`;
}

/** A mark in the field's backdrop (the underline drawn under the typed text). */
function mark(page: Page, field: 'message-body' | 'message-subject', text: string) {
  return page.locator(`.checked-field:has(#${field}) .checked-backdrop mark`).filter({ hasText: text });
}

beforeAll(async () => {
  brand = await freshWorkspace(database);
  await seedDemoCharter({ pool: database.pool, workspaceId: brand.id, check: checkMessage });
  running = await startConsole(database);
  ({ page: admin } = await running.signedInPage(await running.user('admin', '管理 太郎')));
});

afterAll(async () => {
  await running?.close();
  await database.close();
});

describe('the live checker', () => {
  it('is reached from the navigation and names the charter it checks against', async () => {
    await admin.goto(workspacePath());
    const navigation = admin.getByRole('navigation', { name: 'メインナビゲーション' });
    const pages = navigation.getByRole('list', { name: '関係性定義のページ' });
    await pages.getByRole('link').first().waitFor();
    expect(await pages.getByRole('link').allTextContents()).toEqual(['定義の編集', 'チェッカー', 'テンプレート', 'ワンボイス', '承認ログ']);
    await navigation.getByRole('link', { name: 'チェッカー' }).click();
    await admin.getByRole('heading', { level: 1, name: 'メッセージチェッカー' }).waitFor();
    expect(await admin.locator('.charter-line').textContent()).toContain('お客様と「かかりつけの相談相手」のような関係を築く');
  });

  it('underlines a mixed-register sentence as it is typed, shows the card on hover, and applies the fix in one click', async () => {
    await admin.goto(workspacePath('charter', 'check'));
    await admin.getByRole('button', { name: 'クリア' }).click();
    await admin.getByRole('combobox', { name: 'チャネル' }).selectOption('line');
    const body = admin.getByRole('textbox', { name: '本文' });
    await body.click();
    await body.pressSequentially(`${GREETING}新しい青汁が届きました。とてもおいしいのである。${SIGN_OFF}`, { delay: 10 });

    const underline = mark(admin, 'message-body', 'である');
    await underline.waitFor();
    expect(await underline.getAttribute('class')).toContain('severity-error');
    // The mark lies under the typed words: its box is inside the textarea's.
    const markBox = (await underline.boundingBox())!;
    const fieldBox = (await body.boundingBox())!;
    expect(markBox.x).toBeGreaterThan(fieldBox.x);
    expect(markBox.x + markBox.width).toBeLessThan(fieldBox.x + fieldBox.width);
    expect(await admin.locator('.findings-publishable').textContent()).toBe('エラーがあるため、このままでは公開できません');
    await screenshot(admin, 'checker-underline');

    await admin.mouse.move(markBox.x + markBox.width / 2, markBox.y + markBox.height / 2);
    const card = admin.getByRole('dialog', { name: '指摘の詳細' });
    await card.waitFor();
    expect(await card.textContent()).toContain('文体は「ですます」調に統一します');
    expect(await card.locator('.finding-suggestion ins').textContent()).toBe('です');
    await screenshot(admin, 'checker-hover');

    await card.getByRole('button', { name: '修正する' }).click();
    expect(await body.inputValue()).toBe(`${GREETING}新しい青汁が届きました。とてもおいしいのです。${SIGN_OFF}`);
    await admin.getByText('指摘はありません。関係性定義どおりの文面です。').waitFor();
    expect(await admin.locator('.checked-backdrop mark').count()).toBe(0);
    expect(await admin.locator('.findings-score').textContent()).toBe('100 点');
  });

  it('does not check while an IME composition is open: the kana not yet converted are not flagged until committed', async () => {
    // The page's timers run on Playwright's clock: the pause after a keystroke is passed by moving that clock, not by sleeping.
    const { context, page } = await running.newPage();
    await context.addCookies(await admin.context().cookies());
    await context.clock.install();
    await page.goto(workspacePath('charter', 'check'));
    await page.getByRole('button', { name: 'クリア' }).click();
    const body = page.getByRole('textbox', { name: '本文' });
    await body.fill(`${GREETING}新しい青汁を${SIGN_OFF}`);
    await page.getByText('指摘はありません。関係性定義どおりの文面です。').waitFor();
    const requests: string[] = [];
    page.on('request', (request) => requests.push(new URL(request.url()).pathname));
    await body.focus();
    await body.evaluate((element: HTMLTextAreaElement, at) => element.setSelectionRange(at, at), GREETING.length);
    await page.clock.pauseAt(Date.now() + 1000);
    const cdp = await context.newCDPSession(page);
    await cdp.send('Input.imeSetComposition', { text: 'おきゃくさま', selectionStart: 6, selectionEnd: 6 });
    await expect.poll(() => body.inputValue()).toContain('おきゃくさま');
    // Well past the pause after a keystroke, then a request of our own: the browser reports requests in the order the page
    // made them, so once ours is seen, a check sent while composing would have been seen before it.
    await page.clock.runFor(2000);
    await page.evaluate(() => fetch('/?after-composing'));
    await expect.poll(() => requests.includes('/')).toBe(true);
    expect(requests.filter((url) => url.endsWith('/charter/check'))).toEqual([]);
    expect(await mark(page, 'message-body', 'おきゃくさま').count()).toBe(0);
    await cdp.send('Input.insertText', { text: 'おきゃくさま' });
    await page.clock.runFor(2000);
    await mark(page, 'message-body', 'おきゃくさま').waitFor();
    expect(requests.filter((url) => url.endsWith('/charter/check')).length).toBeGreaterThan(0);
    await cdp.detach();
    await context.close();
  });

  it('lists every finding of the sample with its rule, marks the subject too, and fixes all that can be fixed at once', async () => {
    await admin.goto(workspacePath('charter', 'check'));
    await admin.getByRole('combobox', { name: 'チャネル' }).selectOption('email');
    await admin.getByRole('button', { name: '例文を入れる' }).click();
    await mark(admin, 'message-subject', '日本一').waitFor();
    const list = admin.getByRole('list', { name: '指摘' });
    await expect.poll(async () => list.locator('[data-rule]').count()).toBeGreaterThan(5);
    const rules = await list.locator('[data-rule]').evaluateAll((cards) => cards.map((card) => card.getAttribute('data-rule')));
    expect(rules).toEqual(
      expect.arrayContaining(['claims.keihyoho.ranking', 'dictionary.variant', 'claims.yakkiho.blood_pressure', 'register.mixed', 'pressure.phrase']),
    );
    // A claim offers a rewording to write, not a one-click fix.
    const claim = list.locator('[data-rule="claims.yakkiho.blood_pressure"]');
    expect(await claim.locator('.finding-rewording').textContent()).toContain('食生活のバランスを応援');
    expect(await claim.getByRole('button', { name: '修正する' }).count()).toBe(0);
    await screenshot(admin, 'checker-sample');

    await admin.getByRole('button', { name: /まとめて修正/ }).click();
    const body = admin.getByRole('textbox', { name: '本文' });
    await expect.poll(() => body.inputValue()).toContain('お客様の毎日の健康');
    expect(await body.inputValue()).toContain('下がるのです。');
    await expect.poll(async () => list.locator('[data-rule="dictionary.variant"]').count()).toBe(0);
    // The claims stay: they need a human to rewrite them.
    await expect.poll(async () => list.locator('[data-rule="claims.yakkiho.blood_pressure"]').count()).toBe(1);
  });

  it('checks in English when the console is in English', async () => {
    await admin.goto(workspacePath('charter', 'check'));
    await admin.getByRole('group', { name: '表示言語' }).getByRole('button', { name: 'English' }).click();
    await admin.getByRole('heading', { level: 1, name: 'Message checker' }).waitFor();
    await admin.getByRole('button', { name: 'Clear' }).click();
    await admin.getByRole('textbox', { name: 'Body' }).fill(`${GREETING}お客さまに新しい青汁をお届けします。${SIGN_OFF}`);
    const finding = admin.getByRole('list', { name: 'Findings' }).locator('[data-rule="dictionary.variant"]');
    await finding.waitFor();
    expect(await finding.textContent()).toContain('Write "お客様" instead of "お客さま".');
    await admin.getByRole('group', { name: 'Language' }).getByRole('button', { name: '日本語' }).click();
    await admin.getByRole('heading', { level: 1, name: 'メッセージチェッカー' }).waitFor();
  });
});

type Template = {
  id: string;
  name: string;
  status: string;
  score: number;
  overrides: { reason: string; overriddenBy: string; findings: { rule: string }[] }[];
};

describe('templates: save and the publish gate', () => {
  it('saves a draft from the checker as a new template, with its check', async () => {
    await admin.goto(workspacePath('charter', 'check'));
    await admin.getByRole('button', { name: 'クリア' }).click();
    await admin.getByRole('combobox', { name: '部署' }).selectOption('support');
    await admin.getByRole('combobox', { name: 'チャネル' }).selectOption('line');
    await admin.getByRole('textbox', { name: '本文' }).fill(`${GREETING}この青汁で痩せる方が続出しています。${SIGN_OFF}`);
    await mark(admin, 'message-body', '痩せる').waitFor();
    await admin.getByRole('button', { name: 'テンプレートとして保存' }).click();
    await admin.getByRole('heading', { level: 1, name: '新しいテンプレート' }).waitFor();
    expect(await admin.getByRole('combobox', { name: '部署' }).inputValue()).toBe('support');
    await admin.getByLabel('テンプレート名').fill('痩せる訴求(LINE)');
    await admin.getByRole('button', { name: '作成' }).click();
    await admin.getByRole('heading', { level: 1, name: 'テンプレート「痩せる訴求(LINE)」' }).waitFor();
    await admin.getByText('作成しました。').waitFor();
    const id = /templates\/(\d+)/.exec(admin.url())![1]!;
    const stored = await apiGet<Template>(admin, `/api/v1/workspaces/${brand.name}/templates/${id}`);
    expect(stored).toMatchObject({ name: '痩せる訴求(LINE)', status: 'draft', score: 80 });
    expect(await admin.getByRole('region', { name: 'テンプレートの状態' }).textContent()).toContain('80 点');
  });

  it('refuses to publish a template with errors, and an admin publishes it over a written reason kept in the audit log', async () => {
    const { items } = await apiGet<{ items: Template[] }>(admin, `/api/v1/workspaces/${brand.name}/templates`);
    const template = items.find((item) => item.name === '痩せる訴求(LINE)')!;
    await admin.goto(workspacePath('charter', 'templates', template.id));
    await admin.getByRole('button', { name: '公開', exact: true }).click();
    const refused = admin.getByRole('alert').filter({ hasText: '公開できません' });
    await refused.waitFor();
    expect(await refused.locator('[data-rule]').evaluateAll((cards) => cards.map((card) => card.getAttribute('data-rule')))).toEqual([
      'claims.yakkiho.slimming',
    ]);

    // No reason, no override.
    await refused.getByRole('button', { name: '理由を記録して公開' }).click();
    await refused.getByText('理由を入力してください。').waitFor();
    expect((await apiGet<Template>(admin, `/api/v1/workspaces/${brand.name}/templates/${template.id}`)).status).toBe('draft');

    const reason = '法務部確認済み(2026/11/25): 体験談として根拠資料を保管。';
    await refused.getByLabel('公開する理由').fill(reason);
    await refused.getByRole('button', { name: '理由を記録して公開' }).click();
    await admin.getByText('エラーを承知のうえで公開しました。').waitFor();
    const log = admin.getByRole('region', { name: '公開時のエラー承認(監査ログ)' });
    await log.getByRole('cell', { name: reason }).waitFor();
    expect(await log.getByRole('row').nth(1).textContent()).toContain('管理 太郎');
    await screenshot(admin, 'template-override');

    const stored = await apiGet<Template>(admin, `/api/v1/workspaces/${brand.name}/templates/${template.id}`);
    expect(stored.status).toBe('published');
    expect(stored.overrides).toHaveLength(1);
    expect(stored.overrides[0]).toMatchObject({ reason, findings: [{ rule: 'claims.yakkiho.slimming' }] });
  });

  it('an edit makes the published template a draft again; fixing it lets it be published without override', async () => {
    const { items } = await apiGet<{ items: Template[] }>(admin, `/api/v1/workspaces/${brand.name}/templates`);
    const template = items.find((item) => item.name === '痩せる訴求(LINE)')!;
    await admin.goto(workspacePath('charter', 'templates', template.id));
    const body = admin.getByRole('textbox', { name: '本文' });
    await body.fill(`${GREETING}この青汁で、すっきりとした毎日をサポートします。${SIGN_OFF}`);
    await admin.getByText('公開する前に保存してください。').waitFor();
    expect(await admin.getByRole('button', { name: '公開', exact: true }).isDisabled()).toBe(true);
    await admin.getByRole('button', { name: '保存', exact: true }).click();
    await admin.getByText('保存しました。').waitFor();
    await expect.poll(async () => (await apiGet<Template>(admin, `/api/v1/workspaces/${brand.name}/templates/${template.id}`)).status).toBe('draft');
    await admin.getByRole('button', { name: '公開', exact: true }).click();
    await admin.getByText('公開しました。').waitFor();
    const stored = await apiGet<Template>(admin, `/api/v1/workspaces/${brand.name}/templates/${template.id}`);
    expect(stored).toMatchObject({ status: 'published', score: 100 });
    expect(stored.overrides).toHaveLength(1);
  });

  it('a marketing user is refused without the override form; a read-only user cannot edit', async () => {
    const { items } = await apiGet<{ items: Template[] }>(admin, `/api/v1/workspaces/${brand.name}/templates`);
    const campaign = items.find((item) => item.name === '週末キャンペーン（SMS）')!;
    const { page: marketer, context } = await running.signedInPage(await running.user('marketing'));
    await marketer.goto(workspacePath('charter', 'templates', campaign.id));
    await marketer.getByRole('button', { name: '公開', exact: true }).click();
    const refused = marketer.getByRole('alert').filter({ hasText: '公開できません' });
    await refused.getByText('エラーを残したまま公開できるのは管理者だけです。').waitFor();
    expect(await refused.getByLabel('公開する理由').count()).toBe(0);
    await context.close();

    const { page: reader, context: readerContext } = await running.signedInPage(await running.user('read_only'));
    await reader.goto(workspacePath('charter', 'templates', campaign.id));
    await reader.getByText('閲覧のみの権限のため、編集できません。').waitFor();
    expect(await reader.getByRole('button', { name: '保存' }).count()).toBe(0);
    expect(await reader.getByRole('textbox', { name: '本文' }).getAttribute('readonly')).not.toBeNull();
    // The reader still sees the findings underlined.
    await mark(reader, 'message-body', '痩せる').waitFor();
    await readerContext.close();
  });

  it('deletes a template after a confirmation; the workspace override log keeps its entry, marked deleted', async () => {
    const { items } = await apiGet<{ items: Template[] }>(admin, `/api/v1/workspaces/${brand.name}/templates`);
    const template = items.find((item) => item.name === '痩せる訴求(LINE)')!;
    await admin.goto(workspacePath('charter', 'templates', template.id));
    await admin.getByRole('button', { name: '削除', exact: true }).click();
    const confirm = admin.getByRole('alertdialog', { name: '削除' });
    expect(await confirm.textContent()).toContain('テンプレート「痩せる訴求(LINE)」を削除しますか?');
    await confirm.getByRole('button', { name: 'キャンセル' }).click();
    expect(await admin.getByRole('alertdialog').count()).toBe(0);
    await admin.getByRole('button', { name: '削除', exact: true }).click();
    await admin.getByRole('alertdialog', { name: '削除' }).getByRole('button', { name: '削除する' }).click();
    await admin.getByRole('heading', { level: 1, name: 'テンプレート', exact: true }).waitFor();
    expect(admin.url()).toMatch(/\/charter\/templates$/);
    const after = await apiGet<{ items: Template[] }>(admin, `/api/v1/workspaces/${brand.name}/templates`);
    expect(after.items.map((item) => item.name)).not.toContain('痩せる訴求(LINE)');

    await admin.getByRole('navigation', { name: 'メインナビゲーション' }).getByRole('link', { name: '承認ログ' }).click();
    await admin.getByRole('heading', { level: 1, name: 'エラー承認ログ' }).waitFor();
    const row = admin.getByRole('row').filter({ hasText: '痩せる訴求(LINE)' });
    expect(await row.textContent()).toContain('削除済み');
    expect(await row.textContent()).toContain('法務部確認済み(2026/11/25): 体験談として根拠資料を保管。');
    await screenshot(admin, 'override-log');
  });
});
