import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkMessage } from '../../src/charter/check-message.ts';
import { DEMO_CHARTER } from '../../src/demo/demo-charter.ts';
import { seedDemoCharter } from '../../src/demo/demo-templates.ts';
import type { Charter } from '../../src/charter/types.ts';
import type { Workspace } from '../../src/workspaces/workspaces.ts';
import { connectTestDatabase, freshWorkspace } from '../support/database.ts';
import { apiGet, SCREENSHOTS, startConsole, type ConsoleUser, type RunningConsole } from '../support/e2e.ts';

/**
 * The relationship charter editor and its versions in a real Chromium against the real
 * server, on a workspace with the demo charter (version 1, 「かかりつけの相談相手」): the editor
 * shows the charter's fields, a change saves as the next version that the API and the versions
 * page show with who changed which fields, a refused charter keeps the user's input and
 * names the wrong fields without saving, a reader cannot change anything, and an admin creates
 * the first charter of an empty workspace. Screenshots go to /tmp/kizuna-shots/.
 */

type StoredCharter = { version: number; charter: Charter; updatedAt: string };
type CharterVersion = { version: number; changedBy: string; changedFields: string[]; summary: string };

const database = connectTestDatabase();
let console_: RunningConsole;
let brand: Workspace;
let empty: Workspace;
let editor: ConsoleUser;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  brand = await freshWorkspace(database);
  empty = await freshWorkspace(database);
  await seedDemoCharter({ pool: database.pool, workspaceId: brand.id, check: checkMessage });
  console_ = await startConsole(database);
  editor = await console_.user('admin', '定義 編集者');
  ({ context, page } = await console_.signedInPage(editor));
}, 120_000);

afterAll(async () => {
  await context?.close();
  await console_?.close();
  await database.close();
});

/** The whole page, or only the window (`fullPage` false: what the user sees, the save bar at its foot). */
async function screenshot(target: Page, name: string, fullPage = true): Promise<void> {
  await target.screenshot({ path: path.join(SCREENSHOTS, `charter-editor-${name}.png`), fullPage });
}

const charterUrl = (workspace: Workspace) => `/api/v1/workspaces/${encodeURIComponent(workspace.name)}/charter`;

async function openEditor(target: Page, workspace: Workspace): Promise<void> {
  await target.goto(`${console_.baseUrl}/w/${encodeURIComponent(workspace.name)}/charter/editor`);
  await target.getByRole('heading', { level: 1, name: '関係性定義' }).waitFor();
}

