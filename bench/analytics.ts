/**
 * Analytics at scale: the demo brand (default 1,000,000 customers, about 9,000,000 orders)
 * analysed by Kizuna's in-memory engine, against baselines measured in the same run:
 * - the same figures computed by DuckDB (an in-process columnar engine) from an export of the
 *   purchases, and by numpy/scipy for the model fits (bench/baselines/clv_fit.py);
 * - Kizuna's own SQL reference implementation on PostgreSQL (skip with --no-sql).
 * Figures are cross-checked between the engine, the SQL reference and DuckDB.
 *
 * Then the subscription analyses (bench/support/subscriptions-bench.ts): continuation by
 * delivery number split by start month, cancellation reasons, step-up rate, the same three
 * ways. A workspace without subscriptions gets them generated from its subscription product's
 * purchases first (said in the output).
 *
 *   npm run bench:analytics [-- --customers 1000000] [-- --runs 3] [-- --no-sql] [-- --subscriptions-only]
 *   DATABASE_URL=… npm run bench:analytics -- --workspace NAME   (analyse an existing workspace; nothing generated or dropped)
 *
 * Uses DATABASE_URL when set, else the embedded PostgreSQL; a fresh database either way
 * unless --workspace names an existing one.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import cliProgress from 'cli-progress';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { computeCustomerValue } from '../src/analytics/customer-value/compute.ts';
import { runCustomerValue } from '../src/analytics/customer-value/run.ts';
import { AnalyticsEngine } from '../src/analytics/engine/analytics-engine.ts';
import { snapshotPurchaseRows } from '../src/analytics/engine/snapshot/model-rows.ts';
import type { PurchaseSnapshot } from '../src/analytics/engine/snapshot/purchase-snapshot.ts';
import { snapshotRetention } from '../src/analytics/engine/retention.ts';
import { snapshotRfmSummary, snapshotRfmTable } from '../src/analytics/engine/rfm.ts';
import { snapshotSales } from '../src/analytics/engine/sales.ts';
import { addDays, addMonths } from '../src/analytics/periods.ts';
import { cohortRetention } from '../src/analytics/retention.ts';
import { rfmScores } from '../src/analytics/rfm.ts';
import { decomposeSales } from '../src/analytics/sales-decomposition.ts';
import { analyzeDemoTables, generateDemoBrand } from '../src/demo/generate-demo-brand.ts';
import { migrate } from '../src/db/migrator.ts';
import { withTransaction } from '../src/db/transaction.ts';
import { ingestBatch } from '../src/ingest/ingest-batch.ts';
import { refreshCustomerStats } from '../src/orders/customer-stats.ts';
import { noteOrdersChanged } from '../src/orders/order-changes.ts';
import { purchaseCondition } from '../src/orders/purchase.ts';
import { localDateOf } from '../src/shared/time.ts';
import { createWorkspace, type Workspace } from '../src/workspaces/workspaces.ts';
import { openBenchDatabase } from './support/bench-database.ts';
import { benchSubscriptions } from './support/subscriptions-bench.ts';

const { values: args } = parseArgs({
  options: {
    customers: { type: 'string', default: '1000000' },
    runs: { type: 'string', default: '3' },
    'no-sql': { type: 'boolean', default: false },
    workspace: { type: 'string' },
    'subscriptions-only': { type: 'boolean', default: false },
  },
});
const CUSTOMERS = Number(args.customers);
const RUNS = Number(args.runs);
const n = (value: number) => Math.round(value).toLocaleString('en-US');
const s = (seconds: number) => (seconds < 1 ? `${(seconds * 1000).toFixed(0)} ms` : `${seconds.toFixed(2)} s`);

/** Best of `RUNS` timings, in seconds, with the last result. */
async function time<T>(work: () => T | Promise<T>, runs = RUNS): Promise<{ seconds: number; result: T }> {
  let best = Infinity;
  let result: T | undefined;
  for (let run = 0; run < runs; run++) {
    const startedAt = performance.now();
    result = await work();
    best = Math.min(best, (performance.now() - startedAt) / 1000);
  }
  return { seconds: best, result: result as T };
}

/** Decimal strings compared by value ('1200' = '1200.00'), for the SQL/engine cross-check. */
const normalised = (value: unknown) => JSON.stringify(value, (_key, v) => (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v));

