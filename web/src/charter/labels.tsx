import type { Schemas } from '../api/client.ts';
import './charter-lists.css';
import { useI18n } from '../i18n/i18n.tsx';
import type { Messages } from '../i18n/ja.ts';
import { useCurrentWorkspace } from '../workspaces/workspaces.tsx';

/** Shared pieces of the charter pages: departments in their fixed order, score bands, rule labels and badges. */

export type Department = Schemas['MessageTemplateSummary']['department'];
export type Severity = Schemas['CharterFinding']['severity'];
export type TemplateStatus = Schemas['MessageTemplateSummary']['status'];

/** The departments in the order every charter page lists them (the API's order too). */
export const DEPARTMENTS = ['marketing', 'support', 'site_operations', 'sales'] as const satisfies readonly Department[];

/** A score's band: good from 90, fair from 70, poor below. */
export type ScoreBand = 'good' | 'fair' | 'poor';

export function scoreBand(score: number): ScoreBand {
  if (score >= 90) return 'good';
  if (score >= 70) return 'fair';
  return 'poor';
}

/**
 * The label of a rule id: its family in `ruleFamilies`, matched on the longest prefix of
 * whole parts (claims.yakkiho.cure → claims.yakkiho → 薬機法(健康食品)); the id itself when
 * no family matches, so a new rule still shows something true.
 */
export function ruleLabel(t: Messages, rule: string): string {
  const families = t.charter.ruleFamilies;
  let best: string | undefined;
  for (const prefix of Object.keys(families)) {
    if ((rule === prefix || rule.startsWith(`${prefix}.`)) && (best === undefined || prefix.length > best.length)) best = prefix;
  }
  return best === undefined ? rule : families[best as keyof typeof families];
}

/** A score (0–100) as a badge coloured by its band; the band is in the class, the number in the text. */
export function ScoreBadge({ score }: { score: number }) {
  const { t } = useI18n();
  const { format } = useCurrentWorkspace();
  return <span className={`badge score score-${scoreBand(score)}`}>{t.charter.scoreOf(format.decimal(score, 1))}</span>;
}

export function SeverityBadge({ severity }: { severity: Severity }) {
  const { t } = useI18n();
  return <span className={`badge severity-${severity}`}>{t.charter.severities[severity]}</span>;
}

export function TemplateStatusBadge({ status }: { status: TemplateStatus }) {
  const { t } = useI18n();
  return <span className={`badge template-${status}`}>{t.charter.templateStatus[status]}</span>;
}

/**
 * Marks a template checked against an older charter. The note shows on hover (title) and is
 * read out by screen readers (hidden text), since a title alone is not announced.
 */
export function StaleMarker() {
  const { t } = useI18n();
  return (
    <span className="badge stale" title={t.charter.staleNote}>
      {t.charter.stale}
      <span className="visually-hidden">{`: ${t.charter.staleNote}`}</span>
    </span>
  );
}

/** The console path of a charter page in a workspace: charterPath('demo', 'templates', id) → /w/demo/charter/templates/<id>. */
export function charterPath(workspace: string, ...parts: string[]): string {
  return [`/w/${encodeURIComponent(workspace)}/charter`, ...parts.map(encodeURIComponent)].join('/');
}
