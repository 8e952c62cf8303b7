import { createHash } from 'node:crypto';
import type pg from 'pg';
import { z } from 'zod';
import { withTransaction } from '../db/transaction.ts';
import { KizunaError } from '../shared/errors.ts';
import { actorColumns, type Actor } from './actor.ts';
import { readCharter } from './charters.ts';
import { DEPARTMENTS, MESSAGE_CHANNELS, MESSAGE_FORMATS, type CheckResult, type Department, type Finding, type MessageInput } from './types.ts';
import type { Charter } from './types.ts';
import { parseOrRefuse } from './validation.ts';

/**
 * Message templates per department and channel, held to the workspace's charter. Saving runs
 * the checker and keeps its result; publishing checks again against the charter of the day
 * and is refused while errors remain, unless an admin overrides with a written reason, which
 * goes to the audit log (template_overrides) with the findings it let through.
 */

/** The checker, passed in: `checkMessage` of check-message.ts in the app and the CLI. */
export type CheckMessage = (charter: Charter, input: MessageInput) => Promise<CheckResult>;

export const TemplateInput = z.object({
  name: z.string().trim().min(1).max(200),
  department: z.enum(DEPARTMENTS),
  channel: z.enum(MESSAGE_CHANNELS),
  format: z.enum(MESSAGE_FORMATS).default('text'),
  subject: z.string().trim().min(1).max(500).nullable().optional().describe('Email only'),
  body: z.string().min(1).max(100_000).describe('With Liquid variables such as {{ customer.name }}'),
});
export type TemplateInput = z.input<typeof TemplateInput>;

export const TemplateChanges = TemplateInput.partial().extend({ format: z.enum(MESSAGE_FORMATS).optional() });
export type TemplateChanges = z.input<typeof TemplateChanges>;

export type TemplateStatus = 'draft' | 'published';

export interface MessageTemplate {
  id: string;
  name: string;
  department: Department;
  channel: MessageInput['channel'];
  format: MessageInput['format'];
  subject: string | null;
  body: string;
  status: TemplateStatus;
  /** The checker's result when the template was last saved or published. */
  check: CheckResult;
  score: number;
  /** The charter version it was checked against. */
  charterVersion: number;
  /** The charter changed since: its check and score are of an older version (saving or publishing checks it again). */
  stale: boolean;
  publishedAt: Date | null;
  updatedBy: string;
  updatedAt: Date;
  createdAt: Date;
}

/** A template in a list: without its text and findings. */
export type TemplateSummary = Omit<MessageTemplate, 'body' | 'check'> & { counts: CheckResult['counts'] };

export interface TemplateOverride {
  id: string;
  /** null once the template was deleted: the override stays in the audit log. */
  templateId: string | null;
  /** The template's name when it was published over its errors. */
  templateName: string;
  contentHash: string;
  charterVersion: number;
  overriddenBy: string;
  reason: string;
  findings: Finding[];
  createdAt: Date;
}

export type PublishOutcome =
  | { outcome: 'published'; template: MessageTemplate }
  | { outcome: 'published_over_errors'; template: MessageTemplate; override: TemplateOverride };

interface Deps {
  pool: pg.Pool;
  workspaceId: string;
  check: CheckMessage;
}

/**
 * Creates a draft template and checks it. Throws `validation_failed` naming each wrong field
 * (a subject on LINE or SMS too), `conflict` when the name is taken or the workspace has no
 * charter yet.
 */
export async function createTemplate(params: Deps & { input: unknown; actor: Actor }): Promise<MessageTemplate> {
  const input = parseOrRefuse(TemplateInput, params.input, 'template');
  const content = contentOf({ ...input, subject: input.subject ?? null });
  const { charter, version } = await currentCharter(params);
  const result = await params.check(charter, content);
  const id = await withTransaction(params.pool, async (client) => {
    await refuseTakenName(client, params.workspaceId, input.name, undefined);
    const { rows } = await client.query<{ id: string }>(
      `insert into message_templates (workspace_id, name, department, channel, format, subject, body, check_result, score, error_count,
                                      charter_version, content_hash, updated_by)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) returning id::text`,
      [
        params.workspaceId,
        input.name,
        input.department,
        input.channel,
        input.format,
        content.subject ?? null,
        input.body,
        JSON.stringify(result),
        result.score,
        result.counts.error,
        version,
        hashOf(content),
        params.actor.label,
      ],
    );
    return rows[0]!.id;
  });
  return readTemplate({ pool: params.pool, workspaceId: params.workspaceId, templateId: id });
}

