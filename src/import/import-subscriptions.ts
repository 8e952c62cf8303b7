import { writeRecords } from '../ingest/ingest-batch.ts';
import type { SubscriptionRecord } from '../ingest/records.ts';
import type { Cycle } from '../subscriptions/cycle.ts';
import { subscriptionProblems } from '../subscriptions/subscription-record.ts';
import { findUnknownSubscriptionProducts } from '../subscriptions/upsert-subscriptions.ts';
import { SAMPLE_SIZE, byLine, type ImportError } from './import-report.ts';
import { errorReasons, type LineImport, type LineImportOutcome } from './line-import.ts';
import type { LineReader } from './line-reader.ts';

/** Subscriptions written per call of the batch writer. */
const CHUNK_RECORDS = 5_000;
/** The most items a course may have (the record schema's `items`). */
const MAX_ITEMS = 100;

/** The subscription's own fields, which every line of it repeats and must agree on; the others (sku, quantity) are its item. */
const SUBSCRIPTION_FIELDS = [
  'customer_id',
  'course',
  'cycle',
  'status',
  'started_at',
  'next_delivery_on',
  'deliveries',
  'skips',
  'cancelled_at',
  'cancel_reason',
  'cancel_note',
  'status_changed_at',
  'changed_by',
] as const;

interface Assembled {
  record: SubscriptionRecord;
  /** The first line (which gives the subscription's fields), and the line of each item. */
  headLine: number;
  itemLines: number[];
}

/**
 * Imports a subscription export (定期一覧), one line per item of a course: lines with the same
 * 定期番号 (subscription_id) are one subscription, whose lines need not be adjacent and must
 * agree on its fields (else an error naming both lines). Each assembled subscription is
 * checked as the batch API checks a record (the checks across fields, unknown products),
 * then written through the batch API's writer (upsertSubscriptions) in the caller's
 * transaction, with 'import' as the actor of its status changes. An error on a line rejects
 * its whole subscription. Subscription files are far smaller than order files (one line per
 * subscription and item, not per delivery), so they are assembled in memory.
 */
export async function importSubscriptionLines(run: LineImport): Promise<LineImportOutcome> {
  const { client, workspace, reader, data, progress } = run;
  const errors: ImportError[] = [];
  const assembled = new Map<string, Assembled>();
  const linesOf = new Map<string, number[]>();
  const rejected = new Set<string>();
  const slot = Object.fromEntries(reader.fields.map((field, index) => [field.name, index])) as Record<string, number>;
  const value = <T>(name: string) => reader.value(slot[name]!) as T;
  let rows = 0;
  for await (const batch of data) {
    for (const line of batch.records) {
      rows += 1;
      const ok = reader.read(line, errors);
      const id = value<string | undefined>('subscription_id');
      if (id !== undefined) linesOf.set(id, [...(linesOf.get(id) ?? []), line.line]);
      if (!ok) {
        if (id !== undefined) rejected.add(id);
        continue;
      }
      const item = { sku: value<string>('sku'), quantity: value<number>('quantity') };
      const earlier = assembled.get(id!);
      if (!earlier) {
        const record = Object.fromEntries(SUBSCRIPTION_FIELDS.map((name) => [name, value(name)])) as Omit<SubscriptionRecord, 'subscription_id' | 'items'>;
        assembled.set(id!, { record: { subscription_id: id!, ...record, items: [item] }, headLine: line.line, itemLines: [line.line] });
        continue;
      }
      const differing = SUBSCRIPTION_FIELDS.filter((name) => !sameValue(earlier.record[name], value(name)));
      for (const name of differing) {
        errors.push({
          line: line.line,
          column: reader.columnOf(name),
          value: null,
          reason: `${name} differs from line ${earlier.headLine}, the first line of subscription "${id}"`,
          code: 'subscription_lines_disagree',
          params: { line: earlier.headLine, subscription: id! },
        });
      }
      if (differing.length > 0) rejected.add(id!);
      earlier.record.items.push(item);
      earlier.itemLines.push(line.line);
    }
    progress.read(batch.bytesRead);
  }

  const subscriptions = [...assembled.values()];
  errors.push(...checkSubscriptions(subscriptions, reader, workspace.timezone));
  const unknown = await findUnknownSubscriptionProducts(
    client,
    workspace.id,
    subscriptions.map((s) => s.record),
  );
  for (const { position, item, sku } of unknown) {
    errors.push({
      line: subscriptions[position]!.itemLines[item]!,
      column: reader.columnOf('sku'),
      value: null,
      reason: `unknown product code "${sku}": not in the catalogue (import the products first; a subscription cannot create a product)`,
      code: 'unknown_product',
    });
  }
  errors.sort(byLine);
  const errorLines = new Map(errors.map((error) => [error.line, error]));
  for (const s of subscriptions) if (s.itemLines.some((line) => errorLines.has(line))) rejected.add(s.record.subscription_id);

  const stored = !run.dryRun && (errors.length === 0 || run.mode === 'skip-invalid');
  const kept = subscriptions.filter((s) => !rejected.has(s.record.subscription_id));
  if (stored) {
    const writer = { clock: run.clock, actor: 'import' };
    for (let start = 0; start < kept.length; start += CHUNK_RECORDS) {
      const records = kept.slice(start, start + CHUNK_RECORDS).map((s) => s.record);
      await writeRecords(client, workspace.id, { kind: 'subscriptions', records }, writer);
    }
  }
  const rejectedLines = rejectedLinesWithReasons(errors, rejected, linesOf);
  return {
    rows,
    records: assembled.size,
    invalid: rejectedLines.size,
    errors,
    stored,
    sample: kept.slice(0, SAMPLE_SIZE).map((s) => s.record),
    rejected: stored && errors.length > 0 ? rejectedLines : undefined,
  };
}

