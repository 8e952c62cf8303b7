import { readInteger, type ByteRows } from '../snapshot/copy-text.ts';

/**
 * A COPY text consumer that hands each row to `onRow` as a RowFields: the fields' byte ranges,
 * read as integers, booleans or (escaped) text on demand. A row never spans two buffers
 * (CopyTextReader carries a partial row into the next chunk), so one buffer serves a row.
 */
export class FieldRows implements ByteRows {
  private readonly row: RowFields;

  constructor(
    fields: number,
    private readonly onRow: (row: RowFields) => void,
  ) {
    this.row = new RowFields(fields);
  }

  field(bytes: Buffer, from: number, to: number, field: number): void {
    this.row.bytes = bytes;
    this.row.from[field] = from;
    this.row.to[field] = to;
  }

  endRow(): void {
    this.onRow(this.row);
  }
}

export class RowFields {
  bytes: Buffer = Buffer.alloc(0);
  readonly from: Int32Array;
  readonly to: Int32Array;

  constructor(fields: number) {
    this.from = new Int32Array(fields);
    this.to = new Int32Array(fields);
  }

  /** A whole number; \N (null) reads as NO_DAY. */
  integer(field: number): number {
    return readInteger(this.bytes, this.from[field]!, this.to[field]!);
  }

  /** PostgreSQL's text of a boolean: t or f. */
  boolean(field: number): boolean {
    return this.bytes[this.from[field]!] === 116;
  }

  /** The text of a field, COPY's backslash escapes undone; null for \N. */
  text(field: number): string | null {
    const from = this.from[field]!;
    const to = this.to[field]!;
    if (to - from === 2 && this.bytes[from] === 92 && this.bytes[from + 1] === 78) return null;
    const raw = this.bytes.toString('utf8', from, to);
    return raw.includes('\\') ? unescapeCopyText(raw) : raw;
  }
}

const ESCAPES: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\' };

/** Undoes COPY text's escapes (\t, \n, \\, octal \NNN, hex \xHH) in a field's text. */
function unescapeCopyText(raw: string): string {
  return raw.replace(/\\(x[0-9a-fA-F]{1,2}|[0-7]{1,3}|.)/g, (_match, sequence: string) => {
    if (sequence.startsWith('x') && sequence.length > 1) return String.fromCharCode(Number.parseInt(sequence.slice(1), 16));
    if (/^[0-7]+$/.test(sequence)) return String.fromCharCode(Number.parseInt(sequence, 8));
    return ESCAPES[sequence] ?? sequence;
  });
}

/** Texts of few distinct values held once, as indexes (−1 for null). */
export class Dictionary {
  readonly values: string[] = [];
  private readonly codes = new Map<string, number>();

  code(value: string | null): number {
    if (value === null) return -1;
    let code = this.codes.get(value);
    if (code === undefined) {
      code = this.values.length;
      this.values.push(value);
      this.codes.set(value, code);
    }
    return code;
  }
}

/** A growable Int32Array column. */
export class IntColumn {
  values = new Int32Array(1 << 12);
  length = 0;

  push(value: number): void {
    if (this.length === this.values.length) {
      const grown = new Int32Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.length++] = value;
  }

  done(): Int32Array {
    return this.values.slice(0, this.length);
  }
}
