import type pg from 'pg';
import { composeMessage, signDkim } from './mime.ts';
import type { SmtpTransport } from './smtp.ts';
import type { SuppressionReason } from '../db/schema.ts';
import { emailMarketingPermission, type MarketingPermission } from './consent.ts';
import type { RenderedEmail } from './render.ts';
import { missingSenderSettings, type SenderSettings } from './sender-settings.ts';
import { addressKey, findSuppression, type Suppression } from './suppressions.ts';

/** Why a message was not sent; the send is not retried for any of these. */
export type NotSentReason = 'no_consent' | 'consent_withdrawn' | 'suppressed' | 'sender_settings_missing';

/** What became of one send. SMTP failures that may pass (connection, 4xx) are thrown for the caller to retry. */
export type SendOutcome =
  | { status: 'sent'; messageId: string; response: string; to: string }
  | { status: 'not_sent'; reason: NotSentReason; message: string }
  /** The SMTP server refused the message for good (5xx): do not retry. */
  | { status: 'rejected'; messageId: string; responseCode: number; response: string };

export interface SendEmailParams {
  pool: pg.Pool;
  transport: SmtpTransport;
  workspaceId: string;
  customerId: string;
  /** The address (the customer's email identity). */
  to: string;
  /**
   * The caller's id of this send, stable across retries (e.g. the job key
   * `send:${enrollmentId}:${stepId}`): the Message-ID is derived from it, so the same send
   * retried carries the same Message-ID and the receiving side can tell it is one message.
   */
  sendId: string;
  message: RenderedEmail;
  sender: SenderSettings;
  /** The Date header (the caller's clock); default: now. */
  date?: Date;
  /**
   * The address's suppression and the customer's consent, read just before (loadSendChecks, for
   * a batch of sends at once); absent: read here.
   */
  checks?: SendChecks;
}

/** What sendEmail checks at send time besides the settings: the address's suppression and the customer's email + marketing consent. */
export interface SendChecks {
  suppression: Suppression | undefined;
  permission: MarketingPermission;
}

/**
 * The send-time checks of many sends of a workspace at once (one query), by customer id, for
 * sendEmail's `checks`: a batch performer reads them right before it hands the batch to SMTP.
 */
export async function loadSendChecks(
  pool: pg.Pool | pg.PoolClient,
  params: { workspaceId: string; recipients: ReadonlyArray<{ customerId: string; to: string }> },
): Promise<Map<string, SendChecks>> {
  const { workspaceId, recipients } = params;
  const keys = new Map(recipients.map((recipient) => [addressKey(recipient.to), recipient.to]));
  // One statement for both (a performer reads them for every claimed batch).
  const { rows } = await pool.query<{
    kind: 'consent' | 'suppression';
    key: string;
    status: 'granted' | 'withdrawn' | null;
    at: Date;
    source: string | null;
    reason: SuppressionReason | null;
    detail: string | null;
  }>(
    `select 'consent' as kind, customer_id::text as key, status, changed_at as at, source, null as reason, null as detail
       from consents where workspace_id = $1 and customer_id = any($2::bigint[]) and channel = 'email' and purpose = 'marketing'
     union all
     select 'suppression', address, null, suppressed_at, source, reason, detail
       from email_suppressions where workspace_id = $1 and address = any($3::text[])`,
    [workspaceId, recipients.map((recipient) => recipient.customerId), [...keys.keys()]],
  );
  const permissions = new Map<string, MarketingPermission>();
  const suppressions = new Map<string, Suppression>();
  for (const row of rows) {
    if (row.kind === 'consent') {
      permissions.set(
        row.key,
        row.status === 'granted' ? { allowed: true, grantedAt: row.at, source: row.source } : { allowed: false, reason: 'consent_withdrawn' },
      );
    } else {
      const given = keys.get(row.key);
      if (given !== undefined) suppressions.set(given, { address: row.key, reason: row.reason!, suppressedAt: row.at, source: row.source, detail: row.detail });
    }
  }
  return new Map(
    recipients.map((recipient) => [
      recipient.customerId,
      { suppression: suppressions.get(recipient.to), permission: permissions.get(recipient.customerId) ?? { allowed: false, reason: 'no_consent' } },
    ]),
  );
}

/**
 * Sends one rendered message. First, at send time: the address must not be suppressed, and
 * advertising mail (purpose 'marketing') needs the customer's email + marketing consent
 * granted and the sender settings the law requires; otherwise it returns `not_sent` with the
 * reason, and nothing is sent. Advertising mail carries `List-Unsubscribe: <https://…/u/token>`
 * and `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058); with a DKIM key in the
 * settings the message is signed, the signature covering both. A consent withdrawn after the
 * check (a window of one SMTP round trip) is not seen by this send.
 *
 * @example
 * const outcome = await sendEmail({ pool, transport, workspaceId, customerId, to, sendId: 'send:41:day14', message, sender });
 * if (outcome.status === 'not_sent') record(outcome.reason);
 */
