import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestDatabase, freshWorkspace } from '../../test/support/database.ts';
import { type SmtpSink, startSmtpSink } from '../../test/support/smtp-sink.ts';
import { readTemplate } from '../charter/templates.ts';
import { withTransaction } from '../db/transaction.ts';
import { ingest } from '../journey-map/placement/test-map.ts';
import { WHY_LINK_LABEL } from '../messaging/footer.ts';
import { createEmailRenderer, type EmailTemplate } from '../messaging/render.ts';
import { sendEmail } from '../messaging/send-email.ts';
import { readSenderSettings } from '../messaging/sender-settings.ts';
import { createSmtpTransport, type SmtpTransport } from '../messaging/smtp.ts';
import { unsubscribeToken, unsubscribeUrl } from '../messaging/unsubscribe-token.ts';
import { whyToken, whyUrl } from '../messaging/why-token.ts';
import { enrollCustomer } from '../scenarios/runtime/enrollments.ts';
import { publishScenario } from '../scenarios/scenarios.ts';
import { prepareScenarioWorkspace, stepUpExample } from '../scenarios/test-scenario.ts';
import { loadWhyNames, whyInWords } from '../scenarios/why.ts';
import { manualClock } from '../shared/clock.ts';
import { scheduleWakeJob, wakeDue } from '../worker/worker.ts';
import type { Workspace } from '../workspaces/workspaces.ts';
import { buildApp } from './app.ts';
import { ANTI_SPAM_LAW_URL } from './routes/why.ts';

/**
 * The page behind 「このメールをお送りした理由」: the mail's footer links it, and `GET /why/{token}`
 * shows the reason of that one send in words (Japanese and English), the sender and its
 * contacts, the unsubscribe link and the 特定電子メール法 details; any token that is not one
 * this instance signed for an existing send gets the friendly 404 page.
 */
const database = connectTestDatabase();
const { pool } = database;
const SECRET = 'why-test-secret-0123456789abcdef0123456789';
const PUBLIC_URL = 'https://crm.minori.example.jp';
const DELIVERED = new Date('2026-05-01T02:00:00Z'); // 11:00 in Tokyo
const clock = manualClock(DELIVERED);
let app: FastifyInstance;
let sink: SmtpSink;
let transport: SmtpTransport;
let workspace: Workspace;
let effect: { id: string; key: string; customerId: string };

beforeAll(async () => {
  app = await buildApp({ database, config: { secureCookies: false }, clock, secret: SECRET });
  sink = await startSmtpSink();
  transport = createSmtpTransport(sink.url);
  workspace = await freshWorkspace(database);
  const { templateIds } = await prepareScenarioWorkspace(pool, workspace, clock);
  const published = await publishScenario({
    pool,
    workspaceId: workspace.id,
    input: stepUpExample(templateIds),
    actor: { kind: 'system', label: 'test' },
    clock,
  });
  await ingest(
    pool,
    workspace,
    'customers',
    [
      {
        customer_id: 'C-1',
        name: '山田 花子',
        email: 'hanako@example.jp',
        consents: [{ channel: 'email', purpose: 'marketing', status: 'granted', at: '2026-04-01T10:00:00+09:00', source: 'signup-form' }],
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
        order_id: 'O-1',
        customer_id: 'C-1',
        ordered_at: new Date(DELIVERED.getTime() - 2 * 86_400_000).toISOString(),
        delivered_at: DELIVERED.toISOString(),
        status: 'delivered',
        items: [{ sku: 'MNR-AOJ-TRIAL14', quantity: 1, unit_price: '980' }],
      },
    ],
    clock,
  );
  const { rows: orders } = await pool.query<{ id: string; customer_id: string }>('select id, customer_id from orders where workspace_id = $1', [workspace.id]);
  const entered = await withTransaction(pool, (client) =>
    enrollCustomer(client, {
      workspaceId: workspace.id,
      timezone: workspace.timezone,
      version: { scenarioId: published.scenario.id, version: published.version.version, document: published.version.document },
      customerId: orders[0]!.customer_id,
      trigger: { kind: 'order', ref: 'O-1', at: DELIVERED.toISOString(), orderId: orders[0]!.id, sku: 'MNR-AOJ-TRIAL14' },
      now: clock.now(),
      schedule: scheduleWakeJob,
    }),
  );
  // 17:00 in Tokyo on the delivery day: the how-to-drink mail is decided.
  clock.set(new Date(DELIVERED.getTime() + 7 * 3_600_000));
  expect(await wakeDue({ pool, clock, enrollmentId: entered.enrollmentId! })).toBe('advanced');
  const { rows } = await pool.query<{ id: string; key: string; customer_id: string }>(
    `select id::text, key, customer_id::text from scenario_effects where enrollment_id = $1 and kind = 'send'`,
    [entered.enrollmentId],
  );
  effect = { id: rows[0]!.id, key: rows[0]!.key, customerId: rows[0]!.customer_id };
});

