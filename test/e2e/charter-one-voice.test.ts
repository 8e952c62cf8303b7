import path from 'node:path';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/charter/actor.ts';
import { saveCharter } from '../../src/charter/charters.ts';
import { checkMessage } from '../../src/charter/check-message.ts';
import { DEMO_CHARTER } from '../../src/demo/demo-charter.ts';
import { DEMO_TEMPLATES, seedDemoCharter } from '../../src/demo/demo-templates.ts';
import { createTemplate } from '../../src/charter/templates.ts';
import type { Workspace } from '../../src/workspaces/workspaces.ts';
import { connectTestDatabase, freshWorkspace } from '../support/database.ts';
import { apiGet as apiGetOf, SCREENSHOTS, startConsole, type RunningConsole } from '../support/e2e.ts';

/**
 * The charter's templates page and one-voice report in a real Chromium against the real
 * server, on a workspace with the demo charter and its 7 demo templates: every template shows
 * under its department with the API's score and error count, the one-voice page shows the
 * API's mean scores and address forms by department, and the departments whose voice splits
 * are highlighted. A workspace without a charter or templates explains itself instead.
 * Screenshots go to /tmp/kizuna-shots/.
 */

type Department = 'marketing' | 'support' | 'site_operations' | 'sales';
type TemplateSummary = {
  id: string;
  name: string;
  department: Department;
  score: number;
  status: 'draft' | 'published';
  counts: { error: number; warning: number; info: number };
};
type OneVoiceReport = {
  charterVersion: number | null;
  departments: {
    department: Department;
    templates: { id: string; name: string; score: number }[];
    meanScore: number | null;
    topFindings: { rule: string; severity: string; count: number; example: string }[];
    addressForms: { form: string; standing: 'use' | 'avoid' | 'other'; count: number; example: string; templateName: string }[];
  }[];
  splits: { form: string; departments: Department[] }[];
};

const DEPARTMENT_NAMES: Record<Department, string> = {
  marketing: 'マーケティング',
  support: 'カスタマーサポート',
  site_operations: 'サイト運営',
  sales: '営業',
};

const database = connectTestDatabase();
let console_: RunningConsole;
const actor: Actor = { kind: 'system', label: 'test' };
/** The demo charter and its 7 templates. */
let brand: Workspace;
/** No charter, no templates. */
let empty: Workspace;
/** The demo charter, no templates. */
let charterOnly: Workspace;
/** Two demo templates checked against the demo charter, then the charter changed. */
let changed: Workspace;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  brand = await freshWorkspace(database);
  empty = await freshWorkspace(database);
  charterOnly = await freshWorkspace(database);
  changed = await freshWorkspace(database);
  const pool = database.pool;
  await seedDemoCharter({ pool, workspaceId: brand.id, check: checkMessage });
  await saveCharter({ pool, workspaceId: charterOnly.id, input: DEMO_CHARTER, actor });
  await saveCharter({ pool, workspaceId: changed.id, input: DEMO_CHARTER, actor });
  for (const input of DEMO_TEMPLATES.slice(0, 2)) await createTemplate({ pool, workspaceId: changed.id, check: checkMessage, input, actor });
  await saveCharter({ pool, workspaceId: changed.id, input: { ...DEMO_CHARTER, greetings: [...DEMO_CHARTER.greetings, 'お世話になっております'] }, actor });
  console_ = await startConsole(database);
  ({ context, page } = await console_.signedInPage(await console_.user('admin')));
}, 120_000);

afterAll(async () => {
  await context?.close();
  await console_?.close();
  await database.close();
});

/** The API's answer with the browser's session, as the console itself gets it. */
function apiGet<T>(url: string): Promise<T> {
  return apiGetOf<T>(page, url);
}

async function open(workspace: Workspace, charterPage: string, heading: string): Promise<void> {
  await page.goto(`${console_.baseUrl}/w/${encodeURIComponent(workspace.name)}/charter/${charterPage}`);
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
  // The title shows with the page; its data follow: wait until nothing is loading.
  await expect
    .poll(() =>
      page
        .getByRole('status')
        .filter({ hasText: /読み込み中|Loading/ })
        .count(),
    )
    .toBe(0);
}

