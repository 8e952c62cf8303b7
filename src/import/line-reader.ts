import type { ColumnMapping } from './column-mapping.ts';
import type { CsvRecord } from './csv-lines.ts';
import type { ImportField } from './import-fields.ts';
import type { ImportError } from './import-report.ts';

type CellResult = { ok: true; value: unknown } | { ok: false; reason: string };

/** Distinct values remembered per column before the memo starts over. */
const MEMO_LIMIT = 20_000;

/**
 * Reads a line's cells into field values through each field's schema (records.ts). Each
 * column remembers the results for its recent distinct cells: an export repeats the order's
 * date, customer and status on every item line, and product codes, prices, prefectures and
 * channels across the file, so most cells are a lookup and a million-line file costs a
 * fraction of running the object schema per line. An empty cell is an absent value (the
 * schema's default, or "required" when it has none).
 */
export class LineReader {
  readonly fields: readonly ImportField[];
  private readonly columns: number[];
  private readonly memos: Map<string, CellResult>[];
  private readonly absent: CellResult[];
  private readonly width: number;

  constructor(private readonly header: readonly string[], mapping: ColumnMapping, allFields: readonly ImportField[]) {
    this.width = header.length;
    // Every field of the kind gets a slot; fields without a column always read as absent.
    this.fields = allFields;
    this.columns = allFields.map((field) => mapping.fields.find((m) => m.field === field)?.column ?? -1);
    this.memos = allFields.map(() => new Map());
    this.absent = allFields.map((field) => (field.derived ? { ok: true, value: undefined } : parse(field, undefined)));
  }

  /** The CSV header of the column that feeds a field, or null when none does. */
  columnOf(name: string): string | null {
    const column = this.columns[this.slot(name)];
    return column === undefined || column === -1 ? null : this.header[column]!;
  }

  /** The slot of a field in `values`. */
  slot(name: string): number {
    return this.fields.findIndex((field) => field.name === name);
  }

  /**
   * Field values of one line, by slot, and its errors (pushed onto `errors`). Returns false
   * when the line has an error.
   */
  read(record: CsvRecord, values: unknown[], errors: ImportError[]): boolean {
    const before = errors.length;
    const { cells, line } = record;
    if (record.malformed) errors.push({ line, column: null, value: null, reason: `malformed CSV: ${record.malformed}` });
    else if (cells.length < this.width || (cells.length > this.width && cells.slice(this.width).some((cell) => cell.trim() !== ''))) {
      errors.push({ line, column: null, value: null, reason: `the line has ${cells.length} columns, the header ${this.width}` });
    }
    for (let slot = 0; slot < this.fields.length; slot += 1) {
      const column = this.columns[slot]!;
      const text = column === -1 ? '' : (cells[column] ?? '');
      const result = text.trim() === '' ? this.absent[slot]! : this.cell(slot, text);
      if (result.ok) {
        values[slot] = result.value;
        continue;
      }
      values[slot] = undefined;
      const field = this.fields[slot]!;
      const reason = text.trim() === '' ? `${field.name} is required` : result.reason;
      errors.push({ line, column: column === -1 ? null : this.header[column]!, value: text, reason });
    }
    return errors.length === before;
  }

  private cell(slot: number, text: string): CellResult {
    const memo = this.memos[slot]!;
    let result = memo.get(text);
    if (result === undefined) {
      result = parse(this.fields[slot]!, text);
      if (memo.size >= MEMO_LIMIT) memo.clear();
      memo.set(text, result);
    }
    return result;
  }
}

function parse(field: ImportField, text: string | undefined): CellResult {
  let input: unknown = text;
  if (text !== undefined && field.label) {
    const labelled = field.label(text);
    if (!labelled.ok) return labelled;
    input = labelled.value;
  }
  const outcome = field.schema.safeParse(input);
  if (outcome.success) return { ok: true, value: outcome.data };
  const issue = outcome.error.issues[0];
  return { ok: false, reason: issue ? issue.message : `not a valid ${field.name}` };
}
