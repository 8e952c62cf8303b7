import type pg from 'pg';
import type { IngestMode } from '../ingest/ingest-batch.ts';
import type { Clock } from '../shared/clock.ts';
import type { Workspace } from '../workspaces/workspaces.ts';
import type { ColumnMapping } from './column-mapping.ts';
import type { RecordBatch } from './csv-source.ts';
import type { ImportError, ImportRecord } from './import-report.ts';
import type { LineReader } from './line-reader.ts';
import type { OrderTimeRule } from './order-staging.ts';

/** What the importer of one kind of file gets: the open transaction and the file's data lines. */
export interface LineImport {
  client: pg.ClientBase;
  workspace: Workspace;
  mapping: ColumnMapping;
  reader: LineReader;
  data: AsyncIterable<RecordBatch>;
  mode: IngestMode;
  dryRun: boolean;
  progress: ImportProgress;
  /** Order files: whether an order's lines must agree on its time (see OrderTimeRule). */
  orderTime: OrderTimeRule;
  /** Subscription files: the time of a status change the file does not date. */
  clock: Clock;
}

/** What it found; the caller commits when `stored`, rolls back otherwise. */
export interface LineImportOutcome {
  rows: number;
  records: number;
  /** Rejected lines (with an error, or in an order with one). */
  invalid: number;
  errors: ImportError[];
  stored: boolean;
  sample: ImportRecord[];
  /** Rejected lines with the reason to write beside each, when rejected lines are kept apart (skip-invalid). */
  rejected?: Map<number, string>;
}

/**
 * Progress in bytes of the file read, plus, for work done after reading (the set-based
 * writes of an order file), shares of the file's size weighted by their usual duration.
 */
export class ImportProgress {
  private afterReading = 0;

  constructor(
    private readonly size: number,
    private readonly report: (done: number, total: number) => void,
    /** Expected work after reading, as a multiple of the reading time. */
    private readonly extra: number,
  ) {}

  read(bytes: number): void {
    this.report(Math.min(bytes, this.size), this.total());
  }

  /** Another part of the work after reading is done; `weight` is its share of `extra`. */
  advance(weight: number): void {
    this.afterReading = Math.min(this.extra, this.afterReading + weight);
    this.report(Math.round(this.size * (1 + this.afterReading)), this.total());
  }

  finish(): void {
    this.report(this.total(), this.total());
  }

  private total(): number {
    return Math.round(this.size * (1 + this.extra));
  }
}

export function errorReasons(errors: readonly ImportError[]): Map<number, string> {
  const reasons = new Map<number, string>();
  for (const error of errors) {
    const text = error.column ? `${error.column}: ${error.reason}` : error.reason;
    const earlier = reasons.get(error.line);
    reasons.set(error.line, earlier ? `${earlier}; ${text}` : text);
  }
  return reasons;
}
