import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeCheck } from '../../src/charter/fake-checker.ts';
import { createTemplate, publishTemplate } from '../../src/charter/templates.ts';
import { ingest } from '../../src/journey-map/placement/test-map.ts';
import { type MailCatcher, startMailCatcher } from '../../src/messaging/mail-catcher.ts';
import { createSmtpTransport } from '../../src/messaging/smtp.ts';
import { performPendingEffects } from '../../src/scenarios/runtime/effects.ts';
import { enrollCustomer, runDueSteps } from '../../src/scenarios/runtime/enrollments.ts';
import { publishScenario } from '../../src/scenarios/scenarios.ts';
import { prepareScenarioWorkspace } from '../../src/scenarios/test-scenario.ts';
import { manualClock } from '../../src/shared/clock.ts';
import type { Workspace } from '../../src/workspaces/workspaces.ts';
import { connectTestDatabase, freshWorkspace, withTransaction } from '../support/database.ts';
import { type RunningConsole, startConsole } from '../support/e2e.ts';

/**
 * 受信箱（デモ） in a real Chromium: a scenario's mail, sent over SMTP to the demo's catcher, is
 * listed with its customer, why and unsubscribe headers, and opens with its HTML in a sandboxed
 * frame, its text part and its headers.
 */
const screenshots = path.resolve('test-results');
const database = connectTestDatabase();
const clock = manualClock('2026-06-01T01:00:00.000Z');
let workspace: Workspace;
let catcher: MailCatcher;
let running: RunningConsole;
let page: Page;

async function sendScenarioMail(): Promise<void> {
  const { pool } = database;
  await prepareScenarioWorkspace(pool, workspace, clock);
  const deps = { pool, workspaceId: workspace.id, check: fakeCheck };
  const template = await createTemplate({
    ...deps,
    input: {
      name: 'コースのご案内',
      department: 'marketing',
      channel: 'email',
      format: 'html',
      subject: 'コースのご案内',
      body: '<p>{{ customer.name }}様、<strong>定期コース</strong>のご案内です。</p>',
    },
    actor: { kind: 'system', label: 'test' },
  });
  await publishTemplate({ ...deps, templateId: template.id, actor: { kind: 'system', label: 'test' }, actorIsAdmin: true });
  const published = await publishScenario({
    pool,
    workspaceId: workspace.id,
    input: {
      key: 'course_thanks',
      name: 'コースページご覧のお礼',
      purpose: 'marketing',
      department: 'marketing',
      priority: 50,
      channels: ['email'],
      trigger: { kind: 'event', type: 'page_view' },
      reentry: { kind: 'once' },
      exitRules: [],
      start: 'thanks',
      steps: [{ kind: 'send', id: 'thanks', channel: 'email', templateId: template.id, next: null }],
    },
    actor: { kind: 'system', label: 'test' },
    clock,
    senderSettingsMissing: async () => [],
  });
  await ingest(
    pool,
    workspace,
    'customers',
    [
      {
        customer_id: 'C-1',
        name: '山田 花子',
        email: `hanako-${workspace.id}@example.jp`,
        consents: [{ channel: 'email', purpose: 'marketing', status: 'granted', at: '2026-05-01T10:00:00+09:00', source: 'signup form' }],
      },
    ],
    clock,
  );
  const { rows } = await pool.query<{ id: string }>('select id from customers where workspace_id = $1 and external_id = $2', [workspace.id, 'C-1']);
  await withTransaction(pool, (client) =>
    enrollCustomer(client, {
      workspaceId: workspace.id,
      timezone: workspace.timezone,
      version: { scenarioId: published.scenario.id, version: published.version.version, document: published.version.document },
      customerId: rows[0]!.id,
      trigger: { kind: 'event', ref: 'view-1', at: clock.now().toISOString() },
      now: clock.now(),
    }),
  );
  await runDueSteps({ pool, clock, workspaceId: workspace.id });
  const transport = createSmtpTransport(catcher.url);
  try {
    const outcome = await performPendingEffects({
      pool,
      clock,
      transport,
      secret: 'c'.repeat(40),
      publicUrl: 'https://crm.example.jp',
      workspaceId: workspace.id,
    });
    expect(outcome.done).toBe(1);
  } finally {
    transport.close();
  }
}

beforeAll(async () => {
  mkdirSync(screenshots, { recursive: true });
  workspace = await freshWorkspace(database);
  catcher = await startMailCatcher({ pool: database.pool, clock });
  await sendScenarioMail();
  running = await startConsole(database, { caughtMail: catcher.mailbox });
  const user = await running.user('marketing', 'E2E 受信箱', [workspace]);
  ({ page } = await running.signedInPage(user));
});

afterAll(async () => {
  await running?.close();
  await catcher?.close();
  await database.close();
});

describe('caught mail in the console', () => {
  it('lists the caught message with its customer, why and unsubscribe headers', async () => {
    await page.goto(`${running.baseUrl}/w/${encodeURIComponent(workspace.name)}`);
    await page.getByRole('navigation', { name: 'メインナビゲーション' }).getByRole('link', { name: '受信箱（デモ）' }).click();
    const table = page.getByRole('table', { name: '受信したメール' });
    await table.waitFor();
    const rows = table.locator('tbody tr');
    expect(await rows.count()).toBe(1);
    const row = (await rows.first().textContent())!;
    expect(row).toContain('山田 花子');
    expect(row).toContain(`hanako-${workspace.id}@example.jp`);
    expect(row).toContain('コースのご案内');
    expect(row).toContain('サイトのページをご覧になった方にお送りしています。「コースページご覧のお礼」のご案内です。');
    expect(row).toMatch(/List-Unsubscribe: <https:\/\/crm\.example\.jp\/u\/[^>]+>/);
    expect(row).toContain('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    await page.screenshot({ path: path.join(screenshots, 'caught-mail-list.png'), fullPage: true });
  });

  it('opens the message: the HTML in a sandboxed frame, the text part and the headers', async () => {
    await page.getByRole('table', { name: '受信したメール' }).getByRole('link', { name: 'コースのご案内' }).click();
    await page.getByRole('heading', { name: 'コースのご案内', level: 1 }).waitFor();
    const frame = page.locator('iframe.caught-html');
    expect(await frame.getAttribute('sandbox')).toBe('');
    await page.frameLocator('iframe.caught-html').getByText('定期コース').waitFor();
    expect(await page.frameLocator('iframe.caught-html').locator('body').textContent()).toContain('このメールをお送りした理由');
    expect(await page.locator('pre.caught-text').textContent()).toContain('山田 花子様、定期コースのご案内です。');
    const headers = page.getByRole('table', { name: 'ヘッダー' });
    expect(await headers.textContent()).toContain('List-Unsubscribe-PostList-Unsubscribe=One-Click');
    await page.getByRole('link', { name: '山田 花子' }).click();
    await page.getByRole('heading', { name: '山田 花子' }).waitFor();
    await page.goBack();
    await page.getByRole('heading', { name: 'コースのご案内', level: 1 }).waitFor();
    await page.screenshot({ path: path.join(screenshots, 'caught-mail-message.png'), fullPage: true });
  });
});
