import { createPrivateKey } from 'node:crypto';
import { z } from 'zod';
import type { Kdb } from '../db/connect.ts';
import { KizunaError } from '../shared/errors.ts';

/**
 * A workspace's sender settings: who the mail is from, and what 特定電子メール法 (第4条, 施行規則
 * 第9条) requires every advertising mail to show — the sender's name, postal address and a
 * contact for enquiries (email, phone or URL) — plus an optional DKIM key. The private key is
 * write-only: reads say only whether one is set.
 */
export interface SenderSettings {
  senderName: string | null;
  postalAddress: string | null;
  contactEmail: string | null;
  contactPhone: string | null;
  contactUrl: string | null;
  fromAddress: string | null;
  replyTo: string | null;
  dkim: DkimKey | null;
  updatedAt: Date | null;
}

export interface DkimKey {
  domain: string;
  selector: string;
  /** PEM (PKCS#8 or PKCS#1 RSA, or Ed25519). */
  privateKey: string;
}

/** What the API shows of the settings: the DKIM key only as "set". */
export const SenderSettingsView = z
  .object({
    senderName: z.string().nullable().describe('送信者の氏名または名称'),
    postalAddress: z.string().nullable().describe('送信者の住所'),
    contactEmail: z.string().nullable().describe('苦情・問合せを受け付けるメールアドレス'),
    contactPhone: z.string().nullable().describe('苦情・問合せを受け付ける電話番号'),
    contactUrl: z.string().nullable().describe('苦情・問合せを受け付けるURL'),
    fromAddress: z.string().nullable().describe('The From address of every mail'),
    replyTo: z.string().nullable(),
    dkim: z.object({ domain: z.string(), selector: z.string(), privateKeySet: z.literal(true) }).nullable(),
    missing: z.array(z.string()).describe('What advertising mail still needs (see missingSenderSettings): empty when it may be sent'),
    updatedAt: z.date().nullable(),
  })
  .meta({ id: 'EmailSenderSettings' });
export type SenderSettingsView = z.infer<typeof SenderSettingsView>;

const text = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .nullish()
    .transform((value) => (value ? value : null));
const email = z
  .email()
  .max(254)
  .nullish()
  .transform((value) => (value ? value.toLowerCase() : null));
const hostname = z
  .string()
  .trim()
  .toLowerCase()
  .max(253)
  .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/, 'a domain name such as example.jp');

/**
 * The settings as written with PUT: every field (absent or empty: cleared), except the DKIM
 * private key, which may be left out to keep the one already set.
 */
export const SenderSettingsInput = z.object({
  senderName: text(200),
  postalAddress: text(500),
  contactEmail: email,
  contactPhone: z
    .string()
    .trim()
    .max(30)
    .regex(/^\+?[0-9()\- ]{6,30}$/, 'a phone number such as 03-1234-5678')
    .nullish()
    .transform((value) => value ?? null),
  contactUrl: z
    .url({ protocol: /^https?$/ })
    .max(2000)
    .nullish()
    .transform((value) => value ?? null),
  fromAddress: email,
  replyTo: email,
  dkim: z
    .object({
      domain: hostname,
      selector: z
        .string()
        .trim()
        .max(63)
        .regex(/^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)*$/, 'a DKIM selector such as kizuna2024'),
      privateKey: z.string().max(20_000).optional().describe('PEM; leave out to keep the key already set'),
    })
    .nullish()
    .transform((value) => value ?? null),
});
export type SenderSettingsInput = z.output<typeof SenderSettingsInput>;

/** A field advertising mail cannot be sent without, as named in the settings. */
export type MissingSenderSetting = 'senderName' | 'postalAddress' | 'contact' | 'fromAddress';

/**
 * What is still missing for advertising mail (purpose 'marketing'): the sender's name, postal
 * address, a contact for enquiries (any of email, phone, URL) and the From address. Empty when
 * complete. Transactional mail needs only the From address and sends the identity it has.
 *
 * @example missingSenderSettings(await readSenderSettings(db, workspaceId)) // ['postalAddress']
 */
