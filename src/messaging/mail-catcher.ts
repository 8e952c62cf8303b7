import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import type pg from 'pg';
import { SMTPServer } from 'smtp-server';
import type { Why } from '../scenarios/why.ts';
import type { Clock } from '../shared/clock.ts';
import { sendIdOfMessageId } from './send-email.ts';

/**
 * The demo's mail catcher: when KIZUNA_SMTP_URL is not set, `kizuna serve` starts a real SMTP
 * server on loopback (smtp-server) and points the worker's transport at it, so scenario mail is
 * sent as in production — rendered, signed, with its headers — but caught here instead of
 * delivered. It keeps the newest messages in memory (at most `capacity` messages and
 * `maxBytes` of raw source; older ones are dropped, and all are gone on restart) for the
 * console's 受信箱（デモ） (Caught mail). docs/messaging.md.
 */

/** A message the catcher accepted. */
export interface CaughtMail {
  /** The catcher's own number, in order of arrival (from 1). */
  id: string;
  receivedAt: Date;
  /** The SMTP envelope. */
  envelope: { from: string; to: string[] };
  /** The From header as written. */
  from: string | null;
  subject: string;
  messageId: string | null;
  /** Every header line as received (unfolded), in order. */
  headers: Array<{ name: string; value: string }>;
  html: string | null;
  text: string | null;
  /** RFC 8058: the List-Unsubscribe and List-Unsubscribe-Post headers (null when absent). */
  listUnsubscribe: string | null;
  listUnsubscribePost: string | null;
  /** The raw message's size in bytes. */
  size: number;
  /** Whose message it is: the workspace of the scenario send it came from, else of the customers it was addressed to. */
  workspaceIds: string[];
  customerId: string | null;
  /** The scenario effect that sent it (its key) and the effect's structured reason. */
  effectKey: string | null;
  why: Why | null;
}

export const CATCHER_CAPACITY = 1000;
export const CATCHER_MAX_BYTES = 64 * 1024 * 1024;
/** The largest message the catcher accepts (SMTP SIZE). */
export const CATCHER_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

/** The caught messages, the newest first, bounded by count and bytes. */
export class CaughtMailbox {
  readonly capacity: number;
  readonly maxBytes: number;
  #messages: CaughtMail[] = [];
  #bytes = 0;
  #next = 1;

  constructor(limits: { capacity?: number; maxBytes?: number } = {}) {
    this.capacity = limits.capacity ?? CATCHER_CAPACITY;
    this.maxBytes = limits.maxBytes ?? CATCHER_MAX_BYTES;
  }

