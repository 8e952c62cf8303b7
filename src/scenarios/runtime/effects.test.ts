import type { FastifyInstance } from 'fastify';
import { verifyWhyToken } from '../../messaging/why-token.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestDatabase, freshWorkspace } from '../../../test/support/database.ts';
import { startSmtpSink, type SmtpSink } from '../../../test/support/smtp-sink.ts';
import { createApiKey } from '../../auth/api-keys.ts';
import { createUser } from '../../auth/users.ts';
import { withTransaction } from '../../db/transaction.ts';
import { buildApp } from '../../http/app.ts';
import { ingest } from '../../journey-map/placement/test-map.ts';
import { withdrawEmailMarketing } from '../../messaging/consent.ts';
import { messageIdFor } from '../../messaging/send-email.ts';
import { readSenderSettings } from '../../messaging/sender-settings.ts';
import { createSmtpTransport, type SmtpTransport } from '../../messaging/smtp.ts';
import { verifyUnsubscribeToken } from '../../messaging/unsubscribe-token.ts';
import { manualClock } from '../../shared/clock.ts';
import { assignTaskToMe, completeTask, listTasks } from '../../tasks/tasks.ts';
import type { Workspace } from '../../workspaces/workspaces.ts';
import type { ScenarioDocument } from '../model.ts';
import { publishScenario } from '../scenarios.ts';
import { marketingScenario, prepareScenarioWorkspace } from '../test-scenario.ts';
import { INTERRUPTED_NOTE, performPendingEffects } from './effects.ts';
import { enrollCustomer, type RunnableVersion, runDueSteps } from './enrollments.ts';

/**
 * Effects performed for real: a small scenario (wait 2 days → send → task → set an attribute)
 * runs for customers of a real workspace, mail goes to a real SMTP server on loopback.
 */
const database = connectTestDatabase();
const { pool } = database;
const SECRET = 'e'.repeat(40);
const PUBLIC_URL = 'https://crm.example.jp';
const ORDERED = '2026-06-01T01:00:00.000Z';
const clock = manualClock(ORDERED);
let sink: SmtpSink;
let transport: SmtpTransport;
let workspace: Workspace;
let version: RunnableVersion;
let app: FastifyInstance;

function scenario(templateId: string): ScenarioDocument {
  return marketingScenario({
    key: 'trial_follow_up',
    name: 'お試し後のご案内',
    trigger: { kind: 'order', products: ['MNR-AOJ-TRIAL14'] },
    start: 'two_days',
    steps: [
      { kind: 'wait', id: 'two_days', duration: { days: 2 }, next: 'hello' },
      { kind: 'send', id: 'hello', channel: 'email', templateId, next: 'call' },
      { kind: 'task', id: 'call', department: 'support', title: 'お電話でご様子を伺う', due: { days: 3 }, next: 'mark' },
      { kind: 'update_attribute', id: 'mark', name: 'trial_followed', value: true, next: null },
    ],
  });
}

beforeAll(async () => {
  sink = await startSmtpSink();
  transport = createSmtpTransport(sink.url);
  workspace = await freshWorkspace(database);
  const { templateIds } = await prepareScenarioWorkspace(pool, workspace, clock);
  const published = await publishScenario({
    pool,
    workspaceId: workspace.id,
    input: scenario(templateIds[0]!),
    actor: { kind: 'system', label: 'test' },
    clock,
    senderSettingsMissing: async () => [],
  });
  version = { scenarioId: published.scenario.id, version: published.version.version, document: published.version.document };
  app = await buildApp({ database, config: { secureCookies: false }, clock, secret: SECRET });
});
afterAll(async () => {
  transport.close();
  await app.close();
  await sink.close();
  await database.close();
});

