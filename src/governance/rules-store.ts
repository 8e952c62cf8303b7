import type pg from 'pg';
import { KizunaError } from '../shared/errors.ts';
import { forgetRules } from './govern.ts';
import { ContactRules, type ContactRulesInput, DEFAULT_CONTACT_RULES } from './model.ts';

/** A workspace's contact rules as stored, with the workspace's time zone (the default for customers). */
export interface StoredContactRules {
  rules: ContactRules;
  /** The workspace's own time zone; `rules.timezone` overrides it for customers without one. */
  workspaceTimezone: string;
  updatedAt: Date | null;
  updatedBy: string | null;
}

/** The rules of a workspace (the defaults when none were saved). */
export async function readContactRules(client: pg.ClientBase | pg.Pool, workspaceId: string): Promise<StoredContactRules> {
  const { rows } = await client.query<{ timezone: string; document: unknown; updated_at: Date | null; updated_by: string | null }>(
    `select w.timezone, r.document, r.updated_at, r.updated_by::text
       from workspaces w left join contact_rules r on r.workspace_id = w.id
      where w.id = $1`,
    [workspaceId],
  );
  const row = rows[0];
  if (!row) throw new KizunaError('not_found', `Workspace ${workspaceId} does not exist.`);
  // A stored document was valid when saved; a later, stricter schema falls back field by field to the defaults.
  const parsed = row.document === null ? null : ContactRules.safeParse(row.document);
  return {
    rules: parsed?.success ? parsed.data : DEFAULT_CONTACT_RULES,
    workspaceTimezone: row.timezone,
    updatedAt: row.updated_at,
    updatedBy: row.updated_by,
  };
}

/**
 * Saves a workspace's contact rules (validated: a precise message per field, nothing saved on
 * an error). Decisions made from the next claim on follow them; decisions already made
 * (a message deferred) stand.
 */
export async function saveContactRules(
  pool: pg.Pool,
  params: { workspaceId: string; input: unknown; userId: string | null; now: Date },
): Promise<StoredContactRules> {
  const parsed = ContactRules.safeParse(params.input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
    throw new KizunaError('validation_failed', `The contact rules are not valid: ${problems.map((p) => `${p.path || '(rules)'}: ${p.message}`).join('; ')}`, {
      problems,
    });
  }
  forgetRules(params.workspaceId);
  await pool.query(
    `insert into contact_rules (workspace_id, document, updated_at, updated_by) values ($1, $2, $3, $4)
     on conflict (workspace_id) do update set document = excluded.document, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
    [params.workspaceId, JSON.stringify(parsed.data), params.now, params.userId],
  );
  forgetRules(params.workspaceId);
  return readContactRules(pool, params.workspaceId);
}

export type { ContactRulesInput };