afterAll(async () => {
  transport.close();
  await app.close();
  await sink.close();
  await database.close();
});

const pathOf = (token: string) => `/why/${token}`;

/** An HTML email template, published, that places the reason link itself as well. */
const HTML_TEMPLATE: EmailTemplate = {
  id: 'html-1',
  channel: 'email',
  format: 'html',
  subject: 'お届けのご案内',
  body: '<html><body><p>{{ customer.name }}様、こんにちは。</p><p>{% if reason.url != "" %}<a href="{{ reason.url }}">理由</a>{% endif %}</p></body></html>',
  status: 'published',
};

async function templateIdOfEffect(): Promise<string> {
  const { rows } = await pool.query<{ id: string }>(`select payload->>'templateId' as id from scenario_effects where id = $1`, [effect.id]);
  return rows[0]!.id;
}

async function expectNotFoundPage(token: string) {
  const response = await app.inject({ method: 'GET', url: pathOf(token) });
  expect(response.statusCode, token).toBe(404);
  expect(response.headers['content-type']).toContain('text/html');
  expect(response.body).toContain('ページが見つかりません');
  expect(response.body).toContain('This link is not valid');
}

describe('the mail', () => {
  it('links the reason page under 「このメールをお送りした理由」, in the HTML and the text part', async () => {
    const sender = await readSenderSettings(database.db, workspace.id);
    const { rows } = await pool.query('select why from scenario_effects where id = $1', [effect.id]);
    const reasonText = whyInWords(rows[0].why, await loadWhyNames(pool, workspace.id, rows[0].why), 'ja');
    const link = whyUrl(PUBLIC_URL, whyToken(SECRET, { workspaceId: workspace.id, effectId: effect.id }));
    const message = await createEmailRenderer().render({
      template: HTML_TEMPLATE,
      purpose: 'marketing',
      sender,
      customer: { id: 'C-1', name: '山田 花子', email: 'hanako@example.jp' },
      reasonText,
      unsubscribeUrl: unsubscribeUrl(PUBLIC_URL, unsubscribeToken(SECRET, { workspaceId: workspace.id, customerId: effect.customerId, issuedAt: clock.now() })),
      whyUrl: link,
    });
    const outcome = await sendEmail({
      pool,
      transport,
      workspaceId: workspace.id,
      customerId: effect.customerId,
      to: 'hanako@example.jp',
      sendId: effect.key,
      message,
      sender,
    });
    expect(outcome.status).toBe('sent');
    const mail = sink.received.find((received) => received.to.includes('hanako@example.jp'))!;
    const html = String(mail.parsed.html);
    expect(html).toContain(`href="${link}"`);
    expect(html.indexOf('このメールをお送りした理由')).toBeLessThan(html.lastIndexOf(link));
    expect(html).toContain(WHY_LINK_LABEL);
    expect(mail.parsed.text).toContain(link);
    // The template may place it too: {{ reason.url }}.
    expect(html).toContain(`<a href="${link}">理由</a>`);
    // The link in the mail opens the page of this send.
    const response = await app.inject({ method: 'GET', url: new URL(link).pathname });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain(reasonText);
  });

  it("links it in a text template's footer too", async () => {
    const template = await readTemplate({ pool, workspaceId: workspace.id, templateId: await templateIdOfEffect() });
    expect(template.format).toBe('text');
    const link = whyUrl(PUBLIC_URL, whyToken(SECRET, { workspaceId: workspace.id, effectId: effect.id }));
    const message = await createEmailRenderer().render({
      template,
      purpose: 'transactional',
      sender: await readSenderSettings(database.db, workspace.id),
      customer: { id: 'C-1', name: '山田 花子', email: 'hanako@example.jp' },
      reasonText: '理由',
      whyUrl: link,
    });
    expect(message.text).toContain(`■ このメールをお送りした理由\n理由\n${WHY_LINK_LABEL}: ${link}`);
  });

  it('has no reason link when none is given', async () => {
    const message = await createEmailRenderer().render({
      template: HTML_TEMPLATE,
      purpose: 'transactional',
      sender: await readSenderSettings(database.db, workspace.id),
      customer: { id: 'C-1', name: '山田 花子', email: 'hanako@example.jp' },
      reasonText: '理由',
    });
    expect(message.html).not.toContain('/why/');
    expect(message.html).not.toContain(WHY_LINK_LABEL);
    expect(message.html).not.toContain('>理由</a>');
  });
});

