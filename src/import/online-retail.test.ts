import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connectTestDatabase, freshWorkspace } from '../../test/support/database.ts';
import { repeatRates } from '../analytics/repeat-f2.ts';
import { listRfmCustomers, rfmScores } from '../analytics/rfm.ts';
import { decomposeSales } from '../analytics/sales-decomposition.ts';
import { dayNumber, MAX_PAGE_SIZE } from '../analytics/periods.ts';
import { withDecompressedFile } from './gzip-file.ts';
import { importCsv, type ImportReport } from './import-csv.ts';
import { countErrorsByReason } from './import-report.ts';

/**
 * The UCI Online Retail file (test/fixtures/data/online-retail/, Chen, Sain & Guo 2012), imported
 * whole as a user would: a mapping of its English headers, --skip-invalid, the order's time
 * the earliest of its lines' (43 invoices straddle a minute), in Europe/London and GBP.
 * Everything the import and the analyses say is checked against figures computed here from
 * the raw CSV with plain code, following the issue's definitions:
 * - an invoice is an order; its lines are its items; amount = Σ quantity × unit price;
 * - an invoice starting with C is a cancellation (negative quantities): not a purchase; the
 *   importer refuses its lines (quantity must be at least 1), with the stock adjustments that
 *   have negative quantities too;
 * - a line without a CustomerID cannot be a customer's purchase: refused (customer_id is required);
 * - so the purchases are the invoices not starting with C that have a CustomerID.
 * The whole file takes about 30 s to import on a 2-core machine.
 */

const DATA = path.resolve(import.meta.dirname, '../../test/fixtures/data/online-retail/online_retail.csv.gz');
const MAPPING = {
  InvoiceNo: 'order_id',
  StockCode: 'sku',
  Description: 'product_name',
  Quantity: 'quantity',
  InvoiceDate: 'ordered_at',
  UnitPrice: 'unit_price',
  CustomerID: 'customer_id',
  Country: '',
};

// ─── The raw file, parsed with plain code ───────────────────────────────────────────────

interface Line {
  /** Line of the file: the header is line 1. */
  number: number;
  invoice: string;
  quantity: number;
  /** ISO wall-clock time in London, 'YYYY-MM-DD HH:MM:SS'. */
  time: string;
  /** Unit price in thousandths of a pound (the file has at most three decimals). */
  priceMilli: bigint;
  customer: string;
}

/**
 * RFC 4180 records: fields split on commas; a quoted field may hold commas and doubled quotes
 * (the file's descriptions do), not line breaks (none does: checked by the header's width).
 */
function parseCsv(text: string): string[][] {
  return text
    .split(/\r?\n/)
    .filter((line) => line !== '')
    .map((line) => (line.includes('"') ? parseQuotedLine(line) : line.split(',')));
}

function parseQuotedLine(line: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i += 1) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      fields.push(field);
      field = '';
    } else field += c;
  }
  fields.push(field);
  return fields;
}

/** An exact decimal in thousandths: '2.55' → 2550n; '-11062.06' → -11062060n; '8911407.9040' → 8911407904n. */
function milli(decimal: string): bigint {
  const [whole, written = ''] = decimal.replace('-', '').split('.');
  const fraction = written.replace(/0+$/, '');
  if (fraction.length > 3) throw new Error(`${decimal} has more than three decimals`);
  const value = BigInt(whole!) * 1000n + BigInt(fraction.padEnd(3, '0'));
  return decimal.startsWith('-') ? -value : value;
}

function readLines(csvText: string): Line[] {
  const [header, ...records] = parseCsv(csvText);
  expect(header).toEqual(['InvoiceNo', 'StockCode', 'Description', 'Quantity', 'InvoiceDate', 'UnitPrice', 'CustomerID', 'Country']);
  expect(records.filter((cells) => cells.length !== header!.length)).toEqual([]);
  return records.map(([invoice, , , quantity, time, price, customer], index) => ({
    number: index + 2,
    invoice: invoice!,
    quantity: Number(quantity),
    time: time!,
    priceMilli: milli(price!),
    customer: customer!,
  }));
}

interface Purchase {
  invoice: string;
  customer: string;
  /** The earliest line's time. */
  time: string;
  amountMilli: bigint;
  items: number;
}

