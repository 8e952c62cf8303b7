/**
 * The journey map at scale: the demo brand (default 1,000,000 customers) placed on its map.
 * - full placement of every profile (a re-placement: the sweep's work) — run 1 reads every
 *   fact, the next ones bring the kept facts up to date (kept-facts.ts) — against the baseline
 *   measured in the same run: the same rules evaluated as one plain SQL query over the tables
 *   (placementSql, src/journey-map/rules/sql.ts), whose cells are also compared with the
 *   placement's, customer by customer; after the live batches, a full placement now and one a
 *   local day later (windows slid), each compared with the baseline's cells at its instant;
 * - the live path: ingest batches of 1,000 events for 1,000 customers through the HTTP API with
 *   the reactor running, and the time from each batch's acknowledgement until every new cell is
 *   visible over HTTP (GET …/journey/status says nothing is left to place);
 * - the flows of one year and the diagram page's data (GET …/journey) over HTTP.
 *
 *   npm run bench:journey [-- --customers 1000000] [-- --runs 3] [-- --batches 20] [-- --history-weeks 52]
 *   DATABASE_URL=… npm run bench:journey -- --workspace NAME   (an existing workspace, e.g. a demo loaded with npx kizuna demo; its data is kept)
 *
 * Uses DATABASE_URL when set, else the embedded PostgreSQL; a fresh database either way unless
 * --workspace names an existing one.
 */
import { parseArgs } from 'node:util';
import { progress } from './support/progress.ts';
import pg from 'pg';
import { addDays } from '../src/analytics/periods.ts';
import { AnalyticsEngine } from '../src/analytics/engine/analytics-engine.ts';
import { createApiKey } from '../src/auth/api-keys.ts';
import { migrate } from '../src/db/migrator.ts';
import { demoJourneyMap } from '../src/demo/demo-journey-map.ts';
import { analyzeDemoTables, generateDemoBrand } from '../src/demo/generate-demo-brand.ts';
import { buildApp } from '../src/http/app.ts';
import { readActiveJourneyMap, saveJourneyMap } from '../src/journey-map/maps.ts';
import { replayJourneyHistory } from '../src/journey-map/placement/history.ts';
import { placeWorkspace } from '../src/journey-map/placement/place.ts';
import type { KeptOutcome } from '../src/journey-map/placement/kept-facts.ts';
import { startJourneyReactor } from '../src/journey-map/placement/reactor.ts';
import { journeyFlows, stepDownPatterns } from '../src/journey-map/placement/reads.ts';
import { placementQuery } from '../src/journey-map/rules/sql.ts';
import { systemClock } from '../src/shared/clock.ts';
import { localDateOf } from '../src/shared/time.ts';
import { createWorkspace, type Workspace } from '../src/workspaces/workspaces.ts';
import type { Database } from '../src/db/connect.ts';
import { Kysely, PostgresDialect } from 'kysely';
import type { DB } from '../src/db/schema.ts';
import { openBenchDatabase, percentiles } from './support/bench-database.ts';

const { values: args } = parseArgs({
  options: {
    customers: { type: 'string', default: '1000000' },
    runs: { type: 'string', default: '3' },
    batches: { type: 'string', default: '20' },
    'history-weeks': { type: 'string', default: '52' },
    workspace: { type: 'string' },
    'skip-full': { type: 'boolean', default: false },
  },
});
const CUSTOMERS = Number(args.customers);
const RUNS = Number(args.runs);
const BATCHES = Number(args.batches);
const HISTORY_WEEKS = Number(args['history-weeks']);
const BATCH = 1_000;
const n = (value: number) => Math.round(value).toLocaleString('en-US');
const ms = (seconds: number) => `${(seconds * 1000).toFixed(0)} ms`;
const s = (seconds: number) => (seconds < 1 ? ms(seconds) : `${seconds.toFixed(2)} s`);

