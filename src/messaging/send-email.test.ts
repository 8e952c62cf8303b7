import { generateKeyPairSync, randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestDatabase, freshWorkspace, withTransaction } from '../../test/support/database.ts';
import { startSmtpSink, type SmtpSink } from '../../test/support/smtp-sink.ts';
import { customerRecordSchema } from '../customers/customer-record.ts';
import { upsertCustomers } from '../customers/upsert-customers.ts';
import { buildApp } from '../http/app.ts';
import { manualClock } from '../shared/clock.ts';
import type { Workspace } from '../workspaces/workspaces.ts';
import { emailMarketingPermission } from './consent.ts';
import { findEmailRecipient } from './recipient.ts';
import { createEmailRenderer, type EmailTemplate } from './render.ts';
import { messageIdFor, sendEmail } from './send-email.ts';
import { readSenderSettings, type SenderSettings, writeSenderSettings } from './sender-settings.ts';
import { createSmtpTransport, type SmtpTransport } from './smtp.ts';
import { suppressAddresses } from './suppressions.ts';
import { unsubscribeToken, unsubscribeUrl } from './unsubscribe-token.ts';

const database = connectTestDatabase();
const SECRET = 's'.repeat(40);
const PUBLIC_URL = 'https://crm.example.jp';
const clock = manualClock('2025-03-01T01:00:00Z');
let sink: SmtpSink;
let transport: SmtpTransport;
let app: FastifyInstance;
let workspace: Workspace;
let sender: SenderSettings;
const renderer = createEmailRenderer();

const template: EmailTemplate = {
  id: '1',
  channel: 'email',
  format: 'html',
  subject: '{{ customer.name }}様へ、{{ product.name }}のその後',
  body: '<html><body><p>{{ customer.name }}様、お届けから{{ days_since_delivery }}日です。</p></body></html>',
  status: 'published',
};

beforeAll(async () => {
  sink = await startSmtpSink();
  transport = createSmtpTransport(sink.url);
  app = await buildApp({ database, config: { secureCookies: false }, clock, secret: SECRET });
  workspace = await freshWorkspace(database);
  sender = await writeSenderSettings(database.db, {
    workspaceId: workspace.id,
    now: clock.now(),
    input: {
      senderName: 'みのり青汁本舗株式会社',
      postalAddress: '東京都千代田区丸の内1-1-1',
      contactEmail: 'support@minori.example.jp',
      contactPhone: null,
      contactUrl: 'https://minori.example.jp/contact',
      fromAddress: 'news@minori.example.jp',
      replyTo: 'support@minori.example.jp',
      dkim: null,
    },
  });
});
afterAll(async () => {
  transport.close();
  await app.close();
  await sink.close();
  await database.close();
});

/** A customer with an email address and, when given, an email + marketing consent. */
async function customerWith(consent: 'granted' | 'withdrawn' | null): Promise<{ id: string; email: string }> {
  const email = `${randomUUID().slice(0, 8)}@example.jp`;
  const record = customerRecordSchema('Asia/Tokyo').parse({
    customer_id: `C-${randomUUID().slice(0, 8)}`,
    name: '山田 花子',
    email,
    consents: consent ? [{ channel: 'email', purpose: 'marketing', status: consent, at: '2025-01-10T10:00:00+09:00', source: 'signup-form' }] : [],
  });
  const ids = await withTransaction(database.pool, (client) => upsertCustomers(client, workspace.id, [record]));
  return { id: ids.get(record.customer_id)!, email };
}

async function renderFor(customer: { id: string }, purpose: 'marketing' | 'transactional' = 'marketing') {
  const recipient = (await findEmailRecipient(database.pool, { workspaceId: workspace.id, customerId: customer.id }))!;
  const token = unsubscribeToken(SECRET, { workspaceId: workspace.id, customerId: customer.id, issuedAt: clock.now() });
  return renderer.render({
    template,
    purpose,
    sender,
    customer: { id: recipient.externalId, name: recipient.name, email: recipient.email },
    product: { name: 'みのり青汁', sku: 'AO-30' },
    daysSinceDelivery: 14,
    reasonText: 'みのり青汁を初めてお届けしてから14日目の方にお送りしています。',
    unsubscribeUrl: purpose === 'marketing' ? unsubscribeUrl(PUBLIC_URL, token) : null,
  });
}

