import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoBrand } from '../../src/demo/generate-demo-brand.ts';
import type { Workspace } from '../../src/workspaces/workspaces.ts';
import { apiGet as apiGetOf, SCREENSHOTS, startConsole, type RunningConsole } from '../support/e2e.ts';
import { connectTestDatabase, freshWorkspace } from '../support/database.ts';

/**
 * The analytics console in a real Chromium against the real server, on a demo brand (its
 * history ends 2026-10-31, whatever the day the test runs): every page shows the API's own
 * figures, the table view and the CSV hold the same numbers, the customer value model runs
 * from the console, and the customer 360 shows the customer's RFM, P(alive) and CLV.
 * Screenshots go to /tmp/kizuna-shots/.
 */

const database = connectTestDatabase();
let brand: Workspace;
let empty: Workspace;
let running: RunningConsole;
let baseUrl: string;
let page: Page;

/** Months of the demo's last year; the data ends on 2026-10-31, so 2026-11-01 is its end. */
const DATA_END = '2026-11-01';

async function screenshot(name: string): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOTS, `analytics-${name}.png`), fullPage: true });
}

/** The API's answer with the browser's session, as the console itself would get it. */
function apiGet<T>(url: string): Promise<T> {
  return apiGetOf<T>(page, url);
}

/** Only the digits of a shown count: 1,234 → 1234. Never for money: ￥43,369.60 and ￥4,336,960 have the same digits. */
function digits(text: string | null): string {
  return (text ?? '').replace(/[^\d]/g, '');
}

/**
 * An amount of yen exactly as a Japanese reader sees it, written by hand rather than by the
 * console's formatter: the full-width yen sign, whole yen, commas every three digits.
 */
function yen(amount: string | number): string {
  const whole = Math.round(Number(amount));
  return `${whole < 0 ? '-' : ''}￥${String(Math.abs(whole)).replace(/\B(?=(\d{3})+$)/g, ',')}`;
}

/** A shown figure's text without surrounding spaces. */
function shown(text: string | null | undefined): string {
  return (text ?? '').trim();
}

function card(name: string | RegExp): Locator {
  return page.getByRole('region', { name });
}

async function showTable(region: Locator): Promise<Locator> {
  await region.getByRole('group', { name: '表示形式' }).getByRole('button', { name: '表', exact: true }).click();
  const table = region.getByRole('table');
  await table.waitFor();
  return table;
}

/** The rows of a table as arrays of cell texts (header row excluded). */
async function tableRows(table: Locator): Promise<string[][]> {
  const rows = table.locator('tbody tr');
  const count = await rows.count();
  const result: string[][] = [];
  for (let i = 0; i < count; i++) result.push(await rows.nth(i).getByRole('cell').allTextContents());
  return result;
}

async function downloadCsv(region: Locator): Promise<{ name: string; text: string }> {
  const [download] = await Promise.all([page.waitForEvent('download'), region.getByRole('button', { name: /CSV/ }).click()]);
  const file = await download.path();
  return { name: download.suggestedFilename(), text: readFileSync(file, 'utf8') };
}

async function open(pathAndQuery: string, heading: string): Promise<void> {
  await page.goto(`${baseUrl}/w/${encodeURIComponent(brand.name)}/${pathAndQuery}`);
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
}

beforeAll(async () => {
  brand = await freshWorkspace(database);
  empty = await freshWorkspace(database);
  await generateDemoBrand({ pool: database.pool, workspace: brand, customers: 400, seed: 11, until: '2026-10-31' });
  running = await startConsole(database);
  baseUrl = running.baseUrl;
  ({ page } = await running.signedInPage(await running.user('admin', '分析 担当')));
});

afterAll(async () => {
  await running?.close();
  await database.close();
});

type SalesTotals = { sales: string; customers: number; frequency: number | null };
type SalesDecomposition = {
  totals: SalesTotals;
  series: { bucket: string; totals: SalesTotals }[];
  comparisons: { comparison: string; change: { salesRatio: number | null; factors: Record<string, { share: number | null }> } }[];
};

