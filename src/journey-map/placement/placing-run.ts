import type pg from 'pg';
import type { AnalyticsEngine } from '../../analytics/engine/analytics-engine.ts';
import { formatDay } from '../../analytics/periods.ts';
import { localDateOf } from '../../shared/time.ts';
import { writeMoveSignals } from '../../scenarios/runtime/signals.ts';
import type { JourneyMap } from '../model.ts';
import { compileMap, loadCatalogue, placeFacts, type CompiledMap } from '../rules/compile.ts';
import type { CustomerFacts } from '../rules/facts.ts';
import { loadFacts, type FactsRequest, type FactsScope } from './facts-loader.ts';
import { packedRows } from './facts-sql.ts';
import { todayOf } from './local-days.ts';
import type { PlacementCause } from './pending-changes.ts';
import { type RfmSegmentLookup, rfmSegmentLookup } from './rfm-lookup.ts';

/**
 * One placement run inside a transaction that holds the workspace's placement lock: the
 * active map compiled, the facts request, and the writes of what changed (placements, one
 * move per change of cell, the flow days and the cell counts), all set-based.
 */

/** The transaction-scoped lock every placement of a workspace takes first: one placer per workspace at a time. */
export async function lockWorkspacePlacement(client: pg.ClientBase, workspaceId: string): Promise<void> {
  await client.query(`select pg_advisory_xact_lock(hashtextextended('journey-placement:' || $1::text, 0))`, [workspaceId]);
}

export interface ActiveMap {
  version: number;
  map: JourneyMap;
}

export async function readActiveMap(db: pg.Pool | pg.ClientBase, workspaceId: string): Promise<ActiveMap | null> {
  const { rows } = await db.query<{ version: number; map: JourneyMap }>(`select version, map from journey_maps where workspace_id = $1 and status = 'active'`, [
    workspaceId,
  ]);
  return rows[0] ?? null;
}

export interface PlacingContext {
  workspaceId: string;
  timezone: string;
  version: number;
  compiled: CompiledMap;
  stageIndex: Map<string, number>;
  at: Date;
  today: number;
  facts: FactsRequest;
  /** With deferRfm: the RFM lookup under way (facts.rfmSegment is not set); else null. */
  rfmLookup: Promise<RfmSegmentLookup> | null;
}

/** The context of a run on `map` (the active one, or an unsaved one to preview) at `at`. */
export async function placingContext(params: {
  client: pg.ClientBase;
  /** Facts are read through the pool (concurrently) when given, else through the client. */
  pool?: pg.Pool | undefined;
  workspaceId: string;
  map: ActiveMap;
  at: Date;
  past?: boolean;
  analytics?: AnalyticsEngine | undefined;
  /** Leave the RFM lookup under way (context.rfmLookup), for a caller that loads the other facts meanwhile. */
  deferRfm?: boolean;
}): Promise<PlacingContext> {
  const { client, pool, workspaceId, map, at } = params;
  const { rows } = await client.query<{ timezone: string }>('select timezone from workspaces where id = $1', [workspaceId]);
  const timezone = rows[0]!.timezone;
  const compiled = compileMap(map.map, await loadCatalogue(client, workspaceId));
  const today = todayOf(at, timezone);
  const facts: FactsRequest = { db: pool ?? client, workspaceId, timezone, needs: compiled.needs, at, past: params.past ?? false };
  let rfmLookup: PlacingContext['rfmLookup'] = null;
  if (compiled.needs.rfm) {
    if (!pool) throw new Error('RFM rules need a pool to score the base');
    const lookup = rfmSegmentLookup({ pool, workspaceId, timezone, asOf: formatDay(today), analytics: params.analytics });
    if (params.deferRfm) {
      // Awaited by the caller with its other loads; a failure meanwhile is not an unhandled rejection.
      lookup.catch(() => undefined);
      rfmLookup = lookup;
    } else {
      facts.rfmSegment = await lookup;
    }
  }
  return {
    workspaceId,
    timezone,
    version: map.version,
    compiled,
    stageIndex: new Map(compiled.stages.map((stage, i) => [stage.key, i])),
    at,
    today,
    facts,
    rfmLookup,
  };
}

export interface StoredPlacement {
  stage: string;
  level: string;
  mapVersion: number;
}

/** The stored placements of the customers in scope. */
export async function readPlacements(client: pg.ClientBase, workspaceId: string, scope: FactsScope): Promise<Map<string, StoredPlacement>> {
  const where =
    'ids' in scope
      ? { sql: 'customer_id = any($2::bigint[])', values: [scope.ids] }
      : {
          sql: 'customer_id > coalesce($2::bigint, -1) and ($3::bigint is null or customer_id <= $3::bigint)',
          values: [scope.after, scope.upTo],
        };
  const rows = await packedRows(
    client,
    ['customer_id', 'stage', 'level', 'map_version'],
    `from journey_placements where workspace_id = $1 and ${where.sql}`,
    'customer_id',
    [workspaceId, ...where.values],
  );
  return new Map(rows.map((row) => [row[0]!, { stage: row[1]!, level: row[2]!, mapVersion: Number(row[3]) }]));
}

