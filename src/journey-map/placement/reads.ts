import type pg from 'pg';
import { addDays, dayNumber, requireCalendarDate } from '../../analytics/periods.ts';
import { KizunaError } from '../../shared/errors.ts';
import type { CellKey, Flow, JourneyMap, MoveCause } from '../model.ts';
import { localDayStartInstant } from './local-days.ts';
import { readActiveMap } from './placing-run.ts';

/**
 * What the diagram, the flows, the step-down patterns and a customer's 360 page read. Counts
 * and flows come from the rollups placement keeps in step (journey_cell_counts, one row per
 * cell; journey_flow_days, one row per day and pair of cells), never from every placement or
 * move.
 */

export interface CellCount extends CellKey {
  customers: number;
}

/**
 * The live count of every occupied cell, the number of profiles (customers and leads) of the
 * workspace, and how many are placed: placed = profiles once the workspace is placed on an
 * active map (the coverage check that counts add up).
 */
export async function journeyCellCounts(params: { pool: pg.Pool; workspaceId: string }): Promise<{ cells: CellCount[]; profiles: number; placed: number }> {
  const { pool, workspaceId } = params;
  const [cells, profiles] = await Promise.all([
    pool.query<{ stage: string; level: string; customers: string }>(
      'select stage, level, customers from journey_cell_counts where workspace_id = $1 and customers > 0 order by stage, level',
      [workspaceId],
    ),
    pool.query<{ n: number }>('select count(*)::int as n from customers where workspace_id = $1', [workspaceId]),
  ]);
  const counts = cells.rows.map((row) => ({ stage: row.stage, level: row.level, customers: Number(row.customers) }));
  return { cells: counts, profiles: profiles.rows[0]!.n, placed: counts.reduce((sum, cell) => sum + cell.customers, 0) };
}

/**
 * The moves between cells over the local days [from, to] (both included, 'YYYY-MM-DD'),
 * counted per (from, to) pair, most moves first. Kinds by the active map's order: 'enter'
 * (from null), else 'step_down' (a lower level), else 'advance' (a later stage), else 'rise'.
 */
export async function journeyFlows(params: { pool: pg.Pool; workspaceId: string; from: string; to: string }): Promise<Flow[]> {
  const { pool, workspaceId, from, to } = params;
  checkPeriod(from, to);
  const [map, { rows }] = await Promise.all([
    readActiveMap(pool, workspaceId),
    pool.query<{ from_stage: string; from_level: string; to_stage: string; to_level: string; moves: string }>(
      `select from_stage, from_level, to_stage, to_level, sum(moves) as moves
         from journey_flow_days
        where workspace_id = $1 and day between $2::date and $3::date
        group by from_stage, from_level, to_stage, to_level
        order by sum(moves) desc, from_stage, from_level, to_stage, to_level`,
      [workspaceId, from, to],
    ),
  ]);
  const kindOf = flowKind(map?.map);
  return rows.map((row) => {
    const fromCell = row.from_stage === '' ? null : { stage: row.from_stage, level: row.from_level };
    const toCell = { stage: row.to_stage, level: row.to_level };
    return { from: fromCell, to: toCell, customers: Number(row.moves), kind: kindOf(fromCell, toCell) };
  });
}

/** The kind of a move on `map` (keys it no longer has rank lowest). */
export function flowKind(map: JourneyMap | undefined): (from: CellKey | null, to: CellKey) => Flow['kind'] {
  const stages = new Map(map?.stages.map((stage, i) => [stage.key, i]));
  const levels = new Map(map?.levels.map((level, i) => [level.key, i]));
  const rank = (ranks: Map<string, number>, key: string) => ranks.get(key) ?? -1;
  return (from, to) => {
    if (from === null) return 'enter';
    if (rank(levels, to.level) < rank(levels, from.level)) return 'step_down';
    if (rank(stages, to.stage) > rank(stages, from.stage)) return 'advance';
    return 'rise';
  };
}

export interface StepDownPattern {
  from: CellKey;
  to: CellKey;
  /** Step-down moves of the pair in the period, and the distinct customers who made them. */
  moves: number;
  customers: number;
  /** Of the latest moves sampled (at most STEP_DOWN_SAMPLE), how many. */
  sampled: number;
  /** The event types most often seen in the 14 days before the sampled moves: how many of those moves had one, top 5. */
  eventsBefore: Array<{ type: string; moves: number }>;
}

/** Moves per pair read for the events before them: the latest, so a pair's pattern costs at most this many customers' 14 days of events. */
export const STEP_DOWN_SAMPLE = 5000;
const EVENT_DAYS_BEFORE = 14;

/**
 * Which cells lose customers downward, and after what: per (from cell → to cell) step-down
 * (a lower level) over the local days [from, to], the moves and customers, and the event types
 * seen most often in the 14 days before the moves (top 5; counted over the pair's latest
 * STEP_DOWN_SAMPLE moves, so the read stays bounded). Pairs with the most moves first.
 */