/** A customer with an email address and marketing email consent granted, who ordered the trial; enrolled at ORDERED. */
async function enrolledCustomer(externalId: string): Promise<{ customerId: string; email: string; enrollmentId: string }> {
  const email = `${externalId.toLowerCase()}@example.jp`;
  clock.set(new Date(ORDERED));
  await ingest(
    pool,
    workspace,
    'customers',
    [
      {
        customer_id: externalId,
        name: '山田 花子',
        email,
        consents: [{ channel: 'email', purpose: 'marketing', status: 'granted', at: '2026-05-01T10:00:00+09:00', source: 'signup form' }],
      },
    ],
    clock,
  );
  await ingest(
    pool,
    workspace,
    'orders',
    [
      {
        order_id: `O-${externalId}`,
        customer_id: externalId,
        ordered_at: ORDERED,
        status: 'confirmed',
        items: [{ sku: 'MNR-AOJ-TRIAL14', quantity: 1, unit_price: '980' }],
      },
    ],
    clock,
  );
  const { rows } = await pool.query<{ customer_id: string; id: string }>('select customer_id, id from orders where workspace_id = $1 and external_id = $2', [
    workspace.id,
    `O-${externalId}`,
  ]);
  const { customer_id: customerId, id: orderId } = rows[0]!;
  const entered = await withTransaction(pool, (client) =>
    enrollCustomer(client, {
      workspaceId: workspace.id,
      timezone: workspace.timezone,
      version,
      customerId,
      trigger: { kind: 'order', ref: `O-${externalId}`, at: ORDERED, orderId, sku: 'MNR-AOJ-TRIAL14' },
      now: clock.now(),
    }),
  );
  expect(entered.enrolled).toBe(true);
  return { customerId, email, enrollmentId: entered.enrollmentId! };
}

/** Two days later: the wait ends and the three effects are written. */
async function twoDaysLater(): Promise<void> {
  clock.set(new Date(new Date(ORDERED).getTime() + 2 * 86_400_000));
  await runDueSteps({ pool, clock, workspaceId: workspace.id });
}

async function effectsOf(customerId: string) {
  const { rows } = await pool.query<{
    key: string;
    kind: string;
    status: string;
    outcome: Record<string, unknown> | null;
    attempts: number;
    retry_at: Date | null;
  }>('select key, kind, status, outcome, attempts, retry_at from scenario_effects where workspace_id = $1 and customer_id = $2 order by id', [
    workspace.id,
    customerId,
  ]);
  return rows;
}

const perform = () => performPendingEffects({ pool, clock, transport, secret: SECRET, publicUrl: PUBLIC_URL, workspaceId: workspace.id });
const mailTo = (email: string) => sink.received.filter((mail) => mail.to.includes(email));