/** The record schema's checks across fields (subscriptionProblems) and on the number of items, on each assembled subscription. */
function checkSubscriptions(subscriptions: readonly Assembled[], reader: LineReader, timezone: string): ImportError[] {
  const errors: ImportError[] = [];
  for (const { record, headLine, itemLines } of subscriptions) {
    for (const problem of subscriptionProblems(record, timezone)) {
      errors.push({
        line: headLine,
        column: reader.columnOf(problem.field),
        value: null,
        reason: problem.message,
        ...(problem.code ? { code: problem.code } : {}),
        ...(problem.params ? { params: problem.params } : {}),
      });
    }
    if (itemLines.length > MAX_ITEMS) {
      errors.push({
        line: itemLines[MAX_ITEMS]!,
        column: reader.columnOf('subscription_id'),
        value: null,
        reason: `subscription "${record.subscription_id}" has ${itemLines.length} item lines; a course has at most ${MAX_ITEMS} items`,
        code: 'too_large',
        params: { maximum: MAX_ITEMS, inclusive: 1 },
      });
    }
  }
  return errors;
}

/** Each rejected line with its errors, or, for a line rejected with its subscription, the line that has them. */
function rejectedLinesWithReasons(errors: readonly ImportError[], rejected: ReadonlySet<string>, linesOf: ReadonlyMap<string, number[]>): Map<number, string> {
  const reasons = errorReasons(errors);
  for (const id of rejected) {
    const lines = linesOf.get(id) ?? [];
    const errorLine = lines.find((line) => reasons.has(line));
    for (const line of lines) if (!reasons.has(line)) reasons.set(line, `subscription "${id}" is rejected with line ${errorLine ?? lines[0]}`);
  }
  return reasons;
}

/** Two read values are the same value: dates by their instant, a cycle by its unit and number. */
function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (isCycle(a) && isCycle(b)) return a.unit === b.unit && a.every === b.every;
  return (a ?? null) === (b ?? null);
}

function isCycle(value: unknown): value is Cycle {
  return typeof value === 'object' && value !== null && 'unit' in value && 'every' in value;
}