/**
 * After a run that wrote a large share of the placements (a first placement, a new map, a
 * replay of history), the tables are analysed at once rather than when autovacuum gets to
 * them (never, on a server that runs without it): the live path's plans read their statistics.
 */
export async function analyzeAfterLargeWrite(pool: pg.Pool, outcome: { profiles: number; moved: number }): Promise<void> {
  if (outcome.moved < 10_000 || outcome.moved * 10 < outcome.profiles) return;
  await pool.query('analyze journey_placements, journey_moves');
}

/** A cell as one string, for tallies: stage and level keys cannot hold a NUL. */
export const cellOf = (stage: string, level: string) => `${stage}\u0000${level}`;
const splitCell = (cell: string) => cell.split('\u0000') as [string, string];

/** What a run decided and wrote, accumulated over its chunks. */
export class PlacingTally {
  profiles = 0;
  moved = 0;
  /** Cell → customers placed there by this run (a full run: everyone). */
  readonly placed = new Map<string, number>();
  /** Cell → change of its count (a partial run). */
  readonly delta = new Map<string, number>();
  /** "from cell\0to cell" ('' cells for entering) → moves. */
  readonly flows = new Map<string, number>();

  add(map: Map<string, number>, key: string, by: number): void {
    map.set(key, (map.get(key) ?? 0) + by);
  }
}

/**
 * Places the customers of one scope: their facts, their stored placements, the decision per
 * customer, and the writes of the changes (placements upserted, moves inserted, placements of
 * profiles that no longer exist deleted), each one statement over arrays. The tally collects
 * counts and flows for `finishRun`. Returns the facts it read.
 */
export async function placeScope(params: {
  client: pg.ClientBase;
  context: PlacingContext;
  scope: FactsScope;
  causeOf: (customerId: string) => PlacementCause;
  tally: PlacingTally;
}): Promise<CustomerFacts[]> {
  const { client, context, scope, causeOf, tally } = params;
  const [facts, stored] = await Promise.all([loadFacts(context.facts, scope), readPlacements(client, context.workspaceId, scope)]);
  const write = new PlacementWrites();
  const { compiled, stageIndex, today, version } = context;
  for (const customer of facts) {
    const before = stored.get(customer.customerId);
    stored.delete(customer.customerId);
    const placed = placeFacts(compiled, customer, today, before ? (stageIndex.get(before.stage) ?? -1) : -1);
    const stage = compiled.stages[placed.stage]!.key;
    const level = compiled.levels[placed.level]!.key;
    tally.profiles++;
    const cell = cellOf(stage, level);
    tally.add(tally.placed, cell, 1);
    const moved = !before || before.stage !== stage || before.level !== level;
    if (!moved && before.mapVersion === version) continue;
    write.add(customer.customerId, stage, level, moved, before?.stage ?? null, before?.level ?? null, causeOf(customer.customerId));
    if (moved) {
      tally.moved++;
      tally.add(tally.delta, cell, 1);
      if (before) tally.add(tally.delta, cellOf(before.stage, before.level), -1);
      tally.add(tally.flows, `${before ? cellOf(before.stage, before.level) : cellOf('', '')}\u0000${cell}`, 1);
    }
  }
  // Left in `stored`: placements of profiles that no longer exist (or, as of a past instant, not yet).
  const gone = [...stored.keys()];
  for (const placement of stored.values()) tally.add(tally.delta, cellOf(placement.stage, placement.level), -1);
  if (gone.length > 0) {
    await client.query('delete from journey_placements where workspace_id = $1 and customer_id = any($2::bigint[])', [context.workspaceId, gone]);
  }
  await write.flush(client, context.workspaceId, version, context.at.toISOString());
  return facts;
}

/** The placements a run changes (or re-stamps with the map's version) and the moves among them, written as one statement each. */
export class PlacementWrites {
  readonly ids: string[] = [];
  readonly stages: string[] = [];
  readonly levels: string[] = [];
  readonly moved: boolean[] = [];
  readonly fromStages: (string | null)[] = [];
  readonly fromLevels: (string | null)[] = [];
  readonly causes: string[] = [];
  readonly refs: (string | null)[] = [];

  add(customerId: string, stage: string, level: string, moved: boolean, fromStage: string | null, fromLevel: string | null, cause: PlacementCause): void {
    this.ids.push(customerId);
    this.stages.push(stage);
    this.levels.push(level);
    this.moved.push(moved);
    this.fromStages.push(fromStage);
    this.fromLevels.push(fromLevel);
    this.causes.push(cause.cause);
    this.refs.push(cause.ref);
  }

