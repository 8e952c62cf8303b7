import { Kysely, PostgresDialect } from 'kysely';
import type pg from 'pg';
import { readTemplate } from '../../charter/templates.ts';
import type { DB } from '../../db/schema.ts';
import { withTransaction } from '../../db/transaction.ts';
import { noteJourneyChanges } from '../../journey-map/changes.ts';
import { findEmailRecipient } from '../../messaging/recipient.ts';
import { createEmailRenderer, EmailRenderError, type EmailRenderer, type RenderedEmail } from '../../messaging/render.ts';
import { sendEmail } from '../../messaging/send-email.ts';
import { readSenderSettings } from '../../messaging/sender-settings.ts';
import type { SmtpTransport } from '../../messaging/smtp.ts';
import { unsubscribeToken, unsubscribeUrl } from '../../messaging/unsubscribe-token.ts';
import type { Clock } from '../../shared/clock.ts';
import { assertNever, KizunaError } from '../../shared/errors.ts';
import type { StepEffect } from '../interpreter.ts';
import { loadWhyNames, type Why, whyInWords } from '../why.ts';

/**
 * Performing effects: what the interpreter decided (scenario_effects, each under its
 * deterministic key) is done here — a mail sent, a task created for people, a customer
 * attribute set.
 *
 * A performer claims pending effects in a short transaction (`for update skip locked`, so two
 * performers never take the same row), marks them `sending` with `claimed_at` and commits; then
 * it performs each and records the outcome. A send is at most once: a row still `sending` after
 * STALE_SENDING_MINUTES belongs to a performer that stopped between the SMTP server and the
 * record — the server may have accepted the message — so it is marked failed ('interrupted') and
 * never sent again. Tasks and attribute updates are performed and recorded in one transaction
 * (a crash rolls both back) and are idempotent, so a stale one goes back to pending.
 */

/** How many times a send the SMTP server deferred (4xx, connection lost) is tried before it fails. */
export const MAX_SEND_ATTEMPTS = 5;
/** A row `sending` longer than this is taken for a crashed performer's. */
export const STALE_SENDING_MINUTES = 10;
/** The wait before retry n (1-based): 5, 10, 20, 40 minutes. */
export function retryDelayMinutes(attempt: number): number {
  return 5 * 2 ** Math.max(0, attempt - 1);
}

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

export const INTERRUPTED_NOTE = 'the SMTP server may have accepted it; not sent again so that it is never sent twice';

export interface PerformEffectsParams {
  pool: pg.Pool;
  clock: Clock;
  /** The SMTP transport (createSmtpTransport). */
  transport: SmtpTransport;
  /** The instance secret that signs unsubscribe links. */
  secret: string;
  /** The public URL of this instance (unsubscribe links: `${publicUrl}/u/<token>`). */
  publicUrl: string;
  /** Only this workspace's effects; absent: every workspace's. */
  workspaceId?: string;
  /** At most this many effects (default 500). */
  limit?: number;
  /** A renderer to reuse (its cache of compiled templates); default: one for this call. */
  renderer?: EmailRenderer;
}

export interface PerformEffectsOutcome {
  done: number;
  notDone: number;
  failed: number;
  /** Sends the SMTP server deferred: back to pending, tried again after their retry_at. */
  retried: number;
}

interface EffectRow {
  id: string;
  workspace_id: string;
  key: string;
  customer_id: string;
  kind: StepEffect['kind'];
  payload: Record<string, unknown>;
  why: Why;
  attempts: number;
}

type Performed =
  | { status: 'done'; outcome: Record<string, unknown> }
  | { status: 'not_done' | 'failed'; outcome: { reason: EffectReason; message: string } & Record<string, unknown> }
  | { status: 'retry'; outcome: Record<string, unknown> };

/**
 * Performs pending effects due by `clock` (a deferred send waits for its retry_at), each once;
 * first it marks stale `sending` rows (see above). Returns how many ended done, not done,
 * failed, or went back to pending for a retry.
 */