async function screenshot(name: string): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOTS, `charter-${name}.png`), fullPage: true });
}

/** A score as shown (「81.7 点」) as a number. */
function shownScore(text: string | null): number {
  return Number((text ?? '').replace(/[^\d.]/g, ''));
}

function region(name: string): Locator {
  return page.getByRole('region', { name, exact: true });
}

describe('the charter templates page', () => {
  it("shows every template under its department with the API's score and error count, and a summary per department", async () => {
    await open(brand, 'templates', 'テンプレート');
    const { items } = await apiGet<{ items: TemplateSummary[] }>(`/api/v1/workspaces/${brand.name}/templates`);
    expect(items).toHaveLength(DEMO_TEMPLATES.length);
    await screenshot('templates');
    for (const department of Object.keys(DEPARTMENT_NAMES) as Department[]) {
      const section = region(DEPARTMENT_NAMES[department]);
      const table = section.getByRole('table', { name: `${DEPARTMENT_NAMES[department]}のテンプレート` });
      const expected = items.filter((item) => item.department === department);
      expect(expected.length).toBeGreaterThan(0);
      const rows = table.locator('tbody tr');
      expect(await rows.count()).toBe(expected.length);
      for (const template of expected) {
        const row = table.getByRole('row').filter({ has: page.getByRole('link', { name: template.name, exact: true }) });
        const cells = await row.getByRole('cell').allTextContents();
        // 名前 is the row header; then チャネル, 形式, 状態, スコア, エラー, 警告, 情報, 最終更新.
        expect(shownScore(cells[3] ?? null)).toBe(template.score);
        expect(Number(cells[4])).toBe(template.counts.error);
        expect(Number(cells[5])).toBe(template.counts.warning);
        expect(Number(cells[6])).toBe(template.counts.info);
        expect(await row.getByRole('link', { name: template.name }).getAttribute('href')).toBe(`/w/${brand.name}/charter/templates/${template.id}`);
      }
      const summary = section.getByRole('definition');
      const texts = await summary.allTextContents();
      expect(texts[0]).toBe(String(expected.length));
      const mean = expected.reduce((sum, item) => sum + item.score, 0) / expected.length;
      expect(shownScore(texts[1] ?? null)).toBeCloseTo(mean, 1);
      const publishable = expected.filter((item) => item.counts.error === 0).length;
      expect(texts[2]).toBe(`${publishable} / ${expected.length}`);
    }
    // The demo's SMS promises 痩せる: an error, so the page says a template cannot be published.
    expect(items.some((item) => item.counts.error > 0)).toBe(true);
    await expect.poll(() => page.getByText('件のテンプレートにエラーがあり').count()).toBe(1);
  });

  it('keeps the department shown in the query, so a filtered view is a link', async () => {
    await open(brand, 'templates', 'テンプレート');
    const filter = page.getByRole('group', { name: '表示する部署' });
    await filter.getByRole('button', { name: /^営業/ }).click();
    await page.waitForURL(/department=sales/);
    expect(await page.getByRole('heading', { level: 2 }).allTextContents()).toEqual(['営業']);
    await page.reload();
    // The title shows before the list has loaded: wait for the department's own heading.
    await page.getByRole('heading', { level: 2, name: '営業' }).waitFor();
    expect(await page.getByRole('heading', { level: 2 }).allTextContents()).toEqual(['営業']);
    expect(await filter.getByRole('button', { name: /^営業/ }).getAttribute('aria-pressed')).toBe('true');
    const create = page.getByRole('link', { name: '営業のテンプレートを新規作成' });
    expect(await create.getAttribute('href')).toBe(`/w/${brand.name}/charter/templates/new?department=sales`);
  });

  it('shows an empty state with a create link in every department of a workspace without templates', async () => {
    await open(charterOnly, 'templates', 'テンプレート');
    for (const department of Object.keys(DEPARTMENT_NAMES) as Department[]) {
      const section = region(DEPARTMENT_NAMES[department]);
      await section.getByText(`${DEPARTMENT_NAMES[department]}のテンプレートはまだありません。`).waitFor();
      expect(await section.getByRole('table').count()).toBe(0);
      expect(await section.getByRole('link', { name: `${DEPARTMENT_NAMES[department]}のテンプレートを新規作成` }).getAttribute('href')).toBe(
        `/w/${charterOnly.name}/charter/templates/new?department=${department}`,
      );
    }
    await screenshot('templates-empty');
  });

  it('sends writers to the charter first when the workspace has none, with no create links', async () => {
    await open(empty, 'templates', 'テンプレート');
    const notice = page.getByRole('status').filter({ hasText: 'このワークスペースにはまだ関係性定義がありません。' });
    await notice.waitFor();
    expect(await notice.getByRole('link', { name: '関係性定義を開く' }).getAttribute('href')).toBe(`/w/${empty.name}/charter/editor`);
    expect(await page.getByRole('link', { name: /新規作成/ }).count()).toBe(0);
    expect(await page.getByRole('heading', { level: 2 }).count()).toBe(0);
    await screenshot('templates-no-charter');
  });

  it('marks the templates checked against an older charter, with the note on hover', async () => {
    await open(changed, 'templates', 'テンプレート');
    const { items } = await apiGet<{ items: (TemplateSummary & { stale: boolean })[] }>(`/api/v1/workspaces/${changed.name}/templates`);
    expect(items.map((item) => item.stale)).toEqual([true, true]);
    const markers = page.getByRole('table').getByText('定義の変更後に未チェック');
    expect(await markers.count()).toBe(items.length);
    expect(await markers.first().getAttribute('title')).toBe('関係性定義が変わりました。保存または公開すると、新しい定義で再チェックされます。');
    await page.getByText('2 件のテンプレートは、関係性定義の変更後にまだチェックされていません。', { exact: false }).waitFor();
    await markers.first().hover();
    await screenshot('templates-stale');
  });

  it('offers no create links to a read-only user', async () => {
    const reader = await console_.signedInPage(await console_.user('read_only'));
    try {
      await reader.page.goto(`${console_.baseUrl}/w/${encodeURIComponent(charterOnly.name)}/charter/templates`);
      await reader.page.getByRole('heading', { level: 1, name: 'テンプレート' }).waitFor();
      await reader.page.getByText('管理者または編集者がテンプレートを作成すると、ここに表示されます。').first().waitFor();
      expect(await reader.page.getByRole('link', { name: /新規作成/ }).count()).toBe(0);
    } finally {
      await reader.context.close();
    }
  });
});

