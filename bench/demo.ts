/**
 * The demo brand generator at benchmark scale: generation alone (every row serialised to COPY
 * text and written to /dev/null), then the same generation into a fresh workspace with COPY.
 *   npx tsx bench/demo.ts [--customers 1000000] [--seed 1] [--until 2026-10-31] [--skip-baseline]
 * Uses DATABASE_URL when set, otherwise the embedded PostgreSQL; a fresh database is dropped after.
 */
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { nullSink } from '../src/demo/demo-sink.ts';
import { analyzeDemoTables, generateDemoBrand, writeDemoBrand, type DemoSummary } from '../src/demo/generate-demo-brand.ts';
import { createWorkspace } from '../src/workspaces/workspaces.ts';
import { openBenchDatabase } from './support/bench-database.ts';

const { values: args } = parseArgs({
  options: {
    customers: { type: 'string', default: '1000000' },
    seed: { type: 'string', default: '1' },
    until: { type: 'string', default: '2026-10-31' },
    'skip-baseline': { type: 'boolean', default: false },
  },
});
const CUSTOMERS = Number(args.customers.replace(/[_,]/g, ''));
const SEED = Number(args.seed);
/** A fixed last day, so runs on different days generate the same rows. */
const UNTIL = args.until;
const n = (value: number) => Math.round(value).toLocaleString('en-US');
const mib = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MiB`;

interface Run {
  seconds: number;
  rows: number;
  peakRss: number;
  summary: DemoSummary;
}

/** Runs `work` while sampling the resident set size every 50 ms. */
async function measure(label: string, work: (onProgress: (done: number, total: number) => void) => Promise<DemoSummary>): Promise<Run> {
  global.gc?.();
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 50);
  const bar = process.stderr.isTTY
    ? new cliProgress.SingleBar(
        { format: `${label.padEnd(10)} {bar} {value}/{total} profiles | {duration_formatted}`, hideCursor: true },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  let started = false;
  const startedAt = performance.now();
  try {
    const summary = await work((done, total) => {
      if (bar && !started) bar.start(total, 0);
      started = true;
      bar?.update(done);
    });
    const seconds = (performance.now() - startedAt) / 1000;
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    const rows = Object.values(summary.rows).reduce((sum, count) => sum + count, 0) + summary.products;
    return { seconds, rows, peakRss, summary };
  } finally {
    clearInterval(sampler);
    bar?.stop();
  }
}

function report(label: string, run: Run): void {
  console.log(`${label.padEnd(28)} ${run.seconds.toFixed(1).padStart(7)} s  ${n(run.rows / run.seconds).padStart(9)} rows/s  peak RSS ${mib(run.peakRss)}`);
}

const { database, drop } = await openBenchDatabase('demo');
try {
  console.log(`Demo brand benchmark: ${n(CUSTOMERS)} customers, seed ${SEED}, ${database.embedded ? 'embedded PostgreSQL' : 'DATABASE_URL'}`);

  const baseline = args['skip-baseline']
    ? undefined
    : await measure('/dev/null', (onProgress) =>
        writeDemoBrand({
          workspace: { id: '1', name: 'dev-null', timezone: 'Asia/Tokyo', currency: 'JPY' },
          sink: nullSink(),
          customers: CUSTOMERS,
          seed: SEED,
          until: UNTIL,
          onProgress,
        }),
      );

  const workspace = await createWorkspace(database.db, { name: 'bench-demo' });
  const loaded = await measure('PostgreSQL', (onProgress) =>
    generateDemoBrand({ pool: database.pool, workspace, customers: CUSTOMERS, seed: SEED, until: UNTIL, onProgress, analyze: false }),
  );
  const analyzeStart = performance.now();
  await analyzeDemoTables(database.pool);
  const analyzeSeconds = (performance.now() - analyzeStart) / 1000;
  const {
    rows: [size],
  } = await database.pool.query<{ bytes: string }>('select pg_database_size(current_database())::text as bytes');

  const { summary } = loaded;
  console.log('');
  console.log(
    `rows: ${n(loaded.rows)} — customers ${n(summary.customers)}, leads ${n(summary.leads)}, orders ${n(summary.rows.orders)} (${(summary.rows.orders / summary.customers).toFixed(2)} per customer), ` +
      `items ${n(summary.rows.order_items)}, subscriptions ${n(summary.rows.subscriptions)} (${n(summary.subscriptionsInForce)} in force, ` +
      `${n(summary.rows.subscription_items)} items, ${n(summary.rows.subscription_status_changes)} status changes), ` +
      `events ${n(summary.rows.events)}, identities ${n(summary.rows.customer_identities)}, ` +
      `consents ${n(summary.rows.consents)} + ${n(summary.rows.consent_changes)} changes`,
  );
  if (baseline) report('generate → /dev/null', baseline);
  report('generate → PostgreSQL (COPY)', loaded);
  console.log(`${'analyze'.padEnd(28)} ${analyzeSeconds.toFixed(1).padStart(7)} s`);
  console.log(`database size ${mib(Number(size!.bytes))}`);
  if (baseline) {
    console.log(
      `ratio PostgreSQL / baseline: ${(loaded.seconds / baseline.seconds).toFixed(2)}× — the database's share of the load time ≈ ${Math.round(100 * (1 - baseline.seconds / loaded.seconds))}%`,
    );
  }
} finally {
  await drop();
}
