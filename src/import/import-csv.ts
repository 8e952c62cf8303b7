import type pg from 'pg';
import type { IngestMode } from '../ingest/ingest-batch.ts';
import { KizunaError } from '../shared/errors.ts';
import type { BatchKind } from '../ingest/records.ts';
import type { ReasonCode, ReasonParams } from '../shared/reasons.ts';
import { systemClock, type Clock } from '../shared/clock.ts';
import type { Workspace } from '../workspaces/workspaces.ts';
import { mapColumns } from './column-mapping.ts';
import { detectEncoding, readCsvRecords, sourceName, sourceSize, splitHeader, UnreadableCsv, type CsvSource } from './csv-source.ts';
import { importFields, isRequired } from './import-fields.ts';
import { importOrderLines, ORDER_WORK_AFTER_READING } from './import-orders.ts';
import { importRecordLines } from './import-records.ts';
import { importSubscriptionLines } from './import-subscriptions.ts';
import type { ImportError, ImportReport } from './import-report.ts';
import { ImportProgress, type LineImportOutcome } from './line-import.ts';
import { LineReader } from './line-reader.ts';
import type { OrderTimeRule } from './order-staging.ts';
import { revisitLines } from './revisit-lines.ts';

export type { CsvSource } from './csv-source.ts';
export type { FileEncoding } from './file-encoding.ts';
export type { ImportColumn, ImportError, ImportRecord, ImportReport } from './import-report.ts';

export interface ImportCsvParams {
  pool: pg.Pool;
  workspace: Workspace;
  kind: BatchKind;
  source: CsvSource;
  /** CSV column → API field name, over the automatic header mapping; "" ignores a column. */
  mapping?: Record<string, string>;
  mode: IngestMode;
  dryRun: boolean;
  /** Where skip-invalid writes rejected lines; default `<file>.rejected.csv` for a file on disk. */
  rejectedPath?: string;
  /** Order files: `same` (default), every line carries the order's time; `earliest`, the order takes its lines' earliest (OrderTimeRule). */
  orderTime?: OrderTimeRule;
  onProgress?: (done: number, total: number) => void;
  /** The time of a subscription's status change that the file does not date (default: the system clock). */
  clock?: Clock;
}

/**
 * Imports a CSV export of customers, products, orders (one line per item), events or
 * subscriptions (one line per item of a course) into a
 * workspace, in one transaction, and reports what it did and every error found.
 *
 * The encoding (UTF-8, UTF-8 with BOM, Shift_JIS) is detected; headers, Japanese or English,
 * map onto the API's field names; values are normalised by the batch API's record schemas.
 * all-or-nothing: any error and nothing is stored. skip-invalid: valid lines are stored, the
 * rejected ones written to `rejectedPath` with their errors. A dry run checks everything and
 * stores nothing. Importing the same file twice changes nothing the second time.
 * A file that cannot be read (empty, not text, no header match) comes back as a report with
 * one error and `stored: false`; only infrastructure failures throw.
 *
 *   const report = await importCsv({ pool, workspace, kind: 'orders', source: { path: 'juchu.csv' }, mode: 'all-or-nothing', dryRun: false });
 *   if (!report.stored) for (const e of report.errors) console.log(e.line, e.column, e.reason);
 */