async function time<T>(work: () => Promise<T>, runs = RUNS): Promise<{ seconds: number; result: T; all: number[] }> {
  const all: number[] = [];
  let result: T | undefined;
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    result = await work();
    all.push((performance.now() - started) / 1000);
  }
  return { seconds: Math.min(...all), result: result as T, all };
}

const opened = args.workspace ? await openExisting(args.workspace) : await openGenerated();
const { database, workspace } = opened;
const { pool } = database;
const analytics = new AnalyticsEngine(pool);
const clock = systemClock;
const figures: Record<string, unknown> = {};
try {
  // A server with autovacuum on would have vacuumed the tables the load wrote (their visibility
  // maps let the events' type-and-time index answer without the heap); do it when it has not.
  const { rows: unvacuumed } = await pool.query<{ relname: string }>(
    `select relname from pg_class where relname in ('customers', 'orders', 'order_items', 'events', 'subscriptions') and relpages > 0 and relallvisible < relpages / 2`,
  );
  if (unvacuumed.length > 0) {
    const started = performance.now();
    for (const { relname } of unvacuumed) await pool.query(`vacuum (analyze) ${relname}`);
    console.log(`vacuumed ${unvacuumed.map((r) => r.relname).join(', ')} as autovacuum would (${s((performance.now() - started) / 1000)})`);
  }
  const profiles = Number((await pool.query('select count(*) as n from customers where workspace_id = $1', [workspace.id])).rows[0].n);
  const today = localDateOf(clock.now(), workspace.timezone);

  // 1. The demo's map, saved and activated: the first placement (everyone enters).
  const active = await readActiveJourneyMap({ pool, workspaceId: workspace.id });
  if (!active) {
    const first = await time(
      () => saveJourneyMap({ pool, workspaceId: workspace.id, input: demoJourneyMap(), actor: { kind: 'system', label: 'bench' }, clock, analytics }),
      1,
    );
    console.log(`first placement (map saved, everyone enters the map): ${s(first.seconds)}`);
    figures.firstPlacementSeconds = first.seconds;
  }
  const map = (await readActiveJourneyMap({ pool, workspaceId: workspace.id }))!.map;

  // 2. A year of history, so the flows of one year have moves to sum (once per database).
  const flowDays = Number((await pool.query('select count(*) as n from journey_flow_days where workspace_id = $1', [workspace.id])).rows[0].n);
  if (HISTORY_WEEKS > 0 && flowDays < 30) {
    const bar = progress('history {bar} {value}/{total} weeks | {duration_formatted}');
    const replay = await replayJourneyHistory({
      pool,
      workspaceId: workspace.id,
      from: addDays(today, -7 * HISTORY_WEEKS),
      until: addDays(today, -1),
      everyDays: 7,
      analytics,
      onProgress: bar.update,
    });
    bar.stop();
    console.log(`history replayed: ${replay.steps} weekly placements, ${n(replay.moved)} moves in ${s(replay.seconds)}`);
  }

  // 3. Full placement (a re-placement of every profile) vs the same rules as one SQL query.
  const query = await placementQuery({ pool, workspaceId: workspace.id, map, at: clock.now(), keepStoredStage: true });
  if (!args['skip-full']) {
    // Run 1 reads every fact from the tables (nothing is kept in a fresh process: a server's first
    // sweep after it starts, or after a map whose facts differ); the next runs bring the facts
    // kept by the previous one up to date (kept-facts.ts), as the nightly sweep and `journey
    // place` on a running server do.
    const bar = progress('full placement {bar} {value}/{total} profiles');
    const runs: Array<{ seconds: number; mode: string; reread: number }> = [];
    await time(async () => {
      const started = performance.now();
      const outcome = await placeWorkspace({ pool, workspaceId: workspace.id, clock, cause: 'sweep', analytics, onProgress: bar.update });
      runs.push({ seconds: (performance.now() - started) / 1000, mode: factsMode(outcome.facts), reread: outcome.facts?.reread ?? 0 });
      return outcome;
    });
    bar.stop();
    const cold = runs.filter((run) => run.mode !== 'kept');
    const warm = runs.filter((run) => run.mode === 'kept');
    const baseline = await time(
      async () => (await pool.query<{ customer_id: string; stage_index: number; level_index: number }>(query.sql, query.params)).rows,
      1,
    );
    const placed = await pool.query<{ customer_id: string; stage: string; level: string }>(
      'select customer_id, stage, level from journey_placements where workspace_id = $1',
      [workspace.id],
    );
    const cellOf = new Map(placed.rows.map((row) => [row.customer_id, `${row.stage}/${row.level}`]));
    let disagreements = 0;
    for (const row of baseline.result) {
      if (cellOf.get(String(row.customer_id)) !== `${map.stages[row.stage_index]!.key}/${map.levels[row.level_index]!.key}`) disagreements++;
    }
    console.log('');
    console.log(`Journey map benchmark: ${n(profiles)} profiles (customers and leads), ${map.stages.length} stages × ${map.levels.length} levels`);
    for (const [r, run] of runs.entries())
      console.log(`full placement run ${r + 1}: ${s(run.seconds)} (${run.mode}${run.mode === 'kept' ? `, ${n(run.reread)} re-read` : ''})`);
    const best = (list: typeof runs) => (list.length > 0 ? Math.min(...list.map((run) => run.seconds)) : Number.NaN);
    const warmSeconds = best(warm);
    const coldSeconds = best(cold);
    console.log(`full placement, facts kept (best of ${warm.length}): ${s(warmSeconds)}  (${n(profiles / warmSeconds)} profiles/s)`);
    console.log(`full placement, every fact read (best of ${cold.length}): ${s(coldSeconds)}`);
    console.log(
      `baseline, one plain SQL query:   ${s(baseline.seconds)}  → Kizuna ${(baseline.seconds / warmSeconds).toFixed(2)}× faster (facts kept), ${(baseline.seconds / coldSeconds).toFixed(2)}× (every fact read)`,
    );
    console.log(`cells compared with the baseline: ${n(baseline.result.length)} profiles, ${n(disagreements)} disagree`);
    figures.fullPlacementSeconds = warmSeconds;
    figures.fullPlacementReadAllSeconds = coldSeconds;
    figures.fullPlacementRuns = runs;
    figures.baselineSeconds = baseline.seconds;
    figures.disagreements = disagreements;
  }

  // 4. The live path over HTTP: batches of 1,000 events for 1,000 customers, the reactor running.
  const app = await buildApp({ database, analytics, config: { secureCookies: false }, clock });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  const reactor = startJourneyReactor({ pool, connectionString: database.url, clock, analytics });
  const { key } = await createApiKey(database.db, { workspaceId: workspace.id, name: `bench-journey-${Date.now()}`, role: 'marketing' });
  const api = (path: string, init?: RequestInit) =>
    fetch(`${address}/api/v1/workspaces/${encodeURIComponent(workspace.name)}/${path}`, {
      ...init,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    });
  try {
    await reactor.idle();
    const ids = (
      await pool.query<{ external_id: string }>('select external_id from customers where workspace_id = $1 order by random() limit $2', [
        workspace.id,
        BATCH * (BATCHES + 1),
      ])
    ).rows.map((row) => row.external_id);
    const latencies: number[] = [];
    const types = ['email_open', 'email_click', 'page_view', 'line_message'];
    const liveBar = progress('live batches {bar} {value}/{total}');
    // As a running server is: its analytics engine loaded (warmAnalytics at start) and one batch
    // placed before the measured ones (not counted).
    await analytics.snapshot(workspace.id);
    for (let batch = -1; batch < BATCHES; batch++) {
      const now = clock.now().toISOString();
      const records = ids.slice((batch + 1) * BATCH, (batch + 2) * BATCH).map((customer, index) => ({
        customer_id: customer,
        type: types[(batch + 1 + index) % types.length],
        occurred_at: now,
        properties: { campaign: 'bench' },
        idempotency_key: `bench-journey-${Date.now()}-${batch}-${index}`,
      }));
      const response = await api('events/batch', { method: 'POST', body: JSON.stringify({ records }) });
      if (!response.ok) throw new Error(`ingest refused: ${response.status} ${await response.text()}`);
      const acknowledged = performance.now();
      for (;;) {
        const status = (await (await api('journey/status')).json()) as { pending: number };
        if (status.pending === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      if (batch >= 0) latencies.push((performance.now() - acknowledged) / 1000);
      liveBar.update(batch + 1, BATCHES);
    }
    liveBar.stop();
    await reactor.idle();
    // Every touched customer's cell equals the rules' answer now (the baseline query, as of after the batches).
    const afterQuery = await placementQuery({ pool, workspaceId: workspace.id, map, at: clock.now(), keepStoredStage: true });
    const after = (await pool.query<{ customer_id: string; stage_index: number; level_index: number }>(afterQuery.sql, afterQuery.params)).rows;
    const placedAfter = new Map(
      (
        await pool.query<{ customer_id: string; stage: string; level: string }>(
          'select customer_id, stage, level from journey_placements where workspace_id = $1',
          [workspace.id],
        )
      ).rows.map((row) => [row.customer_id, `${row.stage}/${row.level}`]),
    );
    const touched = new Set(
      (await pool.query<{ id: string }>('select id from customers where workspace_id = $1 and external_id = any($2)', [workspace.id, ids])).rows.map(
        (row) => row.id,
      ),
    );
    let liveDisagreements = 0;
    for (const row of after) {
      if (
        touched.has(String(row.customer_id)) &&
        placedAfter.get(String(row.customer_id)) !== `${map.stages[row.stage_index]!.key}/${map.levels[row.level_index]!.key}`
      )
        liveDisagreements++;
    }
    const { p50, p95 } = percentiles(latencies);
    console.log(
      `live: ${BATCHES} batches of ${n(BATCH)} events; ack → every new cell visible over HTTP: p50 ${ms(p50)}, p95 ${ms(p95)}, max ${ms(Math.max(...latencies))}`,
    );
    console.log(`live cells checked against the rules: ${n(touched.size)} customers, ${n(liveDisagreements)} disagree`);
    figures.live = { batches: BATCHES, p50, p95, max: Math.max(...latencies), disagreements: liveDisagreements };

    // 5. Full placements after the live batches (their customers' facts refreshed by the
    // reactor's drains), and the next local day's sweep (event windows slid, future records
    // come due), each checked against the rules as one SQL query at its instant.
    if (!args['skip-full']) {
      for (const [label, offsetDays] of [
        ['after the live batches', 0],
        ['the next day (midnight sweep)', 1],
      ] as const) {
        const later = { now: () => new Date(Date.now() + offsetDays * 86_400_000) };
        const started = performance.now();
        const outcome = await placeWorkspace({ pool, workspaceId: workspace.id, clock: later, cause: 'sweep', analytics });
        const seconds = (performance.now() - started) / 1000;
        const check = await placementQuery({ pool, workspaceId: workspace.id, map, at: later.now(), keepStoredStage: true });
        const rules = (await pool.query<{ customer_id: string; stage_index: number; level_index: number }>(check.sql, check.params)).rows;
        const stored = new Map(
          (
            await pool.query<{ customer_id: string; stage: string; level: string }>(
              'select customer_id, stage, level from journey_placements where workspace_id = $1',
              [workspace.id],
            )
          ).rows.map((row) => [row.customer_id, `${row.stage}/${row.level}`]),
        );
        let disagree = 0;
        for (const row of rules) {
          if (stored.get(String(row.customer_id)) !== `${map.stages[row.stage_index]!.key}/${map.levels[row.level_index]!.key}`) disagree++;
        }
        const mode = factsMode(outcome.facts);
        console.log(
          `full placement ${label}: ${s(seconds)} (${mode}, ${n(outcome.facts?.reread ?? 0)} re-read; ${n(outcome.moved)} moved); ${n(rules.length)} cells checked against the rules, ${n(disagree)} disagree`,
        );
        figures[offsetDays === 0 ? 'afterLive' : 'nextDay'] = { seconds, mode, reread: outcome.facts?.reread ?? 0, moved: outcome.moved, disagree };
      }
    }

    // 6. Flows of one year and the diagram page's data.
    const period = { from: addDays(today, -364), to: today };
    const flows = await time(() => journeyFlows({ pool, workspaceId: workspace.id, ...period }), 10);
    const stepDowns = await time(() => stepDownPatterns({ pool, workspaceId: workspace.id, ...period }), 3);
    const moves = flows.result.reduce((sum, flow) => sum + flow.customers, 0);
    const page: number[] = [];
    for (let run = 0; run < 20; run++) {
      const started = performance.now();
      const response = await api('journey');
      await response.json();
      page.push((performance.now() - started) / 1000);
    }
    const pagePercentiles = percentiles(page);
    const rawFlows = await time(
      () =>
        pool.query(
          `select from_stage, from_level, to_stage, to_level, count(*) from journey_moves
            where workspace_id = $1 and moved_at >= $2::date and moved_at < $3::date + 1 group by 1, 2, 3, 4`,
          [workspace.id, period.from, period.to],
        ),
      1,
    );
    console.log(
      `flows of one year (${n(moves)} moves, ${flows.result.length} pairs): ${ms(flows.seconds)}; from every move instead: ${s(rawFlows.seconds)} (${(rawFlows.seconds / flows.seconds).toFixed(0)}×)`,
    );
    console.log(`step-down patterns of one year: ${ms(stepDowns.seconds)}`);
    console.log(`diagram page data over HTTP (GET …/journey): p50 ${ms(pagePercentiles.p50)}, p95 ${ms(pagePercentiles.p95)}`);
    figures.flowsSeconds = flows.seconds;
    figures.flowsFromMovesSeconds = rawFlows.seconds;
    figures.stepDownsSeconds = stepDowns.seconds;
    figures.page = pagePercentiles;
  } finally {
    await reactor.stop();
    await app.close();
  }
  console.log(JSON.stringify(figures));
} finally {
  analytics.close();
  await opened.close();
}

function factsMode(facts: KeptOutcome | undefined): string {
  if (!facts) return 'no facts read';
  return facts.mode === 'kept' ? 'kept' : `every fact read: ${facts.reason}`;
}

async function openGenerated(): Promise<{ database: Database; workspace: Workspace; close(): Promise<void> }> {
  const { database, drop } = await openBenchDatabase('journey');
  const workspace = await createWorkspace(database.db, { name: 'bench-journey' });
  const bar = progress('demo brand {bar} {value}/{total} profiles | {duration_formatted}');
  const summary = await generateDemoBrand({
    pool: database.pool,
    workspace,
    customers: CUSTOMERS,
    seed: 1,
    clock: systemClock,
    analyze: false,
    onProgress: bar.update,
  });
  bar.stop();
  await analyzeDemoTables(database.pool);
  console.log(`demo brand: ${n(summary.customers)} customers, ${n(summary.leads)} leads, ${n(summary.rows.events)} events`);
  return { database, workspace, close: drop };
}

async function openExisting(name: string): Promise<{ database: Database; workspace: Workspace; close(): Promise<void> }> {
  if (!process.env.DATABASE_URL) throw new Error('--workspace benchmarks a workspace of the database at DATABASE_URL; set it');
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 8 });
  await migrate(pool);
  const {
    rows: [workspace],
  } = await pool.query<Workspace>('select id::text, name, timezone, currency from workspaces where name = $1', [name]);
  if (!workspace) throw new Error(`no workspace named ${name}`);
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  const database: Database = { db, pool, url: process.env.DATABASE_URL, embedded: false, close: () => db.destroy() };
  return { database, workspace, close: () => database.close() };
}
