import type pg from 'pg';
import { readCopyOut } from '../copy-out.ts';
import { NO_DAY } from './purchase-snapshot.ts';

/** A consumer of COPY text rows, fed raw bytes (no per-line strings). */
export interface ByteRows {
  /** Called for each field of a row; `field` is its position in the row. */
  field(bytes: Buffer, from: number, to: number, field: number): void;
  endRow(): void;
}

/** Feeds the rows of a COPY to `rows`, field by field, from the bytes (see readCopyOut for a failing consumer). */
export async function copyRows(client: pg.PoolClient, sql: string, rows: ByteRows): Promise<void> {
  const reader = new CopyTextReader(rows);
  await readCopyOut(client, sql, (chunk) => reader.push(chunk));
  reader.end();
}

/** Splits COPY text into fields and rows (tab and newline), across chunk boundaries, without making strings. */
class CopyTextReader {
  private carry: Buffer | null = null;

  constructor(private readonly rows: ByteRows) {}

  push(chunk: Buffer): void {
    const rows = this.rows;
    let bytes = chunk;
    if (this.carry) {
      bytes = Buffer.concat([this.carry, chunk]);
      this.carry = null;
    }
    let rowStart = 0;
    let fieldStart = 0;
    let field = 0;
    for (let i = 0; i < bytes.length; i++) {
      const byte = bytes[i]!;
      if (byte === 9) {
        rows.field(bytes, fieldStart, i, field++);
        fieldStart = i + 1;
      } else if (byte === 10) {
        rows.field(bytes, fieldStart, i, field);
        rows.endRow();
        field = 0;
        rowStart = fieldStart = i + 1;
      }
    }
    if (rowStart < bytes.length) this.carry = bytes.subarray(rowStart);
  }

  end(): void {
    if (this.carry && this.carry.length > 0) throw new Error('COPY ended inside a row');
  }
}

/** A whole number written in ASCII (an optional minus sign, then digits); \N (null) reads as NO_DAY. */
export function readInteger(bytes: Buffer, from: number, to: number): number {
  if (bytes[from] === 92) return NO_DAY;
  let negative = false;
  let i = from;
  if (bytes[i] === 45) {
    negative = true;
    i++;
  }
  let value = 0;
  for (; i < to; i++) value = value * 10 + (bytes[i]! - 48);
  return negative ? -value : value;
}
