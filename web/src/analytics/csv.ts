/**
 * CSV built in the browser from what a chart shows, for Excel as Japanese offices use it:
 * UTF-8 with a byte order mark (without it Excel reads the file as Shift_JIS and garbles
 * 顧客), CRLF line ends, and RFC 4180 quoting of any field holding a comma, a quote or a
 * line break. Numbers are written plain (no thousands separators, full precision), so a
 * spreadsheet reads them as numbers. Text a spreadsheet would run as a formula (a customer
 * named `=cmd|…`) gets a leading `'` (src/shared/csv-cell.ts); numbers are never touched.
 */
import { neutralizeFormula } from '../../../src/shared/csv-cell.ts';

export type CsvValue = string | number | null | undefined;

const BOM = '\uFEFF';

function field(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'number' ? (Number.isFinite(value) ? String(value) : '') : neutralizeFormula(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The file's text: BOM, a header line, one line per row. */
export function toCsv(header: readonly string[], rows: readonly (readonly CsvValue[])[]): string {
  return `${BOM + [header, ...rows].map((row) => row.map(field).join(',')).join('\r\n')}\r\n`;
}

/** Offers the text as a download named `filename` (a .csv name). */
export function downloadCsv(filename: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  // The download has started from the object URL; free it once the click has been handled.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
