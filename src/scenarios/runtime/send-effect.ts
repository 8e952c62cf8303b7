import type { Kysely } from 'kysely';
import type pg from 'pg';
import { type MessageTemplate, readTemplate } from '../../charter/templates.ts';
import type { DB } from '../../db/schema.ts';
import { MailHeaderError } from '../../messaging/mime.ts';
import { EmailRenderError, type EmailRenderer, type RenderedEmail } from '../../messaging/render.ts';
import { loadSendChecks, type SendChecks, sendEmail } from '../../messaging/send-email.ts';
import { readSenderSettings, type SenderSettings } from '../../messaging/sender-settings.ts';
import type { SmtpTransport } from '../../messaging/smtp.ts';
import { unsubscribeToken, unsubscribeUrl } from '../../messaging/unsubscribe-token.ts';
import { whyToken, whyUrl } from '../../messaging/why-token.ts';
import type { Clock } from '../../shared/clock.ts';
import { assertNever, KizunaError } from '../../shared/errors.ts';
import type { StepEffect } from '../interpreter.ts';
import { loadWhyNames, type Why, type WhyNames, whyInWordsHeld } from '../why.ts';

/**
 * Performing one send effect: the template (published, email), the recipient, the reason in
 * words, the render, then sendEmail (suppression, consent and settings checked at send time).
 * A SendBatch holds what a performer's run reads again and again: templates, sender settings
 * and the names the reason uses are kept for at most CACHE_MS (a template unpublished or a
 * setting changed is seen within that), and the send-time checks (suppression, consent) of each
 * claimed batch are read in one go right before the batch goes to SMTP.
 */

/** How long a performer keeps a template, the sender settings and the reason's names. */
export const CACHE_MS = 1000;

/** Why an effect was not done (status not_done), or why it failed. */
export type EffectReason =
  | 'no_consent'
  | 'consent_withdrawn'
  | 'suppressed'
  | 'sender_settings_missing'
  | 'template_missing'
  | 'template_not_published'
  | 'template_not_email'
  | 'no_email_address'
  | 'customer_missing'
  | 'render_failed'
  | 'rejected'
  | 'smtp_unavailable'
  | 'interrupted';

export type Performed =
  | { status: 'done'; outcome: Record<string, unknown> }
  | { status: 'not_done' | 'failed'; outcome: { reason: EffectReason; message: string } & Record<string, unknown> }
  | { status: 'retry'; outcome: Record<string, unknown> };

/** A claimed send with its recipient (null: no email address, or no such customer). */
export interface SendRow {
  id: string;
  workspace_id: string;
  key: string;
  customer_id: string;
  payload: Record<string, unknown>;
  why: Why;
  /** What is on record so far (a deferral by the contact rules, an earlier attempt). */
  outcome?: Record<string, unknown> | null;
  recipient_name: string | null;
  recipient_email: string | null;
}

export interface SendDeps {
  pool: pg.Pool;
  db: Kysely<DB>;
  clock: Clock;
  transport: SmtpTransport;
  secret: string;
  publicUrl: string;
  renderer: EmailRenderer;
}

export interface SendBatch {
  /** Reads the send-time checks of these rows (one batch of a claim), before any of them is sent. */
  check(rows: readonly SendRow[]): Promise<Map<string, SendChecks>>;
  perform(row: SendRow, checks: SendChecks | undefined): Promise<Performed>;
}