describe('the one-voice page', () => {
  it("shows each department's mean score, template count and templates as the API reports them", async () => {
    await open(brand, 'one-voice', 'ワンボイス');
    const report = await apiGet<OneVoiceReport>(`/api/v1/workspaces/${brand.name}/charter/one-voice`);
    await screenshot('one-voice');
    const departments = region('部署ごとの声');
    for (const voice of report.departments) {
      const card = departments.getByRole('region', { name: DEPARTMENT_NAMES[voice.department], exact: true });
      const mean = await card.locator('.mean-score').textContent();
      expect(voice.meanScore).not.toBeNull();
      expect(shownScore(mean)).toBe(voice.meanScore);
      expect(Number(await card.locator('.template-count').textContent())).toBe(voice.templates.length);
      const links = card.getByRole('list', { name: 'テンプレート' }).getByRole('link');
      expect(await links.allTextContents()).toEqual(voice.templates.map((template) => template.name));
      if (voice.topFindings.length > 0) {
        const findings = card.getByRole('table', { name: `${DEPARTMENT_NAMES[voice.department]}でよくある指摘` });
        const counts = await findings.locator('tbody tr td:nth-child(3)').allTextContents();
        expect(counts.map(Number)).toEqual(voice.topFindings.map((finding) => finding.count));
      }
    }
  });

  it('lays the address forms side by side as the API counts them, and highlights the departments that split', async () => {
    await open(brand, 'one-voice', 'ワンボイス');
    const report = await apiGet<OneVoiceReport>(`/api/v1/workspaces/${brand.name}/charter/one-voice`);
    const matrix = page.getByRole('table', { name: '部署ごとのお客様への呼びかけ' });
    const order = Object.keys(DEPARTMENT_NAMES) as Department[];
    const forms = new Set(report.departments.flatMap((voice) => voice.addressForms.map((use) => use.form)));
    expect(forms.size).toBeGreaterThan(1);
    for (const form of forms) {
      const row = matrix.locator(`tbody tr[data-form="${form}"]`);
      const cells = await row.getByRole('cell').allTextContents();
      // Side by side: each department's count, with an example of its own words and the template they are from.
      const expected = order.map((department) => {
        const use = report.departments.find((voice) => voice.department === department)?.addressForms.find((u) => u.form === form);
        return use === undefined ? '—' : `${use.count}${use.example}${use.templateName}`;
      });
      expect(cells, form).toEqual(expected);
      const standing = report.departments.flatMap((voice) => voice.addressForms).find((use) => use.form === form)?.standing;
      expect(await row.getAttribute('class')).toBe(`standing-${standing}`);
    }
    // The demo: support writes お客さま (a variant), sales あなた (avoided); the charter's お客様 is marked correct.
    expect(report.splits.map((split) => split.form).sort()).toEqual(['あなた', 'お客さま']);
    await matrix.locator('tbody tr[data-form="お客様"]').getByText('定義どおり').waitFor();
    const splitting = new Set(report.splits.flatMap((split) => split.departments));
    const splits = region('声が分かれているところ');
    for (const split of report.splits) {
      await splits.getByText(`「${split.form}」は`, { exact: false }).waitFor();
    }
    await splits.getByText('「あなた」は営業が使っています').waitFor();
    for (const department of order) {
      const card = region('部署ごとの声').getByRole('region', { name: DEPARTMENT_NAMES[department], exact: true });
      const header = matrix.getByRole('columnheader', { name: new RegExp(`^${DEPARTMENT_NAMES[department]}`) });
      expect(await card.getByText('呼びかけが定義と異なります').count(), department).toBe(splitting.has(department) ? 1 : 0);
      expect((await header.getAttribute('class'))?.includes('split-column'), department).toBe(splitting.has(department));
      expect((await card.getAttribute('class'))?.includes('voice-split'), department).toBe(splitting.has(department));
    }
    await matrix.screenshot({ path: path.join(SCREENSHOTS, 'charter-one-voice-matrix.png') });
  });

  it('explains that templates come first in a workspace with a charter and no templates', async () => {
    await open(charterOnly, 'one-voice', 'ワンボイス');
    const notice = page.getByRole('status').filter({ hasText: 'まだテンプレートがありません。' });
    await notice.waitFor();
    expect(await notice.getByRole('link', { name: 'テンプレートを開く' }).getAttribute('href')).toBe(`/w/${charterOnly.name}/charter/templates`);
    await page
      .getByRole('region', { name: /^基準となる関係性定義/ })
      .getByText('お客様と「かかりつけの相談相手」のような関係を築く')
      .waitFor();
    expect(await page.getByRole('table').count()).toBe(0);
  });

  it('explains a workspace without a charter instead of showing empty tables', async () => {
    await open(empty, 'one-voice', 'ワンボイス');
    await page.getByRole('status').getByText('このワークスペースにはまだ関係性定義がありません。').waitFor();
    expect(await page.getByRole('table').count()).toBe(0);
    await screenshot('one-voice-empty');
  });

  it('reads in English too, with the same figures', async () => {
    await open(brand, 'one-voice', 'ワンボイス');
    await page.getByRole('button', { name: 'English', exact: true }).click();
    try {
      await page.getByRole('heading', { level: 1, name: 'One voice' }).waitFor();
      const matrix = page.getByRole('table', { name: 'How each department addresses the customer' });
      await matrix.locator('tbody tr[data-form="あなた"]').getByText('Avoided by the charter').waitFor();
      await page.getByRole('region', { name: 'Where the voice splits' }).getByText('"あなた" is written by Sales').waitFor();
      await screenshot('one-voice-en');
      await open(brand, 'templates', 'Templates');
      await page.getByRole('table', { name: 'Sales templates' }).waitFor();
      await screenshot('templates-en');
    } finally {
      await page.getByRole('button', { name: '日本語', exact: true }).click();
    }
  });
});
