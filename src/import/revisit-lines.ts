import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import { neutralizeFormula } from '../shared/csv-cell.ts';
import { readCsvRecords, type CsvSource } from './csv-source.ts';
import type { FileEncoding } from './file-encoding.ts';
import type { ImportError } from './import-report.ts';

/**
 * A second read of the file, for what only the file has: the text of cells behind errors
 * found in SQL (which sees normalised values), and the rejected lines to write apart. Done
 * only when there are such errors or rejected lines.
 */
export async function revisitLines(params: {
  source: CsvSource;
  encoding: FileEncoding;
  header: readonly string[];
  errors: ImportError[];
  /** Rejected lines and why, to write to `rejectedPath`. */
  rejected?: Map<number, string>;
  rejectedPath?: string;
}): Promise<void> {
  const { source, encoding, header, errors, rejected, rejectedPath } = params;
  const missing = new Map<number, ImportError[]>();
  for (const error of errors) {
    if (error.value !== null || error.column === null) continue;
    missing.set(error.line, [...(missing.get(error.line) ?? []), error]);
  }
  const writing = rejected && rejected.size > 0 && rejectedPath ? rejectedWriter(rejectedPath, header) : undefined;
  if (missing.size === 0 && !writing) return;
  let first = true;
  for await (const batch of readCsvRecords(source, encoding)) {
    for (const record of batch.records) {
      if (first) {
        first = false;
        continue;
      }
      for (const error of missing.get(record.line) ?? []) error.value = record.cells[header.indexOf(error.column!)] ?? null;
      const reason = rejected?.get(record.line);
      if (writing && reason !== undefined) await writing.write([...record.cells, reason]);
    }
  }
  await writing?.end();
}

/**
 * The rejected lines as a CSV Excel opens as it is: UTF-8 with BOM, the file's header plus an
 * "error" column, CRLF line breaks. A cell Excel would run as a formula is written with a
 * leading `'` (src/shared/csv-cell.ts): the file came from outside, and opening it must not
 * run what a customer typed as their name.
 */
function rejectedWriter(path: string, header: readonly string[]) {
  const out = createWriteStream(path);
  const csv = stringify({ bom: true, record_delimiter: 'windows' });
  csv.pipe(out);
  csv.write([...header, 'error'].map(neutralizeFormula));
  const write = async (cells: string[]) => {
    if (!csv.write(cells.map(neutralizeFormula))) await once(csv, 'drain');
  };
  return {
    write,
    async end() {
      csv.end();
      await finished(out);
    },
  };
}