export async function performPendingEffects(params: PerformEffectsParams): Promise<PerformEffectsOutcome> {
  const { pool, clock } = params;
  const limit = params.limit ?? 500;
  const result: PerformEffectsOutcome = { done: 0, notDone: 0, failed: 0, retried: 0 };
  result.failed += await settleStaleEffects(pool, clock.now(), params.workspaceId);
  const deps = { ...params, renderer: params.renderer ?? createEmailRenderer(), db: new Kysely<DB>({ dialect: new PostgresDialect({ pool }) }) };
  let performed = 0;
  while (performed < limit) {
    const claimed = await claimEffects(pool, { now: clock.now(), workspaceId: params.workspaceId, count: Math.min(20, limit - performed) });
    if (claimed.length === 0) break;
    for (const row of claimed) {
      let outcome: Awaited<ReturnType<typeof performOne>>;
      try {
        outcome = await performOne(deps, row);
      } catch (error) {
        // Before any mail left (a database error, a lost connection to PostgreSQL): try again later.
        outcome = await record(deps, row, { status: 'retry', outcome: { error: (error as Error).message } });
      }
      if (outcome === 'done') result.done++;
      else if (outcome === 'not_done') result.notDone++;
      else if (outcome === 'failed') result.failed++;
      else result.retried++;
    }
    performed += claimed.length;
  }
  return result;
}

/** Sends `sending` for too long: failed, not sent again; tasks and attribute updates: pending again (they are idempotent). */
async function settleStaleEffects(pool: pg.Pool, now: Date, workspaceId: string | undefined): Promise<number> {
  const before = new Date(now.getTime() - STALE_SENDING_MINUTES * 60_000);
  const { rowCount } = await pool.query(
    `update scenario_effects set status = 'failed', done_at = $1,
            outcome = jsonb_build_object('reason', 'interrupted', 'note', $4::text, 'claimedAt', claimed_at)
      where status = 'sending' and kind = 'send' and claimed_at < $2 and ($3::bigint is null or workspace_id = $3)`,
    [now, before, workspaceId ?? null, INTERRUPTED_NOTE],
  );
  await pool.query(
    `update scenario_effects set status = 'pending', claimed_at = null
      where status = 'sending' and kind <> 'send' and claimed_at < $1 and ($2::bigint is null or workspace_id = $2)`,
    [before, workspaceId ?? null],
  );
  return rowCount ?? 0;
}

async function claimEffects(pool: pg.Pool, params: { now: Date; workspaceId: string | undefined; count: number }): Promise<EffectRow[]> {
  return withTransaction(pool, async (client) => {
    const { rows } = await client.query<EffectRow>(
      `with claimed as (
         select id from scenario_effects
          where status = 'pending' and (retry_at is null or retry_at <= $1) and ($2::bigint is null or workspace_id = $2)
          order by id limit $3
          for update skip locked
       )
       update scenario_effects e set status = 'sending', claimed_at = $1, attempts = e.attempts + 1
         from claimed where e.id = claimed.id
       returning e.id, e.workspace_id, e.key, e.customer_id, e.kind, e.payload, e.why, e.attempts`,
      [params.now, params.workspaceId ?? null, params.count],
    );
    return rows.sort((a, b) => Number(a.id) - Number(b.id));
  });
}

type Deps = PerformEffectsParams & { renderer: EmailRenderer; db: Kysely<DB> };

async function performOne(deps: Deps, row: EffectRow): Promise<'done' | 'not_done' | 'failed' | 'retried'> {
  switch (row.kind) {
    case 'send': {
      const performed = await performSend(deps, row);
      return record(deps, row, performed);
    }
    case 'task':
      return withTransaction(deps.pool, async (client) => {
        const payload = row.payload as Omit<Extract<StepEffect, { kind: 'task' }>, 'key' | 'stepId' | 'kind'>;
        await client.query(
          `insert into tasks (workspace_id, department, title, description, customer_id, due_at, effect_key, why, created_at)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
           on conflict (effect_key) do nothing`,
          [
            row.workspace_id,
            payload.department,
            payload.title,
            payload.description,
            row.customer_id,
            payload.dueAt,
            row.key,
            JSON.stringify(row.why),
            deps.clock.now(),
          ],
        );
        const { rows } = await client.query<{ id: string }>('select id from tasks where effect_key = $1', [row.key]);
        return record(deps, row, { status: 'done', outcome: { taskId: rows[0]!.id } }, client);
      });
    case 'update_attribute':
      return withTransaction(deps.pool, async (client) => {
        const payload = row.payload as { name: string; value: unknown };
        const { rowCount } = await client.query(
          `update customers set attributes = attributes || jsonb_build_object($3::text, $4::jsonb), updated_at = $5
            where workspace_id = $1 and id = $2`,
          [row.workspace_id, row.customer_id, payload.name, JSON.stringify(payload.value ?? null), deps.clock.now()],
        );
        if (!rowCount) {
          return record(
            deps,
            row,
            { status: 'not_done', outcome: { reason: 'customer_missing', message: `Customer ${row.customer_id} no longer exists.` } },
            client,
          );
        }
        await noteJourneyChanges(client, row.workspace_id, { cause: 'customer', customerIds: [row.customer_id], causeRefs: [row.key] });
        return record(deps, row, { status: 'done', outcome: { attribute: payload.name, value: payload.value ?? null } }, client);
      });
    default:
      return assertNever(row.kind, 'effect kind');
  }
}

