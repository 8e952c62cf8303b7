/**
 * Events through the HTTP batch API vs the same rows loaded with PostgreSQL COPY, in one run.
 *   npx tsx bench/ingest-http.ts [--events 500000] [--customers 50000] [--concurrency 2]
 * Uses DATABASE_URL when set, otherwise the embedded PostgreSQL; a fresh database is dropped after.
 */
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { from as copyFrom } from 'pg-copy-streams';
import { createApiKey } from '../src/auth/api-keys.ts';
import { withTransaction } from '../src/db/transaction.ts';
import { buildApp } from '../src/http/app.ts';
import { ingestBatch } from '../src/ingest/ingest-batch.ts';
import { createWorkspace } from '../src/workspaces/workspaces.ts';
import { openBenchDatabase } from './support/bench-database.ts';
import { AnalyticsEngine } from '../src/analytics/engine/analytics-engine.ts';

const { values: args } = parseArgs({
  options: {
    events: { type: 'string', default: '500000' },
    customers: { type: 'string', default: '50000' },
    concurrency: { type: 'string', default: '2' },
  },
});
const EVENTS = Number(args.events);
const CUSTOMERS = Number(args.customers);
const CONCURRENCY = Number(args.concurrency);
const BATCH = 10_000;
const TYPES = ['page_view', 'page_view', 'page_view', 'email_open', 'email_click', 'line_message'];

function eventAt(i: number, keyPrefix: string) {
  return {
    customer_id: `C${(i * 7919) % CUSTOMERS}`,
    type: TYPES[i % TYPES.length]!,
    occurred_at: new Date(Date.UTC(2025, 0, 1) + i * 60_000).toISOString(),
    properties: { path: `/products/${i % 40}`, campaign: `c${i % 12}` },
    idempotency_key: `${keyPrefix}-${i}`,
  };
}

const { database, drop } = await openBenchDatabase('ingest');
try {
  const httpBrand = await createWorkspace(database.db, { name: 'bench-http' });
  const copyBrand = await createWorkspace(database.db, { name: 'bench-copy' });
  console.log(
    `Ingest benchmark: ${EVENTS.toLocaleString('en-US')} events for ${CUSTOMERS.toLocaleString('en-US')} customers, batches of ${BATCH.toLocaleString('en-US')}, ${CONCURRENCY} requests in flight, ${database.embedded ? 'embedded PostgreSQL' : 'DATABASE_URL'}`,
  );

  // Customers exist first in both workspaces: the measured work is the events alone.
  for (const workspace of [httpBrand, copyBrand]) {
    for (let start = 0; start < CUSTOMERS; start += BATCH) {
      const records = Array.from({ length: Math.min(BATCH, CUSTOMERS - start) }, (_, j) => ({ customer_id: `C${start + j}` }));
      await withTransaction(database.pool, (client) => ingestBatch({ client, workspace, kind: 'customers', records, mode: 'all-or-nothing' }));
    }
  }

  // 1. HTTP: the real server on loopback, bodies serialised before the clock starts.
  const app = await buildApp({ database, analytics: new AnalyticsEngine(database.pool), config: { secureCookies: false } });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  const { key } = await createApiKey(database.db, { workspaceId: httpBrand.id, name: 'bench', role: 'marketing' });
  const bodies: string[] = [];
  for (let start = 0; start < EVENTS; start += BATCH) {
    bodies.push(JSON.stringify({ records: Array.from({ length: Math.min(BATCH, EVENTS - start) }, (_, j) => eventAt(start + j, 'e')) }));
  }
  const bar = new cliProgress.SingleBar({ format: 'HTTP  {bar} {value}/{total} events', hideCursor: true }, cliProgress.Presets.shades_classic);
  bar.start(EVENTS, 0);
  const httpStart = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++]!;
        const response = await fetch(`${address}/api/v1/workspaces/bench-http/events/batch`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
          body,
        });
        if (response.status !== 200) throw new Error(`HTTP ${response.status}: ${await response.text()}`);
        const result = (await response.json()) as { received: number };
        bar.increment(result.received);
      }
    }),
  );
  const httpSeconds = (performance.now() - httpStart) / 1000;
  bar.stop();
  await app.close();

  // 2. Baseline: the same rows (customer ids already resolved) with COPY into the same table.
  const ids = new Map(
    (await database.db.selectFrom('customers').select(['id', 'external_id']).where('workspace_id', '=', copyBrand.id).execute()).map((row) => [
      row.external_id,
      row.id,
    ]),
  );
  const copyBar = new cliProgress.SingleBar({ format: 'COPY  {bar} {value}/{total} events', hideCursor: true }, cliProgress.Presets.shades_classic);
  copyBar.start(EVENTS, 0);
  const copyStart = performance.now();
  const client = await database.pool.connect();
  try {
    const copy = client.query(copyFrom('copy events (workspace_id, customer_id, type, occurred_at, properties, idempotency_key) from stdin'));
    await pipeline(
      Readable.from(
        (function* rows() {
          for (let i = 0; i < EVENTS; i++) {
            const e = eventAt(i, 'c');
            if (i % BATCH === 0) copyBar.update(i);
            yield `${copyBrand.id}\t${ids.get(e.customer_id)}\t${e.type}\t${e.occurred_at}\t${JSON.stringify(e.properties)}\t${e.idempotency_key}\n`;
          }
        })(),
      ),
      copy,
    );
  } finally {
    client.release();
  }
  const copySeconds = (performance.now() - copyStart) / 1000;
  copyBar.update(EVENTS);
  copyBar.stop();

  const counts = await database.db
    .selectFrom('events')
    .select(['workspace_id', (eb) => eb.fn.countAll<string>().as('n')])
    .groupBy('workspace_id')
    .execute();
  const stored = new Map(counts.map((c) => [c.workspace_id, Number(c.n)]));
  if (stored.get(httpBrand.id) !== EVENTS || stored.get(copyBrand.id) !== EVENTS) throw new Error(`stored counts differ: ${JSON.stringify(counts)}`);

  const httpRate = EVENTS / httpSeconds;
  const copyRate = EVENTS / copySeconds;
  console.log('');
  console.log(`HTTP batch API : ${Math.round(httpRate).toLocaleString('en-US')} events/s (${httpSeconds.toFixed(2)} s)`);
  console.log(`COPY baseline  : ${Math.round(copyRate).toLocaleString('en-US')} events/s (${copySeconds.toFixed(2)} s)`);
  console.log(`ratio HTTP/COPY: ${(httpRate / copyRate).toFixed(2)}   (goals: ≥ 50,000 events/s and ≥ 0.30)`);
} finally {
  await drop();
}