  async flush(client: pg.ClientBase, workspaceId: string, version: number, at: string): Promise<void> {
    if (this.ids.length === 0) return;
    await client.query(
      `insert into journey_placements as p (workspace_id, customer_id, stage, level, map_version, placed_at)
       select $1, w.customer_id, w.stage, w.level, $2, $3::timestamptz
         from unnest($4::bigint[], $5::text[], $6::text[]) as w(customer_id, stage, level)
       on conflict (workspace_id, customer_id) do update set
         stage = excluded.stage, level = excluded.level, map_version = excluded.map_version,
         placed_at = case when (p.stage, p.level) = (excluded.stage, excluded.level) then p.placed_at else excluded.placed_at end`,
      [workspaceId, version, at, this.ids, this.stages, this.levels],
    );
    if (!this.moved.includes(true)) return;
    await client.query(
      `insert into journey_moves (workspace_id, customer_id, map_version, from_stage, from_level, to_stage, to_level, moved_at, cause, cause_ref)
       select $1, m.customer_id, $2, m.from_stage, m.from_level, m.to_stage, m.to_level, $3::timestamptz, m.cause, m.cause_ref
         from unnest($4::bigint[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::boolean[])
           as m(customer_id, from_stage, from_level, to_stage, to_level, cause, cause_ref, moved)
        where m.moved`,
      [workspaceId, version, at, this.ids, this.fromStages, this.fromLevels, this.stages, this.levels, this.causes, this.refs, this.moved],
    );
    // Scenarios with a cell trigger or a left_cell exit rule react to these moves (src/scenarios/runtime/signals.ts).
    await writeMoveSignals(client, workspaceId, at, this);
  }
}

/**
 * Writes what the run's chunks tallied: the moves per (from, to) cell on the local day of the
 * run's instant, and the cell counts — replaced by the run's own count of everyone when it
 * placed the whole workspace (`full`), else changed by the run's deltas.
 */
export async function finishRun(client: pg.ClientBase, context: PlacingContext, tally: PlacingTally, full: boolean): Promise<void> {
  const { workspaceId } = context;
  if (tally.flows.size > 0) {
    const pairs = [...tally.flows.entries()].map(([key, moves]) => ({ cells: key.split('\u0000'), moves }));
    await client.query(
      `insert into journey_flow_days as f (workspace_id, day, from_stage, from_level, to_stage, to_level, moves)
       select $1, $2::date, d.from_stage, d.from_level, d.to_stage, d.to_level, d.moves
         from unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::int[]) as d(from_stage, from_level, to_stage, to_level, moves)
       on conflict (workspace_id, day, from_stage, from_level, to_stage, to_level) do update set moves = f.moves + excluded.moves`,
      [
        workspaceId,
        localDateOf(context.at, context.timezone),
        pairs.map((p) => p.cells[0]),
        pairs.map((p) => p.cells[1]),
        pairs.map((p) => p.cells[2]),
        pairs.map((p) => p.cells[3]),
        pairs.map((p) => p.moves),
      ],
    );
  }
  if (full) {
    const cells = [...tally.placed.entries()].map(([cell, customers]) => [...splitCell(cell), customers] as const);
    await client.query('delete from journey_cell_counts where workspace_id = $1', [workspaceId]);
    await client.query(
      `insert into journey_cell_counts (workspace_id, stage, level, customers)
       select $1, * from unnest($2::text[], $3::text[], $4::bigint[])`,
      [workspaceId, cells.map((c) => c[0]), cells.map((c) => c[1]), cells.map((c) => c[2])],
    );
    return;
  }
  const changes = [...tally.delta.entries()].filter(([, by]) => by !== 0).map(([cell, by]) => [...splitCell(cell), by] as const);
  if (changes.length === 0) return;
  const column = (i: 0 | 1 | 2, sign: 1 | -1) => changes.filter((c) => Math.sign(c[2]) === sign).map((c) => c[i]);
  // Decreases first, on rows that exist (a cell a customer leaves holds them); then increases, inserting new cells.
  await client.query(
    `update journey_cell_counts c set customers = c.customers + d.by
       from unnest($2::text[], $3::text[], $4::bigint[]) as d(stage, level, by)
      where c.workspace_id = $1 and c.stage = d.stage and c.level = d.level`,
    [workspaceId, column(0, -1), column(1, -1), column(2, -1)],
  );
  await client.query(
    `insert into journey_cell_counts as c (workspace_id, stage, level, customers)
     select $1, * from unnest($2::text[], $3::text[], $4::bigint[])
     on conflict (workspace_id, stage, level) do update set customers = c.customers + excluded.customers`,
    [workspaceId, column(0, 1), column(1, 1), column(2, 1)],
  );
  await client.query('delete from journey_cell_counts where workspace_id = $1 and customers = 0', [workspaceId]);
}
