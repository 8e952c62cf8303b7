import type pg from 'pg';
import type { Actor } from './actor.ts';
import { readCharter, saveCharter, type SaveCharterOutcome } from './charters.ts';
import { contentOf, hashOf, listTemplatesWithText, type CheckMessage, type MessageTemplate } from './templates.ts';
import type { Charter, CheckResult, Department } from './types.ts';

/**
 * What a charter does to the workspace's templates: before it is saved (the impact of a draft,
 * so the editor can say which templates it would block) and after (every template checked
 * again, so scores, the templates list and the one-voice report speak of the charter of the
 * day, not of the one each template was last saved under).
 */

export interface TemplateImpact {
  id: string;
  name: string;
  department: Department;
  status: MessageTemplate['status'];
  /** As stored: the check at its last save, publication or recheck. */
  before: { score: number; counts: CheckResult['counts']; charterVersion: number };
  /** Checked against the given charter. */
  after: { score: number; counts: CheckResult['counts'] };
}

export interface CharterImpact {
  templates: TemplateImpact[];
  /** Templates without errors before that would have some. */
  newlyBlocked: number;
  /** Templates with errors before that would have none. */
  newlyPublishable: number;
  scoreChanged: number;
}

/** Checks every template against `charter` (a draft: nothing is written), most affected first. */
export async function charterImpact(params: { pool: pg.Pool; workspaceId: string; charter: Charter; check: CheckMessage }): Promise<CharterImpact> {
  const templates = await listTemplatesWithText(params);
  const impacts: TemplateImpact[] = [];
  for (const template of templates) {
    const result = await params.check(params.charter, contentOf(template));
    impacts.push({
      id: template.id,
      name: template.name,
      department: template.department,
      status: template.status,
      before: { score: template.score, counts: template.check.counts, charterVersion: template.charterVersion },
      after: { score: result.score, counts: result.counts },
    });
  }
  const blockedNow = (impact: TemplateImpact) => impact.before.counts.error === 0 && impact.after.counts.error > 0;
  const freedNow = (impact: TemplateImpact) => impact.before.counts.error > 0 && impact.after.counts.error === 0;
  impacts.sort(
    (a, b) =>
      Number(blockedNow(b)) - Number(blockedNow(a)) || a.after.score - a.before.score - (b.after.score - b.before.score) || a.name.localeCompare(b.name),
  );
  return {
    templates: impacts,
    newlyBlocked: impacts.filter(blockedNow).length,
    newlyPublishable: impacts.filter(freedNow).length,
    scoreChanged: impacts.filter((impact) => impact.after.score !== impact.before.score).length,
  };
}

/**
 * Checks again every template last checked against an older charter version and stores the
 * result with the current version. A template edited meanwhile keeps its own, newer check
 * (the update matches the content hash read). Status is left as it is: a published template
 * that now has errors stays published, and its error count says so.
 */
export async function recheckTemplates(params: { pool: pg.Pool; workspaceId: string; check: CheckMessage }): Promise<{ rechecked: number }> {
  const stored = await readCharter(params);
  if (!stored) return { rechecked: 0 };
  let rechecked = 0;
  for (const template of await listTemplatesWithText(params)) {
    if (template.charterVersion >= stored.version) continue;
    const content = contentOf(template);
    const result = await params.check(stored.charter, content);
    const { rowCount } = await params.pool.query(
      `update message_templates set check_result = $3, score = $4, error_count = $5, charter_version = $6
        where workspace_id = $1 and id = $2 and content_hash = $7 and charter_version < $6`,
      [params.workspaceId, template.id, JSON.stringify(result), result.score, result.counts.error, stored.version, hashOf(content)],
    );
    rechecked += rowCount ?? 0;
  }
  return { rechecked };
}

/**
 * Sets the charter (saveCharter) and, when that wrote a new version, checks every template
 * again against it: what the API and the CLI do on a change of charter.
 */
export async function saveCharterAndRecheck(params: {
  pool: pg.Pool;
  workspaceId: string;
  input: unknown;
  actor: Actor;
  check: CheckMessage;
}): Promise<SaveCharterOutcome & { templatesRechecked: number }> {
  const saved = await saveCharter(params);
  const { rechecked } = saved.outcome === 'saved' ? await recheckTemplates(params) : { rechecked: 0 };
  return { ...saved, templatesRechecked: rechecked };
}
