import type { BatchKind, CustomerRecord, EventRecord, OrderRecord, ProductRecord, SubscriptionRecord } from '../ingest/records.ts';
import type { ReasonCode, ReasonParams } from '../shared/reasons.ts';
import type { FileEncoding } from './file-encoding.ts';

/** One problem in a CSV file: where (file line, header line = 1; the CSV column), what, why. */
export interface ImportError {
  line: number;
  /** The CSV header of the cell, or null for a problem with the line or the file. */
  column: string | null;
  /** The cell as written in the file. */
  value: string | null;
  reason: string;
  /** The reason as a stable code (src/shared/reasons.ts), when it is one of the common cases. */
  code?: ReasonCode;
  params?: ReasonParams;
}

/** How a CSV column was read: the API field it fills, or null when it is ignored. */
export interface ImportColumn {
  column: string;
  field: string | null;
}

export type ImportRecord = CustomerRecord | ProductRecord | OrderRecord | EventRecord | SubscriptionRecord;

/** A field of the kind's records a CSV column can feed: what the console's mapping step offers. */
export interface ImportFieldChoice {
  name: string;
  /** The file must have a column for it. */
  required: boolean;
  /** The header a Japanese back office usually gives its column (顧客番号 for customer_id). */
  header: string;
}

export interface ImportReport {
  kind: BatchKind;
  /** The fields a column can map to. */
  fields: ImportFieldChoice[];
  /** Null only when the file could not be read as text at all. */
  encoding: FileEncoding | null;
  columns: ImportColumn[];
  /** Data lines (blank lines not counted). */
  rows: number;
  /** Records the lines make: orders and subscriptions group their item lines, other kinds are one line each. */
  records: number;
  /** Lines stored (or, when nothing was stored, that would have been). */
  valid: number;
  /** Lines rejected: with an error, or an item line of an order with an error. */
  invalid: number;
  stored: boolean;
  dryRun: boolean;
  /** Every error, by line. */
  errors: ImportError[];
  /** The first five valid records as the API would receive them, for a preview. */
  sample: ImportRecord[];
  /** Where rejected lines were written (skip-invalid), when any were. */
  rejectedPath?: string;
}

export const SAMPLE_SIZE = 5;

export function byLine(a: ImportError, b: ImportError): number {
  return a.line - b.line;
}

/** How many lines were refused for one reason, in one column. */
export interface ReasonCount {
  /** The CSV column, or null for a problem with the line or the file. */
  column: string | null;
  /** The reason's code when it has one; errors without a code are counted by their text. */
  code: ReasonCode | null;
  /** The reason of the first such error, as an example (reasons with a code may name a line or a value). */
  reason: string;
  /** Lines with this error: a line refused for two reasons counts under both. */
  lines: number;
  /** The first line with it. */
  firstLine: number;
}

/**
 * The errors counted by reason (column and code, or the reason's text without a code), most
 * frequent first: what a file's refusals amount to, where the list has one entry per cell.
 *
 *   countErrorsByReason(report.errors);
 *   // [{ column: 'CustomerID', code: 'required', reason: 'customer_id is required', lines: 135080, firstLine: 1445 }, …]
 */
export function countErrorsByReason(errors: readonly ImportError[]): ReasonCount[] {
  const counts = new Map<string, ReasonCount>();
  for (const error of errors) {
    const key = JSON.stringify([error.column, error.code ?? error.reason]);
    const count = counts.get(key);
    if (count) {
      count.lines += 1;
      count.firstLine = Math.min(count.firstLine, error.line);
    } else {
      counts.set(key, { column: error.column, code: error.code ?? null, reason: error.reason, lines: 1, firstLine: error.line });
    }
  }
  return [...counts.values()].sort((a, b) => b.lines - a.lines || a.firstLine - b.firstLine);
}