export function missingSenderSettings(settings: SenderSettings): MissingSenderSetting[] {
  const missing: MissingSenderSetting[] = [];
  if (!settings.senderName) missing.push('senderName');
  if (!settings.postalAddress) missing.push('postalAddress');
  if (!settings.contactEmail && !settings.contactPhone && !settings.contactUrl) missing.push('contact');
  if (!settings.fromAddress) missing.push('fromAddress');
  return missing;
}

const EMPTY: SenderSettings = {
  senderName: null,
  postalAddress: null,
  contactEmail: null,
  contactPhone: null,
  contactUrl: null,
  fromAddress: null,
  replyTo: null,
  dkim: null,
  updatedAt: null,
};

/** The workspace's sender settings, with the DKIM private key (for signing); all empty when never written. */
export async function readSenderSettings(db: Kdb, workspaceId: string): Promise<SenderSettings> {
  const row = await db.selectFrom('email_settings').selectAll().where('workspace_id', '=', workspaceId).executeTakeFirst();
  if (!row) return EMPTY;
  return {
    senderName: row.sender_name,
    postalAddress: row.postal_address,
    contactEmail: row.contact_email,
    contactPhone: row.contact_phone,
    contactUrl: row.contact_url,
    fromAddress: row.from_address,
    replyTo: row.reply_to,
    dkim:
      row.dkim_domain && row.dkim_selector && row.dkim_private_key
        ? { domain: row.dkim_domain, selector: row.dkim_selector, privateKey: row.dkim_private_key }
        : null,
    updatedAt: row.updated_at,
  };
}

/** The settings as the API shows them: without the private key. */
export function viewOf(settings: SenderSettings): SenderSettingsView {
  const { dkim, ...rest } = settings;
  return { ...rest, dkim: dkim ? { domain: dkim.domain, selector: dkim.selector, privateKeySet: true } : null, missing: missingSenderSettings(settings) };
}

/**
 * Replaces the workspace's sender settings. A DKIM key must parse as a private key; a DKIM
 * entry without `privateKey` keeps the key already set (`validation_failed` when none is).
 */
export async function writeSenderSettings(db: Kdb, params: { workspaceId: string; input: SenderSettingsInput; now: Date }): Promise<SenderSettings> {
  const { workspaceId, input } = params;
  let dkim: DkimKey | null = null;
  if (input.dkim) {
    const privateKey = input.dkim.privateKey?.trim() || (await readSenderSettings(db, workspaceId)).dkim?.privateKey;
    if (!privateKey) {
      throw new KizunaError('validation_failed', 'dkim.privateKey: no DKIM private key is set yet; send one (PEM).', {
        problems: [{ field: 'dkim.privateKey', reason: 'required when no key is set yet' }],
      });
    }
    checkPrivateKey(privateKey);
    dkim = { domain: input.dkim.domain, selector: input.dkim.selector, privateKey };
  }
  const values = {
    sender_name: input.senderName,
    postal_address: input.postalAddress,
    contact_email: input.contactEmail,
    contact_phone: input.contactPhone,
    contact_url: input.contactUrl,
    from_address: input.fromAddress,
    reply_to: input.replyTo,
    dkim_domain: dkim?.domain ?? null,
    dkim_selector: dkim?.selector ?? null,
    dkim_private_key: dkim?.privateKey ?? null,
    updated_at: params.now,
  };
  await db
    .insertInto('email_settings')
    .values({ workspace_id: workspaceId, ...values })
    .onConflict((oc) => oc.column('workspace_id').doUpdateSet(values))
    .execute();
  return readSenderSettings(db, workspaceId);
}

function checkPrivateKey(pem: string): void {
  let type: string | undefined;
  try {
    type = createPrivateKey(pem).asymmetricKeyType;
  } catch {
    type = undefined;
  }
  if (type !== 'rsa' && type !== 'ed25519') {
    throw new KizunaError('validation_failed', 'dkim.privateKey: not an RSA or Ed25519 private key in PEM form (-----BEGIN PRIVATE KEY-----).', {
      problems: [{ field: 'dkim.privateKey', reason: 'not an RSA or Ed25519 private key in PEM form' }],
    });
  }
}

/** What a workspace's sender settings lack for advertising mail, as the scenario publisher asks (src/scenarios: its publish gate). */
export function senderSettingsGate(db: Kdb): (workspaceId: string) => Promise<string[]> {
  return async (workspaceId) => missingSenderSettings(await readSenderSettings(db, workspaceId));
}