/**
 * Changes the fields given and checks the template again. A change of its text (channel,
 * format, subject or body) makes a published template a draft again: what is published is
 * always what passed the gate.
 */
export async function updateTemplate(params: Deps & { templateId: string; changes: unknown; actor: Actor }): Promise<MessageTemplate> {
  const changes = parseOrRefuse(TemplateChanges, params.changes, 'changes');
  const { pool, workspaceId, templateId } = params;
  const { charter, version } = await currentCharter(params);
  await withTransaction(pool, async (client) => {
    await refuseTakenName(client, workspaceId, changes.name, templateId);
    // The row locked: two edits of one template apply one after the other, the second over the first.
    await client.query('select 1 from message_templates where workspace_id = $1 and id = $2 for update', [workspaceId, templateId]);
    const current = await readTemplate({ pool: client, workspaceId, templateId });
    const next = {
      name: changes.name ?? current.name,
      department: changes.department ?? current.department,
      channel: changes.channel ?? current.channel,
      format: changes.format ?? current.format,
      subject: changes.subject === undefined ? current.subject : changes.subject,
      body: changes.body ?? current.body,
    };
    const content = contentOf(next);
    const result = await params.check(charter, content);
    const contentChanged = hashOf(content) !== hashOf(contentOf(current));
    await client.query(
      `update message_templates
          set name = $3, department = $4, channel = $5, format = $6, subject = $7, body = $8, check_result = $9, score = $10,
              error_count = $11, charter_version = $12, content_hash = $13, updated_by = $14, updated_at = now(),
              status = case when $15 then 'draft' else status end,
              published_at = case when $15 then null else published_at end
        where workspace_id = $1 and id = $2`,
      [
        workspaceId,
        templateId,
        next.name,
        next.department,
        next.channel,
        next.format,
        content.subject ?? null,
        next.body,
        JSON.stringify(result),
        result.score,
        result.counts.error,
        version,
        hashOf(content),
        params.actor.label,
        contentChanged,
      ],
    );
  });
  return readTemplate({ pool, workspaceId, templateId });
}

/**
 * Publishes a template after checking it against the current charter. With errors it is
 * refused (`conflict`, details: `{ findings }` the errors) unless `override` gives a written
 * reason and `actorIsAdmin`; the override is then written to the audit log with the findings
 * it let through, in the same transaction as the publication. An override from anyone but an
 * admin is `forbidden`, an empty reason `validation_failed`.
 */
export async function publishTemplate(
  params: Deps & {
    templateId: string;
    actor: Actor;
    actorIsAdmin: boolean;
    override?: { reason: string };
  },
): Promise<PublishOutcome> {
  const { pool, workspaceId, templateId, actor, override } = params;
  if (override && !params.actorIsAdmin) throw new KizunaError('forbidden', 'Only an admin may publish a template over its errors.');
  if (override && override.reason.trim() === '') {
    throw new KizunaError('validation_failed', 'override.reason: write why the template is published despite its errors.', {
      problems: [{ field: 'override.reason', reason: 'must not be empty' }],
    });
  }
  const template = await readTemplate({ pool, workspaceId, templateId });
  const content = contentOf(template);
  const { charter, version } = await currentCharter(params);
  const result = await params.check(charter, content);
  const errors = result.findings.filter((finding) => finding.severity === 'error');
  if (errors.length > 0 && !override) {
    throw new KizunaError(
      'conflict',
      `Template "${template.name}" has ${errors.length} error${errors.length === 1 ? '' : 's'} and cannot be published: ` +
        `${errors.map((f) => `${f.rule} 「${f.text}」`).join(', ')}. Fix them, or an admin may publish it over them with a written reason.`,
      { findings: errors },
    );
  }
  const overrideId = await withTransaction(pool, async (client) => {
    // Only the text that was checked is published: an edit since then refuses the publication.
    const { rowCount } = await client.query(
      `update message_templates set status = 'published', published_at = now(), check_result = $3, score = $4, error_count = $5,
                                    charter_version = $6, updated_at = now()
        where workspace_id = $1 and id = $2 and content_hash = $7`,
      [workspaceId, templateId, JSON.stringify(result), result.score, result.counts.error, version, hashOf(content)],
    );
    if (rowCount === 0) throw new KizunaError('conflict', `Template "${template.name}" was changed while it was being published: publish it again.`);
    if (errors.length === 0 || !override) return undefined;
    const { rows } = await client.query<{ id: string }>(
      `insert into template_overrides (workspace_id, template_id, template_name, content_hash, charter_version, overridden_by, overridden_by_user_id,
                                       overridden_by_api_key_id, reason, findings)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) returning id::text`,
      [workspaceId, templateId, template.name, hashOf(content), version, ...actorColumns(actor), override.reason.trim(), JSON.stringify(errors)],
    );
    return rows[0]!.id;
  });
  const published = await readTemplate({ pool, workspaceId, templateId });
  if (overrideId === undefined) return { outcome: 'published', template: published };
  const overrides = await listTemplateOverrides({ pool, workspaceId, templateId });
  return { outcome: 'published_over_errors', template: published, override: overrides.find((o) => o.id === overrideId)! };
}