/**
 * Writes what became of an effect. A late record of a row already settled as interrupted (its
 * performer was slow, not dead) still says what really happened.
 */
async function record(
  deps: Deps,
  row: EffectRow,
  performed: Performed,
  client: pg.Pool | pg.ClientBase = deps.pool,
): Promise<'done' | 'not_done' | 'failed' | 'retried'> {
  const now = deps.clock.now();
  const guard = `id = $1 and (status = 'sending' or (status = 'failed' and outcome->>'reason' = 'interrupted'))`;
  if (performed.status === 'retry') {
    if (row.attempts >= MAX_SEND_ATTEMPTS) {
      const outcome = { ...performed.outcome, reason: 'smtp_unavailable', message: `Not sent after ${row.attempts} attempts: ${performed.outcome.error}` };
      await client.query(`update scenario_effects set status = 'failed', outcome = $2, done_at = $3 where ${guard}`, [row.id, JSON.stringify(outcome), now]);
      return 'failed';
    }
    const retryAt = new Date(now.getTime() + retryDelayMinutes(row.attempts) * 60_000);
    await client.query(`update scenario_effects set status = 'pending', claimed_at = null, retry_at = $2, outcome = $3 where ${guard}`, [
      row.id,
      retryAt,
      JSON.stringify({ ...performed.outcome, attempts: row.attempts, retryAt: retryAt.toISOString() }),
    ]);
    return 'retried';
  }
  await client.query(`update scenario_effects set status = $2, outcome = $3, done_at = $4, retry_at = null where ${guard}`, [
    row.id,
    performed.status,
    JSON.stringify(performed.outcome),
    now,
  ]);
  return performed.status;
}

async function performSend(deps: Deps, row: EffectRow): Promise<Performed> {
  const { pool } = deps;
  const payload = row.payload as Omit<Extract<StepEffect, { kind: 'send' }>, 'key' | 'stepId' | 'kind'>;
  const workspaceId = row.workspace_id;
  const notDone = (reason: EffectReason, message: string): Performed => ({ status: 'not_done', outcome: { reason, message } });

  let template: Awaited<ReturnType<typeof readTemplate>>;
  try {
    template = await readTemplate({ pool, workspaceId, templateId: payload.templateId });
  } catch (error) {
    if (error instanceof KizunaError && error.code === 'not_found') return notDone('template_missing', `Template ${payload.templateId} no longer exists.`);
    throw error;
  }
  if (template.status !== 'published') return notDone('template_not_published', `Template ${template.id} (${template.name}) is no longer published.`);
  if (template.channel !== 'email')
    return notDone('template_not_email', `Template ${template.id} (${template.name}) is a ${template.channel} template, not email.`);

  const recipient = await findEmailRecipient(pool, { workspaceId, customerId: row.customer_id });
  if (!recipient) return notDone('no_email_address', `Customer ${row.customer_id} has no email address.`);
  const sender = await readSenderSettings(deps.db, workspaceId);
  const names = await loadWhyNames(pool, workspaceId, row.why);
  const reasonText = whyInWords(row.why, names, 'ja');
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
      customer: { id: recipient.customerId, name: recipient.name, email: recipient.email },
      product,
      daysSinceDelivery: timing.kind === 'effect' ? timing.days : null,
      reasonText,
      unsubscribeUrl: link,
    });
  } catch (error) {
    if (!(error instanceof EmailRenderError)) throw error;
    // Missing sender settings is a refusal the settings page fixes, like sendEmail's own.
    if ((error.details as { part?: string } | undefined)?.part === 'settings') return notDone('sender_settings_missing', error.message);
    return { status: 'failed', outcome: { reason: 'render_failed', message: error.message } };
  }

  try {
    const outcome = await sendEmail({
      pool,
      transport: deps.transport,
      workspaceId,
      customerId: row.customer_id,
      to: recipient.email,
      sendId: row.key,
      message,
      sender,
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
    const responseCode = (error as { responseCode?: unknown }).responseCode;
    return { status: 'retry', outcome: { error: (error as Error).message, ...(typeof responseCode === 'number' ? { responseCode } : {}) } };
  }
}