async function send(customer: { id: string; email: string }, sendId: string, purpose: 'marketing' | 'transactional' = 'marketing', given = sender) {
  const message = await renderFor(customer, purpose);
  return sendEmail({ pool: database.pool, transport, workspaceId: workspace.id, customerId: customer.id, to: customer.email, sendId, message, sender: given });
}

/** The message's header lines, unfolded (RFC 5322 §2.2.3: a line break before whitespace is removed). */
function headerLines(raw: string): string[] {
  return raw
    .slice(0, raw.indexOf('\r\n\r\n'))
    .replace(/\r\n(?=[ \t])/g, '')
    .split('\r\n');
}

function receivedBy(address: string) {
  return sink.received.filter((mail) => mail.to.includes(address));
}

describe('sending advertising mail', () => {
  it('delivers the RFC 8058 headers, a deterministic Message-ID, html and text parts with the footer', async () => {
    const customer = await customerWith('granted');
    const outcome = await send(customer, 'send:41:day14');
    expect(outcome).toMatchObject({ status: 'sent', messageId: '<send-send=3A41=3Aday14@minori.example.jp>', to: customer.email });
    const [mail] = receivedBy(customer.email);
    const { parsed, raw } = mail!;
    expect(parsed.messageId).toBe('<send-send=3A41=3Aday14@minori.example.jp>');
    const token = unsubscribeToken(SECRET, { workspaceId: workspace.id, customerId: customer.id, issuedAt: clock.now() });
    expect(headerLines(raw)).toContain(`List-Unsubscribe: <${PUBLIC_URL}/u/${token}>`);
    expect(headerLines(raw)).toContain('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    expect(parsed.headers.get('list')).toMatchObject({ unsubscribe: { url: `${PUBLIC_URL}/u/${token}` } });
    expect(parsed.subject).toBe('山田 花子様へ、みのり青汁のその後');
    expect(parsed.from?.value[0]).toEqual({ name: 'みのり青汁本舗株式会社', address: 'news@minori.example.jp' });
    expect(parsed.replyTo?.value[0]?.address).toBe('support@minori.example.jp');
    expect(parsed.html).toContain('お届けから14日です。');
    for (const part of [parsed.html as string, parsed.text!]) {
      expect(part).toContain('このメールをお送りした理由');
      expect(part).toContain('みのり青汁を初めてお届けしてから14日目の方にお送りしています。');
      expect(part).toContain('みのり青汁本舗株式会社');
      expect(part).toContain('東京都千代田区丸の内1-1-1');
      expect(part).toContain('support@minori.example.jp');
      expect(part).toContain('配信停止');
    }
    expect(parsed.html).toContain(`href="${PUBLIC_URL}/u/${token}"`);
    expect(parsed.text).toContain(`${PUBLIC_URL}/u/${token}`);
    expect(messageIdFor('send:41:day14', sender)).toBe(parsed.messageId);
  });

  it('sends nothing without consent or after it was withdrawn, and says why', async () => {
    const none = await customerWith(null);
    const withdrawn = await customerWith('withdrawn');
    expect(await send(none, 'a-1')).toMatchObject({ status: 'not_sent', reason: 'no_consent' });
    expect(await send(withdrawn, 'a-2')).toMatchObject({ status: 'not_sent', reason: 'consent_withdrawn' });
    expect(receivedBy(none.email)).toHaveLength(0);
    expect(receivedBy(withdrawn.email)).toHaveLength(0);
    // Transactional mail needs no marketing consent, and carries no unsubscribe headers.
    expect(await send(none, 'a-3', 'transactional')).toMatchObject({ status: 'sent' });
    expect(receivedBy(none.email)[0]!.raw).not.toContain('List-Unsubscribe');
  });

  it('never sends to a suppressed address, of any purpose', async () => {
    const customer = await customerWith('granted');
    const outcome = await suppressAddresses(database.pool, {
      workspaceId: workspace.id,
      now: clock.now(),
      reports: [
        { address: customer.email.toUpperCase(), reason: 'bounce', detail: '550 5.1.1 user unknown' },
        { address: 'not an address', reason: 'complaint' },
      ],
    });
    expect(outcome).toEqual({
      added: 1,
      alreadySuppressed: 0,
      refused: [{ index: 1, address: 'not an address', reason: 'not an email address: "not an address"' }],
    });
    expect(await send(customer, 'b-1')).toMatchObject({ status: 'not_sent', reason: 'suppressed' });
    expect(await send(customer, 'b-2', 'transactional')).toMatchObject({ status: 'not_sent', reason: 'suppressed' });
    expect(receivedBy(customer.email)).toHaveLength(0);
  });

  it('refuses advertising mail while the sender settings the law requires are missing', async () => {
    const customer = await customerWith('granted');
    const message = await renderFor(customer);
    const outcome = await sendEmail({
      pool: database.pool,
      transport,
      workspaceId: workspace.id,
      customerId: customer.id,
      to: customer.email,
      sendId: 'c-1',
      message,
      sender: { ...sender, postalAddress: null },
    });
    expect(outcome).toMatchObject({ status: 'not_sent', reason: 'sender_settings_missing', message: "The workspace's email settings lack postalAddress." });
  });

  it('reports a permanent SMTP refusal as rejected', async () => {
    const customer = await customerWith('granted');
    sink.refuse.add(customer.email);
    expect(await send(customer, 'd-1')).toMatchObject({ status: 'rejected', responseCode: 550 });
  });

  it('signs with DKIM when a key is set, covering the List-Unsubscribe headers', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const signed = await writeSenderSettings(database.db, {
      workspaceId: workspace.id,
      now: clock.now(),
      input: {
        ...sender,
        dkim: { domain: 'minori.example.jp', selector: 'kizuna1', privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() },
      },
    });
    expect(signed.dkim?.selector).toBe('kizuna1');
    const customer = await customerWith('granted');
    expect(await send(customer, 'e-1', 'marketing', signed)).toMatchObject({ status: 'sent' });
    const line = headerLines(receivedBy(customer.email)[0]!.raw).find((header) => header.startsWith('DKIM-Signature:')) ?? '';
    const signature = line.replace(/\s+/g, '');
    expect(signature).toContain('d=minori.example.jp');
    expect(signature).toContain('s=kizuna1');
    const signedHeaders = /;h=([^;]+)/.exec(signature)![1]!.toLowerCase().split(':');
    expect(signedHeaders).toEqual(expect.arrayContaining(['list-unsubscribe', 'list-unsubscribe-post', 'from', 'subject', 'message-id']));
    // Back to no key for the other tests.
    await writeSenderSettings(database.db, { workspaceId: workspace.id, now: clock.now(), input: { ...sender, dkim: null } });
    expect((await readSenderSettings(database.db, workspace.id)).dkim).toBeNull();
  });
});

