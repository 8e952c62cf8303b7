import type { Format } from '../format.ts';
import { labelOf } from '../i18n/i18n.tsx';
import type { Messages } from '../i18n/ja.ts';
import './outcomes.css';

/**
 * What the contact rules did to a message, in words (the send log and the customer's timeline
 * say it alike): 「配信ルール「マーケティング週2通」により 2026/12/09 9:00 まで延期」,
 * 「LINEの配信停止時間のためスキップ(期限内に送れる時間がありません)」,
 * 「優先度の高いシナリオ(#12)に枠を譲りました」, and the control groups.
 */

/** A decision as the send log carries it (scenario_effects.outcome.governance) or the timeline (contact_decisions). */
export interface GovernanceNote {
  decision: string;
  until?: unknown;
  rule?: unknown;
  why?: unknown;
  byScenarioId?: unknown;
}

const record = (value: unknown): Record<string, unknown> | null =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : null);

/** The rule that held a message back, as the cause of a sentence. */
export function ruleCause(t: Messages, format: Format, rule: unknown): string {
  const o = t.governance.outcome;
  const given = record(rule);
  switch (given?.kind) {
    case 'cap':
      return o.cause.cap(text(given.name) ?? text(given.id) ?? '');
    case 'quiet_hours':
      return o.cause.quiet_hours(labelOf(t.governance.channels, text(given.channel) ?? ''));
    case 'complaint':
      return o.cause.complaint;
    case 'do_not_contact': {
      const until = text(given.until);
      return o.cause.do_not_contact(until ? format.date(until) : '?');
    }
    default:
      return o.unknownRule;
  }
}

/** The sentence of a governance decision; null when the note is not one. */
export function governanceText(t: Messages, format: Format, note: GovernanceNote | null | undefined): string | null {
  if (!note) return null;
  const o = t.governance.outcome;
  switch (note.decision) {
    case 'deferred': {
      const until = text(note.until);
      return o.deferred(ruleCause(t, format, note.rule), until ? format.dateTime(until) : '?');
    }
    case 'skipped': {
      const why = text(note.why);
      const reason = why === 'deadline' || why === 'step_skips' || why === 'complaint' ? o.why[why] : null;
      return o.skipped(ruleCause(t, format, note.rule), reason);
    }
    case 'displaced':
      return o.displaced(text(note.byScenarioId));
    default:
      return null;
  }
}

/** The note of a send's outcome (the send log's `governance`), if it is one. */
export function noteOf(value: unknown): GovernanceNote | null {
  const given = record(value);
  return given && typeof given.decision === 'string' ? (given as unknown as GovernanceNote) : null;
}

/** A timeline entry's details (kind contact_decision) as a note: the displaced one names its scenario in `rule`. */
export function noteOfTimeline(details: Record<string, unknown>): GovernanceNote | null {
  const decision = text(details.decision);
  if (!decision) return null;
  const rule = record(details.rule);
  return {
    decision,
    until: details.until,
    rule: details.rule,
    why: record(details.detail)?.why,
    byScenarioId: rule?.kind === 'displaced' ? rule.byScenarioId : undefined,
  };
}

/** A send not made because the customer is in a control group: holdout or global_control. */
export function controlText(t: Messages, reason: string | null | undefined): string | null {
  if (reason === 'holdout') return t.governance.outcome.holdout;
  if (reason === 'global_control') return t.governance.outcome.global_control;
  return null;
}
