/**
 * Analytics at scale: the demo brand (default 1,000,000 customers, about 9,000,000 orders)
 * analysed by Kizuna, against a baseline in the same run: the same figures computed by DuckDB
 * (an in-process columnar engine) from an export of the purchases. Figures are cross-checked.
 *   npm run bench:analytics [-- --customers 1000000] [-- --runs 3]
 * Uses DATABASE_URL when set, else the embedded PostgreSQL; a fresh database either way.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import cliProgress from 'cli-progress';
import { to as copyTo } from 'pg-copy-streams';
import { runCustomerValue } from '../src/analytics/customer-value.ts';
import { addDays, addMonths } from '../src/analytics/periods.ts';
import { localDateOf } from '../src/shared/time.ts';
import { cohortRetention } from '../src/analytics/retention.ts';
import { rfmScores } from '../src/analytics/rfm.ts';
import { decomposeSales } from '../src/analytics/sales-decomposition.ts';
import { analyzeDemoTables, generateDemoBrand } from '../src/demo/generate-demo-brand.ts';
import { purchaseCondition } from '../src/orders/purchase.ts';
import { createWorkspace } from '../src/workspaces/workspaces.ts';
import { openBenchDatabase } from './support/bench-database.ts';

const { values: args } = parseArgs({ options: { customers: { type: 'string', default: '1000000' }, runs: { type: 'string', default: '3' } } });
const CUSTOMERS = Number(args.customers);
const RUNS = Number(args.runs);
const n = (value: number) => Math.round(value).toLocaleString('en-US');

/** Best of `RUNS` timings (the first run also warms caches), in seconds, with the last result. */
async function time<T>(work: () => Promise<T>): Promise<{ seconds: number; first: number; result: T }> {
  let best = Infinity;
  let first = 0;
  let result: T | undefined;
  for (let run = 0; run < RUNS; run++) {
    const startedAt = performance.now();
    result = await work();
    const seconds = (performance.now() - startedAt) / 1000;
    if (run === 0) first = seconds;
    best = Math.min(best, seconds);
  }
  return { seconds: best, first, result: result as T };
}