export async function importCsv(params: ImportCsvParams): Promise<ImportReport> {
  const { pool, workspace, kind, source, mode, dryRun } = params;
  const fields = importFields(kind, workspace.timezone);
  const fieldChoices = fields.map((field) => ({ name: field.name, required: isRequired(field), header: field.aliases[0] ?? field.name }));
  const report = (parts: Partial<ImportReport>): ImportReport => ({
    kind,
    fields: fieldChoices,
    encoding: null,
    columns: [],
    rows: 0,
    records: 0,
    valid: 0,
    invalid: 0,
    stored: false,
    dryRun,
    errors: [],
    sample: [],
    ...parts,
  });
  const fileError = (reason: string, line = 1, code?: ReasonCode, params?: ReasonParams): ImportError[] => [
    { line, column: null, value: null, reason, ...(code ? { code } : {}), ...(params ? { params } : {}) },
  ];

  const detected = await detectEncoding(source);
  if (!detected.ok) return report({ errors: fileError(detected.reason, detected.line, detected.code, detected.params) });
  const encoding = detected.encoding;
  const lines = readCsvRecords(source, encoding);
  let split: Awaited<ReturnType<typeof splitHeader>>;
  try {
    split = await splitHeader(lines);
  } catch (error) {
    if (error instanceof UnreadableCsv) return report({ encoding, errors: fileError(error.message, error.line, error.code, error.params) });
    throw error;
  }
  const { header, data } = split;
  if (!header) return report({ encoding, errors: fileError('the file is empty', 1, 'empty_file') });
  const mapped = mapColumns({ kind, header: header.cells, fields, explicit: params.mapping });
  if (!mapped.ok) return report({ encoding, columns: mapped.columns, errors: mapped.errors });
  const { mapping } = mapped;
  const reader = new LineReader(header.cells, mapping, fields);
  const progress = new ImportProgress(await sourceSize(source), params.onProgress ?? (() => {}), kind === 'orders' ? ORDER_WORK_AFTER_READING : 0);

  const client = await pool.connect();
  let outcome: LineImportOutcome;
  try {
    await client.query('begin');
    // Big sorts and hashes over the staged lines stay in memory; JIT compiling these simple statements costs more than it saves.
    await client.query(`set local work_mem = '128MB'`);
    await client.query('set local jit = off');
    // An import is bounded by its file, and a large one has statements longer than the server's statement timeout.
    await client.query('set local statement_timeout = 0');
    const run = { client, workspace, mapping, reader, data, mode, dryRun, progress, orderTime: params.orderTime ?? 'same', clock: params.clock ?? systemClock };
    outcome =
      kind === 'orders'
        ? await importOrderLines(run)
        : kind === 'subscriptions'
          ? await importSubscriptionLines(run)
          : await importRecordLines({ ...run, kind });
    if (outcome.rows === 0) outcome = { ...outcome, stored: false, errors: fileError('no data rows: the file has a header line only', 1, 'header_only') };
    await client.query(outcome.stored ? 'commit' : 'rollback');
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    if (error instanceof UnreadableCsv)
      return report({ encoding, columns: mapping.columns, errors: fileError(error.message, error.line, error.code, error.params) });
    if (isUniqueViolation(error)) {
      throw new KizunaError(
        'conflict',
        'another import or API call stored some of the same records while this import ran; nothing was stored: import the file again',
      );
    }
    throw error;
  } finally {
    client.release();
  }
  if (outcome.stored && outcome.rows >= ANALYZE_AFTER_ROWS) await pool.query(`analyze ${WRITTEN_TABLES[kind].join(', ')}`);
  progress.finish();

  const rejectedPath = outcome.rejected?.size ? (params.rejectedPath ?? defaultRejectedPath(source)) : undefined;
  await revisitLines({ source, encoding, header: header.cells, errors: outcome.errors, rejected: outcome.rejected, rejectedPath });
  return report({
    encoding,
    columns: mapping.columns,
    rows: outcome.rows,
    records: outcome.records,
    valid: outcome.rows - outcome.invalid,
    invalid: outcome.invalid,
    stored: outcome.stored,
    errors: outcome.errors,
    sample: outcome.sample,
    ...(rejectedPath ? { rejectedPath } : {}),
  });
}

/**
 * After a large import, the tables it wrote are analysed at once rather than when autovacuum
 * comes round (a minute or more later, and only past 10% of a table). Until then the planner
 * believes the workspace holds what it held before (nothing, on a first import), and plans the
 * next import's or analysis's joins for a handful of rows.
 */
const ANALYZE_AFTER_ROWS = 10_000;
const WRITTEN_TABLES: Record<BatchKind, readonly string[]> = {
  customers: ['customers', 'customer_identities', 'consents'],
  products: ['products'],
  orders: ['customers', 'customer_identities', 'products', 'orders', 'order_items'],
  events: ['customers', 'events'],
  subscriptions: ['customers', 'subscriptions', 'subscription_items', 'subscription_status_changes', 'events'],
};

function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23505';
}

/** `<file>.rejected.csv` beside a file on disk; uploaded bytes have no default place. */
function defaultRejectedPath(source: CsvSource): string | undefined {
  return 'path' in source ? `${sourceName(source)!.replace(/\.csv$/i, '')}.rejected.csv` : undefined;
}
