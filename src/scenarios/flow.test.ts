import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshWorkspace, isolatedTestDatabase } from '../../test/support/database.ts';
import { type SmtpSink, startSmtpSink } from '../../test/support/smtp-sink.ts';
import { getCustomerTimeline } from '../customers/customer-timeline.ts';
import { ingest } from '../journey-map/placement/test-map.ts';
import { createSmtpTransport } from '../messaging/smtp.ts';
import { systemClock } from '../shared/clock.ts';
import { type KizunaWorker, scheduleWakeJob, startWorker } from '../worker/worker.ts';
import type { Workspace } from '../workspaces/workspaces.ts';
import { startScenarioReactor } from './runtime/reactor.ts';
import { publishScenario } from './scenarios.ts';
import { prepareScenarioWorkspace } from './test-scenario.ts';

/**
 * The whole path as `kizuna serve` runs it: an event written through the ingest path signals
 * the scenario reactor, which enrolls the customer; the send is written under its key and rings
 * the job queue, whose worker sends it over SMTP — with the reason in the footer and the
 * one-click unsubscribe headers. Nothing here advances a clock: the scenario sends at once.
 */
// A database of its own: a worker or reactor here acts on every workspace of its database.
const database = await isolatedTestDatabase();
const { pool } = database;
let sink: SmtpSink;
let worker: KizunaWorker;
let reactor: ReturnType<typeof startScenarioReactor>;
let workspace: Workspace;

beforeAll(async () => {
  sink = await startSmtpSink();
  workspace = await freshWorkspace(database);
  const { templateIds } = await prepareScenarioWorkspace(pool, workspace, systemClock);
  await publishScenario({
    pool,
    workspaceId: workspace.id,
    input: {
      key: 'welcome_back',
      name: 'ご来店のお礼',
      purpose: 'marketing',
      department: 'marketing',
      priority: 50,
      channels: ['email'],
      trigger: { kind: 'event', type: 'page_view', where: [{ property: 'page', op: '=', value: 'course' }] },
      reentry: { kind: 'once' },
      exitRules: [],
      start: 'thanks',
      steps: [{ kind: 'send', id: 'thanks', channel: 'email', templateId: templateIds[0]!, next: null }],
    },
    actor: { kind: 'system', label: 'test' },
    clock: systemClock,
  });
  worker = await startWorker({
    pool,
    clock: systemClock,
    email: { transport: createSmtpTransport(sink.url), secret: 'x'.repeat(40), publicUrl: 'https://crm.example.jp' },
  });
  reactor = startScenarioReactor({ connectionString: database.url, clock: systemClock, schedule: scheduleWakeJob });
});
afterAll(async () => {
  await reactor.stop();
  await worker.stop();
  await sink.close();
  await database.close();
});

describe('a scenario from an ingested event to the inbox', () => {
  it('sends the message once, with why and how to unsubscribe, soon after the event is written', async () => {
    await ingest(
      pool,
      workspace,
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
    const event = (key: string, page: string) =>
      ingest(
        pool,
        workspace,
        'events',
        [{ idempotency_key: key, customer_id: 'C-1', type: 'page_view', occurred_at: new Date().toISOString(), properties: { page } }],
        systemClock,
      );
    await event('e1', 'top');
    await event('e2', 'course');
    await event('e3', 'course');
    // Until the mail is at the sink and its effect recorded (the performer records it after the SMTP server accepted it).
    const settled = async () => {
      const { rows } = await pool.query<{ n: number }>(
        `select count(*)::int as n from scenario_effects where workspace_id = $1 and status in ('pending', 'sending')`,
        [workspace.id],
      );
      return sink.received.length > 0 && rows[0]!.n === 0;
    };
    for (let attempt = 0; attempt < 600 && !(await settled()); attempt++) await new Promise((resolve) => setTimeout(resolve, 50));
    await reactor.idle();
    const { rows } = await pool.query<{ status: string }>(`select e.status from scenario_effects e where e.workspace_id = $1 and e.status <> 'done'`, [
      workspace.id,
    ]);
    expect(rows).toEqual([]);
    expect(sink.received.map((mail) => mail.to)).toEqual([['hanako@example.jp']]);
    const mail = sink.received[0]!;
    expect(mail.parsed.text).toContain('このメールをお送りした理由');
    expect(mail.raw).toMatch(/^List-Unsubscribe:\s+<https:\/\/crm\.example\.jp\/u\//m);
    expect(mail.raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click/m);
    const enrollments = await pool.query('select status from scenario_enrollments where workspace_id = $1', [workspace.id]);
    expect(enrollments.rows).toEqual([{ status: 'completed' }]);
    // The customer's timeline shows the message, with why in words (the footer's text).
    const { rows: customers } = await pool.query<{ id: string }>('select id from customers where workspace_id = $1 and external_id = $2', [
      workspace.id,
      'C-1',
    ]);
    const { entries } = await getCustomerTimeline(pool, workspace.id, customers[0]!.id, { limit: 20 });
    const message = entries.find((entry) => entry.kind === 'message');
    expect(message).toMatchObject({ type: 'done', summary: 'welcome_back', details: { effect: 'send', step: 'thanks' } });
    const whyText = message!.details.whyText as { ja: string; en: string };
    expect(mail.parsed.text).toContain(whyText.ja);
    expect(whyText.en).toBe('We are sending you this because you viewed a page of our site. It is part of "ご来店のお礼".');
  });
});