export async function sendEmail(params: SendEmailParams): Promise<SendOutcome> {
  const { message, sender } = params;
  const messageId = messageIdFor(params.sendId, sender);
  const refusal = await refusalOf(params);
  if (refusal) return refusal;
  const unsubscribeHeaders: Record<string, string> =
    message.purpose === 'marketing' && message.unsubscribeUrl
      ? { 'List-Unsubscribe': `<${message.unsubscribeUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' }
      : {};
  let raw = await composeMessage({
    from: { name: sender.senderName ?? '', address: sender.fromAddress! },
    replyTo: sender.replyTo ?? null,
    to: params.to,
    subject: message.subject,
    text: message.text,
    html: message.html,
    messageId,
    date: params.date ?? new Date(),
    headers: unsubscribeHeaders,
  });
  if (sender.dkim) raw = await signDkim(raw, { domainName: sender.dkim.domain, keySelector: sender.dkim.selector, privateKey: sender.dkim.privateKey });
  try {
    const info = await params.transport.send({ from: sender.fromAddress!, to: [params.to] }, raw);
    return { status: 'sent', messageId, response: String(info.response ?? ''), to: params.to };
  } catch (error) {
    const responseCode = (error as { responseCode?: unknown }).responseCode;
    if (typeof responseCode === 'number' && responseCode >= 500 && responseCode < 600) {
      return { status: 'rejected', messageId, responseCode, response: String((error as { response?: unknown }).response ?? (error as Error).message) };
    }
    throw error;
  }
}

async function refusalOf(params: SendEmailParams): Promise<Extract<SendOutcome, { status: 'not_sent' }> | undefined> {
  const { pool, workspaceId, customerId, message, sender } = params;
  const missing = message.purpose === 'marketing' ? missingSenderSettings(sender) : sender.fromAddress ? [] : ['fromAddress'];
  if (missing.length > 0) {
    return { status: 'not_sent', reason: 'sender_settings_missing', message: `The workspace's email settings lack ${missing.join(', ')}.` };
  }
  const suppression = params.checks ? params.checks.suppression : await findSuppression(pool, { workspaceId, address: params.to });
  if (suppression) {
    return {
      status: 'not_sent',
      reason: 'suppressed',
      message: `${suppression.address} is suppressed (${suppression.reason}, since ${suppression.suppressedAt.toISOString()}).`,
    };
  }
  if (message.purpose === 'marketing') {
    const permission = params.checks?.permission ?? (await emailMarketingPermission(pool, { workspaceId, customerId }));
    if (!permission.allowed) {
      return {
        status: 'not_sent',
        reason: permission.reason,
        message:
          permission.reason === 'no_consent'
            ? 'The customer has not opted in to advertising mail (email, marketing).'
            : 'The customer withdrew consent to advertising mail (email, marketing).',
      };
    }
  }
  return undefined;
}

/**
 * `<send-${sendId}@${domain}>`: the domain of the DKIM key, else of the From address; the send
 * id with every character but letters, digits, '-' and '_' written as `=XX` (its UTF-8 bytes),
 * so distinct ids give distinct Message-IDs and any id gives a valid one.
 */
export function messageIdFor(sendId: string, sender: Pick<SenderSettings, 'dkim' | 'fromAddress'>): string {
  if (sendId === '' || sendId.length > 200) throw new Error(`sendId must have 1 to 200 characters, got ${sendId.length}`);
  const domain = sender.dkim?.domain ?? sender.fromAddress?.split('@')[1] ?? 'kizuna.invalid';
  const local = [...Buffer.from(sendId, 'utf8')]
    .map((byte) => {
      const c = String.fromCharCode(byte);
      return /[A-Za-z0-9_-]/.test(c) ? c : `=${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');
  return `<send-${local}@${domain}>`;
}

/**
 * The send id a Message-ID of messageIdFor carries (`<send-…@domain>`, its `=XX` bytes decoded),
 * or null for any other Message-ID: the demo's mail catcher finds the scenario effect of a
 * message it caught by it.
 *
 * @example
 * sendIdOfMessageId('<send-send=3A41=3Aday14@example.jp>') // 'send:41:day14'
 */
export function sendIdOfMessageId(messageId: string): string | null {
  const match = /^<send-((?:[A-Za-z0-9_-]|=[0-9A-F]{2})+)@[^<>@\s]+>$/.exec(messageId.trim());
  if (!match) return null;
  const bytes: number[] = [];
  for (const token of match[1]!.match(/=[0-9A-F]{2}|[A-Za-z0-9_-]/g)!) {
    bytes.push(token.startsWith('=') ? Number.parseInt(token.slice(1), 16) : token.charCodeAt(0));
  }
  return Buffer.from(bytes).toString('utf8');
}
