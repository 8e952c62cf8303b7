import { labelOf } from '../i18n/i18n.tsx';
import type { Messages } from '../i18n/ja.ts';
import { LIMIT_BOUNDS, type LimitName } from './charter-draft.ts';

/**
 * A refused field in the user's words: where it is (`用語集 2行目の表記ゆれ`) and what to do
 * (`表記ゆれを1つ以上入力してください。`). The field paths are the server's
 * (`dictionary.1.variants`); the constraints are those of the Charter schema.
 */

type EditorWords = Messages['charter']['editor'];

const ROW_SECTIONS = ['dictionary', 'avoid', 'pressure'] as const;
type RowSection = (typeof ROW_SECTIONS)[number];

function rowPath(field: string): { section: RowSection; row: number; column: string | undefined } | undefined {
  const [section, index, column] = field.split('.');
  const rowSection = ROW_SECTIONS.find((s) => s === section);
  if (!rowSection || index === undefined || !/^\d+$/.test(index)) return undefined;
  return { section: rowSection, row: Number(index) + 1, column };
}

function isLimit(name: string | undefined): name is LimitName {
  return name !== undefined && name in LIMIT_BOUNDS;
}

/** Where a field path is, in words. */
export function problemPlace(e: EditorWords, field: string): string {
  const row = rowPath(field);
  if (row) return e.rowField(e.sections[row.section], row.row, row.column ? labelOf(e.columns, row.column) : '');
  const direct = labelOf(e.fields, field);
  if (direct !== field) return direct;
  // A word of a list (address.use.0) is shown as its list.
  const list = field.replace(/\.\d+$/, '');
  return labelOf(e.fields, list);
}

/** What to do about a refused field; the server's reason when no clearer words apply. */
export function problemMessage(e: EditorWords, field: string, reason: string): string {
  const p = e.problems;
  const [head, name] = field.split('.');
  if (head === 'limits' && isLimit(name)) {
    const { min, max } = LIMIT_BOUNDS[name];
    return p.range(String(min), String(max));
  }
  if (field === 'address.use') return p.addressUseRequired;
  const row = rowPath(field);
  if (row?.column === 'variants') return p.variantsRequired;
  if (field === 'relationship' || (row && ['preferred', 'word', 'phrase'].includes(row.column ?? ''))) return p.required;
  return p.invalid(reason);
}
