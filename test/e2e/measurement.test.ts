import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingest } from '../../src/journey-map/placement/test-map.ts';
import { createKpi } from '../../src/kpis/store.ts';
import type { MeasurementPlan, ScenarioDocument } from '../../src/scenarios/model.ts';
import { publishScenario } from '../../src/scenarios/scenarios.ts';
import { prepareScenarioWorkspace } from '../../src/scenarios/test-scenario.ts';
import { fixedClock, systemClock } from '../../src/shared/clock.ts';
import type { Workspace } from '../../src/workspaces/workspaces.ts';
import { connectTestDatabase, freshWorkspace } from '../support/database.ts';
import { apiGet, type RunningConsole, SCREENSHOTS, startConsole } from '../support/e2e.ts';

/**
 * Measurement (効果測定) in the console, in a real Chromium against the real server: scenarios
 * published with a measurement plan, their enrollments written with their arms (treatment /
 * holdout) and orders placed in and out of each customer's window, so that every figure can be
 * computed by hand.
 *
 * The server runs on the real clock; the scenarios are published on clocks in the past, so the
 * clock stands after the judged one's verdict date (launch + run + window) and before the
 * collecting one's. The expected intervals were computed independently with Python and scipy
 * (Wilson intervals combined by Newcombe's method 10; Katz's log interval for the relative lift;
 * scipy.stats.ttest_ind(equal_var=False).confidence_interval() for revenue):
 *
 *   purchase 20/40 vs 4/20 → D = +0.3000, Newcombe 95 % [0.038143, 0.490126]; lift 1.5 [−0.013312, 5.334325]
 *   revenue T = [6000,0,9000,3000,0,12000,6000,3000,9000,6000], H = [3000,0,0,3000,0,6000,0,3000,0,0]
 *     → D = 3900, Welch 95 % [854.96, 6945.04]; the pooled 99.9th percentile (nearest rank) is 12000.
 */

const database = connectTestDatabase();
let workspace: Workspace;
let running: RunningConsole;
let page: Page;

const DAY = 86_400_000;
const HOUR = 3_600_000;
const NOW = Date.now();
/** The judged scenarios: published 90 days ago, 30 days of entries, a 14-day window → judged 46 days ago. */
const LAUNCH_JUDGED = new Date(NOW - 90 * DAY);
/** The collecting one: published 20 days ago, 60 days of entries, a 7-day window → judged in 47 days. */
const LAUNCH_COLLECTING = new Date(NOW - 20 * DAY);
const SKU = 'MNR-AOJ-SUB30';

const purchasePlan: MeasurementPlan = { holdoutPercent: 30, metric: { kind: 'purchase' }, windowDays: 14, runDays: 30, minimumDetectableEffect: 5 };
const collectingPlan: MeasurementPlan = { holdoutPercent: 10, metric: { kind: 'purchase' }, windowDays: 7, runDays: 60, minimumDetectableEffect: 5 };
const revenuePlan: MeasurementPlan = { holdoutPercent: 50, metric: { kind: 'revenue' }, windowDays: 14, runDays: 30, minimumDetectableEffect: 500 };

