import type { Format } from '../format.ts';
import { useI18n } from '../i18n/i18n.tsx';
import type { Messages } from '../i18n/ja.ts';
import { useCurrentWorkspace } from '../workspaces/workspaces.tsx';

/** A key or value as a person reads it: Kizuna's label, or the data as given (`raw`), to be shown as such. */
export interface Readable {
  text: string;
  raw: boolean;
}

const CALENDAR_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The label of a field Kizuna knows (attribute, event property, consent detail), else the key itself, raw. */
export function readableKey(t: Messages, key: string): Readable {
  const label = t.customer360.data.keys[key];
  return label === undefined ? { text: key, raw: true } : { text: label, raw: false };
}

/**
 * A value in the reader's language: a known code of a known field by its label, yes/no,
 * numbers and dates formatted; free text of a known field (a page, a campaign) as given;
 * anything else as given, raw.
 */
export function readableValue(t: Messages, format: Format, key: string, value: unknown): Readable {
  const data = t.customer360.data;
  if (typeof value === 'boolean') return { text: value ? data.yes : data.no, raw: false };
  if (typeof value === 'number') return { text: Number.isInteger(value) ? format.integer(value) : format.decimal(value), raw: false };
  if (typeof value === 'string') {
    const codes = data.values[key];
    if (codes !== undefined) {
      const label = codes[value];
      return label === undefined ? { text: value, raw: true } : { text: label, raw: false };
    }
    if (CALENDAR_DATE.test(value)) return { text: format.calendarDate(value), raw: false };
    return { text: value, raw: data.keys[key] === undefined };
  }
  return { text: displayValue(value), raw: true };
}

/** Shows a readable text; raw data in a marked style with a tooltip saying what it is. */
export function ReadableText({ readable }: { readable: Readable }) {
  const { t } = useI18n();
  return readable.raw ? (
    <span className="raw-data" title={t.customer360.data.raw}>
      {readable.text}
    </span>
  ) : (
    readable.text
  );
}

/** Event properties (or any details) as "label: value · label: value", labelled where Kizuna knows them. */
export function DataFields({ fields }: { fields: Record<string, unknown> }) {
  const { t } = useI18n();
  const { format } = useCurrentWorkspace();
  const entries = Object.entries(fields);
  return (
    <>
      {entries.map(([key, value], index) => (
        <span key={key} className="data-field">
          {index > 0 && <span aria-hidden="true"> · </span>}
          <ReadableText readable={readableKey(t, key)} />: <ReadableText readable={readableValue(t, format, key, value)} />
        </span>
      ))}
    </>
  );
}

/** Attribute and event property values are free-form JSON: strings as they are, the rest as JSON. */
export function displayValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '—';
  return JSON.stringify(value);
}
