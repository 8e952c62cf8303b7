import type pg from 'pg';
import { recordSchemas, type OrderRecord } from '../ingest/records.ts';
import { SAMPLE_SIZE, byLine, type ImportError } from './import-report.ts';
import { errorReasons, type LineImport, type LineImportOutcome } from './line-import.ts';
import type { LineReader } from './line-reader.ts';
import { checkStagedOrders } from './order-checks.ts';
import { createStagingTable, ORDER_HEADER_FIELDS, stagedLayouts, StagingWriter, type LinePlace } from './order-staging.ts';
import { linesOfRejectedOrders, rejectOrdersOfLines, summariseStagedLines } from './order-summaries.ts';
import { writeStagedOrders, type WriteStep } from './order-writes.ts';

/** Share of the import's time after reading, per step (measured on a 1,000,000-line export). */
const STEP_WEIGHTS: Record<'checks' | WriteStep, number> = {
  checks: 0.3,
  customers: 0.3,
  products: 0.05,
  orders: 0.5,
  items: 1.2,
  'customer-stats': 0.3,
};
export const ORDER_WORK_AFTER_READING = Object.values(STEP_WEIGHTS).reduce((a, b) => a + b, 0);

/**
 * Imports an order export, one line per item: lines stream into a staging table, are grouped
 * by order id and checked there, then written set-based (order-writes.ts). An error on a line
 * rejects its whole order: in all-or-nothing mode nothing is written, in skip-invalid mode the
 * other orders are. Lines of one order need not be adjacent.
 */
export async function importOrderLines(run: LineImport): Promise<LineImportOutcome> {
  const { client, workspace, reader, progress } = run;
  const { rows, errors, sample } = await stageLines(run);

  await client.query('analyze import_order_lines');
  await summariseStagedLines(client, workspace.id, run.orderTime);
  const checked = await checkStagedOrders({
    client,
    workspaceId: workspace.id,
    itemsSchema: recordSchemas(workspace.timezone).order.shape.items,
    columnOf: (field) => reader.columnOf(field),
    orderTime: run.orderTime,
  });
  progress.advance(STEP_WEIGHTS.checks);
  errors.push(...checked.errors);
  errors.sort(byLine);

  const errorLines = [...new Set(errors.map((e) => e.line))];
  const invalid = errors.length === 0 ? 0 : await rejectOrdersOfLines(client, errorLines);
  const stored = !run.dryRun && (errors.length === 0 || run.mode === 'skip-invalid');
  if (stored) {
    await writeStagedOrders({
      client,
      workspaceId: workspace.id,
      someRejected: errors.length > 0,
      onStep: (step) => progress.advance(STEP_WEIGHTS[step]),
    });
  }
  const rejected = stored && errors.length > 0 ? await rejectedLineReasons(client, errors, errorLines) : undefined;
  return { rows, records: checked.orders, invalid, errors, stored, sample, rejected };
}