/** The counts behind each refusal, and the purchases, from the lines. */
function expectedFigures(lines: readonly Line[]) {
  const invoices = new Map<string, Line[]>();
  for (const line of lines) {
    const items = invoices.get(line.invoice);
    if (items) items.push(line);
    else invoices.set(line.invoice, [line]);
  }
  const purchases: Purchase[] = [];
  for (const [invoice, items] of invoices) {
    if (invoice.startsWith('C') || items[0]!.customer === '') continue;
    purchases.push({
      invoice,
      customer: items[0]!.customer,
      time: items.map((item) => item.time).sort()[0]!,
      amountMilli: items.reduce((sum, item) => sum + BigInt(item.quantity) * item.priceMilli, 0n),
      items: items.reduce((sum, item) => sum + item.quantity, 0),
    });
  }
  return {
    lines: lines.length,
    invoices: invoices.size,
    invoiceLines: invoices,
    missingCustomer: lines.filter((line) => line.customer === '').length,
    notPositiveQuantity: lines.filter((line) => line.quantity < 1).length,
    cancellationLines: lines.filter((line) => line.invoice.startsWith('C')).length,
    negativePrice: lines.filter((line) => line.priceMilli < 0n).length,
    invoicesOverThousandLines: [...invoices.values()].filter((items) => items.length > 1000).length,
    invoicesStraddlingTimes: [...invoices.values()].filter((items) => new Set(items.map((item) => item.time)).size > 1).length,
    purchases,
  };
}

/** Figures of a set of purchases: the decomposition's sums. */
function totalsOf(purchases: readonly Purchase[]) {
  return {
    salesMilli: purchases.reduce((sum, p) => sum + p.amountMilli, 0n),
    customers: new Set(purchases.map((p) => p.customer)).size,
    purchases: purchases.length,
    items: purchases.reduce((sum, p) => sum + p.items, 0),
  };
}

// ─── The whole file ─────────────────────────────────────────────────────────────────────