const consoleUrl = (path: string) => `${running.baseUrl}/w/${encodeURIComponent(workspace.name)}${path}`;
const apiUrl = (path: string) => `/api/v1/workspaces/${encodeURIComponent(workspace.name)}${path}`;
const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${String(i + 1).padStart(2, '0')}`);
const iso = (at: number) => new Date(at).toISOString();

/** A date as the console shows it (ja-JP, medium, the workspace's zone): computed here, not by the console's code. */
const shownDate = (at: Date) => new Intl.DateTimeFormat('ja-JP', { dateStyle: 'medium', timeZone: 'Asia/Tokyo' }).format(at);

let templateId: string;
/** A marketing scenario of one send step; without `measurement` it has no plan at all (the settings form starts from none). */
const document = (key: string, name: string, trigger: ScenarioDocument['trigger'], measurement?: MeasurementPlan): ScenarioDocument => ({
  key,
  name,
  purpose: 'marketing',
  department: 'marketing',
  priority: 50,
  channels: ['email'],
  trigger,
  reentry: { kind: 'once' },
  exitRules: [],
  ...(measurement ? { measurement } : {}),
  start: 'follow_mail',
  steps: [{ kind: 'send', id: 'follow_mail', name: 'フォローのメール', channel: 'email', templateId, next: null }],
});

interface Entry {
  customer: string;
  arm: 'treatment' | 'holdout';
  at: number;
}

/** Enrollments written as the runtime writes them (arm fixed at entry), each with its send step's effect an hour later (withheld for the holdout). */
async function enroll(scenarioKey: string, entries: Entry[]): Promise<void> {
  const { pool } = database;
  const { rows: scenarios } = await pool.query<{ id: string }>('select id::text from scenarios where workspace_id = $1 and key = $2', [
    workspace.id,
    scenarioKey,
  ]);
  const scenarioId = scenarios[0]!.id;
  for (const entry of entries) {
    const { rows: customers } = await pool.query<{ id: string }>('select id::text from customers where workspace_id = $1 and external_id = $2', [
      workspace.id,
      entry.customer,
    ]);
    const at = new Date(entry.at);
    const trigger = JSON.stringify({ kind: 'cell_entered', ref: 'e2e', at: at.toISOString() });
    const { rows } = await pool.query<{ id: string }>(
      `insert into scenario_enrollments (workspace_id, scenario_id, version, customer_id, status, step_id, visit, since, timing, trigger, entered_at, finished_at, arm)
       values ($1, $2, 1, $3, 'completed', null, 0, $4, '{}', $5, $4, $4, $6) returning id::text`,
      [workspace.id, scenarioId, customers[0]!.id, at, trigger, entry.arm],
    );
    const enrollmentId = rows[0]!.id;
    const sent = new Date(entry.at + HOUR);
    await pool.query(
      `insert into scenario_effects (workspace_id, key, enrollment_id, customer_id, step_id, kind, payload, why, status, outcome, created_at, done_at)
       values ($1, $2, $3, $4, 'follow_mail', 'send', $5, $6, $7, $8, $9, $9)`,
      [
        workspace.id,
        `send:${enrollmentId}:follow_mail:1`,
        enrollmentId,
        customers[0]!.id,
        JSON.stringify({ channel: 'email', templateId, department: 'marketing', priority: 50, whenHeld: { kind: 'defer', within: { days: 3 } } }),
        JSON.stringify({ scenarioId, key: scenarioKey, version: 1, stepId: 'follow_mail', trigger: JSON.parse(trigger), timing: {} }),
        entry.arm === 'holdout' ? 'not_done' : 'done',
        entry.arm === 'holdout' ? JSON.stringify({ reason: 'holdout', message: 'In the scenario holdout.' }) : null,
        sent,
      ],
    );
  }
}

const order = (orderId: string, customerId: string, at: number, price = 3000) => ({
  order_id: orderId,
  customer_id: customerId,
  ordered_at: iso(at),
  items: [{ sku: SKU, quantity: 1, unit_price: price }],
});

/**
 * The judged purchase scenario: 40 treatment customers, 20 of whom buy 2 days after entering;
 * 20 holdout customers, 4 of whom do. Orders outside a window do not count: a treatment non-buyer
 * bought the day before entering, a holdout non-buyer 20 days after (the window is 14 days).
 * The collecting one: 5 + 5 entered 15 days ago (window over: 2 and 1 bought), 2 + 2 entered
 * 2 days ago (window open). The revenue one: 10 + 10 with the amounts in the header.
 */
async function seed(): Promise<void> {
  templateId = (await prepareScenarioWorkspace(database.pool, workspace, systemClock)).templateIds[0]!;
  const treatment = ids('T', 40);
  const holdout = ids('H', 20);
  const collectingT = ids('CT', 7);
  const collectingH = ids('CH', 7);
  const revenueT = ids('RT', 10);
  const revenueH = ids('RH', 10);
  const everyone = [...treatment, ...holdout, ...collectingT, ...collectingH, ...revenueT, ...revenueH];
  await ingest(
    database.pool,
    workspace,
    'customers',
    everyone.map((customer_id) => ({ customer_id, name: `お客さま ${customer_id}` })),
    systemClock,
  );

  // Entries spread over the run (a day apart, cycling through 28 days), an hour past the launch.
  const judgedAt = (i: number) => LAUNCH_JUDGED.getTime() + (i % 28) * DAY + HOUR;
  const entries: Entry[] = [
    ...treatment.map((customer, i) => ({ customer, arm: 'treatment' as const, at: judgedAt(i) })),
    ...holdout.map((customer, i) => ({ customer, arm: 'holdout' as const, at: judgedAt(i + 3) })),
  ];
  const orders = [
    ...treatment.slice(0, 20).map((customer, i) => order(`O-${customer}`, customer, judgedAt(i) + 2 * DAY)),
    ...holdout.slice(0, 4).map((customer, i) => order(`O-${customer}`, customer, judgedAt(i + 3) + 2 * DAY)),
    // Outside the window: the day before entering, and 20 days after.
    order('O-T-40-before', treatment[39]!, judgedAt(39) - DAY),
    order('O-H-20-late', holdout[19]!, judgedAt(22) + 20 * DAY),
  ];

  const collectingEntries: Entry[] = [
    ...collectingT.map((customer, i) => ({ customer, arm: 'treatment' as const, at: NOW - (i < 5 ? 15 : 2) * DAY })),
    ...collectingH.map((customer, i) => ({ customer, arm: 'holdout' as const, at: NOW - (i < 5 ? 15 : 2) * DAY })),
  ];
  orders.push(order('O-CT-01', 'CT-01', NOW - 14 * DAY), order('O-CT-02', 'CT-02', NOW - 14 * DAY), order('O-CH-01', 'CH-01', NOW - 14 * DAY));

  const treatmentSpend = [6000, 0, 9000, 3000, 0, 12000, 6000, 3000, 9000, 6000];
  const holdoutSpend = [3000, 0, 0, 3000, 0, 6000, 0, 3000, 0, 0];
  const revenueEntries: Entry[] = [
    ...revenueT.map((customer, i) => ({ customer, arm: 'treatment' as const, at: judgedAt(i) })),
    ...revenueH.map((customer, i) => ({ customer, arm: 'holdout' as const, at: judgedAt(i) })),
  ];
  for (const [customers, spend] of [
    [revenueT, treatmentSpend],
    [revenueH, holdoutSpend],
  ] as const) {
    customers.forEach((customer, i) => {
      if (spend[i]! > 0) orders.push(order(`O-${customer}`, customer, judgedAt(i) + 3 * DAY, spend[i]!));
    });
  }
  await ingest(database.pool, workspace, 'orders', orders, systemClock);

  // Published on clocks in the past (the launch is the first version with a holdout).
  const actor = { kind: 'system' as const, label: 'e2e' };
  const publish = (input: ScenarioDocument, at: Date) =>
    publishScenario({ pool: database.pool, workspaceId: workspace.id, input, actor, clock: fixedClock(at.toISOString()) });
  await publish(document('first_buy_follow', '初回購入のフォロー', { kind: 'cell_entered', stage: 'trial', level: 'interested' }, purchasePlan), LAUNCH_JUDGED);
  await publish(document('trial_any', 'お試しの方へのご案内', { kind: 'cell_entered', stage: 'trial' }, collectingPlan), LAUNCH_COLLECTING);
  await publish(document('plain_follow', '比較なしのフォロー', { kind: 'cell_entered', stage: 'trial', level: 'interested' }), LAUNCH_COLLECTING);
  await publish(document('felt_revenue', '実感の方へのご案内', { kind: 'cell_entered', stage: 'felt', level: 'interested' }, revenuePlan), LAUNCH_JUDGED);
  // KPIs to measure by: sales (per customer: revenue) and the F2 rate (per customer: purchase).
  await createKpi({
    pool: database.pool,
    workspaceId: workspace.id,
    input: { name: '売上', metric: { kind: 'sales' }, granularity: 'month', target: 12_000_000 },
  });
  await createKpi({
    pool: database.pool,
    workspaceId: workspace.id,
    input: { name: 'F2転換率', metric: { kind: 'f2_rate', within: 90 }, granularity: 'month', target: 0.3 },
  });
  await enroll('first_buy_follow', entries);
  await enroll('trial_any', collectingEntries);
  await enroll('felt_revenue', revenueEntries);
}

beforeAll(async () => {
  workspace = await freshWorkspace(database);
  await seed();
  running = await startConsole(database);
  const user = await running.user('marketing', 'E2E 効果測定', [workspace]);
  ({ page } = await running.signedInPage(user));
}, 180_000);

afterAll(async () => {
  await running?.close();
  await database.close();
});

async function openEffect(key: string): Promise<void> {
  await page.goto(consoleUrl(`/scenarios/${key}`));
  await page.getByRole('tab', { name: '効果' }).click();
  await page.getByTestId('measurement-verdict').waitFor();
}

describe('the effect tab', () => {
  it('gives the verdict of a judged purchase scenario with the Newcombe interval, the relative lift, both arms, the curve and the step', async () => {
    await openEffect('first_buy_follow');
    expect(await page.getByTestId('measurement-verdict').textContent()).toBe('効果あり：購入率 +30.0pt（95%信頼区間 +3.8〜+49.0pt）');
    expect(await page.getByTestId('measurement-lift').textContent()).toBe('相対的な伸び +150%（95%信頼区間 −1.3%〜+533.4%）');
    // 20 of 60 held out against 30 % planned: no sample-ratio alarm.
    expect(await page.getByTestId('measurement-sample-ratio').count()).toBe(0);
    const arms = page.getByRole('table', { name: '配信と比較対照' });
    expect((await arms.locator('tbody tr').allTextContents()).map((row) => row.replace(/\s+/g, ''))).toEqual(['配信402050.0%', '比較対照20420.0%']);
    expect(await page.locator('.echart canvas').count()).toBeGreaterThan(0);
    const step = page.getByRole('table', { name: 'ステップごとの効果' }).locator('tr[data-step="follow_mail"]');
    const cells = (await step.locator('th, td').allTextContents()).map((cell) => cell.trim());
    expect(cells).toEqual(['フォローのメール (メール送信)', '40', '20', '50.0%', '20.0%', '+30.0pt(+3.8〜+49.0pt)', '効果あり']);
    await page.screenshot({ path: `${SCREENSHOTS}/measurement-judged.png`, fullPage: true });
  });

  it('states revenue per customer with its cap, the bootstrap beside it', async () => {
    await openEffect('felt_revenue');
    expect(await page.getByTestId('measurement-verdict').textContent()).toBe(
      '効果あり：お客さま1人あたり売上 +￥3,900（95%信頼区間 +￥855〜+￥6,945、上位0.1%を￥12,000で打ち切り）',
    );
    expect(await page.getByTestId('measurement-lift').textContent()).toBe('相対的な伸び +260%');
    expect(await page.getByTestId('measurement-effect').textContent()).toContain('ブートストラップ 95%区間');
  });

  it('before the verdict date: when it will be judged, the progress towards the customers needed, the sample-ratio alarm', async () => {
    await openEffect('trial_any');
    const judgedAt = new Date(LAUNCH_COLLECTING.getTime() + (60 + 7) * DAY);
    expect(await page.getByTestId('measurement-verdict').textContent()).toBe(`測定中：判定は ${shownDate(judgedAt)}（途中の数字で結論を出さないため）`);
    const measured = await apiGet<{ status: string; overall: { required: { treatment: number; holdout: number } | null } }>(
      page,
      apiUrl('/scenarios/trial_any/measurement'),
    );
    expect(measured.status).toBe('collecting');
    const required = measured.overall!.required!;
    const progress = await page.getByTestId('measurement-progress').textContent();
    expect(progress).toContain(`配信 5 / 必要 ${required.treatment.toLocaleString('ja-JP')} 人`);
    expect(progress).toContain(`比較対照 5 / 必要 ${required.holdout.toLocaleString('ja-JP')} 人`);
    // 7 of 14 held out against 10 % planned.
    expect(await page.getByTestId('measurement-sample-ratio').textContent()).toContain('計画 10.0%、実際 50.0%');
    expect(await page.getByTestId('measurement-effect').textContent()).toContain('配信 2 人・比較対照 2 人');
    // No verdict and no interval before the date.
    const step = page.getByRole('table', { name: 'ステップごとの効果' }).locator('tr[data-step="follow_mail"]');
    expect(await step.locator('td').last().textContent()).toBe('測定中');
    await page.screenshot({ path: `${SCREENSHOTS}/measurement-collecting.png`, fullPage: true });
  });

  it('says how to add a plan when the scenario has none', async () => {
    await page.goto(consoleUrl('/scenarios/plain_follow'));
    await page.getByRole('tab', { name: '効果' }).click();
    await page.getByText('このシナリオには効果測定の計画がありません。').waitFor();
  });
});

describe('the journey map cell', () => {
  it("lists the cell's scenarios with their verified effect, and leads to the effect tab", async () => {
    await page.goto(consoleUrl('/journey'));
    await page
      .getByRole('figure')
      .getByRole('button', { name: /^お試し × 関心/ })
      .click();
    const panel = page.getByRole('complementary', { name: 'お試し × 関心' });
    const effects = panel.getByTestId('cell-effects');
    const item = (key: string) => effects.locator(`li[data-scenario="${key}"]`);
    await item('first_buy_follow').waitFor();
    expect(await effects.locator('li').evaluateAll((items) => items.map((li) => li.getAttribute('data-scenario')))).toEqual([
      'first_buy_follow',
      'plain_follow',
      'trial_any',
    ]);
    expect(await item('first_buy_follow').locator('.badge').textContent()).toBe('効果あり');
    expect(await item('first_buy_follow').locator('.journey-effect-figure').textContent()).toBe('購入率 +30.0pt(+3.8〜+49.0pt)');
    expect(await item('trial_any').locator('.badge').textContent()).toBe('測定中');
    expect(await item('trial_any').textContent()).toContain(`判定 ${shownDate(new Date(LAUNCH_COLLECTING.getTime() + 67 * DAY))}`);
    expect(await item('plain_follow').locator('.badge').textContent()).toBe('比較対照なし');
    await page.screenshot({ path: `${SCREENSHOTS}/measurement-journey-cell.png`, fullPage: true });
    await item('first_buy_follow').getByRole('link').click();
    await page.waitForURL(/\/scenarios\/first_buy_follow\?tab=effect$/);
    expect(await page.getByTestId('measurement-verdict').textContent()).toBe('効果あり：購入率 +30.0pt（95%信頼区間 +3.8〜+49.0pt）');
  });
});

describe('the plan in the scenario settings', () => {
  it('sets a 10 % holdout on purchase and a skip when held, saves the draft, and reads them back after a reload', async () => {
    await page.goto(consoleUrl('/scenarios/plain_follow'));
    const enabled = page.getByLabel('比較対照を設けて効果を測る');
    await enabled.check();
    await page.getByLabel('比較対照の割合(%)').fill('10');
    await page.getByLabel('主な指標').selectOption('purchase');
    await page.getByLabel('測定期間(入ってから何日)').fill('21');
    expect(await page.getByLabel('見つけたい最小の差(pt)').inputValue()).toBe('2');
    // The unit follows the metric.
    await page.getByLabel('主な指標').selectOption('revenue');
    expect(await page.getByLabel('見つけたい最小の差(円)').inputValue()).toBe('500');
    await page.getByLabel('主な指標').selectOption('purchase');

    await page.getByTestId('flow-step-follow_mail').click();
    const step = page.getByRole('region', { name: 'ステップ「follow_mail」' });
    expect(await step.getByLabel('期限(日)').inputValue()).toBe('3');
    await step.getByLabel('送れないときの扱い').selectOption('skip');

    await page.getByRole('button', { name: '下書きを保存' }).click();
    await page.getByRole('status').filter({ hasText: '下書きを保存しました。' }).waitFor();
    const saved = await apiGet<{ draft: { document: ScenarioDocument } }>(page, apiUrl('/scenarios/plain_follow'));
    expect(saved.draft.document.measurement).toEqual({
      holdoutPercent: 10,
      metric: { kind: 'purchase' },
      windowDays: 21,
      runDays: 60,
      minimumDetectableEffect: 2,
    });
    expect(saved.draft.document.steps[0]).toMatchObject({ id: 'follow_mail', whenHeld: { kind: 'skip' } });

    await page.reload();
    await page.getByLabel('比較対照を設けて効果を測る').waitFor();
    expect(await page.getByLabel('比較対照を設けて効果を測る').isChecked()).toBe(true);
    expect(await page.getByLabel('比較対照の割合(%)').inputValue()).toBe('10');
    expect(await page.getByLabel('主な指標').inputValue()).toBe('purchase');
    expect(await page.getByLabel('測定期間(入ってから何日)').inputValue()).toBe('21');
    await page.getByTestId('flow-step-follow_mail').click();
    expect(await page.getByRole('region', { name: 'ステップ「follow_mail」' }).getByLabel('送れないときの扱い').inputValue()).toBe('skip');
    await page.screenshot({ path: `${SCREENSHOTS}/measurement-plan.png`, fullPage: true });
  });

  it('measures by a KPI chosen from the KPI list, in the unit of its per-customer metric', async () => {
    await page.goto(consoleUrl('/scenarios/plain_follow'));
    await page.getByLabel('主な指標').selectOption('kpi');
    const kpi = page.getByLabel('KPI', { exact: true });
    // The KPI list arrives once the metric asks for it.
    await expect.poll(() => kpi.locator('option').allTextContents()).toEqual(['KPIを選んでください', '売上', 'F2転換率']);
    await kpi.selectOption({ label: '売上' });
    await page.getByText('お客さまごとに「お客さま1人あたり売上」で測ります。').waitFor();
    expect(await page.getByLabel('見つけたい最小の差(円)').inputValue()).toBe('500');
    await page.getByLabel('CUPED(入る前の購入額でばらつきを減らす)').check();
    await page.getByTestId('scenario-problems').getByText('問題はありません。公開できます。').waitFor();
    await kpi.selectOption({ label: 'F2転換率' });
    await page.getByText('お客さまごとに「購入率」で測ります。').waitFor();
    expect(await page.getByLabel('見つけたい最小の差(pt)').inputValue()).toBe('2');
    expect(await page.getByLabel('CUPED(入る前の購入額でばらつきを減らす)').count()).toBe(0);
  });

  it('offers no holdout for a transactional scenario', async () => {
    await page.goto(consoleUrl('/scenarios/new'));
    await page.getByLabel('目的', { exact: true }).selectOption('transactional');
    await page.getByText('取引連絡のシナリオには比較対照を設けられません').waitFor();
    expect(await page.getByLabel('比較対照を設けて効果を測る').isDisabled()).toBe(true);
  });
});
