import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoBrand } from '../../src/demo/generate-demo-brand.ts';
import type { Workspace } from '../../src/workspaces/workspaces.ts';
import { connectTestDatabase, freshWorkspace } from '../support/database.ts';
import { apiGet as apiGetOf, SCREENSHOTS, startConsole, type RunningConsole } from '../support/e2e.ts';

/**
 * The 定期 pages of the analytics console in a real Chromium against the real server, on a demo
 * brand whose history ends 2026-10-31, before any day the test runs: the pages open "as of
 * today" by the server's clock (the CLI's default too) and say that the data ends earlier, with a button to
 * look at the data's last day; the continuation table, the cancellation rates and reasons and
 * the step-up cohorts show the API's own figures.
 */

const database = connectTestDatabase();
let brand: Workspace;
let running: RunningConsole;
let page: Page;

const DATA_END = '2026-11-01';

beforeAll(async () => {
  brand = await freshWorkspace(database);
  await generateDemoBrand({ pool: database.pool, workspace: brand, customers: 600, seed: 5, until: '2026-10-31' });
  // The server's own clock: a fixed one here would sign in with sessions that other files' servers, on the real clock, purge as expired.
  running = await startConsole(database);
  ({ page } = await running.signedInPage(await running.user('admin', '定期 担当', [brand])));
});

afterAll(async () => {
  await running?.close();
  await database.close();
});

function apiGet<T>(url: string): Promise<T> {
  return apiGetOf<T>(page, url);
}

async function open(pathAndQuery: string, heading: string): Promise<void> {
  await page.goto(`${running.baseUrl}/w/${encodeURIComponent(brand.name)}/analytics/${pathAndQuery}`);
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
}

async function showTable(region: Locator): Promise<Locator> {
  await region.waitFor();
  const views = region.getByRole('group', { name: '表示形式' });
  if ((await views.count()) > 0) await views.getByRole('button', { name: '表', exact: true }).click();
  const table = region.getByRole('table');
  await table.waitFor();
  return table;
}

async function tableRows(table: Locator): Promise<string[][]> {
  const rows = table.locator('tbody tr');
  const result: string[][] = [];
  for (let i = 0; i < (await rows.count()); i++) result.push((await rows.nth(i).getByRole('cell').allTextContents()).map((text) => text.trim()));
  return result;
}

const percent = (value: number | null) => (value === null ? '—' : `${(value * 100).toFixed(1)}%`);
const integer = (value: number) => value.toLocaleString('en-US');

describe('the 定期 pages', () => {
  it('open as of today, say the data ends earlier, and move to the data’s last day on request', async () => {
    await open('continuation', '回数別継続率');
    const { today } = await apiGet<{ today: string }>(`/api/v1/workspaces/${brand.name}/analytics/coverage`);
    expect(today > DATA_END).toBe(true);
    await expect.poll(() => page.locator('input[type="date"]').first().inputValue()).toBe(today);
    const note = page.getByRole('note');
    await expect.poll(() => note.textContent()).toContain('データは 2026/10/31 の注文までです');
    await note.getByRole('button', { name: '2026/10/31 時点で見る' }).click();
    await expect.poll(() => page.locator('input[type="date"]').first().inputValue()).toBe(DATA_END);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'subscriptions-continuation.png'), fullPage: true });
  });

  it('continuation: the table shows the API’s rows, censoring included', async () => {
    type Continuation = {
      total: {
        subscriptions: number;
        rows: { delivery: number; reached: number; continued: number; stopped: number; censored: number; rate: number | null; survival: number | null }[];
      };
    };
    const api = await apiGet<Continuation>(`/api/v1/workspaces/${brand.name}/analytics/subscriptions/continuation?asOf=${DATA_END}&maxDelivery=6`);
    expect(api.total.subscriptions).toBeGreaterThan(50);
    await open(`continuation?asOf=${DATA_END}&maxDelivery=6`, '回数別継続率');
    const rows = await tableRows(await showTable(page.getByRole('region', { name: '回数別継続率', exact: true })));
    expect(rows).toEqual(
      api.total.rows.map((row) => [
        `${row.delivery}回目`,
        integer(row.reached),
        integer(row.continued),
        integer(row.stopped),
        integer(row.censored),
        percent(row.rate),
        percent(row.survival),
      ]),
    );
    // By start month: one row per cohort, each with a rate per delivery.
    await page.getByLabel('分け方').selectOption('cohort');
    const groups = page.getByRole('region', { name: '開始月別の回数別継続率' });
    await groups.getByRole('table').waitFor();
    expect(await groups.locator('tbody tr').count()).toBeGreaterThan(3);
  });

  it('subscriptions: in force per month and the cancellation rate per month are the API’s', async () => {
    type Subscribers = { series: { bucket: string; active: number; paused: number; inForce: number; customers: number }[] };
    type Cancellations = {
      series: { bucket: string; inForceAtStart: number; cancelled: number; rate: number | null }[];
      reasons: { code: string | null; labelJa: string; count: number }[];
    };
    const query = `from=2026-05-01&to=2026-11-01&granularity=month`;
    const subscribers = await apiGet<Subscribers>(`/api/v1/workspaces/${brand.name}/analytics/subscriptions/subscribers?${query}&asOf=${DATA_END}`);
    const cancellations = await apiGet<Cancellations>(`/api/v1/workspaces/${brand.name}/analytics/subscriptions/cancellations?${query}`);
    await open(`subscriptions?${query}&asOf=${DATA_END}`, '定期の推移');
    const inForce = await tableRows(await showTable(page.getByRole('region', { name: '継続中の定期(各期間の末日時点)' })));
    expect(inForce.map((row) => row.slice(2))).toEqual(
      subscribers.series.map((b) => [integer(b.active), integer(b.paused), integer(b.inForce), integer(b.customers)]),
    );
    const cancelled = await tableRows(await showTable(page.getByRole('region', { name: '解約率の推移' })));
    expect(cancelled.map((row) => row.slice(1))).toEqual(cancellations.series.map((b) => [integer(b.inForceAtStart), integer(b.cancelled), percent(b.rate)]));
    const reasons = await tableRows(await showTable(page.getByRole('region', { name: '解約理由(多い順)' })));
    expect(reasons.map((row) => [row[0], row[1]])).toEqual(cancellations.reasons.map((r) => [r.labelJa, integer(r.count)]));
    await page.screenshot({ path: path.join(SCREENSHOTS, 'subscriptions-overview.png'), fullPage: true });
  });

  it('step-up: the cohorts of trial buyers and their rates are the API’s, open windows marked', async () => {
    type StepUp = { cohorts: { bucket: string; trialCustomers: number; steppedUp: number; rate: number | null; complete: boolean }[] };
    const query = `from=2026-01-01&to=2026-11-01&granularity=month&within=60&asOf=${DATA_END}`;
    const api = await apiGet<StepUp>(`/api/v1/workspaces/${brand.name}/analytics/subscriptions/step-up?${query}`);
    expect(api.cohorts.some((c) => c.trialCustomers > 0)).toBe(true);
    await open(`step-up?${query}`, '引き上げ率');
    const rows = await tableRows(await showTable(page.getByRole('region', { name: '初回お試し購入月別の引き上げ率' })));
    expect(rows.map((row) => row.slice(1))).toEqual(
      api.cohorts.map((c) => [integer(c.trialCustomers), integer(c.steppedUp), c.complete ? percent(c.rate) : `${percent(c.rate)}(集計中)`]),
    );
    expect(api.cohorts.at(-1)?.complete).toBe(false);
  });
});