/** Reads every line into import_order_lines; cell errors come back, lines with one are staged as bad. */
async function stageLines(run: LineImport): Promise<{ rows: number; errors: ImportError[]; sample: OrderRecord[] }> {
  const { client, reader, data, progress } = run;
  await createStagingTable(client);
  const writer = new StagingWriter(client);
  const layouts = stagedLayouts((name) => reader.slot(name));
  const [orderSlot, customerSlot, skuSlot, productNameSlot, subscriptionSlot, deliverySlot] = [
    'order_id',
    'customer_id',
    'sku',
    'product_name',
    'subscription_id',
    'delivery_number',
  ].map((name) => reader.slot(name)) as [number, number, number, number, number, number];
  // Well-formed lines so far per order id: the next one's item line number.
  const orderLines = new Map<unknown, number>();
  // The reader returns the very same result for a cell equal to the column's previous one, so
  // a line of the same order as the well-formed line before it, with identical order-field
  // results, agrees with that line; if that one agreed with the head, so does this one.
  const headerSlots = ORDER_HEADER_FIELDS.map((name) => reader.slot(name));
  const previousHeader: unknown[] = headerSlots.map(() => undefined);
  let previousOrder: unknown;
  let previousAgrees = false;
  const customersSeen = new Set<unknown>();
  const productsNamed = new Set<unknown>();
  const errors: ImportError[] = [];
  const sample = new OrderSample(reader);
  let rows = 0;
  let reading: unknown;
  try {
    for await (const batch of data) {
      for (const record of batch.records) {
        rows += 1;
        let ok = reader.read(record, errors);
        if (ok && reader.value(deliverySlot) != null && reader.value(subscriptionSlot) == null) {
          // The order record's own check across fields (order-record.ts), which a line's cells cannot run alone.
          errors.push({
            line: record.line,
            column: reader.columnOf('delivery_number'),
            value: null,
            reason: 'delivery_number is given without subscription_id: name the subscription (定期番号) the delivery belongs to',
            code: 'delivery_without_subscription',
          });
          ok = false;
        }
        let slots = layouts.slots(true, true);
        let place: LinePlace | null = null;
        if (ok) {
          const order = reader.value(orderSlot);
          const customer = reader.value(customerSlot);
          const sku = reader.value(skuSlot);
          const lineNo = (orderLines.get(order) ?? 0) + 1;
          orderLines.set(order, lineNo);
          const firstOfCustomer = !customersSeen.has(customer);
          const namesProduct = reader.value(productNameSlot) != null && !productsNamed.has(sku);
          if (firstOfCustomer) customersSeen.add(customer);
          if (namesProduct) productsNamed.add(sku);
          slots = layouts.slots(firstOfCustomer, namesProduct);
          let agreesWithHead = lineNo === 1;
          if (!agreesWithHead && previousAgrees && order === previousOrder) {
            agreesWithHead = headerSlots.every((slot, i) => reader.results[slot] === previousHeader[i]);
          }
          headerSlots.forEach((slot, i) => {
            previousHeader[i] = reader.results[slot];
          });
          previousOrder = order;
          previousAgrees = agreesWithHead;
          place = { lineNo, firstOfCustomer, agreesWithHead };
          sample.add(reader);
        }
        const sent = writer.write(record.line, place, reader.results, slots);
        if (sent) await sent;
      }
      progress.read(batch.bytesRead);
    }
  } catch (error) {
    reading = error;
  }
  // End the COPY even when reading failed, so the connection can roll back.
  await writer.end();
  if (reading) throw reading;
  return { rows, errors, sample: sample.records() };
}

/** Each rejected line with its errors, or, for a line rejected with its order, the line that has them. */
async function rejectedLineReasons(client: pg.ClientBase, errors: readonly ImportError[], errorLines: readonly number[]): Promise<Map<number, string>> {
  const reasons = errorReasons(errors);
  for (const row of await linesOfRejectedOrders(client, errorLines)) {
    if (!reasons.has(row.line)) reasons.set(row.line, `order "${row.order_id}" is rejected with line ${row.error_line}`);
  }
  return reasons;
}

/** The first orders of the file as OrderRecords, for the console's preview. */
class OrderSample {
  private readonly orders = new Map<string, OrderRecord>();
  private readonly slot: Record<string, number>;

  constructor(reader: LineReader) {
    this.slot = Object.fromEntries(reader.fields.map((field, index) => [field.name, index]));
  }

  add(reader: LineReader): void {
    const orderId = this.value<string>(reader, 'order_id');
    let order = this.orders.get(orderId);
    if (!order) {
      if (this.orders.size >= SAMPLE_SIZE) return;
      const value = <T>(name: string) => this.value<T>(reader, name);
      order = {
        order_id: orderId,
        customer_id: value('customer_id'),
        ordered_at: value('ordered_at'),
        channel: value('channel'),
        prefecture: value('prefecture'),
        store: value('store'),
        status: value('status'),
        delivered_at: value('delivered_at'),
        subscription_id: value('subscription_id'),
        delivery_number: value('delivery_number'),
        items: [],
      };
      this.orders.set(orderId, order);
    }
    order.items.push({
      sku: this.value(reader, 'sku'),
      quantity: this.value(reader, 'quantity'),
      unit_price: this.value(reader, 'unit_price'),
      product_name: this.value(reader, 'product_name'),
    });
  }

  private value<T>(reader: LineReader, name: string): T {
    return reader.value(this.slot[name]!) as T;
  }

  records(): OrderRecord[] {
    return [...this.orders.values()];
  }
}