describe('one-click unsubscribe', () => {
  it('withdraws consent with one POST (RFC 8058 body), records it with its source, and the next send is refused', async () => {
    const customer = await customerWith('granted');
    expect(await send(customer, 'f-1')).toMatchObject({ status: 'sent' });
    const link = /^List-Unsubscribe: <([^>]+)>$/.exec(headerLines(receivedBy(customer.email)[0]!.raw).find((h) => h.startsWith('List-Unsubscribe:'))!)![1]!;
    const path = new URL(link).pathname;
    clock.advance(60_000);
    const response = await app.inject({
      method: 'POST',
      url: path,
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://mail.google.com', 'sec-fetch-site': 'cross-site' },
      payload: 'List-Unsubscribe=One-Click',
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers.location).toBeUndefined();
    expect(response.json()).toMatchObject({ status: 'withdrawn' });
    expect(await emailMarketingPermission(database.pool, { workspaceId: workspace.id, customerId: customer.id })).toEqual({
      allowed: false,
      reason: 'consent_withdrawn',
    });
    const { rows } = await database.pool.query(
      `select status, source, changed_at from consent_changes where customer_id = $1 and channel = 'email' and purpose = 'marketing' order by changed_at`,
      [customer.id],
    );
    expect(rows).toEqual([
      { status: 'granted', source: 'signup-form', changed_at: new Date('2025-01-10T01:00:00Z') },
      { status: 'withdrawn', source: 'one-click-unsubscribe', changed_at: clock.now() },
    ]);
    // Idempotent: a second POST (multipart this time) changes nothing.
    const again = await app.inject({
      method: 'POST',
      url: path,
      headers: { 'content-type': 'multipart/form-data; boundary=XYZ' },
      payload: '--XYZ\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--XYZ--\r\n',
    });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ status: 'already_withdrawn' });
    const { rows: after } = await database.pool.query('select count(*)::int as n from consent_changes where customer_id = $1', [customer.id]);
    expect(after[0].n).toBe(2);
    expect(await send(customer, 'f-2')).toMatchObject({ status: 'not_sent', reason: 'consent_withdrawn' });
    expect(receivedBy(customer.email)).toHaveLength(1);
  });

  it('shows a confirmation page on GET that changes nothing and posts to the same link', async () => {
    const customer = await customerWith('granted');
    const token = unsubscribeToken(SECRET, { workspaceId: workspace.id, customerId: customer.id, issuedAt: clock.now() });
    const page = await app.inject({ method: 'GET', url: `/u/${token}` });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('<form method="post" action="">');
    expect(page.body).toContain('配信を停止する');
    expect((await emailMarketingPermission(database.pool, { workspaceId: workspace.id, customerId: customer.id })).allowed).toBe(true);
  });

  it('refuses a forged, altered or malformed token with 404 and a clear message, never 500', async () => {
    const customer = await customerWith('granted');
    const forged = unsubscribeToken('x'.repeat(40), { workspaceId: workspace.id, customerId: customer.id, issuedAt: clock.now() });
    const genuine = unsubscribeToken(SECRET, { workspaceId: workspace.id, customerId: customer.id, issuedAt: clock.now() });
    const otherCustomer = genuine.replace(`.${customer.id}.`, `.${Number(customer.id) + 1}.`);
    for (const token of [forged, otherCustomer, 'nonsense', `${genuine}x`, '%00%ff']) {
      const response = await app.inject({
        method: 'POST',
        url: `/u/${token}`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'List-Unsubscribe=One-Click',
      });
      expect(response.statusCode, token).toBeLessThan(500);
      expect([400, 404], token).toContain(response.statusCode);
    }
    const response = await app.inject({ method: 'POST', url: `/u/${forged}`, payload: {} });
    expect(response.statusCode).toBe(404);
    expect(response.json().message).toContain('この配信停止リンクは正しくありません');
    expect((await app.inject({ method: 'GET', url: `/u/${forged}` })).statusCode).toBe(404);
    expect((await emailMarketingPermission(database.pool, { workspaceId: workspace.id, customerId: customer.id })).allowed).toBe(true);
  });

  it('bounds the body and the rate', async () => {
    const customer = await customerWith('granted');
    const token = unsubscribeToken(SECRET, { workspaceId: workspace.id, customerId: customer.id, issuedAt: clock.now() });
    const big = await app.inject({
      method: 'POST',
      url: `/u/${token}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'x'.repeat(10_000),
    });
    expect(big.statusCode).toBe(413);
    clock.advance(60_000);
    const statuses: number[] = [];
    for (let i = 0; i < 61; i++) statuses.push((await app.inject({ method: 'GET', url: `/u/${token}`, remoteAddress: '10.9.9.9' })).statusCode);
    expect(statuses.slice(0, 60).every((s) => s === 200)).toBe(true);
    expect(statuses[60]).toBe(429);
    clock.advance(60_000);
    expect((await app.inject({ method: 'GET', url: `/u/${token}`, remoteAddress: '10.9.9.9' })).statusCode).toBe(200);
  });
});