describe('the UCI Online Retail file, imported whole with a mapping and --skip-invalid', () => {
  const database = connectTestDatabase();
  let workspaceId: string;
  let report: ImportReport;
  let expected: ReturnType<typeof expectedFigures>;

  beforeAll(async () => {
    expected = expectedFigures(readLines(gunzipSync(await readFile(DATA)).toString('utf8')));
    const workspace = await freshWorkspace(database, { timezone: 'Europe/London', currency: 'GBP' });
    workspaceId = workspace.id;
    report = await withDecompressedFile(DATA, (csvPath) =>
      importCsv({
        pool: database.pool,
        workspace,
        kind: 'orders',
        source: { path: csvPath },
        mapping: MAPPING,
        mode: 'skip-invalid',
        dryRun: false,
        orderTime: 'earliest',
      }),
    );
  }, 240_000);
  afterAll(() => database.close());

  it('stores the purchases and refuses the other lines, counted by reason as the raw file has them', () => {
    // The file as documented: 541,909 lines, 135,080 without a customer.
    expect([expected.lines, expected.missingCustomer]).toEqual([541_909, 135_080]);
    const purchaseLines = expected.purchases.reduce((sum, p) => sum + expected.invoiceLines.get(p.invoice)!.length, 0);
    expect(report).toMatchObject({
      kind: 'orders',
      encoding: 'utf-8',
      rows: expected.lines,
      records: expected.invoices,
      stored: true,
      valid: purchaseLines,
      invalid: expected.lines - purchaseLines,
    });
    const byReason = Object.fromEntries(countErrorsByReason(report.errors).map((r) => [`${r.column} ${r.code ?? r.reason}`, r.lines]));
    expect(byReason).toEqual({
      'CustomerID required': expected.missingCustomer,
      'Quantity too_small': expected.notPositiveQuantity,
      'UnitPrice negative_amount': expected.negativePrice,
      [`InvoiceNo ${report.errors.find((e) => e.column === 'InvoiceNo')?.reason}`]: expected.invoicesOverThousandLines,
    });
    // Every cancellation line is among the quantity refusals; the others are stock adjustments, none with a customer.
    expect(expected.cancellationLines).toBe(9288);
    expect(expected.notPositiveQuantity - expected.cancellationLines).toBe(1336);
    // The 43 invoices whose lines straddle a minute are purchases like the others under --order-time earliest.
    expect(expected.invoicesStraddlingTimes).toBe(43);
    expect(report.errors.some((e) => e.code === 'order_lines_disagree' || e.code === 'order_time_differs')).toBe(false);
    // The invoice of more than 1,000 lines (an order holds at most 1,000 items) has no customer either: no purchase is lost.
    expect(expected.invoicesOverThousandLines).toBe(1);
    expect(expected.purchases).toHaveLength(18_536);
  });

  it('decomposes each month of 2011 in London as the raw invoices add up', async () => {
    const decomposition = await decomposeSales({
      pool: database.pool,
      workspaceId,
      period: { from: '2011-01-01', to: '2012-01-01' },
      granularity: 'month',
      compare: [],
    });
    const months = Array.from({ length: 12 }, (_, m) => `2011-${String(m + 1).padStart(2, '0')}`);
    expect(decomposition.series.map((bucket) => bucket.bucket)).toEqual(months.map((month) => `${month}-01`));
    decomposition.series.forEach((bucket, index) => {
      const want = totalsOf(expected.purchases.filter((p) => p.time.startsWith(months[index]!)));
      const { totals } = bucket;
      expect({ month: months[index], salesMilli: milli(totals.sales), customers: totals.customers, purchases: totals.purchases, items: totals.items }).toEqual({
        month: months[index],
        ...want,
      });
      expect(totals.frequency).toBeCloseTo(want.purchases / want.customers, 12);
      expect(totals.itemsPerPurchase).toBeCloseTo(want.items / want.purchases, 12);
      expect(totals.pricePerItem).toBeCloseTo(Number(want.salesMilli) / 1000 / want.items, 9);
    });
    const year = totalsOf(expected.purchases.filter((p) => p.time.startsWith('2011')));
    expect({
      salesMilli: milli(decomposition.totals.sales),
      customers: decomposition.totals.customers,
      purchases: decomposition.totals.purchases,
      items: decomposition.totals.items,
    }).toEqual(year);
    // The whole file: £8,911,407.904 over 18,536 purchases by 4,339 customers (the figures commonly quoted for it).
    expect(totalsOf(expected.purchases)).toMatchObject({ salesMilli: 8_911_407_904n, customers: 4339, purchases: 18_536 });
  });

  it('gives the repeat rate of 2011: customers with two purchases or more in it', async () => {
    const rates = await repeatRates({ pool: database.pool, workspaceId, period: { from: '2011-01-01', to: '2012-01-01' }, granularity: 'month' });
    const counts = new Map<string, number>();
    for (const p of expected.purchases) if (p.time.startsWith('2011')) counts.set(p.customer, (counts.get(p.customer) ?? 0) + 1);
    const repeaters = [...counts.values()].filter((count) => count >= 2).length;
    expect(rates.total).toEqual({ customers: counts.size, repeaters, rate: repeaters / counts.size });
  });

  it("gives every customer's RFM as of 2011-12-10 from their raw invoices", async () => {
    const asOf = '2011-12-10';
    const byCustomer = new Map<string, { last: string; frequency: number; monetaryMilli: bigint }>();
    for (const p of expected.purchases) {
      const c = byCustomer.get(p.customer) ?? { last: '', frequency: 0, monetaryMilli: 0n };
      byCustomer.set(p.customer, { last: p.time > c.last ? p.time : c.last, frequency: c.frequency + 1, monetaryMilli: c.monetaryMilli + p.amountMilli });
    }
    const summary = await rfmScores({ pool: database.pool, workspaceId, asOf });
    expect(summary.customers).toBe(byCustomer.size);
    expect(milli(summary.monetary)).toBe(totalsOf(expected.purchases).salesMilli);
    expect(summary.segments.reduce((sum, segment) => sum + segment.customers, 0)).toBe(byCustomer.size);
    const items: Awaited<ReturnType<typeof listRfmCustomers>>['items'] = [];
    for (let cursor: string | undefined, page = 0; page === 0 || cursor; page++) {
      const next = await listRfmCustomers({ pool: database.pool, workspaceId, asOf, limit: MAX_PAGE_SIZE, cursor });
      items.push(...next.items);
      cursor = next.nextCursor ?? undefined;
    }
    expect(items).toHaveLength(byCustomer.size);
    const mismatches = items.filter((item) => {
      const want = byCustomer.get(item.externalId)!;
      return (
        item.frequency !== want.frequency ||
        milli(item.monetary) !== want.monetaryMilli ||
        item.lastPurchaseDay !== want.last.slice(0, 10) ||
        item.recency !== dayNumber(asOf) - dayNumber(want.last.slice(0, 10))
      );
    });
    expect(mismatches).toEqual([]);
  });
});

// ─── The command line, on the file's first 3,000 lines, gzip-compressed ─────────────────