const directory = await mkdtemp(path.join(tmpdir(), 'kizuna-bench-analytics-'));
const { database, drop } = await openBenchDatabase('analytics');
try {
  const { pool } = database;
  const workspace = await createWorkspace(database.db, { name: 'bench-analytics' });
  const bar = new cliProgress.SingleBar({ format: 'demo brand {bar} {value}/{total} profiles | {duration_formatted}', stream: process.stderr, hideCursor: true }, cliProgress.Presets.shades_classic);
  let started = false;
  let startedAt = performance.now();
  const summary = await generateDemoBrand({
    pool, workspace, customers: CUSTOMERS, seed: 1, analyze: false,
    onProgress: (done, total) => {
      if (!started) bar.start(total, 0);
      started = true;
      bar.update(done);
    },
  });
  bar.stop();
  await analyzeDemoTables(pool);
  console.log(`Analytics benchmark: demo brand with ${n(summary.customers)} customers and ${n(summary.rows.orders)} orders `
    + `(loaded in ${((performance.now() - startedAt) / 1000).toFixed(0)} s), ${database.embedded ? 'embedded PostgreSQL' : 'DATABASE_URL'}, best of ${RUNS} runs`);

  // The 24 complete months before the month of the last purchase.
  const { rows: [latest] } = await pool.query<{ last: Date }>('select max(ordered_at) as last from orders where workspace_id = $1', [workspace.id]);
  const lastDay = localDateOf(latest!.last, workspace.timezone);
  const to = `${lastDay.slice(0, 8)}01`;
  const from = addMonths(to, -24);
  const asOf = addDays(lastDay, 1);
  const calibrationEnd = addDays(addMonths(to, -6), -1);

  const ours = {
    sales: await time(() => decomposeSales({ pool, workspaceId: workspace.id, period: { from, to }, granularity: 'month', compare: ['previous', 'year'] })),
    retention: await time(() => cohortRetention({ pool, workspaceId: workspace.id, from, to, months: 24, asOf })),
    rfm: await time(() => rfmScores({ pool, workspaceId: workspace.id, asOf })),
    clv: await time(() => runCustomerValue({ pool, workspaceId: workspace.id, calibrationEnd, unit: 'week', horizonMonths: 12 })),
  };

  // Baseline: the purchases exported once (timed apart), then the same figures in DuckDB.
  startedAt = performance.now();
  const file = path.join(directory, 'purchases.tsv');
  const client = await pool.connect();
  try {
    await pipeline(client.query(copyTo(
      `copy (select customer_id, (ordered_at at time zone '${workspace.timezone}') as local_at, amount, item_count
               from orders where workspace_id = ${Number(workspace.id)} and ${purchaseCondition()}) to stdout`,
    )), createWriteStream(file));
  } finally {
    client.release();
  }
  const exportSeconds = (performance.now() - startedAt) / 1000;
  startedAt = performance.now();
  const duck = await (await DuckDBInstance.create(':memory:')).connect();
  await duck.run(`create table purchases as select * from read_csv('${file}', delim = '\t', header = false,
    columns = { 'customer_id': 'BIGINT', 'local_at': 'TIMESTAMP', 'amount': 'DECIMAL(18,2)', 'items': 'INTEGER' })`);
  const loadSeconds = (performance.now() - startedAt) / 1000;
  const rows = async (sql: string) => (await duck.runAndReadAll(sql)).getRowObjectsJson();
  const baseline = {
    sales: await time(() => rows(`
      select date_trunc('month', local_at) as month, sum(amount) as sales, count(distinct customer_id) as customers, count(*) as purchases, sum(items) as items
        from purchases where local_at >= date '${addMonths(from, -12)}' and local_at < date '${to}' group by 1 order by 1`)),
    retention: await time(() => rows(`
      with firsts as (select customer_id, date_trunc('month', min(local_at)) as cohort from purchases group by 1),
      months as (select distinct p.customer_id, f.cohort, date_trunc('month', p.local_at) as month from purchases p join firsts f using (customer_id)
                  where f.cohort >= date '${from}' and f.cohort < date '${to}')
      select cohort, datediff('month', cohort, month) as k, count(*) as active from months where month < date '${addMonths(to, 24)}' group by 1, 2 order by 1, 2`)),
    rfm: await time(() => rows(`
      with c as (select customer_id, date '${asOf}' - max(local_at)::date as recency, count(*) as frequency, sum(amount) as monetary
                   from purchases where local_at < date '${asOf}' group by 1)
      select ceil(5 * cume_dist() over (order by recency desc)) as r, ceil(5 * cume_dist() over (order by frequency)) as f,
             ceil(5 * cume_dist() over (order by monetary)) as m, count(*) over () as customers from c limit 1`)),
  };

  // Cross-check: the period's sales and customers per month agree (DuckDB has no row for a month without purchases).
  const duckByMonth = new Map(baseline.sales.result.map((row) => [String(row.month).slice(0, 10), row]));
  const ourMonths = ours.sales.result.series;
  const differing = ourMonths.filter((bucket) => {
    const duckRow = duckByMonth.get(bucket.bucket);
    return Number(bucket.totals.sales) !== Number(duckRow?.sales ?? 0) || bucket.totals.customers !== Number(duckRow?.customers ?? 0);
  });
  const agree = differing.length === 0;

  const table: [string, number, number | null][] = [
    [`sales decomposition: 24 months [${from}, ${to}) by month, change vs previous and year`, ours.sales.seconds, baseline.sales.seconds],
    ['cohort retention: 24 cohorts × 24 months, revenue per customer', ours.retention.seconds, baseline.retention.seconds],
    [`RFM of ${n(ours.rfm.result.customers)} customers as of ${asOf} (grid, segments)`, ours.rfm.seconds, baseline.rfm.seconds],
    [`BG/NBD + Gamma-Gamma fit, scores for ${n(ours.clv.result.customers)} customers, stored`, ours.clv.seconds, null],
  ];
  console.log('');
  console.log(`${'analysis'.padEnd(86)} ${'Kizuna s'.padStart(9)} ${'DuckDB s'.padStart(9)} ${'ratio'.padStart(7)}`);
  for (const [label, mine, theirs] of table) {
    console.log(`${label.padEnd(86)} ${mine.toFixed(2).padStart(9)} ${(theirs === null ? '—' : theirs.toFixed(2)).padStart(9)} ${(theirs === null ? '' : `${(mine / theirs).toFixed(1)}×`).padStart(7)}`);
  }
  console.log(`\nfirst (cold) runs: sales ${ours.sales.first.toFixed(2)} s, retention ${ours.retention.first.toFixed(2)} s, rfm ${ours.rfm.first.toFixed(2)} s, clv ${ours.clv.first.toFixed(2)} s`);
  console.log(`DuckDB baseline needs an export first: ${exportSeconds.toFixed(1)} s out of PostgreSQL, ${loadSeconds.toFixed(1)} s into DuckDB`);
  console.log(`monthly sales and customers agree with DuckDB: ${agree ? 'yes' : 'NO'}`);
  const fit = ours.clv.result.bgNbd;
  console.log(`BG/NBD r=${fit.r.toFixed(3)} α=${fit.alpha.toFixed(3)} a=${fit.a.toFixed(3)} b=${fit.b.toFixed(3)}; holdout expected ${n(ours.clv.result.holdout?.expected ?? 0)} vs actual ${n(ours.clv.result.holdout?.actual ?? 0)} repeat purchase days`);
  console.log('goal: each analysis under 1 s');
  if (!agree) {
    process.exitCode = 1;
    console.log('first difference:', JSON.stringify(differing[0]), JSON.stringify(duckByMonth.get(differing[0]!.bucket)));
  }
} finally {
  await drop();
  await rm(directory, { recursive: true, force: true });
}