describe('performing effects', () => {
  it('sends the mail with its reason and unsubscribe link, creates the task once, sets the attribute; two performers do each once', async () => {
    const { customerId, email, enrollmentId } = await enrolledCustomer('C-1');
    await twoDaysLater();
    expect((await effectsOf(customerId)).map((effect) => [effect.kind, effect.status])).toEqual([
      ['send', 'pending'],
      ['task', 'pending'],
      ['update_attribute', 'pending'],
    ]);

    const [first, second] = await Promise.all([perform(), perform()]);
    expect(first.done + second.done).toBe(3);
    expect(first.failed + second.failed + first.notDone + second.notDone).toBe(0);

    const sendKey = `send:${enrollmentId}:hello:2`;
    const effects = await effectsOf(customerId);
    expect(effects.map((effect) => [effect.key, effect.status])).toEqual([
      [sendKey, 'done'],
      [`task:${enrollmentId}:call:3`, 'done'],
      [`attribute:${enrollmentId}:mark:4`, 'done'],
    ]);
    const sender = await readSenderSettings(database.db, workspace.id);
    const messageId = messageIdFor(sendKey, sender);
    expect(effects[0]!.outcome).toMatchObject({ messageId, to: email });

    const mails = mailTo(email);
    expect(mails.map((mail) => mail.parsed.messageId)).toEqual([messageId]);
    const mail = mails[0]!;
    expect(mail.parsed.subject).toBe('飲み方のご案内');
    expect(mail.parsed.text).toContain('このメールをお送りした理由');
    expect(mail.parsed.text).toContain('みのり青汁 お試し14日分をご注文いただいてから2日後の方にお送りしています。「お試し後のご案内」のご案内です。');
    const headers = mail.raw
      .slice(0, mail.raw.indexOf('\r\n\r\n'))
      .replace(/\r\n[ \t]+/g, ' ')
      .split('\r\n');
    const unsubscribe = headers.find((line) => line.startsWith('List-Unsubscribe: '))?.slice('List-Unsubscribe: '.length) ?? '';
    expect(unsubscribe).toMatch(new RegExp(`^<${PUBLIC_URL}/u/[^>]+>$`));
    expect(verifyUnsubscribeToken(SECRET, unsubscribe.slice(unsubscribe.lastIndexOf('/') + 1, -1))).toMatchObject({ workspaceId: workspace.id, customerId });
    expect(headers).toContain('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    // The footer links the reason page of this very send, and the page tells the same reason.
    const whyLink = new RegExp(`${PUBLIC_URL}/why/([0-9]+\\.[0-9]+\\.[A-Za-z0-9_-]{43})`).exec(mail.parsed.text ?? '');
    const { rows: sendRows } = await pool.query<{ id: string }>('select id from scenario_effects where key = $1', [sendKey]);
    expect(verifyWhyToken(SECRET, whyLink?.[1] ?? '')).toEqual({ workspaceId: workspace.id, effectId: sendRows[0]!.id });
    const page = await app.inject({ method: 'GET', url: `/why/${whyLink?.[1]}` });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('みのり青汁 お試し14日分をご注文いただいてから2日後の方にお送りしています。');

    const { rows: tasks } = await pool.query('select department, title, customer_id, due_at, status from tasks where workspace_id = $1 and customer_id = $2', [
      workspace.id,
      customerId,
    ]);
    expect(tasks).toEqual([
      { department: 'support', title: 'お電話でご様子を伺う', customer_id: customerId, due_at: new Date('2026-06-06T01:00:00Z'), status: 'open' },
    ]);
    const { rows: customers } = await pool.query('select attributes from customers where id = $1', [customerId]);
    expect(customers[0].attributes).toMatchObject({ trial_followed: true });
    const { rows: queued } = await pool.query(
      "select cause, cause_refs from journey_changes where workspace_id = $1 and $2 = any(customer_ids) and cause = 'customer'",
      [workspace.id, customerId],
    );
    // The customer's ingest queued one; the attribute update queued its own, with the effect's key.
    expect(queued).toContainEqual({ cause: 'customer', cause_refs: [`attribute:${enrollmentId}:mark:4`] });

    // Nothing left: performing again does nothing.
    expect(await perform()).toEqual({ done: 0, notDone: 0, failed: 0, retried: 0, deferred: 0, skipped: 0 });
    expect(mailTo(email)).toHaveLength(1);
  });

  it('does not send when consent was withdrawn between scheduling and sending', async () => {
    const { customerId, email } = await enrolledCustomer('C-2');
    await twoDaysLater();
    await withdrawEmailMarketing(pool, { workspaceId: workspace.id, customerId, at: clock.now(), source: 'test' });
    const outcome = await perform();
    expect(outcome).toEqual({ done: 2, notDone: 1, failed: 0, retried: 0, deferred: 0, skipped: 0 });
    const [send] = await effectsOf(customerId);
    expect(send).toMatchObject({ status: 'not_done', outcome: { reason: 'consent_withdrawn' } });
    expect(mailTo(email)).toHaveLength(0);
  });

  it('marks a send found sending for more than 10 minutes failed and never sends it again', async () => {
    const { customerId, email } = await enrolledCustomer('C-3');
    await twoDaysLater();
    // A performer claimed it 11 minutes ago and died before recording what the SMTP server said.
    await pool.query(
      "update scenario_effects set status = 'sending', claimed_at = $3, attempts = 1 where workspace_id = $1 and customer_id = $2 and kind = 'send'",
      [workspace.id, customerId, new Date(clock.now().getTime() - 11 * 60_000)],
    );
    const outcome = await perform();
    expect(outcome).toEqual({ done: 2, notDone: 0, failed: 1, retried: 0, deferred: 0, skipped: 0 });
    const [send] = await effectsOf(customerId);
    expect(send).toMatchObject({ status: 'failed', outcome: { reason: 'interrupted', note: INTERRUPTED_NOTE } });
    expect(mailTo(email)).toHaveLength(0);
  });

  it('tries a send the SMTP server deferred (4xx) again after its retry time, and sends it once', async () => {
    const { customerId, email } = await enrolledCustomer('C-4');
    await twoDaysLater();
    sink.defer.add(email);
    expect(await perform()).toEqual({ done: 2, notDone: 0, failed: 0, retried: 1, deferred: 0, skipped: 0 });
    const [deferred] = await effectsOf(customerId);
    expect(deferred).toMatchObject({ status: 'pending', attempts: 1, outcome: { responseCode: 451 } });
    expect(deferred!.retry_at).toEqual(new Date(clock.now().getTime() + 5 * 60_000));

    // Not before its retry time.
    sink.defer.delete(email);
    expect(await perform()).toEqual({ done: 0, notDone: 0, failed: 0, retried: 0, deferred: 0, skipped: 0 });
    clock.set(new Date(clock.now().getTime() + 5 * 60_000));
    expect(await perform()).toEqual({ done: 1, notDone: 0, failed: 0, retried: 0, deferred: 0, skipped: 0 });
    expect(await effectsOf(customerId)).toMatchObject([{ status: 'done', attempts: 2 }, { status: 'done' }, { status: 'done' }]);
    expect(mailTo(email)).toHaveLength(1);
  });

  it('fails a send after 5 deferrals, and records a 5xx refusal as failed at once', async () => {
    const deferred = await enrolledCustomer('C-5');
    const refused = await enrolledCustomer('C-6');
    await twoDaysLater();
    sink.defer.add(deferred.email);
    sink.refuse.add(refused.email);
    for (let attempt = 1; attempt <= 5; attempt++) {
      await perform();
      clock.set(new Date(clock.now().getTime() + 60 * 60_000));
    }
    expect((await effectsOf(deferred.customerId))[0]).toMatchObject({ status: 'failed', attempts: 5, outcome: { reason: 'smtp_unavailable' } });
    expect((await effectsOf(refused.customerId))[0]).toMatchObject({ status: 'failed', attempts: 1, outcome: { reason: 'rejected', responseCode: 550 } });
  });
});

describe('tasks for people', () => {
  it('lists tasks by department, lets a member of the department take one and mark it done', async () => {
    const { customerId } = await enrolledCustomer('C-7');
    await twoDaysLater();
    await perform();
    const open = await listTasks({ pool, workspaceId: workspace.id, department: 'support', status: 'open', limit: 200 });
    const task = open.tasks.find((t) => t.customerId === customerId)!;
    expect(task).toMatchObject({ title: 'お電話でご様子を伺う', customerName: '山田 花子', status: 'open', assigneeUserId: null });
    expect((await listTasks({ pool, workspaceId: workspace.id, department: 'sales' })).tasks).toEqual([]);

    const user = await createUser(database.db, { email: `support-${workspace.id}@example.jp`, displayName: '佐藤', password: 'correct horse battery' });
    await expect(assignTaskToMe({ pool, workspaceId: workspace.id, taskId: task.id, actor: { userId: user.id, role: 'marketing' } })).rejects.toMatchObject({
      code: 'forbidden',
    });
    const taken = await assignTaskToMe({ pool, workspaceId: workspace.id, taskId: task.id, actor: { userId: user.id, role: 'support' } });
    expect(taken).toMatchObject({ assigneeUserId: user.id, assigneeName: '佐藤' });
    const done = await completeTask({ pool, workspaceId: workspace.id, taskId: task.id, actor: { userId: user.id, role: 'support' }, clock });
    expect(done).toMatchObject({ status: 'done', doneBy: user.id, doneAt: clock.now() });
    await expect(assignTaskToMe({ pool, workspaceId: workspace.id, taskId: task.id, actor: { userId: user.id, role: 'support' } })).rejects.toMatchObject({
      code: 'conflict',
    });
  });

  it('serves tasks over HTTP with paging and role checks', async () => {
    const { customerId } = await enrolledCustomer('C-8');
    await twoDaysLater();
    await perform();
    const key = async (role: 'support' | 'marketing' | 'read_only') =>
      (await createApiKey(database.db, { workspaceId: workspace.id, name: `${role}-${Math.random()}`, role })).key;
    const [support, marketing, readOnly] = [await key('support'), await key('marketing'), await key('read_only')];
    const call = (method: 'GET' | 'POST', path: string, bearer: string) =>
      app.inject({ method, url: `/api/v1/workspaces/${workspace.name}/${path}`, headers: { authorization: `Bearer ${bearer}` } });

    const page = await call('GET', 'tasks?department=support&status=open&limit=1', readOnly);
    expect(page.statusCode).toBe(200);
    expect(page.json()).toMatchObject({ tasks: [{ department: 'support', status: 'open' }], nextOffset: 1 });
    const all = (await call('GET', 'tasks?department=support&status=open&limit=200', readOnly)).json() as { tasks: Array<{ id: string; customerId: string }> };
    const task = all.tasks.find((t) => t.customerId === customerId)!;
    expect((await call('GET', 'tasks?department=nobody', readOnly)).statusCode).toBe(400);

    expect((await call('POST', `tasks/${task.id}/done`, readOnly)).statusCode).toBe(403);
    expect((await call('POST', `tasks/${task.id}/done`, marketing)).statusCode).toBe(403);
    // An API key is nobody to assign a task to.
    expect((await call('POST', `tasks/${task.id}/assign`, support)).statusCode).toBe(403);
    expect((await call('POST', 'tasks/999999999/done', support)).statusCode).toBe(404);
    expect((await call('POST', 'tasks/abc/done', support)).statusCode).toBe(400);
    const done = await call('POST', `tasks/${task.id}/done`, support);
    expect(done.statusCode).toBe(200);
    expect(done.json()).toMatchObject({ id: task.id, status: 'done', doneBy: null });
  });
});