export function createSendBatch(deps: SendDeps): SendBatch {
  type Cache<T> = Map<string, { value: Promise<T>; at: number }>;
  const templates: Cache<MessageTemplate | null> = new Map();
  const senders: Cache<SenderSettings> = new Map();
  const names: Cache<WhyNames> = new Map();
  const cached = <T>(map: Cache<T>, key: string, load: () => Promise<T>): Promise<T> => {
    const found = map.get(key);
    if (found && performance.now() - found.at < CACHE_MS) return found.value;
    const value = load();
    value.catch(() => map.delete(key));
    map.set(key, { value, at: performance.now() });
    return value;
  };
  const templateOf = (workspaceId: string, templateId: string) =>
    cached(templates, `${workspaceId}:${templateId}`, async () => {
      try {
        return await readTemplate({ pool: deps.pool, workspaceId, templateId });
      } catch (error) {
        if (error instanceof KizunaError && error.code === 'not_found') return null;
        throw error;
      }
    });
  const senderOf = (workspaceId: string) => cached(senders, workspaceId, () => readSenderSettings(deps.db, workspaceId));
  const namesOf = (workspaceId: string, why: Why) =>
    cached(
      names,
      JSON.stringify([
        workspaceId,
        why.scenarioId,
        why.version,
        why.trigger.kind,
        why.trigger.sku ?? null,
        why.timing.kind === 'effect' ? why.timing.sku : null,
      ]),
      () => loadWhyNames(deps.pool, workspaceId, why),
    );

  return {
    async check(rows) {
      const checks = new Map<string, SendChecks>();
      const byWorkspace = new Map<string, SendRow[]>();
      for (const row of rows) if (row.recipient_email) byWorkspace.set(row.workspace_id, [...(byWorkspace.get(row.workspace_id) ?? []), row]);
      for (const [workspaceId, list] of byWorkspace) {
        const found = await loadSendChecks(deps.pool, {
          workspaceId,
          recipients: list.map((row) => ({ customerId: row.customer_id, to: row.recipient_email! })),
        });
        for (const row of list) {
          const check = found.get(row.customer_id);
          if (check) checks.set(row.id, check);
        }
      }
      return checks;
    },
    async perform(row, checks) {
      const payload = row.payload as Omit<Extract<StepEffect, { kind: 'send' }>, 'key' | 'stepId' | 'kind'>;
      const workspaceId = row.workspace_id;
      const notDone = (reason: EffectReason, message: string): Performed => ({ status: 'not_done', outcome: { reason, message } });

      const template = await templateOf(workspaceId, payload.templateId);
      if (!template) return notDone('template_missing', `Template ${payload.templateId} no longer exists.`);
      if (template.status !== 'published') return notDone('template_not_published', `Template ${template.id} (${template.name}) is no longer published.`);
      if (template.channel !== 'email')
        return notDone('template_not_email', `Template ${template.id} (${template.name}) is a ${template.channel} template, not email.`);
      if (!row.recipient_email) return notDone('no_email_address', `Customer ${row.customer_id} has no email address.`);
      const sender = await senderOf(workspaceId);
      const names = await namesOf(workspaceId, row.why);
      // A message the contact rules deferred says so (in the customer's terms) after its reason.
      const heldBy = (row.outcome as { governance?: { decision?: string; rule?: { kind?: string } } } | null)?.governance;
      const reasonText = whyInWordsHeld(row.why, names, 'ja', heldBy?.decision === 'deferred' ? heldBy.rule?.kind : null);
      const marketing = payload.purpose === 'marketing';
      const link = marketing
        ? unsubscribeUrl(deps.publicUrl, unsubscribeToken(deps.secret, { workspaceId, customerId: row.customer_id, issuedAt: deps.clock.now() }))
        : null;
      const timing = row.why.timing;
      const sku = timing.kind === 'effect' ? timing.sku : (row.why.trigger.sku ?? null);
      const product = sku ? { sku, name: names.products?.[sku] ?? (timing.kind === 'effect' ? timing.productName : sku) } : null;

      let message: RenderedEmail;
      try {
        message = await deps.renderer.render({
          template,
          purpose: payload.purpose,
          sender,
          customer: { id: row.customer_id, name: row.recipient_name, email: row.recipient_email },
          product,
          daysSinceDelivery: timing.kind === 'effect' ? timing.days : null,
          reasonText,
          unsubscribeUrl: link,
          whyUrl: whyUrl(deps.publicUrl, whyToken(deps.secret, { workspaceId, effectId: row.id })),
        });
      } catch (error) {
        if (!(error instanceof EmailRenderError)) throw error;
        // Missing sender settings is a refusal the settings page fixes, like sendEmail's own.
        if ((error.details as { part?: string } | undefined)?.part === 'settings') return notDone('sender_settings_missing', error.message);
        return { status: 'failed', outcome: { reason: 'render_failed', message: error.message } };
      }

      try {
        const outcome = await sendEmail({
          pool: deps.pool,
          transport: deps.transport,
          workspaceId,
          customerId: row.customer_id,
          to: row.recipient_email,
          sendId: row.key,
          message,
          sender,
          date: deps.clock.now(),
          ...(checks ? { checks } : {}),
        });
        switch (outcome.status) {
          case 'sent':
            return { status: 'done', outcome: { messageId: outcome.messageId, response: outcome.response, to: outcome.to, templateId: template.id } };
          case 'not_sent':
            return notDone(outcome.reason, outcome.message);
          case 'rejected':
            return {
              status: 'failed',
              outcome: { reason: 'rejected', message: outcome.response, messageId: outcome.messageId, responseCode: outcome.responseCode },
            };
          default:
            return assertNever(outcome, 'send outcome');
        }
      } catch (error) {
        if (error instanceof MailHeaderError) return { status: 'failed', outcome: { reason: 'render_failed', message: error.message } };
        const responseCode = (error as { responseCode?: unknown }).responseCode;
        return { status: 'retry', outcome: { error: (error as Error).message, ...(typeof responseCode === 'number' ? { responseCode } : {}) } };
      }
    },
  };
}