describe('the charter editor', () => {
  it('shows the demo charter: its relationship phrase, meaning, register, dictionary, limits and claims packs', async () => {
    await openEditor(page, brand);
    const phrase = page.locator('.relationship-phrase');
    expect(await phrase.textContent()).toBe('お客様と「かかりつけの相談相手」のような関係を築く');
    expect(await page.getByLabel('関係を表す言葉').inputValue()).toBe('かかりつけの相談相手');
    expect(await page.getByLabel('この関係の意味').inputValue()).toBe(DEMO_CHARTER.meaning);
    expect(await page.getByRole('radio', { name: 'です・ます調' }).isChecked()).toBe(true);
    expect(await page.getByRole('list', { name: '使う呼び方' }).getByRole('listitem').allTextContents()).toEqual(DEMO_CHARTER.address.use.map((w) => `${w}×`));
    expect(await page.getByRole('textbox', { name: '推奨表記(1行目)' }).inputValue()).toBe('お客様');
    expect(await page.getByRole('textbox', { name: '表記ゆれ(1行目)' }).inputValue()).toBe('お客さま、おきゃくさま');
    expect(await page.getByRole('combobox', { name: '重さ(5行目)' }).inputValue()).toBe('error');
    expect(await page.getByLabel('1文の最大文字数').inputValue()).toBe('80');
    expect(await page.getByRole('checkbox', { name: '薬機法(健康食品)' }).isChecked()).toBe(true);
    expect(await page.getByRole('checkbox', { name: '薬機法(化粧品)' }).isChecked()).toBe(false);
    expect(await page.locator('.charter-version-meta').textContent()).toContain('バージョン 1');
    expect(await page.getByRole('button', { name: '保存', exact: true }).isDisabled()).toBe(true);

    // The phrase follows the word as it is typed.
    await page.getByLabel('関係を表す言葉').fill('よき伴走者');
    expect(await phrase.textContent()).toBe('お客様と「よき伴走者」のような関係を築く');
    expect(await page.getByRole('button', { name: '保存', exact: true }).isEnabled()).toBe(true);
    await screenshot(page, 'editing-window', false);
    await page.getByRole('button', { name: '変更を取り消す' }).click();
    expect(await phrase.textContent()).toBe('お客様と「かかりつけの相談相手」のような関係を築く');
    await screenshot(page, 'demo');
  });

  it('saves a new dictionary entry, address form and sentence length as version 2, which the API returns', async () => {
    await openEditor(page, brand);
    await page.getByRole('button', { name: '用語を追加' }).click();
    await page.getByRole('textbox', { name: '推奨表記(7行目)' }).fill('お届け');
    await page.getByRole('textbox', { name: '表記ゆれ(7行目)' }).fill('おとどけ、お届, 御届け');
    await page.getByRole('textbox', { name: '使わない呼び方を追加' }).fill('キミ');
    await page.getByRole('textbox', { name: '使わない呼び方を追加' }).press('Enter');
    await page.getByLabel('1文の最大文字数').fill('100');
    expect(await page.getByRole('list', { name: '使わない呼び方' }).textContent()).toContain('キミ');
    await page.getByRole('button', { name: '保存', exact: true }).click();
    await page.getByRole('status').filter({ hasText: '保存しました(バージョン 2)。' }).waitFor();
    expect(await page.locator('.charter-version-meta').textContent()).toContain('バージョン 2');
    expect(await page.getByRole('button', { name: '保存', exact: true }).isDisabled()).toBe(true);
    await screenshot(page, 'saved');

    const stored = await apiGet<StoredCharter>(page, charterUrl(brand));
    expect(stored.version).toBe(2);
    expect(stored.charter.limits.maxSentenceLength).toBe(100);
    expect(stored.charter.address.avoid).toEqual([...DEMO_CHARTER.address.avoid, 'キミ']);
    expect(stored.charter.dictionary.at(-1)).toEqual({ preferred: 'お届け', variants: ['おとどけ', 'お届', '御届け'] });

    // Saving the same charter (a trailing space aside: the server trims) writes no version.
    await page.getByLabel('関係を表す言葉').fill('かかりつけの相談相手 ');
    await page.getByRole('button', { name: '保存', exact: true }).click();
    await page.getByRole('status').filter({ hasText: '変更はありません。' }).waitFor();
    expect((await apiGet<StoredCharter>(page, charterUrl(brand))).version).toBe(2);
  });

  it('lists version 2 first with who changed it and the changed fields, beside version 1', async () => {
    await openEditor(page, brand);
    await page.getByRole('link', { name: '変更履歴を見る' }).click();
    await page.getByRole('heading', { level: 1, name: '変更履歴' }).waitFor();
    const versions = await apiGet<{ items: CharterVersion[] }>(page, `${charterUrl(brand)}/versions`);
    expect(versions.items.map((v) => v.version)).toEqual([2, 1]);
    expect(versions.items[0]!.changedFields).toEqual(['address.avoid', 'dictionary', 'limits.maxSentenceLength']);

    const table = page.getByRole('region', { name: 'バージョン一覧' }).getByRole('table');
    const rows = table.locator('tbody tr');
    expect(await rows.count()).toBe(2);
    const newest = await rows.nth(0).getByRole('cell').allTextContents();
    expect(newest[0]).toContain('v2');
    expect(newest[2]).toBe(`定義 編集者 <${editor.email}>`);
    expect(await rows.nth(0).getByRole('listitem').allTextContents()).toEqual(['使わない呼び方', '用語集', '1文の最大文字数']);
    expect(newest[4]).toContain('1文の最大文字数: 80 → 100');
    expect(newest[4]).toContain('用語集: 追加 お届け');
    expect((await rows.nth(1).getByRole('cell').allTextContents())[2]).toBe('demo');

    const detail = page.getByRole('region', { name: 'バージョン 2 の内容' });
    const comparison = detail.getByRole('table', { name: 'バージョン 1 からの変更' });
    const limitRow = comparison.getByRole('row', { name: /1文の最大文字数/ });
    expect(await limitRow.getByRole('cell').allTextContents()).toEqual(['80', '100']);
    await screenshot(page, 'versions');

    await page.getByRole('button', { name: 'バージョン 1 を表示' }).click();
    const first = page.getByRole('region', { name: 'バージョン 1 の内容' });
    expect(await first.textContent()).toContain('最初のバージョンです。');
    expect(await first.textContent()).toContain('お客様と「かかりつけの相談相手」のような関係を築く');

    // In English, the same history in English words.
    await page.getByRole('button', { name: 'English' }).click();
    try {
      await page.getByRole('heading', { level: 1, name: 'Charter versions' }).waitFor();
      await page.getByRole('button', { name: 'Show version 2' }).click();
      const newestInEnglish = page.getByRole('region', { name: 'Versions' }).locator('tbody tr').nth(0);
      expect(await newestInEnglish.getByRole('listitem').allTextContents()).toEqual(['Forms of address avoided', 'Dictionary', 'Max sentence length']);
      expect(await newestInEnglish.getByRole('cell').nth(4).textContent()).toContain('Max sentence length: 80 → 100');
      await screenshot(page, 'versions-en');
    } finally {
      await page.getByRole('button', { name: '日本語' }).click();
    }
    await page.getByRole('heading', { level: 1, name: '変更履歴' }).waitFor();
  });

  it('refuses an empty relationship word and too many commas: each problem beside its field, the input kept, nothing saved', async () => {
    await openEditor(page, brand);
    const word = page.getByLabel('関係を表す言葉');
    await word.fill('');
    await page.getByLabel('1文の読点(、)の最大数').fill('50');
    await page.getByRole('textbox', { name: '表記ゆれ(2行目)' }).fill('');
    await page.getByRole('button', { name: '保存', exact: true }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('保存できませんでした。3 件の項目を確認してください。');
    expect(await alert.textContent()).toContain('関係を表す言葉: 入力してください。');
    expect(await word.getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('.field-relationship .field-problem').textContent()).toContain('入力してください。');
    expect(await page.locator('.limits-grid .field-problem').textContent()).toContain('0〜20 の整数を入力してください。');
    expect(
      await page
        .getByRole('cell')
        .filter({ has: page.getByRole('textbox', { name: '表記ゆれ(2行目)' }) })
        .textContent(),
    ).toContain('表記ゆれを1つ以上入力してください。');
    // What the user typed is still there.
    expect(await page.getByLabel('1文の読点(、)の最大数').inputValue()).toBe('50');
    expect(await page.locator('.relationship-phrase').textContent()).toBe('お客様と「＿＿」のような関係を築く');
    expect(await word.evaluate((input) => input === document.activeElement)).toBe(true);
    await screenshot(page, 'refused');
    await screenshot(page, 'refused-window', false);
    // Each problem of the list takes the user to its field.
    await alert.getByRole('button', { name: '用語集 2行目の表記ゆれ' }).click();
    expect(await page.getByRole('textbox', { name: '表記ゆれ(2行目)' }).evaluate((input) => input === document.activeElement)).toBe(true);

    const stored = await apiGet<StoredCharter>(page, charterUrl(brand));
    expect(stored.version).toBe(2);
    expect(stored.charter.relationship).toBe('かかりつけの相談相手');

    // Fixing the fields saves.
    await word.fill('かかりつけの相談相手');
    await page.getByLabel('1文の読点(、)の最大数').fill('4');
    await page.getByRole('textbox', { name: '表記ゆれ(2行目)' }).fill('みのり青汁本補');
    await page.getByRole('button', { name: '保存', exact: true }).click();
    await page.getByRole('status').filter({ hasText: '保存しました(バージョン 3)。' }).waitFor();
    expect((await apiGet<StoredCharter>(page, charterUrl(brand))).charter.limits.maxCommasPerSentence).toBe(4);
  });

  it('shows a reader the charter without any means to change it, and tells a reader when there is none', async () => {
    const reader = await console_.signedInPage(await console_.user('read_only'));
    try {
      await openEditor(reader.page, brand);
      expect(await reader.page.locator('.relationship-phrase').textContent()).toBe('お客様と「かかりつけの相談相手」のような関係を築く');
      expect(await reader.page.getByText('閲覧のみです。').count()).toBe(1);
      const word = reader.page.getByLabel('関係を表す言葉');
      expect(await word.inputValue()).toBe('かかりつけの相談相手');
      expect(await word.isEditable()).toBe(false);
      expect(await reader.page.getByRole('checkbox', { name: '景品表示法' }).isDisabled()).toBe(true);
      expect(await reader.page.getByRole('button', { name: '保存', exact: true }).count()).toBe(0);
      expect(await reader.page.getByRole('button', { name: '用語を追加' }).count()).toBe(0);
      expect(await reader.page.getByRole('button', { name: /を削除/ }).count()).toBe(0);
      await screenshot(reader.page, 'read-only');

      await openEditor(reader.page, empty);
      expect(await reader.page.getByRole('status').textContent()).toContain('このワークスペースにはまだ関係性定義がありません。');
      expect(await reader.page.getByRole('form').count()).toBe(0);
    } finally {
      await reader.context.close();
    }
  });

  it('lets an admin create the first charter of an empty workspace from sensible defaults', async () => {
    await openEditor(page, empty);
    expect(await page.locator('.charter-version-meta').textContent()).toContain('未作成');
    expect(await page.getByRole('radio', { name: 'です・ます調' }).isChecked()).toBe(true);
    expect(await page.getByRole('list', { name: '使う呼び方' }).textContent()).toContain('お客様');
    expect(await page.getByLabel('1文の最大文字数').inputValue()).toBe('80');
    expect(await page.getByText('まだ保存されていません。').count()).toBe(1);
    await page.getByLabel('関係を表す言葉').fill('よき伴走者');
    await page.getByLabel('この関係の意味').fill('お客様の毎日に寄り添い、必要なときに支えます。');
    await page.getByRole('checkbox', { name: '薬機法(化粧品)' }).check();
    await page.getByRole('textbox', { name: '結びの言葉を追加' }).fill('またお便りします');
    await page.getByRole('group', { name: '結びの言葉' }).getByRole('button', { name: '追加', exact: true }).click();
    await screenshot(page, 'create');
    await page.getByRole('button', { name: '保存', exact: true }).click();
    await page.getByRole('status').filter({ hasText: '関係性定義を作成しました(バージョン 1)。' }).waitFor();

    const stored = await apiGet<StoredCharter>(page, charterUrl(empty));
    expect(stored.version).toBe(1);
    expect(stored.charter).toMatchObject({
      relationship: 'よき伴走者',
      register: 'desumasu',
      address: { use: ['お客様'], avoid: [] },
      limits: { maxSentenceLength: 80, maxCommasPerSentence: 3, maxExclamations: 1, emoji: 'few' },
      signOffs: ['またお便りします'],
      claimsPacks: ['yakkiho_cosmetics'],
    });
    expect(await page.locator('.charter-version-meta').textContent()).toContain('バージョン 1');
  });

  it('shows, before saving, which templates a stricter pressure rule would block; saving checks every template again', async () => {
    const strict = await freshWorkspace(database);
    await console_.addMember(editor, strict);
    await seedDemoCharter({ pool: database.pool, workspaceId: strict.id, check: checkMessage });
    await openEditor(page, strict);
    const row = DEMO_CHARTER.pressure.findIndex((entry) => entry.phrase === '今だけ') + 1;
    await page.getByRole('combobox', { name: `重さ(${row}行目)` }).selectOption('error');

    const stricter = { ...DEMO_CHARTER, pressure: DEMO_CHARTER.pressure.map((entry) => (entry.phrase === '今だけ' ? { ...entry, severity: 'error' } : entry)) };
    const expected = (await page.evaluate(
      async ([url, body]) => (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body })).json(),
      [`${charterUrl(strict)}/impact`, JSON.stringify(stricter)] as const,
    )) as { newlyBlocked: number; templates: { name: string; before: { counts: { error: number } }; after: { counts: { error: number } } }[] };
    expect(expected.newlyBlocked).toBeGreaterThan(0);
    const panel = page.getByRole('region', { name: 'この変更によるテンプレートへの影響' });
    await panel.getByText(`公開できなくなる(エラーが出る)テンプレート: ${expected.newlyBlocked} 件`).waitFor();
    const blocked = expected.templates.filter((t) => t.before.counts.error === 0 && t.after.counts.error > 0).map((t) => t.name);
    for (const name of blocked) expect(await panel.locator(`tr[data-template="${name}"]`).textContent()).toContain('公開不可に');
    // The sticky save bar says it too, where the writer is about to save.
    await page
      .getByRole('region', { name: '保存' })
      .getByRole('link', { name: `公開できなくなる(エラーが出る)テンプレート: ${expected.newlyBlocked} 件` })
      .waitFor();
    await screenshot(page, 'impact');

    await page.getByRole('button', { name: '保存', exact: true }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `保存しました(バージョン 2)。 テンプレート ${expected.templates.length} 件を新しい定義で再チェックしました。` })
      .waitFor();
    expect(await panel.count()).toBe(0);
    const { items } = await apiGet<{ items: { name: string; stale: boolean; counts: { error: number } }[] }>(
      page,
      `/api/v1/workspaces/${encodeURIComponent(strict.name)}/templates`,
    );
    expect(items.every((item) => !item.stale)).toBe(true);
    for (const name of blocked) expect(items.find((item) => item.name === name)?.counts.error).toBeGreaterThan(0);
  });
});
