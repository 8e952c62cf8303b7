import type { Format } from '../format.ts';
import type { Messages } from '../i18n/ja.ts';
import { CHANNELS, type CapDraft, DEPARTMENTS, type QuietDraft, WEEKDAYS } from './rules-draft.ts';

/**
 * Each rule in one sentence in the operator's language, as the form shows it beside its fields:
 * 「マーケティングのメッセージは 7日間に最大 2通」, 「LINE は 21:00〜9:00 と日曜日は送りません」.
 */

const count = (text: string, format: Format) => {
  const value = Number(text);
  return text.trim() !== '' && Number.isFinite(value) ? format.integer(value) : '?';
};

export function capSentence(t: Messages, format: Format, cap: CapDraft): string {
  const g = t.governance;
  const days = Number(cap.days) || 0;
  const hours = Number(cap.hours) || 0;
  const scope: string[] = [];
  if (cap.channels) scope.push(g.list(CHANNELS.filter((c) => cap.channels?.includes(c)).map((c) => g.channels[c])));
  if (cap.departments) scope.push(g.caps.departmentScope(g.list(DEPARTMENTS.filter((d) => cap.departments?.includes(d)).map((d) => t.tasks.departments[d]))));
  const window = days > 0 || hours > 0 ? g.caps.windowText(days, hours) : '?';
  return g.caps.sentence(g.caps.purposeWords[cap.purposes], scope, window, count(cap.max, format));
}

export function quietSentence(t: Messages, quiet: QuietDraft): string {
  const q = t.governance.quiet;
  const span = quiet.from !== '' || quiet.to !== '' ? q.span(q.time(quiet.from || '?'), q.time(quiet.to || '?')) : null;
  const weekdays =
    quiet.weekdays.length > 0 ? t.governance.list(WEEKDAYS.filter((d) => quiet.weekdays.includes(d)).map((d) => t.governance.weekdays[d])) : null;
  return q.sentence(t.governance.channels[quiet.channel], span, weekdays, quiet.purposes);
}