/** One template with its text and last check. `not_found` when the workspace has no such template. */
export async function readTemplate(params: { pool: pg.Pool | pg.PoolClient; workspaceId: string; templateId: string }): Promise<MessageTemplate> {
  const { rows } = await params.pool.query<TemplateRow>(`${SELECT_TEMPLATE} where workspace_id = $1 and id = $2`, [params.workspaceId, params.templateId]);
  if (!rows[0]) throw new KizunaError('not_found', `No template with id ${params.templateId} in this workspace.`);
  return templateOf(rows[0]);
}

/** The workspace's templates (of one department when given), by department then name, with their scores. */
export async function listTemplates(params: { pool: pg.Pool; workspaceId: string; department?: Department }): Promise<TemplateSummary[]> {
  const { rows } = await params.pool.query<TemplateRow>(
    `${SELECT_TEMPLATE} where workspace_id = $1 and ($2::text is null or department = $2)
      order by array_position(array['marketing', 'support', 'site_operations', 'sales'], department), name`,
    [params.workspaceId, params.department ?? null],
  );
  return rows.map((row) => {
    const { body: _body, check, ...summary } = templateOf(row);
    return { ...summary, counts: check.counts };
  });
}

/** The templates' full rows (text and findings) for the one-voice report. */
export async function listTemplatesWithText(params: { pool: pg.Pool; workspaceId: string }): Promise<MessageTemplate[]> {
  const { rows } = await params.pool.query<TemplateRow>(`${SELECT_TEMPLATE} where workspace_id = $1 order by name`, [params.workspaceId]);
  return rows.map(templateOf);
}

interface OverrideRow {
  id: string;
  template_id: string | null;
  template_name: string;
  content_hash: string;
  charter_version: number;
  overridden_by: string;
  reason: string;
  findings: Finding[];
  created_at: Date;
}

const SELECT_OVERRIDE = `select id::text, template_id::text, template_name, content_hash, charter_version, overridden_by, reason, findings, created_at
                           from template_overrides`;

function overrideOf(row: OverrideRow): TemplateOverride {
  return {
    id: row.id,
    templateId: row.template_id,
    templateName: row.template_name,
    contentHash: row.content_hash,
    charterVersion: row.charter_version,
    overriddenBy: row.overridden_by,
    reason: row.reason,
    findings: row.findings,
    createdAt: row.created_at,
  };
}

/** The audit log of a template's publications over errors, oldest first. */
export async function listTemplateOverrides(params: { pool: pg.Pool; workspaceId: string; templateId: string }): Promise<TemplateOverride[]> {
  const { rows } = await params.pool.query<OverrideRow>(`${SELECT_OVERRIDE} where workspace_id = $1 and template_id = $2 order by template_overrides.id`, [
    params.workspaceId,
    params.templateId,
  ]);
  return rows.map(overrideOf);
}

