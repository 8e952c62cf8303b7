import { labelOf } from '../i18n/i18n.tsx';
import type { Messages } from '../i18n/ja.ts';
import type { Charter } from './charter-draft.ts';

/**
 * A charter's fields as text, for reading a version and comparing it with the one before. The
 * field names are those of the versions' changedFields (src/charter/charter-diff.ts).
 */

type Words = Messages;

export const CHARTER_FIELDS = [
  'relationship',
  'meaning',
  'goal',
  'register',
  'address.use',
  'address.avoid',
  'dictionary',
  'avoid',
  'pressure',
  'limits.maxSentenceLength',
  'limits.maxCommasPerSentence',
  'limits.maxExclamations',
  'limits.emoji',
  'greetings',
  'signOffs',
  'claimsPacks',
] as const;

/** A field's label, or the field itself when it is not one the console knows. */
export function fieldLabel(t: Words, field: string): string {
  return labelOf(t.charter.editor.fields, field);
}

/** A field's value as lines of text (an empty list: nothing set). */
export function fieldLines(t: Words, charter: Charter, field: string): string[] {
  const e = t.charter.editor;
  const sep = e.listSeparator;
  switch (field) {
    case 'relationship':
      return [t.charter.relationshipPhrase(charter.relationship)];
    case 'meaning':
      return lines(charter.meaning);
    case 'goal':
      return lines(charter.goal);
    case 'register':
      return [t.charter.registers[charter.register ?? 'none']];
    case 'address.use':
      return charter.address.use;
    case 'address.avoid':
      return charter.address.avoid;
    case 'dictionary':
      return charter.dictionary.map((d) => `${e.dictionaryEntry(d.preferred, d.variants.join(sep))}${d.note ? `(${d.note})` : ''}`);
    case 'avoid':
      return charter.avoid.map((a) => `${a.replacement ? e.avoidEntry(a.word, a.replacement) : a.word}${a.reason ? `(${a.reason})` : ''}`);
    case 'pressure':
      return charter.pressure.map((p) => `${p.phrase} [${t.charter.severities[p.severity]}]${p.suggestion ? ` → ${p.suggestion}` : ''}`);
    case 'limits.maxSentenceLength':
      return [String(charter.limits.maxSentenceLength)];
    case 'limits.maxCommasPerSentence':
      return [String(charter.limits.maxCommasPerSentence)];
    case 'limits.maxExclamations':
      return [String(charter.limits.maxExclamations)];
    case 'limits.emoji':
      return [t.charter.emoji[charter.limits.emoji]];
    case 'greetings':
      return charter.greetings;
    case 'signOffs':
      return charter.signOffs;
    case 'claimsPacks':
      return charter.claimsPacks.map((p) => t.charter.claimsPacks[p]);
    default:
      return [];
  }
}

function lines(text: string): string[] {
  return text.trim() === '' ? [] : [text];
}

/**
 * A version's summary (one line per field, as charter-diff.ts writes it: `limits.emoji: few →
 * none`, `dictionary: added 定期便; changed お客様`, `meaning: rewritten`) in the user's
 * words. A line of another shape is shown as written.
 */
export function summaryLines(t: Words, summary: string): string[] {
  const s = t.charter.editor.versions.summary;
  return summary
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const first = /^first version: 「(.*)」のような関係$/.exec(line);
      if (first) return s.first(first[1] ?? '');
      const colon = line.indexOf(': ');
      if (colon < 0) return line;
      const field = line.slice(0, colon);
      const rest = line.slice(colon + 2);
      return `${fieldLabel(t, field)}: ${changeText(t, field, rest)}`;
    });
}

function changeText(t: Words, field: string, rest: string): string {
  const s = t.charter.editor.versions.summary;
  if (rest === 'rewritten') return s.rewritten;
  if (rest === 'reordered') return s.reordered;
  const arrow = rest.split(' → ');
  if (arrow.length === 2) return arrow.map((value) => scalarText(t, field, value)).join(' → ');
  return rest
    .split('; ')
    .map((part) => {
      const [verb, ...items] = part.split(' ');
      const joined = items.join(' ');
      const listed =
        field === 'claimsPacks'
          ? joined
              .split(', ')
              .map((pack) => labelOf(t.charter.claimsPacks, pack))
              .join(t.charter.editor.listSeparator)
          : joined;
      if (verb === 'added') return s.added(listed);
      if (verb === 'removed') return s.removed(listed);
      if (verb === 'changed') return s.changed(listed);
      return part;
    })
    .join(t.charter.editor.listSeparator);
}

function scalarText(t: Words, field: string, value: string): string {
  if (field === 'register') return value === 'not fixed' ? t.charter.registers.none : labelOf(t.charter.registers, value);
  if (field === 'limits.emoji') return labelOf(t.charter.emoji, value);
  return value;
}