  /** Keeps a message (numbered here), dropping the oldest beyond the bounds. */
  add(mail: Omit<CaughtMail, 'id'>): CaughtMail {
    const caught: CaughtMail = { ...mail, id: String(this.#next++) };
    this.#messages.unshift(caught);
    this.#bytes += caught.size;
    while (this.#messages.length > this.capacity || (this.#bytes > this.maxBytes && this.#messages.length > 1)) {
      this.#bytes -= this.#messages.pop()!.size;
    }
    return caught;
  }

  /** A page of a workspace's caught messages, the newest first; `nextOffset` null: the last page. */
  list(params: { workspaceId: string; limit: number; offset: number }): { messages: CaughtMail[]; nextOffset: number | null } {
    const mine = this.#messages.filter((mail) => mail.workspaceIds.includes(params.workspaceId));
    const messages = mine.slice(params.offset, params.offset + params.limit);
    return { messages, nextOffset: params.offset + params.limit < mine.length ? params.offset + params.limit : null };
  }

  /** One of a workspace's caught messages; undefined when it has no such one (or it was dropped). */
  read(params: { workspaceId: string; id: string }): CaughtMail | undefined {
    return this.#messages.find((mail) => mail.id === params.id && mail.workspaceIds.includes(params.workspaceId));
  }
}

/** A running catcher: its URL (for createSmtpTransport), its mailbox, and how to stop it. */
export interface MailCatcher {
  /** smtp://127.0.0.1:<port> */
  url: string;
  mailbox: CaughtMailbox;
  close(): Promise<void>;
}

/**
 * Starts the catcher on 127.0.0.1 (a free port unless given). Each message is parsed
 * (mailparser) and attributed before it is accepted: by its Message-ID to the scenario effect
 * that sent it (send-email.ts's messageIdFor), else by the envelope's recipients to the customers
 * with that email address. A message no workspace's customer was sent is kept but shown to none.
 */
export async function startMailCatcher(params: {
  pool: pg.Pool;
  clock: Clock;
  mailbox?: CaughtMailbox;
  port?: number;
  log?: (line: string) => void;
}): Promise<MailCatcher> {
  const mailbox = params.mailbox ?? new CaughtMailbox();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    banner: 'Kizuna demo mail catcher: mail is kept for the console, never delivered',
    size: CATCHER_MAX_MESSAGE_BYTES,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (stream.sizeExceeded) {
          callback(Object.assign(new Error(`5.3.4 message larger than ${CATCHER_MAX_MESSAGE_BYTES} bytes`), { responseCode: 552 }));
          return;
        }
        const raw = Buffer.concat(chunks);
        const envelope = {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((recipient) => recipient.address),
        };
        catchMessage({ pool: params.pool, clock: params.clock, mailbox, raw, envelope }).then(
          () => callback(),
          (error: unknown) => {
            params.log?.(`Mail catcher: a message was refused (${error instanceof Error ? error.message : String(error)})`);
            callback(Object.assign(new Error('4.3.0 the catcher could not keep the message; try again'), { responseCode: 451 }));
          },
        );
      });
    },
  });
  server.on('error', (error) => params.log?.(`Mail catcher: ${error.message}`));
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(params.port ?? 0, '127.0.0.1', () => {
      server.server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    mailbox,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function catchMessage(params: {
  pool: pg.Pool;
  clock: Clock;
  mailbox: CaughtMailbox;
  raw: Buffer;
  envelope: CaughtMail['envelope'];
}): Promise<CaughtMail> {
  const parsed = await simpleParser(params.raw);
  const headers = parsed.headerLines.map(({ key, line }) => {
    const colon = line.indexOf(':');
    return { name: colon > 0 ? line.slice(0, colon) : key, value: (colon > 0 ? line.slice(colon + 1) : line).replace(/\r?\n[ \t]+/g, ' ').trim() };
  });
  const header = (name: string) => headers.find((h) => h.name.toLowerCase() === name)?.value ?? null;
  const messageId = parsed.messageId ? (parsed.messageId.startsWith('<') ? parsed.messageId : `<${parsed.messageId}>`) : null;
  const owner = await ownerOf(params.pool, messageId, params.envelope.to);
  return params.mailbox.add({
    receivedAt: params.clock.now(),
    envelope: params.envelope,
    from: parsed.from?.text ?? null,
    subject: parsed.subject ?? '',
    messageId,
    headers,
    html: typeof parsed.html === 'string' ? parsed.html : null,
    text: parsed.text ?? null,
    listUnsubscribe: header('list-unsubscribe'),
    listUnsubscribePost: header('list-unsubscribe-post'),
    size: params.raw.length,
    ...owner,
  });
}

/** The scenario send of a Message-ID, else the customers with a recipient's address. */
async function ownerOf(
  pool: pg.Pool,
  messageId: string | null,
  recipients: string[],
): Promise<Pick<CaughtMail, 'workspaceIds' | 'customerId' | 'effectKey' | 'why'>> {
  const sendId = messageId ? sendIdOfMessageId(messageId) : null;
  if (sendId) {
    const { rows } = await pool.query<{ workspace_id: string; customer_id: string; key: string; why: Why }>(
      `select workspace_id::text, customer_id::text, key, why from scenario_effects where key = $1 and kind = 'send'`,
      [sendId],
    );
    const effect = rows[0];
    if (effect) return { workspaceIds: [effect.workspace_id], customerId: effect.customer_id, effectKey: effect.key, why: effect.why };
  }
  const addresses = [...new Set(recipients.flatMap((address) => [address, address.toLowerCase()]))];
  const { rows } = await pool.query<{ workspace_id: string; customer_id: string }>(
    `select workspace_id::text, customer_id::text from customer_identities where kind = 'email' and value = any($1::text[]) order by workspace_id, customer_id`,
    [addresses],
  );
  const customerIds = new Set(rows.map((row) => row.customer_id));
  return {
    workspaceIds: [...new Set(rows.map((row) => row.workspace_id))],
    customerId: customerIds.size === 1 ? rows[0]!.customer_id : null,
    effectKey: null,
    why: null,
  };
}
