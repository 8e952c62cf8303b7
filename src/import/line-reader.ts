import { refusalOfIssue, type Refusal } from '../shared/reasons.ts';
import type { ColumnMapping } from './column-mapping.ts';
import type { CsvRecord } from './csv-lines.ts';
import type { ImportField } from './import-fields.ts';
import type { ImportError } from './import-report.ts';

/** A cell's reading; a staging writer may keep the value's COPY text beside it (`copy`), made once per distinct cell. */
export type CellResult = { ok: true; value: unknown; copy?: string } | ({ ok: false } & Refusal);
type CellValue = Extract<CellResult, { ok: true }>;

/** Distinct values remembered per column before the memo starts over. */
const MEMO_LIMIT = 20_000;
/** What a slot holds after its cell failed: no value. */
const NO_VALUE: CellValue = { ok: true, value: undefined };

/**
 * Reads a line's cells into field values through each field's schema (records.ts). Each
 * column remembers the results for its recent distinct cells, and the last one: an export
 * repeats the order's date, customer and status on every item line, and product codes,
 * prices, prefectures and channels across the file, so most cells are a comparison or a
 * lookup, and a million-line file costs a fraction of running the object schema per line.
 * An empty cell is an absent value (the schema's default, or "required" when it has none).
 */
export class LineReader {
  readonly fields: readonly ImportField[];
  /** The last line read: each field's result, by slot (NO_VALUE where the cell failed). */
  readonly results: CellValue[];
  private readonly columns: number[];
  private readonly memos: (Map<string, CellResult> | undefined)[];
  private readonly memoHits: number[];
  private readonly memoMisses: number[];
  private readonly lastText: (string | undefined)[];
  private readonly lastResult: CellResult[];
  private readonly absent: CellResult[];
  private readonly width: number;

  constructor(
    private readonly header: readonly string[],
    mapping: ColumnMapping,
    allFields: readonly ImportField[],
  ) {
    this.width = header.length;
    // Every field of the kind gets a slot; fields without a column always read as absent.
    this.fields = allFields;
    this.columns = allFields.map((field) => mapping.fields.find((m) => m.field === field)?.column ?? -1);
    this.memos = allFields.map(() => new Map());
    this.memoHits = allFields.map(() => 0);
    this.memoMisses = allFields.map(() => 0);
    this.absent = allFields.map((field) => (field.derived ? NO_VALUE : parse(field, undefined)));
    this.results = allFields.map(() => NO_VALUE);
    this.lastText = allFields.map(() => undefined);
    this.lastResult = allFields.map(() => NO_VALUE);
  }

  /** The CSV header of the column that feeds a field, or null when none does. */
  columnOf(name: string): string | null {
    const column = this.columns[this.slot(name)];
    return column === undefined || column === -1 ? null : this.header[column]!;
  }

  /** The slot of a field in `results`. */
  slot(name: string): number {
    return this.fields.findIndex((field) => field.name === name);
  }

  /** A field's value on the last line read. */
  value(slot: number): unknown {
    return this.results[slot]!.value;
  }

  /**
   * Reads one line into `results`; its errors go onto `errors`. Returns false when the line
   * has an error.
   */
  read(record: CsvRecord, errors: ImportError[]): boolean {
    const before = errors.length;
    const { cells, line } = record;
    if (record.malformed) {
      errors.push({
        line,
        column: null,
        value: null,
        reason: `malformed CSV: ${record.malformed}`,
        ...(record.code ? { code: record.code } : {}),
        ...(record.params ? { params: record.params } : {}),
      });
      if (cells.length === 0) {
        // Nothing of the line was kept (too long to read): its cells have nothing more to say.
        this.results.fill(NO_VALUE);
        return false;
      }
    } else if (cells.length < this.width || (cells.length > this.width && cells.slice(this.width).some((cell) => cell.trim() !== ''))) {
      // Cells would be read against the wrong headers: report the line alone.
      errors.push({
        line,
        column: null,
        value: null,
        reason: `the line has ${cells.length} columns, the header ${this.width}`,
        code: 'column_count',
        params: { columns: cells.length, header: this.width },
      });
      this.results.fill(NO_VALUE);
      return false;
    }
    for (let slot = 0; slot < this.fields.length; slot += 1) {
      const column = this.columns[slot]!;
      const text = column === -1 ? '' : (cells[column] ?? '');
      const result = this.cell(slot, text);
      if (result.ok) {
        this.results[slot] = result;
        continue;
      }
      this.results[slot] = NO_VALUE;
      const blank = text.trim() === '';
      const refusal: Refusal = blank ? { reason: `${this.fields[slot]!.name} is required`, code: 'required' } : result;
      errors.push({
        line,
        column: column === -1 ? null : this.header[column]!,
        value: text,
        reason: refusal.reason,
        ...(refusal.code ? { code: refusal.code } : {}),
        ...(refusal.params ? { params: refusal.params } : {}),
      });
    }
    return errors.length === before;
  }

  private cell(slot: number, text: string): CellResult {
    if (text === this.lastText[slot]) return this.lastResult[slot]!;
    let result: CellResult | undefined;
    if (text === '' || text.trim() === '') result = this.absent[slot]!;
    else {
      const memo = this.memos[slot];
      result = memo?.get(text);
      if (result !== undefined) this.memoHits[slot]! += 1;
      else {
        result = parse(this.fields[slot]!, text);
        if (memo) this.remember(slot, memo, text, result);
      }
    }
    this.lastText[slot] = text;
    this.lastResult[slot] = result;
    return result;
  }

  /** Columns of values that rarely repeat (order ids, emails) stop remembering: the lookups would cost more than they save. */
  private remember(slot: number, memo: Map<string, CellResult>, text: string, result: CellResult): void {
    const misses = (this.memoMisses[slot]! += 1);
    if (misses % MEMO_LIMIT === 0 && this.memoHits[slot]! < misses / 4) {
      this.memos[slot] = undefined;
      return;
    }
    if (memo.size >= MEMO_LIMIT) memo.clear();
    memo.set(text, result);
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
  return { ok: false, ...(issue ? refusalOfIssue(issue, input) : { reason: `not a valid ${field.name}` }) };
}