/** The workspace's whole audit log of publications over errors, newest first, deleted templates' included. */
export async function listWorkspaceOverrides(params: { pool: pg.Pool; workspaceId: string }): Promise<TemplateOverride[]> {
  const { rows } = await params.pool.query<OverrideRow>(`${SELECT_OVERRIDE} where workspace_id = $1 order by template_overrides.id desc`, [params.workspaceId]);
  return rows.map(overrideOf);
}

/**
 * Deletes a template. Its overrides stay in the audit log under the template's name (their
 * link becomes null). `not_found` when the workspace has no such template.
 */
export async function deleteTemplate(params: { pool: pg.Pool; workspaceId: string; templateId: string }): Promise<{ id: string; name: string }> {
  const { rows } = await params.pool.query<{ id: string; name: string }>(
    'delete from message_templates where workspace_id = $1 and id = $2 returning id::text, name',
    [params.workspaceId, params.templateId],
  );
  if (!rows[0]) throw new KizunaError('not_found', `No template with id ${params.templateId} in this workspace.`);
  return rows[0];
}

async function currentCharter(params: { pool: pg.Pool; workspaceId: string }): Promise<{ charter: Charter; version: number }> {
  const stored = await readCharter(params);
  if (!stored) {
    throw new KizunaError(
      'conflict',
      'The workspace has no charter yet: set one first (PUT /api/v1/workspaces/{workspace}/charter, or npx kizuna charter set FILE.json).',
    );
  }
  return stored;
}

/** Takes the workspace's template-name lock, then refuses `name` when another template has it (no name: nothing to check). */
async function refuseTakenName(client: pg.PoolClient, workspaceId: string, name: string | undefined, exceptId: string | undefined): Promise<void> {
  await client.query(`select pg_advisory_xact_lock(hashtextextended('templates:' || $1::text, 0))`, [workspaceId]);
  if (name === undefined) return;
  const { rows } = await client.query('select 1 from message_templates where workspace_id = $1 and name = $2 and id is distinct from $3::bigint', [
    workspaceId,
    name,
    exceptId ?? null,
  ]);
  if (rows.length > 0) throw new KizunaError('conflict', `A template named "${name}" already exists in this workspace.`);
}

/** The message the checker sees; a subject only for email. */
export function contentOf(template: Pick<MessageTemplate, 'department' | 'channel' | 'format' | 'subject' | 'body'>): MessageInput {
  if (template.subject && template.channel !== 'email') {
    throw new KizunaError('validation_failed', `subject: only an email has a subject, not a ${template.channel} message.`, {
      problems: [{ field: 'subject', reason: `only an email has a subject, not a ${template.channel} message` }],
    });
  }
  return {
    department: template.department,
    channel: template.channel,
    format: template.format,
    body: template.body,
    ...(template.subject ? { subject: template.subject } : {}),
  };
}

/** SHA-256 of what is checked: the override log names exactly the text it let through. */
export function hashOf(content: MessageInput): string {
  return createHash('sha256')
    .update(JSON.stringify([content.channel, content.format, content.subject ?? null, content.body]))
    .digest('hex');
}

interface TemplateRow {
  id: string;
  name: string;
  department: Department;
  channel: MessageInput['channel'];
  format: MessageInput['format'];
  subject: string | null;
  body: string;
  status: TemplateStatus;
  check_result: CheckResult;
  score: number;
  charter_version: number;
  stale: boolean;
  published_at: Date | null;
  updated_by: string;
  updated_at: Date;
  created_at: Date;
}

const SELECT_TEMPLATE = `select id::text, name, department, channel, format, subject, body, status, check_result, score, charter_version,
                                charter_version <> coalesce((select c.version from charters c where c.workspace_id = message_templates.workspace_id), charter_version) as stale,
                                published_at, updated_by, updated_at, created_at from message_templates`;

function templateOf(row: TemplateRow): MessageTemplate {
  return {
    id: row.id,
    name: row.name,
    department: row.department,
    channel: row.channel,
    format: row.format,
    subject: row.subject,
    body: row.body,
    status: row.status,
    check: row.check_result,
    score: row.score,
    charterVersion: row.charter_version,
    stale: row.stale,
    publishedAt: row.published_at,
    updatedBy: row.updated_by,
    updatedAt: row.updated_at,
    createdAt: row.created_at,
  };
}