export async function stepDownPatterns(params: { pool: pg.Pool; workspaceId: string; from: string; to: string }): Promise<StepDownPattern[]> {
  const { pool, workspaceId, from, to } = params;
  checkPeriod(from, to);
  const map = await readActiveMap(pool, workspaceId);
  if (!map) return [];
  const { rows: tz } = await pool.query<{ timezone: string }>('select timezone from workspaces where id = $1', [workspaceId]);
  const timezone = tz[0]!.timezone;
  const start = localDayStartInstant(dayNumber(from), timezone);
  const end = localDayStartInstant(dayNumber(addDays(to, 1)), timezone);
  const levels = map.map.levels.map((level) => level.key);
  const { rows } = await pool.query<{
    from_stage: string;
    from_level: string;
    to_stage: string;
    to_level: string;
    moves: number;
    customers: number;
    sampled: number;
    events: Array<{ type: string; moves: number }> | null;
  }>(
    `with down as (
       select m.customer_id, m.moved_at, m.from_stage, m.from_level, m.to_stage, m.to_level,
              row_number() over (partition by m.from_stage, m.from_level, m.to_stage, m.to_level order by m.moved_at desc, m.id desc) as latest
         from journey_moves m
        where m.workspace_id = $1 and m.moved_at >= $2 and m.moved_at < $3 and m.from_stage is not null
          and coalesce(array_position($4::text[], m.to_level::text), 0) < coalesce(array_position($4::text[], m.from_level::text), 0)
     ), pairs as (
       select from_stage, from_level, to_stage, to_level, count(*)::int as moves, count(distinct customer_id)::int as customers,
              count(*) filter (where latest <= $5)::int as sampled
         from down group by from_stage, from_level, to_stage, to_level
     ), seen as (
       select d.from_stage, d.from_level, d.to_stage, d.to_level, t.type, count(*)::int as moves
         from down d
         cross join lateral (select distinct e.type from events e
                              where e.customer_id = d.customer_id and e.occurred_at <= d.moved_at
                                and e.occurred_at >= d.moved_at - make_interval(days => $6)) t
        where d.latest <= $5
        group by d.from_stage, d.from_level, d.to_stage, d.to_level, t.type
     ), ranked as (
       select s.*, row_number() over (partition by from_stage, from_level, to_stage, to_level order by moves desc, type) as rank from seen s
     )
     select p.*, (select json_agg(json_build_object('type', r.type, 'moves', r.moves) order by r.rank)
                    from ranked r
                   where r.rank <= 5 and (r.from_stage, r.from_level, r.to_stage, r.to_level) = (p.from_stage, p.from_level, p.to_stage, p.to_level)) as events
       from pairs p
      order by p.moves desc, p.from_stage, p.from_level, p.to_stage, p.to_level`,
    [workspaceId, start, end, levels, STEP_DOWN_SAMPLE, EVENT_DAYS_BEFORE],
  );
  return rows.map((row) => ({
    from: { stage: row.from_stage, level: row.from_level },
    to: { stage: row.to_stage, level: row.to_level },
    moves: row.moves,
    customers: row.customers,
    sampled: row.sampled,
    eventsBefore: row.events ?? [],
  }));
}

export interface JourneyStep {
  from: CellKey | null;
  to: CellKey;
  movedAt: Date;
  kind: Flow['kind'];
  cause: MoveCause;
  /** The order's, event's or subscription's external id that caused the move, when known. */
  causeRef: string | null;
  mapVersion: number;
}

/** Moves shown on a customer's page, newest first. */
export const JOURNEY_PATH_LIMIT = 200;

/** A customer's current cell (null when not placed) and path: their moves, newest first (at most JOURNEY_PATH_LIMIT). */
export async function customerJourney(params: {
  pool: pg.Pool;
  workspaceId: string;
  customerId: string;
}): Promise<{ cell: CellKey | null; placedAt: Date | null; moves: JourneyStep[] }> {
  const { pool, workspaceId, customerId } = params;
  const [map, placement, moves] = await Promise.all([
    readActiveMap(pool, workspaceId),
    pool.query<{ stage: string; level: string; placed_at: Date }>(
      'select stage, level, placed_at from journey_placements where workspace_id = $1 and customer_id = $2',
      [workspaceId, customerId],
    ),
    pool.query<{
      from_stage: string | null;
      from_level: string | null;
      to_stage: string;
      to_level: string;
      moved_at: Date;
      cause: MoveCause;
      cause_ref: string | null;
      map_version: number;
    }>(
      `select from_stage, from_level, to_stage, to_level, moved_at, cause, cause_ref, map_version
         from journey_moves where customer_id = $2 and workspace_id = $1
        order by moved_at desc, id desc limit $3`,
      [workspaceId, customerId, JOURNEY_PATH_LIMIT],
    ),
  ]);
  const kindOf = flowKind(map?.map);
  const current = placement.rows[0];
  return {
    cell: current ? { stage: current.stage, level: current.level } : null,
    placedAt: current?.placed_at ?? null,
    moves: moves.rows.map((row) => {
      const from = row.from_stage === null ? null : { stage: row.from_stage, level: row.from_level! };
      const to = { stage: row.to_stage, level: row.to_level };
      return { from, to, movedAt: row.moved_at, kind: kindOf(from, to), cause: row.cause, causeRef: row.cause_ref, mapVersion: row.map_version };
    }),
  };
}

function checkPeriod(from: string, to: string): void {
  requireCalendarDate(from, 'from');
  requireCalendarDate(to, 'to');
  if (to < from) throw new KizunaError('validation_failed', `to (${to}) is before from (${from}).`);
}

/**
 * How far placement has got: the writes still queued (a drain marks its rows drained in
 * the transaction that places them, so 0 means every committed write is placed), the active
 * version, and the last sweep.
 */
export async function journeyQueueStatus(params: {
  pool: pg.Pool;
  workspaceId: string;
}): Promise<{ pending: number; version: number | null; sweptAt: Date | null }> {
  const { rows } = await params.pool.query<{ pending: number; swept_at: Date | null; version: number | null }>(
    `select (select count(*)::int from journey_changes where workspace_id = $1 and drained_at is null) as pending,
            (select swept_at from journey_sweeps where workspace_id = $1) as swept_at,
            (select version from journey_maps where workspace_id = $1 and status = 'active') as version`,
    [params.workspaceId],
  );
  const row = rows[0]!;
  return { pending: row.pending, version: row.version, sweptAt: row.swept_at };
}