describe('kizuna import orders on a gzip-compressed extract of the file', () => {
  const database = connectTestDatabase();
  let scratch: string;
  let file: string;
  let mapping: string;
  let expected: ReturnType<typeof expectedFigures>;

  beforeAll(async () => {
    scratch = await mkdtemp(path.join(tmpdir(), 'kizuna-online-retail-'));
    const text = gunzipSync(await readFile(DATA)).toString('utf8');
    const extract = `${text.split('\n').slice(0, 3001).join('\n')}\n`;
    expected = expectedFigures(readLines(extract));
    file = path.join(scratch, 'online_retail.csv.gz');
    await writeFile(file, gzipSync(extract));
    mapping = path.join(scratch, 'mapping.json');
    await writeFile(mapping, JSON.stringify(MAPPING));
  });
  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
    await database.close();
  });

  function kizuna(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        ['bin/kizuna.js', ...args],
        {
          cwd: path.resolve(import.meta.dirname, '../..'),
          env: { ...process.env, DATABASE_URL: inject('databaseUrl') },
          maxBuffer: 64 * 1024 * 1024,
        },
        (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      );
    });
  }

  it('reads the .gz, maps the headers, stores the purchases, counts the refusals by reason, writes them beside the file; refuses an unknown --order-time (exit 2)', async () => {
    const [strict, earliest] = await Promise.all([
      freshWorkspace(database, { timezone: 'Europe/London', currency: 'GBP' }),
      freshWorkspace(database, { timezone: 'Europe/London', currency: 'GBP' }),
    ]);
    const common = ['import', 'orders', file, '--mapping', mapping, '--skip-invalid'];
    const [asJson, asTable, unknownRule] = await Promise.all([
      kizuna(...common, '--workspace', earliest.name, '--order-time', 'earliest', '--json', '--rejected', path.join(scratch, 'earliest.rejected.csv')),
      kizuna(...common, '--workspace', strict.name),
      kizuna(...common, '--workspace', strict.name, '--order-time', 'latest'),
    ]);
    expect([unknownRule.code, unknownRule.stderr]).toEqual([2, 'error: --order-time must be one of same, earliest, not "latest"\n']);
    expect([asJson.code, asJson.stderr]).toEqual([0, '']);
    const report = JSON.parse(asJson.stdout);
    // Invoice 536591 (lines 2,423 on) straddles 16:57 and 16:58: a purchase under --order-time earliest.
    expect(expected.invoicesStraddlingTimes).toBe(1);
    expect(report).toMatchObject({
      stored: true,
      rows: 3000,
      records: expected.invoices,
      valid: expected.purchases.reduce((sum, p) => sum + expected.invoiceLines.get(p.invoice)!.length, 0),
    });
    expect(report.errorsByReason.map((r: { column: string; code: string; lines: number }) => [r.column, r.code, r.lines])).toEqual([
      ['CustomerID', 'required', expected.missingCustomer],
      ['Quantity', 'too_small', expected.notPositiveQuantity],
    ]);
    expect(await orderCount(earliest.id)).toBe(expected.purchases.length);

    // Without the rule, the straddling invoice's lines after its first minute disagree with it: refused, with the invoice.
    expect(asTable.code).toBe(0);
    const straddling = expected.invoiceLines.get('536591')!;
    const late = straddling.filter((line) => line.time !== straddling[0]!.time).length;
    const out = asTable.stdout.split('\n').map((line) => line.trim().replace(/ {2,}/g, ' '));
    expect(out[0]).toBe(`${file}: utf-8, 3,000 lines, ${expected.invoices} orders`);
    expect(out).toContain('Errors by reason (a line refused for two reasons counts under both):');
    expect(out).toContain(`CustomerID required customer_id is required ${expected.missingCustomer.toLocaleString('en-US')}`);
    expect(out).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^InvoiceDate order_time_differs ordered_at differs from line ${straddling[0]!.number}, the first line of order "536591"; if the export stamps each line as it was keyed, import with --order-time earliest .* ${late}$`,
        ),
      ),
    );
    expect(out).toContain(`(line) refused with its order, for an error on another line ${straddling.length - late}`);
    expect(out).toContain(`Rejected lines, with their errors: ${path.join(scratch, 'online_retail.rejected.csv')}`);
    const rejected = (await readFile(path.join(scratch, 'online_retail.rejected.csv'), 'utf8')).trimEnd().split('\r\n');
    expect(rejected[0]).toBe('\uFEFFInvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country,error');
    expect(rejected).toHaveLength(1 + report.invalid + straddling.length);
    expect(await orderCount(strict.id)).toBe(expected.purchases.length - 1);
  });

  async function orderCount(workspaceId: string): Promise<number> {
    const { rows } = await database.pool.query<{ count: string }>('select count(*) from orders where workspace_id = $1', [workspaceId]);
    return Number(rows[0]!.count);
  }
});
