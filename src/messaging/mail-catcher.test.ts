import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestDatabase, freshWorkspace } from '../../test/support/database.ts';
import { ingest } from '../journey-map/placement/test-map.ts';
import { fixedClock } from '../shared/clock.ts';
import type { Workspace } from '../workspaces/workspaces.ts';
import { CaughtMailbox, type MailCatcher, startMailCatcher } from './mail-catcher.ts';
import { composeMessage, type MailToCompose } from './mime.ts';
import { messageIdFor, sendIdOfMessageId } from './send-email.ts';
import { createSmtpTransport, type SmtpTransport } from './smtp.ts';

/** The demo's mail catcher on its own: a real SMTP server on loopback, bounded, attributing mail to workspaces. */
const database = connectTestDatabase();
const clock = fixedClock('2026-06-01T01:00:00.000Z');
let catcher: MailCatcher;
let transport: SmtpTransport;
let workspace: Workspace;
let other: Workspace;

beforeAll(async () => {
  workspace = await freshWorkspace(database);
  other = await freshWorkspace(database);
  await ingest(database.pool, workspace, 'customers', [{ customer_id: 'K-1', name: '山田 花子', email: `hanako-${workspace.id}@example.jp` }], clock);
  catcher = await startMailCatcher({ pool: database.pool, clock, mailbox: new CaughtMailbox({ capacity: 2 }) });
  transport = createSmtpTransport(catcher.url);
});
afterAll(async () => {
  transport.close();
  await catcher.close();
  await database.close();
});

let sent = 0;
/** A message from info@minori.example.jp, composed and sent as sendEmail does. */
async function send(mail: Pick<MailToCompose, 'to' | 'subject' | 'text' | 'html' | 'headers'>) {
  const raw = await composeMessage({
    ...mail,
    from: { name: '', address: 'info@minori.example.jp' },
    messageId: `<catcher-${++sent}@minori.example.jp>`,
    date: clock.now(),
  });
  await transport.send({ from: 'info@minori.example.jp', to: [mail.to] }, raw);
}

describe('the mail catcher', () => {
  it('keeps a message for the workspace of the customer it was addressed to, with its parts and headers, and shows it to no other', async () => {
    const to = `hanako-${workspace.id}@example.jp`;
    await send({
      to,
      subject: 'ご案内',
      text: 'テキストの本文',
      html: '<p>HTMLの本文</p>',
      headers: { 'List-Unsubscribe': '<https://crm.example.jp/u/abc>', 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
    });
    const { messages } = catcher.mailbox.list({ workspaceId: workspace.id, limit: 10, offset: 0 });
    expect(messages).toHaveLength(1);
    const { rows } = await database.pool.query<{ id: string }>('select id::text from customers where workspace_id = $1 and external_id = $2', [
      workspace.id,
      'K-1',
    ]);
    expect(messages[0]).toMatchObject({
      receivedAt: clock.now(),
      envelope: { from: 'info@minori.example.jp', to: [to] },
      subject: 'ご案内',
      text: 'テキストの本文',
      html: '<p>HTMLの本文</p>',
      listUnsubscribe: '<https://crm.example.jp/u/abc>',
      listUnsubscribePost: 'List-Unsubscribe=One-Click',
      workspaceIds: [workspace.id],
      customerId: rows[0]!.id,
      effectKey: null,
      why: null,
    });
    expect(messages[0]!.headers).toContainEqual({ name: 'Subject', value: expect.stringMatching(/^=\?UTF-8\?/) });
    expect(catcher.mailbox.list({ workspaceId: other.id, limit: 10, offset: 0 }).messages).toEqual([]);
    expect(catcher.mailbox.read({ workspaceId: other.id, id: messages[0]!.id })).toBeUndefined();
    expect(catcher.mailbox.read({ workspaceId: workspace.id, id: messages[0]!.id })).toBe(messages[0]);
  });

  it('keeps the newest messages only, by count', async () => {
    const to = `hanako-${workspace.id}@example.jp`;
    for (const subject of ['二通目', '三通目', '四通目']) await send({ to, subject, text: subject, html: null });
    const page = catcher.mailbox.list({ workspaceId: workspace.id, limit: 1, offset: 0 });
    expect(page.messages.map((mail) => mail.subject)).toEqual(['四通目']);
    expect(page.nextOffset).toBe(1);
    expect(catcher.mailbox.list({ workspaceId: workspace.id, limit: 10, offset: 0 }).messages.map((mail) => mail.subject)).toEqual(['四通目', '三通目']);
  });

  it('keeps the newest messages only, by bytes', () => {
    const mailbox = new CaughtMailbox({ capacity: 10, maxBytes: 250 });
    const mail = (subject: string, size: number) => ({
      receivedAt: clock.now(),
      envelope: { from: '', to: [] },
      from: null,
      subject,
      messageId: null,
      headers: [],
      html: null,
      text: null,
      listUnsubscribe: null,
      listUnsubscribePost: null,
      size,
      workspaceIds: ['1'],
      customerId: null,
      effectKey: null,
      why: null,
    });
    mailbox.add(mail('a', 100));
    mailbox.add(mail('b', 100));
    mailbox.add(mail('c', 100));
    expect(mailbox.list({ workspaceId: '1', limit: 10, offset: 0 }).messages.map((m) => m.subject)).toEqual(['c', 'b']);
    // One message larger than the budget is still kept (the newest).
    mailbox.add(mail('d', 400));
    expect(mailbox.list({ workspaceId: '1', limit: 10, offset: 0 }).messages.map((m) => m.subject)).toEqual(['d']);
  });

  it("reads the send id back from a scenario send's Message-ID", () => {
    const sender = { dkim: null, fromAddress: 'info@minori.example.jp' };
    for (const sendId of ['send:41:day14:1', 'send:7:お礼:2', 'a=b c']) expect(sendIdOfMessageId(messageIdFor(sendId, sender))).toBe(sendId);
    expect(sendIdOfMessageId('<abc@example.jp>')).toBeNull();
    expect(sendIdOfMessageId('<send-=ZZ@example.jp>')).toBeNull();
  });
});
