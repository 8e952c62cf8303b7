import { createHash } from 'node:crypto';
import type pg from 'pg';
import { findIdentityConflicts } from '../customers/upsert-customers.ts';
import { writeRecords, type ValidRecords } from '../ingest/ingest-batch.ts';
import type { BatchKind, CustomerRecord, EventRecord, ProductRecord } from '../ingest/records.ts';
import { assertNever } from '../shared/errors.ts';
import { SAMPLE_SIZE, byLine, type ImportError, type ImportRecord } from './import-report.ts';
import { errorReasons, type LineImport, type LineImportOutcome } from './line-import.ts';

const CHUNK_RECORDS = 5_000;

type OneLineKind = Exclude<BatchKind, 'orders' | 'subscriptions'>;
type Staged = { line: number; record: CustomerRecord | ProductRecord | EventRecord };

/**
 * Imports a file of customers, products or events, one record per line, in chunks of 5,000
 * through the batch API's writers (writeRecords) inside the caller's transaction. The file's
 * records are written even after an error, so checks against stored data (an email that an
 * earlier line's customer took) see every earlier line; the caller rolls the transaction back
 * when the import is rejected or a dry run.
 */
export async function importRecordLines(run: LineImport & { kind: OneLineKind }): Promise<LineImportOutcome> {
  const { client, workspace, reader, data, kind, progress } = run;
  const errors: ImportError[] = [];
  const sample: ImportRecord[] = [];
  const firstLineOf = new Map<string, number>();
  let chunk: Staged[] = [];
  let rows = 0;
  const assemble = recordAssembler(run);
  const flush = async () => {
    errors.push(...(await writeChunk(client, workspace.id, kind, chunk, reader.columnOf.bind(reader))));
    chunk = [];
  };
  for await (const batch of data) {
    for (const line of batch.records) {
      rows += 1;
      if (!reader.read(line, errors)) continue;
      const record = assemble(line.cells);
      const key = naturalKey(record);
      const earlier = firstLineOf.get(key.value);
      if (earlier !== undefined) {
        // The same event twice is one event (as the batch API keeps it once); another repeat is ambiguous.
        if (kind !== 'events') {
          errors.push({
            line: line.line,
            column: reader.columnOf(key.field),
            value: null,
            reason: `duplicate ${key.field} "${key.value}" (also on line ${earlier})`,
            code: 'duplicate',
          });
        }
        continue;
      }
      firstLineOf.set(key.value, line.line);
      if (sample.length < SAMPLE_SIZE) sample.push(record);
      chunk.push({ line: line.line, record });
      if (chunk.length >= CHUNK_RECORDS) await flush();
    }
    progress.read(batch.bytesRead);
  }
  await flush();
  errors.sort(byLine);
  const invalid = new Set(errors.map((e) => e.line)).size;
  const stored = !run.dryRun && (errors.length === 0 || run.mode === 'skip-invalid');
  return { rows, records: rows, invalid, errors, stored, sample, rejected: stored && errors.length > 0 ? errorReasons(errors) : undefined };
}

/** Builds the record of a line from its field values (each produced by the field's own schema). */
function recordAssembler(run: LineImport & { kind: OneLineKind }) {
  const { reader, mapping, kind } = run;
  const named = () => {
    const record: Record<string, unknown> = {};
    reader.fields.forEach((field, slot) => {
      const value = reader.value(slot);
      if (value !== undefined) record[field.name] = value;
    });
    return record;
  };
  switch (kind) {
    case 'customers':
      return (cells: readonly string[]): CustomerRecord => {
        const record = named();
        const attributes: Record<string, string> = {};
        for (const { key, column } of mapping.attributes) {
          const text = cells[column]?.normalize('NFKC').trim();
          if (text) attributes[key] = text;
        }
        if (Object.keys(attributes).length > 0) record.attributes = attributes;
        return record as CustomerRecord;
      };
    case 'products':
      return (): ProductRecord => named() as ProductRecord;
    case 'events':
      return (): EventRecord => {
        const record = named() as EventRecord;
        record.idempotency_key ??= derivedEventKey(record);
        return record;
      };
    default:
      return assertNever(kind, 'import kind');
  }
}

/**
 * An event line without an idempotency key gets one from its content, so importing the same
 * file again stores nothing new: customer, type, instant and properties (keys sorted).
 */
export function derivedEventKey(event: Omit<EventRecord, 'idempotency_key'>): string {
  const properties = JSON.stringify(event.properties ?? {}, Object.keys(event.properties ?? {}).sort());
  const content = [event.customer_id, event.type, event.occurred_at.toISOString(), properties].join('\u0000');
  return `csv:${createHash('sha256').update(content).digest('hex').slice(0, 40)}`;
}

function naturalKey(record: CustomerRecord | ProductRecord | EventRecord): { field: string; value: string } {
  if ('idempotency_key' in record) return { field: 'idempotency_key', value: record.idempotency_key };
  if ('sku' in record) return { field: 'sku', value: record.sku };
  return { field: 'customer_id', value: record.customer_id };
}

/** Writes a chunk's records; customers whose email, phone or LINE id belongs to another profile are reported instead. */
async function writeChunk(
  client: pg.ClientBase,
  workspaceId: string,
  kind: OneLineKind,
  chunk: readonly Staged[],
  columnOf: (field: string) => string | null,
): Promise<ImportError[]> {
  if (chunk.length === 0) return [];
  const errors: ImportError[] = [];
  let keep = chunk;
  if (kind === 'customers') {
    const records = chunk.map((s) => s.record as CustomerRecord);
    const conflicts = await findIdentityConflicts(client, workspaceId, records);
    const refused = new Set(conflicts.map((c) => c.position));
    for (const conflict of conflicts) {
      const at = chunk[conflict.position]!;
      // The value is filled in from the file (revisit-lines.ts): the cell as written, not as normalised.
      errors.push({ line: at.line, column: columnOf(conflict.field), value: null, reason: conflict.reason, code: 'identity_taken' });
    }
    keep = chunk.filter((_, position) => !refused.has(position));
  }
  await writeRecords(client, workspaceId, validRecords(kind, keep));
  return errors;
}

function validRecords(kind: OneLineKind, chunk: readonly Staged[]): ValidRecords {
  switch (kind) {
    case 'customers':
      return { kind, records: chunk.map((s) => s.record as CustomerRecord) };
    case 'products':
      return { kind, records: chunk.map((s) => s.record as ProductRecord) };
    case 'events':
      return { kind, records: chunk.map((s) => s.record as EventRecord) };
    default:
      return assertNever(kind, 'import kind');
  }
}