describe('the analytics console', () => {
  it('reaches every analytics page from the navigation, the sales page first', async () => {
    await page.goto(`${baseUrl}/w/${encodeURIComponent(brand.name)}`);
    const navigation = page.getByRole('navigation', { name: 'メインナビゲーション' });
    await navigation.getByRole('link', { name: '分析', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: '売上分解' }).waitFor();
    expect(page.url()).toContain('/analytics/sales');
    const menu = navigation.getByRole('list', { name: '分析メニュー' });
    expect(await menu.getByRole('link').allTextContents()).toEqual([
      '売上分解',
      '差異分析',
      'リピート・F2',
      '離反',
      'コホート継続',
      'RFM',
      '顧客価値(LTV)',
      '定期の推移',
      '回数別継続率',
      '引き上げ率',
      'KPIボード',
    ]);
  });

  it("shows the decomposition tree with the API's figures, and each month's sales in the table view and the CSV", async () => {
    const query = 'from=2026-01-01&to=2026-07-01&granularity=month';
    await open(`analytics/sales?${query}`, '売上分解');
    const api = await apiGet<SalesDecomposition>(`/api/v1/workspaces/${brand.name}/analytics/sales?${query}`);
    const tree = card('売上分解ツリー');
    await expect.poll(async () => shown(await tree.locator('[data-factor="sales"] .dnode-value').textContent())).toBe(yen(api.totals.sales));
    expect(digits(await tree.locator('[data-factor="customers"] .dnode-value').textContent())).toBe(String(api.totals.customers));
    const previous = api.comparisons.find((c) => c.comparison === 'previous')!;
    expect(await tree.locator('[data-factor="sales"] .dnode-ratio').textContent()).toContain(`前期比 ${(previous.change.salesRatio! * 100).toFixed(1)}%`);
    await page.locator('.definitions summary').click();
    expect(await page.locator('.definitions').textContent()).toContain('売上 = 客数 × 来店回数 × 点数 × 単価');
    await screenshot('sales');
    await page.locator('.definitions summary').click();

    const trend = card('売上と客数の推移');
    expect(await trend.getByRole('img', { name: '売上と客数の推移' }).locator('canvas').count()).toBeGreaterThan(0);
    const rows = await tableRows(await showTable(trend));
    expect(rows).toHaveLength(6);
    const march = api.series.find((b) => b.bucket === '2026-03-01')!;
    const marchRow = rows.find((cells) => cells[0] === '2026年3月')!;
    expect(shown(marchRow[1])).toBe(yen(march.totals.sales));
    expect(digits(marchRow[2]!)).toBe(String(march.totals.customers));
    await screenshot('sales-table');

    const csv = await downloadCsv(trend);
    expect(csv.name).toBe('sales-trend_month_2026-01-01_2026-07-01.csv');
    expect(csv.text.charCodeAt(0)).toBe(0xfeff);
    const lines = csv.text.slice(1).trimEnd().split('\r\n');
    expect(lines[0]).toBe('期間,売上,客数,来店回数(頻度),点数(1回あたり),単価(1点あたり),購入件数,購入点数');
    expect(lines).toHaveLength(7);
    expect(
      lines
        .find((line) => line.startsWith('2026-03-01,'))!
        .split(',')
        .slice(0, 3),
    ).toEqual(['2026-03-01', march.totals.sales, String(march.totals.customers)]);
  });

  it('ranks the difference by channel by contribution, and follows the dimension chosen', async () => {
    const query = 'from=2026-09-01&to=2026-11-01';
    await open(`analytics/difference?${query}&by=channel`, '差異分析');
    const api = await apiGet<{ groups: { key: string | null; contribution: number | null }[] }>(
      `/api/v1/workspaces/${brand.name}/analytics/sales/difference?${query}&by=channel&compare=previous`,
    );
    const chart = card('売上変化への寄与(上位20)');
    await chart.getByRole('img').waitFor();
    await screenshot('difference');
    const rows = await tableRows(await showTable(chart));
    expect(rows).toHaveLength(api.groups.length);
    const contributions = api.groups.map((g) => g.contribution!);
    expect(contributions.reduce((sum, c) => sum + c, 0)).toBeCloseTo(1, 9);
    expect(rows.map((cells) => cells[1])).toEqual(contributions.map((c) => `${(c * 100).toFixed(1)}%`));

    await page.getByLabel('分ける軸').selectOption('gender');
    await expect.poll(() => page.url()).toContain('by=gender');
    await expect.poll(async () => (await tableRows(chart.getByRole('table'))).map((cells) => cells[0]).sort()).toEqual(expect.arrayContaining(['女性']));
  });

  it('shows the repeat rate and F2 conversion by cohort, incomplete cohorts marked, with W as a parameter', async () => {
    const query = 'from=2026-05-01&to=2026-11-01&granularity=month';
    await open(`analytics/repeat?${query}&within=60`, 'リピート・F2');
    const repeat = await apiGet<{ total: { rate: number } }>(`/api/v1/workspaces/${brand.name}/analytics/repeat?${query}`);
    const f2 = await apiGet<{ total: { rate: number }; cohorts: { complete: boolean }[] }>(`/api/v1/workspaces/${brand.name}/analytics/f2?${query}&within=60`);
    const repeatStat = page.locator('.stat').filter({ hasText: 'リピート率' }).first();
    await expect.poll(async () => repeatStat.locator('.stat-value').textContent()).toBe(`${(repeat.total.rate * 100).toFixed(1)}%`);
    const f2Stat = page.locator('.stat').filter({ hasText: 'F2転換率(60日以内)' });
    expect(await f2Stat.locator('.stat-value').textContent()).toBe(`${(f2.total.rate * 100).toFixed(1)}%`);
    expect(f2.cohorts.some((c) => !c.complete)).toBe(true);
    await screenshot('repeat-f2');
    const f2Rows = await tableRows(await showTable(card('初回購入コホート別 F2転換率')));
    expect(f2Rows.map((cells) => cells.at(-1))).toEqual(f2.cohorts.map((c) => (c.complete ? '確定' : '集計中')));
  });

  it('lists churned customers, most valuable first, with the churn rate and the window proposal, linking to the customer 360', async () => {
    await open(`analytics/churn?asOf=${DATA_END}`, '離反');
    const api = await apiGet<{
      outcome: 'listed';
      churnRate: number;
      keptBySubscription: number;
      window: { days: number };
      items: { name: string; totalSpent: string; recencyScore: number }[];
    }>(`/api/v1/workspaces/${brand.name}/analytics/churn?asOf=${DATA_END}`);
    const rate = page.locator('.stat').filter({ hasText: '離反率' });
    await expect.poll(() => rate.locator('.stat-value').textContent()).toBe(`${(api.churnRate * 100).toFixed(1)}%`);
    expect(await page.locator('.stat').filter({ hasText: '離反とみなす期間' }).locator('.stat-value').textContent()).toBe(`${api.window.days}日`);
    expect(await card('離反期間の提案と設定').textContent()).toContain('提案');
    const list = card('離反顧客(価値の高い順)');
    const rows = await tableRows(list.getByRole('table'));
    expect(rows.slice(0, 3).map((cells) => [cells[0], shown(cells[6])])).toEqual(api.items.slice(0, 3).map((c) => [c.name, yen(c.totalSpent)]));
    // The one rule in words, the customers a subscription kept out, and each one's R score beside the churn.
    await page.getByText('定期のあるお客様は、購入が空いていても離反にしません').waitFor();
    expect(digits(await page.locator('.stat').filter({ hasText: '定期で離反から除外' }).locator('.stat-value').textContent())).toBe(
      String(api.keptBySubscription),
    );
    expect(shown(rows[0]![7])).toBe(`R${api.items[0]!.recencyScore}`);
    expect(await card('離反期間の提案と設定').textContent()).toMatch(/購入間隔から提案しています/);
    await screenshot('churn');
    await list.getByRole('link', { name: api.items[0]!.name }).click();
    await page.getByRole('heading', { level: 1, name: api.items[0]!.name }).waitFor();
    // The 360 page says why: the churn status with its days against the window, beside the RFM.
    const block = card('分析(RFM・予測LTV)');
    await block.getByRole('heading', { name: '離反の判定' }).waitFor();
    expect(await block.locator('.churn-status').textContent()).toMatch(/^離反: 最終購入から [\d,]+日/);
  });

  it('opens the churn page as of today and says where the data ends', async () => {
    await open('analytics/churn', '離反');
    const api = await apiGet<{ asOf: string; dataEndsOn: string | null }>(`/api/v1/workspaces/${brand.name}/analytics/churn`);
    // The demo's history ends 2026-10-31, whatever the day: today, as the API and the CLI default to, is later.
    expect(api.dataEndsOn).toBe('2026-10-31');
    await page
      .getByRole('note')
      .getByText(/^データは 2026\/10\/31 の注文までです。/)
      .waitFor();
    expect(await page.getByLabel('基準日').inputValue()).toBe(api.asOf);
  });

  it('draws the cohort heatmap and the LTV curve, switching to revenue per customer', async () => {
    const query = `from=2025-11-01&to=2026-11-01&months=12&asOf=${DATA_END}`;
    await open(`analytics/retention?${query}`, 'コホート継続');
    const api = await apiGet<{
      cohorts: { month: string; customers: number; cells: { retention: number | null; cumulativeRevenuePerCustomer: number | null }[] }[];
    }>(`/api/v1/workspaces/${brand.name}/analytics/retention?${query}`);
    await card('コホート別 継続率').getByRole('img').waitFor();
    await card(/実績LTV曲線/)
      .getByRole('img')
      .waitFor();
    await screenshot('retention');
    await page.getByRole('group', { name: '表示する値' }).getByRole('button', { name: '累計購入額/人(LTV)' }).click();
    const heatmap = card('コホート別 累計購入額/人(LTV)');
    const rows = await tableRows(await showTable(heatmap));
    expect(rows).toHaveLength(api.cohorts.length);
    const first = api.cohorts[0]!;
    expect(rows[0]!.slice(0, 2)).toEqual(['2025年11月', String(first.customers)]);
    expect(shown(rows[0]![2 + 3])).toBe(yen(first.cells[3]!.cumulativeRevenuePerCustomer!));
    // The last cohort's later months are not over yet: unknown, not zero.
    expect(rows.at(-1)!.at(-1)).toBe('—');
  });

  it('shows the 5 × 5 R × F grid whose cells add up to the customers, and the segments', async () => {
    await open(`analytics/rfm?asOf=${DATA_END}`, 'RFM');
    const api = await apiGet<{ customers: number; segments: { code: string; customers: number }[] }>(
      `/api/v1/workspaces/${brand.name}/analytics/rfm?asOf=${DATA_END}`,
    );
    const customers = page.locator('.stat').filter({ hasText: '顧客数' });
    await expect.poll(async () => digits(await customers.locator('.stat-value').textContent())).toBe(String(api.customers));
    const grid = card('R × F グリッド(顧客数)');
    await grid.getByRole('img').waitFor();
    await screenshot('rfm');
    const rows = await tableRows(await showTable(grid));
    expect(rows).toHaveLength(25);
    expect(rows.reduce((sum, cells) => sum + Number(digits(cells[2]!)), 0)).toBe(api.customers);
    const segments = await tableRows(await showTable(card('セグメント別 顧客数と購入金額の構成比')));
    expect(segments.map((cells) => Number(digits(cells[2]!)))).toEqual(api.segments.map((s) => s.customers));
    expect(segments.map((cells) => cells[0])).toEqual(['離反', '離反予備', '新規', '優良', '安定']);
    // RFM's 離反 is the churn list of the same date, said on the page.
    await page.getByText('RFM の「離反」セグメントはこの一覧と同じです').waitFor();
    const churn = await apiGet<{ churned: number }>(`/api/v1/workspaces/${brand.name}/analytics/churn?asOf=${DATA_END}&limit=1`);
    expect(api.segments.find((s) => s.code === 'churned')!.customers).toBe(churn.churned);
  });

  it('says on the customer 360 that the customer value model has not been run', async () => {
    const top = await apiGet<{ items: { customerId: string; name: string }[] }>(
      `/api/v1/workspaces/${brand.name}/analytics/rfm/customers?segment=loyal&asOf=${DATA_END}&limit=1`,
    );
    await open(`customers/${top.items[0]!.customerId}`, top.items[0]!.name);
    const block = card('分析(RFM・予測LTV)');
    await block.getByText('顧客価値モデルがまだ実行されていないため').waitFor();
    expect(await block.locator('.rfm-score-value').count()).toBe(3);
  });

  it('runs the customer value model from the console and shows its parameters, distributions and top customers', async () => {
    await open('analytics/customer-value', '顧客価値(LTV)');
    await page.getByText('まだ顧客価値モデルを実行していません。').waitFor();
    await screenshot('customer-value-empty');
    // No margin is assumed: the page asks for one, and the run uses the workspace's.
    const marginCard = card('粗利率(ワークスペースの設定)');
    await marginCard.getByText('粗利率が設定されていません。').waitFor();
    await marginCard.getByLabel('粗利率(0〜1)').fill('0.3');
    await marginCard.getByRole('button', { name: '粗利率を保存' }).click();
    await marginCard.getByText('粗利率を保存しました。').waitFor();
    await page.getByLabel('学習期間の最終日').fill('2026-10-31');
    await page.getByRole('button', { name: 'モデルを実行' }).click();
    const parameters = card('モデルのパラメータ');
    await parameters.waitFor({ timeout: 60_000 });
    const run = await apiGet<{ customers: number; bgNbd: { r: number }; gammaGamma: { p: number } }>(
      `/api/v1/workspaces/${brand.name}/analytics/customer-value`,
    );
    const parameterRows = await tableRows(parameters.getByRole('table'));
    expect(parameterRows[0]!.slice(0, 3)).toEqual(['BG/NBD', 'r', run.bgNbd.r.toFixed(4).replace(/0+$/, '')]);
    const clv = card(/^CLV の分布\(顧客数\).*粗利率 30%$/);
    await clv.getByRole('img').waitFor();
    await page.getByText('購入単価の予測方法').first().waitFor();
    expect(await card('予測LTVの高い顧客').getByRole('columnheader', { name: 'CLV(粗利率 30%)' }).count()).toBe(1);
    await card('P(alive) の分布(顧客数)').getByRole('img').waitFor();
    await card('予測LTVの高い顧客').getByRole('table').waitFor();
    await screenshot('customer-value');
    const bins = await tableRows(await showTable(clv));
    expect(bins).toHaveLength(20);
    expect(bins.reduce((sum, cells) => sum + Number(digits(cells[1]!)), 0)).toBe(run.customers);
    const csv = await downloadCsv(clv);
    expect(csv.text.slice(1).split('\r\n')[0]).toBe('区間,顧客数');
    // The first bin starts at ￥0 (quoted when its upper bound has a comma: at a 30 % margin it may not).
    expect(csv.text).toMatch(/\r\n"?￥0〜/);
  });

  it("shows the customer's RFM, P(alive), expected purchases and CLV on the customer 360", async () => {
    const top = await apiGet<{ items: { customerId: string; name: string }[] }>(`/api/v1/workspaces/${brand.name}/analytics/customer-value/customers?limit=1`);
    const { customerId, name } = top.items[0]!;
    const api = await apiGet<{ rfm: { scores: { recency: number; frequency: number; monetary: number } }; value: { probabilityAlive: number; clv: number } }>(
      `/api/v1/workspaces/${brand.name}/customers/${customerId}/analytics`,
    );
    await page.getByRole('table', { name: '予測LTVの高い顧客' }).getByRole('link', { name }).click();
    await page.getByRole('heading', { level: 1, name }).waitFor();
    const block = card('分析(RFM・予測LTV)');
    await block.locator('.summary-numbers').waitFor();
    const { recency, frequency, monetary } = api.rfm.scores;
    expect(await block.locator('.rfm-score-value').allTextContents()).toEqual([`R${recency}`, `F${frequency}`, `M${monetary}`]);
    const stats = await block.locator('.summary-numbers .stat-value').allTextContents();
    expect(stats[0]).toBe(`${(api.value.probabilityAlive * 100).toFixed(1)}%`);
    expect(shown(stats[3])).toBe(yen(api.value.clv));
    expect(await block.locator('.summary-numbers').textContent()).toContain('粗利率 30%');
    await screenshot('customer-360');
  });

  it('builds the KPI tree from the decomposition and shows the board with status in words and a trend', async () => {
    await open(`analytics/kpis?asOf=2026-10-20`, 'KPIボード');
    await page.getByText('KPIはまだ設定されていません。').waitFor();
    await page.getByLabel('売上目標(1期間あたり)').fill('1000000');
    await page.getByRole('button', { name: 'KPIツリーを作成' }).click();
    const board = page.getByRole('list', { name: 'KPIボード' });
    await board.waitFor();
    const rows = board.getByRole('listitem');
    expect(await rows.count()).toBe(5);
    expect(await rows.locator('.kpi-name strong').allTextContents()).toEqual(['売上', '客数', '来店回数', '点数', '単価']);
    for (const status of await rows.locator('.kpi-status').allTextContents()) expect(status).toMatch(/先行|順調|遅れ|データなし/);
    expect(await rows.locator('.kpi-spark canvas').count()).toBe(5);
    await screenshot('kpis');
    const table = await tableRows(await showTable(card('KPIボード')));
    expect(table.map((cells) => cells[0])).toEqual(['売上', '客数', '来店回数', '点数', '単価']);
  });

  it('shows a workspace without purchases as empty, not as an error', async () => {
    await page.goto(`${baseUrl}/w/${encodeURIComponent(empty.name)}/analytics/sales`);
    await page.getByText('この期間には購入がありません。').waitFor();
    await page.goto(`${baseUrl}/w/${encodeURIComponent(empty.name)}/analytics/rfm`);
    await page.getByText('基準日までに購入した顧客はいません。').waitFor();
    await page.goto(`${baseUrl}/w/${encodeURIComponent(empty.name)}/analytics/customer-value`);
    await page.getByText('まだ顧客価値モデルを実行していません。').waitFor();
    expect(await page.getByRole('alert').count()).toBe(0);
    await screenshot('empty');
  });

  it('offers a read-only user no model run and no churn setting, and says why', async () => {
    const { page: reader, context } = await running.signedInPage(await running.user('read_only', '閲覧 担当'));
    try {
      await reader.goto(`${baseUrl}/w/${encodeURIComponent(empty.name)}/analytics/customer-value`);
      await reader.getByText('閲覧のみの権限ではモデルを実行できません').waitFor();
      expect(await reader.getByRole('button', { name: 'モデルを実行' }).count()).toBe(0);
      await reader.goto(`${baseUrl}/w/${encodeURIComponent(brand.name)}/analytics/churn?asOf=${DATA_END}`);
      await reader.getByRole('region', { name: '離反期間の提案と設定' }).waitFor();
      expect(await reader.getByRole('button', { name: '設定を保存' }).count()).toBe(0);
    } finally {
      await context.close();
    }
  });

  it('speaks English after the language switch', async () => {
    await open(`analytics/rfm?asOf=${DATA_END}`, 'RFM');
    await page.getByRole('group', { name: '表示言語' }).getByRole('button', { name: 'English' }).click();
    await card('R × F grid (customers)').waitFor();
    expect(await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Customer value (LTV)' }).count()).toBe(1);
    await page.locator('.definitions summary').click();
    expect(await page.locator('.definitions').textContent()).toContain('scores 1–5 by quintile');
    await screenshot('rfm-en');
    await page.getByRole('group', { name: 'Language' }).getByRole('button', { name: '日本語' }).click();
  });
});
