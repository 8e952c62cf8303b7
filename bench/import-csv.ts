/**
 * CSV import of a Shift_JIS order export (one line per item), against a baseline: the same
 * lines loaded with plain COPY into a staging table with no checks, grouping or indexes.
 *   npx tsx bench/import-csv.ts [--lines 1000000] [--customers 100000] [--products 500]
 * Uses DATABASE_URL when set, else the embedded PostgreSQL; a fresh database either way.
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import iconv from 'iconv-lite';
import { from as copyFrom } from 'pg-copy-streams';
import { importCsv } from '../src/import/import-csv.ts';
import { createWorkspace } from '../src/workspaces/workspaces.ts';
import { ORDER_EXPORT_HEADER, writeOrderExport } from '../test/fixtures/import/order-lines.ts';
import { openBenchDatabase } from './support/bench-database.ts';

const { values: args } = parseArgs({
  options: { lines: { type: 'string', default: '1000000' }, customers: { type: 'string' }, products: { type: 'string', default: '500' } },
});
const LINES = Number(args.lines);
const CUSTOMERS = Number(args.customers ?? Math.max(1, Math.round(LINES / 10)));
const PRODUCTS = Number(args.products);
const n = (value: number) => Math.round(value).toLocaleString('en-US');

const directory = await mkdtemp(path.join(tmpdir(), 'kizuna-bench-import-'));
const file = path.join(directory, 'juchu_sjis.csv');
const { database, drop } = await openBenchDatabase('import');
try {
  let startedAt = performance.now();
  const totals = await writeOrderExport(file, { lines: LINES, customers: CUSTOMERS, products: PRODUCTS, seed: 1 });
  const megabytes = (await stat(file)).size / 1024 / 1024;
  console.log(
    `CSV import benchmark: ${n(LINES)} lines, ${n(totals.orders)} orders, ${n(totals.customers)} customers, ${n(PRODUCTS)} products; ` +
      `Shift_JIS, ${megabytes.toFixed(0)} MB (generated in ${((performance.now() - startedAt) / 1000).toFixed(1)} s); ` +
      `${database.embedded ? 'embedded PostgreSQL' : 'DATABASE_URL'}`,
  );

  const workspace = await createWorkspace(database.db, { name: 'bench-import' });
  const importOnce = async (label: string) => {
    const bar = new cliProgress.SingleBar(
      { format: `${label} [{bar}] {percentage}% | {duration_formatted}`, stream: process.stderr, hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    startedAt = performance.now();
    const report = await importCsv({
      pool: database.pool,
      workspace,
      kind: 'orders',
      source: { path: file },
      mode: 'all-or-nothing',
      dryRun: false,
      onProgress: (done, total) => {
        if (!started) bar.start(total, 0);
        started = true;
        bar.update(done);
      },
    });
    bar.stop();
    const seconds = (performance.now() - startedAt) / 1000;
    if (!report.stored || report.rows !== LINES)
      throw new Error(`import failed: ${JSON.stringify({ ...report, sample: undefined, errors: report.errors.slice(0, 5) })}`);
    return seconds;
  };
  const first = await importOnce('import ');
  const again = await importOnce('again  ');

  // Baseline: decode and COPY the same file into a plain table, nothing else.
  const client = await database.pool.connect();
  startedAt = performance.now();
  try {
    await client.query(`create table bench_copy_staging (${ORDER_EXPORT_HEADER.map((_, i) => `c${i} text`).join(', ')})`);
    await pipeline(createReadStream(file), iconv.decodeStream('cp932'), client.query(copyFrom('copy bench_copy_staging from stdin (format csv, header true)')));
  } finally {
    client.release();
  }
  const copy = (performance.now() - startedAt) / 1000;

  const rows = [
    ['importCsv (first import: validate, group, create customers/products, upsert orders + items, stats)', first],
    ['importCsv again (same file: everything compared, nothing written)', again],
    ['baseline: COPY into a plain staging table (decode only)', copy],
  ] as const;
  console.log('');
  console.log(`${'run'.padEnd(100)} ${'seconds'.padStart(8)} ${'lines/s'.padStart(10)}`);
  for (const [label, seconds] of rows) console.log(`${label.padEnd(100)} ${seconds.toFixed(1).padStart(8)} ${n(LINES / seconds).padStart(10)}`);
  console.log(`\nimport / COPY time ratio: ${(first / copy).toFixed(1)}× (first import), ${(again / copy).toFixed(1)}× (again)`);
} finally {
  await drop();
  await rm(directory, { recursive: true, force: true });
}
