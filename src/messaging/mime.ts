import { randomBytes } from 'node:crypto';
import DKIM from 'nodemailer/lib/dkim';
import MailComposer from 'nodemailer/lib/mail-composer';
import { encodeWord, foldLines, quoteString } from 'nodemailer/lib/mime-funcs';

/** One message to compose: what sendEmail hands to SMTP. */
export interface MailToCompose {
  from: { name: string; address: string };
  replyTo?: string | null;
  to: string;
  subject: string;
  text: string;
  /** null: a text-only message. */
  html: string | null;
  /** `<…@…>` (messageIdFor). */
  messageId: string;
  date: Date;
  /** More header fields (List-Unsubscribe, List-Unsubscribe-Post), ASCII values. */
  headers?: Readonly<Record<string, string>>;
}

/** A DKIM key as the sender settings hold it. */
export interface DkimKey {
  domainName: string;
  keySelector: string;
  privateKey: string;
}

/** A value that cannot go into a header (a line break in it would start a header of its own). */
export class MailHeaderError extends Error {
  constructor(field: string) {
    super(`The ${field} of a message may not contain a line break.`);
    this.name = 'MailHeaderError';
  }
}

/** An address the fast path writes as it is: printable ASCII, no characters that need quoting. */
const PLAIN_ADDRESS = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9.-]+$/;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const HEADER_NAME = /^[\x21-\x39\x3b-\x7e]+$/;
/** The boundary of this process's multipart messages: base64 lines never contain '_' or '-', so no part can hold it. */
const BOUNDARY = `--_kizuna_${randomBytes(12).toString('hex')}`;

/**
 * The message as RFC 5322 bytes, ready for SMTP: headers (non-ASCII words as RFC 2047
 * encoded-words, folded at 76), a text part and, with HTML, a multipart/alternative of both,
 * each UTF-8 in base64 (76-character lines). Every send composes one, so this is the cheap path:
 * a few string operations and Node's native base64, no streams. Addresses that need quoting or
 * are not ASCII go through nodemailer's MailComposer instead, which handles every case.
 *
 * @example
 * const raw = await composeMessage({ from: { name: 'みのり', address: 'info@minori.example.jp' }, to: 'a@example.jp', subject: 'ご案内', text: '…', html: null, messageId: '<send-1@minori.example.jp>', date: new Date() });
 */
export async function composeMessage(mail: MailToCompose): Promise<Buffer> {
  for (const [field, value] of [
    ['subject', mail.subject],
    ['sender name', mail.from.name],
    ['From address', mail.from.address],
    ['To address', mail.to],
    ['Reply-To address', mail.replyTo ?? ''],
    ['Message-ID', mail.messageId],
    ...Object.entries(mail.headers ?? {}),
  ] as const) {
    if (/[\r\n]/.test(value)) throw new MailHeaderError(field);
  }
  for (const name of Object.keys(mail.headers ?? {})) if (!HEADER_NAME.test(name)) throw new MailHeaderError(`header name ${JSON.stringify(name)}`);
  const plain =
    PLAIN_ADDRESS.test(mail.from.address) &&
    PLAIN_ADDRESS.test(mail.to) &&
    (!mail.replyTo || PLAIN_ADDRESS.test(mail.replyTo)) &&
    Object.values(mail.headers ?? {}).every((value) => PRINTABLE_ASCII.test(value));
  if (!plain) return composeWithNodemailer(mail);

  const lines = [
    header('From', mail.from.name ? `${phrase(mail.from.name)} <${mail.from.address}>` : mail.from.address),
    ...(mail.replyTo ? [header('Reply-To', mail.replyTo)] : []),
    header('To', mail.to),
    header('Subject', words(mail.subject)),
    header('Message-ID', mail.messageId),
    header('Date', rfc5322Date(mail.date)),
    'MIME-Version: 1.0',
    ...Object.entries(mail.headers ?? {}).map(([name, value]) => header(name, value)),
  ];
  const text = base64Lines(mail.text.replace(/\r?\n/g, '\r\n'));
  const ascii = (...part: string[]) => Buffer.from(`${part.join('\r\n')}\r\n`, 'latin1');
  if (mail.html === null) {
    return Buffer.concat([ascii(...lines, 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: base64', ''), text, CRLF]);
  }
  return Buffer.concat([
    ascii(
      ...lines,
      // folded: on one line it is 82 characters, over RFC 5322's 78
      'Content-Type: multipart/alternative;',
      ` boundary="${BOUNDARY}"`,
      '',
      `--${BOUNDARY}`,
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: base64',
      '',
    ),
    text,
    CRLF,
    ascii(`--${BOUNDARY}`, 'Content-Type: text/html; charset=utf-8', 'Content-Transfer-Encoding: base64', ''),
    base64Lines(mail.html),
    CRLF,
    ascii(`--${BOUNDARY}--`),
  ]);
}

/** The message signed with DKIM (nodemailer's signer, its default header fields: List-Unsubscribe and List-Unsubscribe-Post among them). */
export async function signDkim(message: Buffer, key: DkimKey): Promise<Buffer> {
  const signed = new DKIM(key).sign(message);
  const chunks: Buffer[] = [];
  for await (const chunk of signed) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function header(name: string, value: string): string {
  return foldLines(`${name}: ${value}`, 76);
}

/** A display name: as it is when plain ASCII (quoted when it must be), else encoded-words. */
function phrase(name: string): string {
  if (!PRINTABLE_ASCII.test(name)) return encodeWord(name, 'B', 52);
  return /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~ -]*$/.test(name) ? name : quoteString(name);
}

/** An unstructured value (the subject): as it is when plain ASCII, else encoded-words. */
function words(value: string): string {
  return PRINTABLE_ASCII.test(value) ? value : encodeWord(value, 'B', 52);
}

const CRLF = Buffer.from('\r\n');

/** UTF-8 content in base64, 76 characters a line (RFC 2045 §6.8), written straight into one buffer. */
function base64Lines(content: string): Buffer {
  const encoded = Buffer.from(Buffer.from(content, 'utf8').toString('base64'), 'latin1');
  const breaks = Math.max(0, Math.ceil(encoded.length / 76) - 1);
  const out = Buffer.allocUnsafe(encoded.length + 2 * breaks);
  let written = 0;
  for (let at = 0; at < encoded.length; at += 76) {
    if (at > 0) {
      out[written++] = 13;
      out[written++] = 10;
    }
    written += encoded.copy(out, written, at, Math.min(at + 76, encoded.length));
  }
  return out;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** RFC 5322 §3.3 in UTC: "Mon, 07 Dec 2026 17:00:00 +0000". */
export function rfc5322Date(date: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${DAYS[date.getUTCDay()]}, ${two(date.getUTCDate())} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()} ${two(date.getUTCHours())}:${two(
    date.getUTCMinutes(),
  )}:${two(date.getUTCSeconds())} +0000`;
}

/** The message as nodemailer's MailComposer writes it: the fallback of composeMessage, and the reference its tests read it against. */
export async function composeWithNodemailer(mail: MailToCompose): Promise<Buffer> {
  return new MailComposer({
    from: { name: mail.from.name, address: mail.from.address },
    ...(mail.replyTo ? { replyTo: mail.replyTo } : {}),
    to: mail.to,
    subject: mail.subject,
    text: mail.text,
    ...(mail.html !== null ? { html: mail.html } : {}),
    messageId: mail.messageId,
    date: mail.date,
    headers: { ...mail.headers },
  })
    .compile()
    .build();
}
