import type pg from 'pg';
import { readCharter } from '../charter/charters.ts';
import type { Kdb } from '../db/connect.ts';
import { readSenderSettings, type SenderSettings } from '../messaging/sender-settings.ts';
import { loadWhyNames, type Why, whyInWordsHeld } from './why.ts';

/**
 * What the customer's page behind 「このメールをお送りした理由」 shows for one send (`GET
 * /why/{token}`, src/http/routes/why.ts): the reason in words in Japanese and English
 * (whyInWords, the footer's own sentence), when it was sent, its purpose, the sender's identity
 * and contacts (特定電子メール法 第4条), and the charter's sign-off so the page closes in the
 * brand's voice.
 */
export interface WhyPage {
  workspaceId: string;
  customerId: string;
  purpose: 'marketing' | 'transactional';
  /** When the mail was sent (done), else when the send was decided. */
  sentAt: Date;
  /** The workspace's time zone (the page shows the date in it). */
  timezone: string;
  reason: { ja: string; en: string };
  sender: Pick<SenderSettings, 'senderName' | 'postalAddress' | 'contactEmail' | 'contactPhone' | 'contactUrl'>;
  /** The charter's first sign-off (e.g. お気軽にご相談ください), or null without a charter. */
  signOff: string | null;
}

/** The page of one send of the workspace; null when there is no such send (or it is not a send). */
export async function readWhyPage(params: { pool: pg.Pool; db: Kdb; workspaceId: string; effectId: string }): Promise<WhyPage | null> {
  const { pool, workspaceId } = params;
  const { rows } = await pool.query<{ customer_id: string; why: Why; payload: { purpose?: string }; sent_at: Date; timezone: string; held_by: string | null }>(
    `select e.customer_id::text, e.why, e.payload, coalesce(e.done_at, e.created_at) as sent_at, w.timezone,
            (select d.rule->>'kind' from contact_decisions d where d.effect_id = e.id and d.decision = 'deferred' order by d.at desc, d.id desc limit 1) as held_by
       from scenario_effects e join workspaces w on w.id = e.workspace_id
      where e.workspace_id = $1 and e.id = $2 and e.kind = 'send'`,
    [workspaceId, params.effectId],
  );
  const row = rows[0];
  if (!row) return null;
  const names = await loadWhyNames(pool, workspaceId, row.why);
  const sender = await readSenderSettings(params.db, workspaceId);
  const charter = await readCharter({ pool, workspaceId });
  return {
    workspaceId,
    customerId: row.customer_id,
    purpose: row.payload.purpose === 'transactional' ? 'transactional' : 'marketing',
    sentAt: row.sent_at,
    timezone: row.timezone,
    reason: { ja: whyInWordsHeld(row.why, names, 'ja', row.held_by), en: whyInWordsHeld(row.why, names, 'en', row.held_by) },
    sender: {
      senderName: sender.senderName,
      postalAddress: sender.postalAddress,
      contactEmail: sender.contactEmail,
      contactPhone: sender.contactPhone,
      contactUrl: sender.contactUrl,
    },
    signOff: charter?.charter.signOffs[0] ?? null,
  };
}