describe('GET /why/{token}', () => {
  it("shows the send's reason in Japanese and English, the sender and contacts, unsubscribe and the law, without a login", async () => {
    const response = await app.inject({ method: 'GET', url: pathOf(whyToken(SECRET, { workspaceId: workspace.id, effectId: effect.id })) });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers['cache-control']).toBe('no-store');
    const body = response.body;
    expect(body).toContain('<h1>このメールをお送りした理由</h1>');
    // The reason of this send: the trial product, delivered today, the scenario's name.
    expect(body).toContain('みのり青汁 お試し14日分');
    expect(body).toContain('「引き上げCRM（みのり青汁お試し14日分）」のご案内です。');
    expect(body).toContain('We are sending you this because');
    expect(body).toContain('2026年5月1日にお送りしました。');
    expect(body).toContain('送信者 / Sender: みのり青汁本舗');
    expect(body).toContain('住所 / Address: 東京都千代田区丸の内1-1-1');
    expect(body).toContain('mailto:support@minori.example.jp');
    expect(body).toContain(ANTI_SPAM_LAW_URL);
    expect(body).toContain('特定電子メールの送信の適正化等に関する法律');
    // The unsubscribe link is a valid one for this customer: its page answers.
    const unsubscribe = /href="(\/u\/[^"]+)"/.exec(body)![1]!;
    expect((await app.inject({ method: 'GET', url: unsubscribe })).statusCode).toBe(200);
  });

  it('answers a friendly 404 page, never a 500, for any token this instance did not sign for an existing send', async () => {
    const valid = whyToken(SECRET, { workspaceId: workspace.id, effectId: effect.id });
    const [ws, id, mac] = valid.split('.') as [string, string, string];
    await expectNotFoundPage('nonsense');
    await expectNotFoundPage('x'.repeat(99));
    // Longer than any token (at most 81 characters): refused before the route (404 or 414), never the console's page, never a 500.
    expect([404, 414]).toContain((await app.inject({ method: 'GET', url: pathOf('x'.repeat(5000)) })).statusCode);
    await expectNotFoundPage(`${ws}.${id}.${mac.slice(0, -1)}${mac.endsWith('A') ? 'B' : 'A'}`); // altered mac
    await expectNotFoundPage(`${ws}.${BigInt(id) + 1n}.${mac}`); // the next send, enumerated with this mac
    await expectNotFoundPage(whyToken('another-secret-0123456789abcdef0123456789', { workspaceId: workspace.id, effectId: effect.id })); // forged
    await expectNotFoundPage(whyToken(SECRET, { workspaceId: workspace.id, effectId: '999999999999' })); // signed, but no such send
    const other = await freshWorkspace(database);
    await expectNotFoundPage(whyToken(SECRET, { workspaceId: other.id, effectId: effect.id })); // another workspace's
    await expectNotFoundPage(`${unsubscribeToken(SECRET, { workspaceId: workspace.id, customerId: effect.customerId, issuedAt: clock.now() })}`); // an unsubscribe token is no reason token
    await expectNotFoundPage('%E3%81%82'); // non-ASCII
  });
});