const directory = await mkdtemp(path.join(tmpdir(), 'kizuna-bench-analytics-'));
const opened = args.workspace ? await openExisting(args.workspace) : await openGenerated();
const { pool, workspace } = opened;
const engine = new AnalyticsEngine(pool);
try {
  // The 24 complete months before the month of the last purchase.
  const {
    rows: [latest],
  } = await pool.query<{ last: Date }>('select max(ordered_at) as last from orders where workspace_id = $1', [workspace.id]);
  const lastDay = localDateOf(latest!.last, workspace.timezone);
  const to = `${lastDay.slice(0, 8)}01`;
  const from = addMonths(to, -24);
  const asOf = addDays(lastDay, 1);
  const calibrationEnd = addDays(addMonths(to, -6), -1);
  const clvTerms = { unit: 'week' as const, horizonMonths: 12, margin: 1, discountRate: 0.01 };
  if (!args['subscriptions-only']) {
    // The engine: an ingest batch's refresh, then a full load (what a bulk import costs), then every analysis from memory.
    const refresh = await timeIngestRefresh(await engine.snapshot(workspace.id));
    const load = await time(() => engine.snapshot(workspace.id), 1);
    const snapshot = load.result;
    const check = await time(() => engine.snapshot(workspace.id), 20);
    console.log(
      `snapshot: ${n(snapshot.customers)} customers, ${n(snapshot.purchases)} purchases, loaded in ${s(load.seconds)}; a request's freshness check ${s(check.seconds)}`,
    );
    const bar = new cliProgress.SingleBar(
      { format: 'analyses {bar} {value}/{total} | {step}', stream: process.stderr, hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    bar.start(args['no-sql'] ? 5 : 8, 0, { step: 'engine' });
    const ours = {
      sales: await time(() => snapshotSales(snapshot, { period: { from, to }, granularity: 'month', compare: ['previous', 'year'] })),
      retention: await time(() => snapshotRetention(snapshot, { from, to, months: 24, asOf })),
      rfm: await time(() => snapshotRfmSummary(snapshot, snapshotRfmTable(snapshot, asOf, { churnWindow: null, churned: new Uint8Array(snapshot.customers) }))),
      clv: await time(() => computeCustomerValue({ purchases: snapshotPurchaseRows(snapshot), calibrationEnd, terms: clvTerms })),
    };
    bar.increment(1, { step: 'customer value stored' });
    const stored = await time(
      () => runCustomerValue({ pool, workspaceId: workspace.id, calibrationEnd, ...clvTerms, purchases: async () => snapshotPurchaseRows(snapshot) }),
      1,
    );
    bar.increment(1, { step: 'SQL reference' });

    const sql = args['no-sql']
      ? null
      : {
          sales: await time(
            () => decomposeSales({ pool, workspaceId: workspace.id, period: { from, to }, granularity: 'month', compare: ['previous', 'year'] }),
            1,
          ),
          retention: await time(() => cohortRetention({ pool, workspaceId: workspace.id, from, to, months: 24, asOf }), 1),
          rfm: await time(() => rfmScores({ pool, workspaceId: workspace.id, asOf }), 1),
        };
    if (sql) bar.increment(3, { step: 'DuckDB' });

    // Baselines: the purchases exported once (timed apart), then the same figures in DuckDB.
    let startedAt = performance.now();
    const file = path.join(directory, 'purchases.tsv');
    const client = await pool.connect();
    try {
      await pipeline(
        client.query(
          copyTo(
            `copy (select customer_id, (ordered_at at time zone '${workspace.timezone}') as local_at, amount, item_count
               from orders where workspace_id = ${Number(workspace.id)} and ${purchaseCondition()}) to stdout`,
          ),
        ),
        createWriteStream(file),
      );
    } finally {
      client.release();
    }
    const exportSeconds = (performance.now() - startedAt) / 1000;
    startedAt = performance.now();
    const duck = await (await DuckDBInstance.create(':memory:')).connect();
    await duck.run(`create table purchases as select * from read_csv('${file}', delim = '\t', header = false,
    columns = { 'customer_id': 'BIGINT', 'local_at': 'TIMESTAMP', 'amount': 'DECIMAL(18,2)', 'items': 'INTEGER' })`);
    const loadSeconds = (performance.now() - startedAt) / 1000;
    const rows = async (query: string) => (await duck.runAndReadAll(query)).getRowObjectsJson();
    const baseline = {
      sales: await time(() =>
        rows(`
      select date_trunc('month', local_at) as month, sum(amount) as sales, count(distinct customer_id) as customers, count(*) as purchases, sum(items) as items
        from purchases where local_at >= date '${addMonths(from, -12)}' and local_at < date '${to}' group by 1 order by 1`),
      ),
      retention: await time(() =>
        rows(`
      with firsts as (select customer_id, date_trunc('month', min(local_at)) as cohort from purchases group by 1),
      months as (select distinct p.customer_id, f.cohort, date_trunc('month', p.local_at) as month from purchases p join firsts f using (customer_id)
                  where f.cohort >= date '${from}' and f.cohort < date '${to}')
      select cohort, datediff('month', cohort, month) as k, count(*) as active from months where month < date '${addMonths(to, 24)}' group by 1, 2 order by 1, 2`),
      ),
      rfm: await time(() =>
        rows(`
      with c as (select customer_id, date '${asOf}' - max(local_at)::date as recency, count(*) as frequency, sum(amount) as monetary
                   from purchases where local_at < date '${asOf}' group by 1),
      s as (select ceil(5 * cume_dist() over (order by recency desc)) as r, ceil(5 * cume_dist() over (order by frequency)) as f,
                   ceil(5 * cume_dist() over (order by monetary)) as m from c)
      select r, f, count(*) as customers from s group by 1, 2 order by 1, 2`),
      ),
    };
    bar.increment(1, { step: 'numpy/scipy' });
    const scipy = await scipyBaseline(ours.clv.result.summary);
    bar.increment(1, { step: 'done' });
    bar.stop();

    // Cross-checks.
    const duckByMonth = new Map(baseline.sales.result.map((row) => [String(row.month).slice(0, 10), row]));
    const salesAgree = ours.sales.result.series.every((bucket) => {
      const duckRow = duckByMonth.get(bucket.bucket);
      return Number(bucket.totals.sales) === Number(duckRow?.sales ?? 0) && bucket.totals.customers === Number(duckRow?.customers ?? 0);
    });
    const duckGrid = new Map(baseline.rfm.result.map((row) => [`${row.r}|${row.f}`, Number(row.customers)]));
    const rfmAgree = ours.rfm.result.grid.every((cell) => cell.customers === (duckGrid.get(`${cell.recencyScore}|${cell.frequencyScore}`) ?? 0));
    const sqlAgree =
      sql === null
        ? null
        : {
            sales: normalised(sql.sales.result) === normalised(ours.sales.result),
            retention: normalised(sql.retention.result) === normalised(ours.retention.result),
            rfm: normalised(sql.rfm.result) === normalised(ours.rfm.result),
          };

    const table: [string, number, number | null, number | null][] = [
      [
        `sales decomposition: 24 months [${from}, ${to}) by month, change vs previous and year`,
        ours.sales.seconds,
        baseline.sales.seconds,
        sql?.sales.seconds ?? null,
      ],
      ['cohort retention: 24 cohorts × 24 months, revenue per customer', ours.retention.seconds, baseline.retention.seconds, sql?.retention.seconds ?? null],
      [`RFM of ${n(ours.rfm.result.customers)} customers as of ${asOf} (grid, segments)`, ours.rfm.seconds, baseline.rfm.seconds, sql?.rfm.seconds ?? null],
      [
        `BG/NBD + Gamma-Gamma fit, scores for ${n(ours.clv.result.run.customers)} customers (numpy/scipy)`,
        ours.clv.seconds,
        scipy?.seconds.total ?? null,
        null,
      ],
    ];
    console.log(`\n${'analysis'.padEnd(88)} ${'Kizuna'.padStart(8)} ${'baseline'.padStart(9)} ${'ratio'.padStart(7)} ${'SQL ref.'.padStart(9)}`);
    for (const [label, mine, theirs, reference] of table) {
      console.log(
        `${label.padEnd(88)} ${s(mine).padStart(8)} ${(theirs === null ? '—' : s(theirs)).padStart(9)} ${(theirs === null ? '' : `${(mine / theirs).toFixed(2)}×`).padStart(7)} ${(reference === null ? '—' : s(reference)).padStart(9)}`,
      );
    }
    console.log('(baseline: DuckDB on an export for the first three, numpy/scipy for the fit; ratio = Kizuna ÷ baseline, below 1 is faster)');
    console.log(
      `\nengine snapshot: full load ${s(load.seconds)} (after a bulk import); after an ingest batch of ${n(refresh.orders)} orders (${n(refresh.customers)} customers): refresh ${s(refresh.seconds)} (${(load.seconds / refresh.seconds).toFixed(0)}× quicker than a full load)`,
    );
    console.log(`customer value with the ${n(ours.clv.result.run.customers)} scores stored in PostgreSQL: ${s(stored.seconds)}`);
    console.log(`DuckDB baseline needs an export first: ${exportSeconds.toFixed(1)} s out of PostgreSQL, ${loadSeconds.toFixed(1)} s into DuckDB`);
    console.log(
      `cross-checks: monthly sales and customers = DuckDB: ${salesAgree ? 'yes' : 'NO'}; RFM R×F grid = DuckDB: ${rfmAgree ? 'yes' : 'NO'}` +
        (sqlAgree
          ? `; engine = SQL reference: sales ${sqlAgree.sales ? 'yes' : 'NO'}, retention ${sqlAgree.retention ? 'yes' : 'NO'}, RFM ${sqlAgree.rfm ? 'yes' : 'NO'}`
          : ''),
    );
    const fit = ours.clv.result.run.bgNbd;
    console.log(
      `BG/NBD r=${fit.r.toFixed(3)} α=${fit.alpha.toFixed(3)} a=${fit.a.toFixed(3)} b=${fit.b.toFixed(3)}` +
        (scipy ? `; scipy r=${scipy.bgnbd.r.toFixed(3)} α=${scipy.bgnbd.alpha.toFixed(3)} a=${scipy.bgnbd.a.toFixed(3)} b=${scipy.bgnbd.b.toFixed(3)}` : ''),
    );
    const over = table.filter(([, mine]) => mine >= 1);
    console.log(`goal: each analysis under 1 s — ${over.length === 0 ? 'met' : `NOT met for ${over.map(([label]) => label.split(':')[0]).join(', ')}`}`);
    if (!salesAgree || !rfmAgree || (sqlAgree && !(sqlAgree.sales && sqlAgree.retention && sqlAgree.rfm))) process.exitCode = 1;
  }

  // The subscription analyses: engine, SQL reference and DuckDB, as above.
  const subscriptions = await benchSubscriptions({
    pool,
    workspace,
    engine,
    duck: await (await DuckDBInstance.create(':memory:')).connect(),
    directory,
    time,
    asOf,
    to,
    withSql: !args['no-sql'],
  });
  console.log(`\n${'subscription analysis'.padEnd(88)} ${'Kizuna'.padStart(8)} ${'DuckDB'.padStart(9)} ${'ratio'.padStart(7)} ${'SQL ref.'.padStart(9)}`);
  for (const row of subscriptions.rows) {
    console.log(
      `${row.label.padEnd(88)} ${s(row.engine).padStart(8)} ${s(row.duckdb).padStart(9)} ${`${(row.engine / row.duckdb).toFixed(2)}×`.padStart(7)} ${(row.sql === null ? '—' : s(row.sql)).padStart(9)}`,
    );
  }
  for (const line of subscriptions.lines) console.log(line);
  if (!subscriptions.agree) process.exitCode = 1;
} finally {
  engine.close();
  await opened.close();
  await rm(directory, { recursive: true, force: true });
}

/**
 * An ingest batch of 1,000 orders (through the API's code path) for existing customers, then
 * the time until the engine answers with them: it reads back only the customers touched.
 */
async function timeIngestRefresh(snapshot: PurchaseSnapshot): Promise<{ seconds: number; orders: number; customers: number }> {
  const { rows } = await pool.query<{ external_id: string }>(
    'select external_id from customers where workspace_id = $1 and first_purchase_at is not null order by id desc limit 1000',
    [workspace.id],
  );
  const records = rows.map((row, i) => ({
    order_id: `BENCH-REFRESH-${Date.now()}-${i}`,
    customer_id: row.external_id,
    ordered_at: new Date(Date.now() - 86_400_000).toISOString(),
    status: 'delivered',
    items: [{ sku: 'BENCH-REFRESH', quantity: 1, unit_price: '1000', product_name: 'Benchmark refresh' }],
  }));
  const result = await withTransaction(pool, (client) => ingestBatch({ client, workspace, kind: 'orders', records, mode: 'all-or-nothing' }));
  if (result.invalid > 0) throw new Error(`the refresh batch was refused: ${JSON.stringify(result.errors)}`);
  const startedAt = performance.now();
  const refreshed = await engine.snapshot(workspace.id);
  const seconds = (performance.now() - startedAt) / 1000;
  if (refreshed.refreshed !== 'changed_customers' || refreshed.purchases !== snapshot.purchases + records.length) {
    throw new Error(`the engine did not refresh incrementally (${refreshed.refreshed}, ${refreshed.purchases} purchases)`);
  }
  // The batch is removed again so the figures below are those of the brand as loaded.
  await withTransaction(pool, async (client) => {
    await client.query(`delete from order_items where order_id in (select id from orders where workspace_id = $1 and external_id like 'BENCH-REFRESH-%')`, [
      workspace.id,
    ]);
    await client.query(`delete from orders where workspace_id = $1 and external_id like 'BENCH-REFRESH-%'`, [workspace.id]);
    await refreshCustomerStats(
      client,
      (
        await client.query<{ id: string }>('select id from customers where workspace_id = $1 and external_id = any($2)', [
          workspace.id,
          rows.map((r) => r.external_id),
        ])
      ).rows.map((r) => r.id),
    );
    await noteOrdersChanged(client, workspace.id);
  });
  return { seconds, orders: records.length, customers: rows.length };
}

/** The numpy/scipy fit of the same summaries, when python3 with scipy is there. */
async function scipyBaseline(summary: { x: Float64Array; tx: Float64Array; T: Float64Array; monetary: Float64Array }) {
  const script = path.resolve('bench/baselines/clv_fit.py');
  const probe = spawnSync('python3', ['-c', 'import numpy, scipy'], { encoding: 'utf8' });
  if (!existsSync(script)) {
    console.log(`numpy/scipy baseline skipped: ${script} is missing`);
    return null;
  }
  if (probe.status !== 0) {
    console.log('numpy/scipy baseline skipped: python3 with numpy and scipy is not available');
    return null;
  }
  const tsv = path.join(directory, 'summary.tsv');
  const lines = ['x\ttx\tT\tmonetary'];
  for (let i = 0; i < summary.x.length; i++) lines.push(`${summary.x[i]}\t${summary.tx[i]}\t${summary.T[i]}\t${summary.monetary[i]}`);
  await writeFile(tsv, `${lines.join('\n')}\n`);
  const result = spawnSync('python3', [script, tsv], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`the numpy/scipy baseline failed: ${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').at(-1)!) as {
    bgnbd: { r: number; alpha: number; a: number; b: number };
    seconds: { total: number };
  };
}

async function openGenerated(): Promise<{ pool: pg.Pool; workspace: Workspace; close(): Promise<void> }> {
  const { database, drop } = await openBenchDatabase('analytics');
  const workspace = await createWorkspace(database.db, { name: 'bench-analytics' });
  const bar = new cliProgress.SingleBar(
    { format: 'demo brand {bar} {value}/{total} profiles | {duration_formatted}', stream: process.stderr, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  const startedAt = performance.now();
  const summary = await generateDemoBrand({
    pool: database.pool,
    workspace,
    customers: CUSTOMERS,
    seed: 1,
    until: '2026-10-31',
    analyze: false,
    onProgress: (done, total) => {
      if (!started) bar.start(total, 0);
      started = true;
      bar.update(done);
    },
  });
  bar.stop();
  await analyzeDemoTables(database.pool);
  console.log(
    `Analytics benchmark: demo brand with ${n(summary.customers)} customers and ${n(summary.rows.orders)} orders ` +
      `(loaded in ${((performance.now() - startedAt) / 1000).toFixed(0)} s), ${database.embedded ? 'embedded PostgreSQL' : 'DATABASE_URL'}, best of ${RUNS} runs`,
  );
  return { pool: database.pool, workspace, close: drop };
}

async function openExisting(name: string): Promise<{ pool: pg.Pool; workspace: Workspace; close(): Promise<void> }> {
  if (!process.env.DATABASE_URL) throw new Error('--workspace analyses a workspace of the database at DATABASE_URL; set it');
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 8 });
  await migrate(pool);
  const {
    rows: [workspace],
  } = await pool.query<Workspace>('select id::text, name, timezone, currency from workspaces where name = $1', [name]);
  if (!workspace) throw new Error(`no workspace named ${name}`);
  console.log(`Analytics benchmark: workspace ${name} of DATABASE_URL, best of ${RUNS} runs`);
  return { pool, workspace, close: () => pool.end() };
}
