import type pg from 'pg';
import type { AnalyticsEngine } from '../../analytics/engine/analytics-engine.ts';
import { withTransaction } from '../../db/transaction.ts';
import type { Clock } from '../../shared/clock.ts';
import type { JourneyMap, MoveCause } from '../model.ts';
import { placeFacts } from '../rules/compile.ts';
import type { FactsScope } from './facts-loader.ts';
import { takePendingChanges, type PendingChanges, type PlacementCause } from './pending-changes.ts';
import {
  analyzeAfterLargeWrite,
  cellOf,
  finishRun,
  lockWorkspacePlacement,
  PlacementWrites,
  placeScope,
  placingContext,
  PlacingTally,
  readActiveMap,
} from './placing-run.ts';
import { FactsCursor, loadEveryone } from './workspace-facts.ts';
import { keptFactsApply, keptFactsStore, keptWorkspaceFacts, type KeptOutcome, readWake, refreshKeptFacts } from './kept-facts.ts';
import { markKeptRefreshed } from './pending-changes.ts';
import type { CustomerFacts } from '../rules/facts.ts';

/**
 * Placement: every profile (customer or lead) of a workspace in exactly one cell of the
 * active map. Every run holds the workspace's placement lock for its transaction, compares
 * with journey_placements, and writes only what changed: the placement, one journey_moves row
 * per change of cell (from null on a first placement), and, in the same transaction,
 * journey_flow_days (the local day of the move) and journey_cell_counts, so the counts always
 * add up to the profiles placed. Without an active map there is nothing to do.
 */

export interface PlacementOutcome {
  /** Profiles placed (a full run: every profile; a partial one: those named that exist). */
  profiles: number;
  /** Profiles whose cell changed (first placements included). */
  moved: number;
  seconds: number;
  /** How the facts were had: the kept ones brought up to date, or all read (kept-facts.ts). */
  facts?: KeptOutcome;
}

/** Customers per write statement (and per progress report) of a run. */
export const CHUNK_CUSTOMERS = 100_000;

/**
 * Places every profile of the workspace at the clock's now, in one transaction. Changes queued
 * meanwhile by writers (journey_changes) are taken in the same transaction, so their customers'
 * moves carry their own cause; everyone else's move carries `cause` ('map' after a new map
 * version, 'sweep' at midnight or on demand).
 *
 * @example
 * const { profiles, moved } = await placeWorkspace({ pool, workspaceId, clock, cause: 'sweep' });
 */
export async function placeWorkspace(params: {
  pool: pg.Pool;
  workspaceId: string;
  clock: Clock;
  cause: MoveCause;
  analytics?: AnalyticsEngine;
  onProgress?: (done: number, total: number) => void;
}): Promise<PlacementOutcome> {
  const started = performance.now();
  const { pool, workspaceId } = params;
  const placed = await withTransaction(pool, async (client) => {
    await lockWorkspacePlacement(client, workspaceId);
    const pending = await takePendingChanges(client, workspaceId);
    return placeWorkspaceLocked({ client, pool, workspaceId, at: params.clock.now(), pending, cause: params.cause, ...optional(params) });
  });
  const { profiles, moved, facts } = placed;
  await analyzeAfterLargeWrite(pool, placed);
  return { profiles, moved, seconds: (performance.now() - started) / 1000, ...(facts ? { facts } : {}) };
}

function optional(params: { analytics?: AnalyticsEngine | undefined; onProgress?: ((done: number, total: number) => void) | undefined }) {
  return {
    ...(params.analytics ? { analytics: params.analytics } : {}),
    ...(params.onProgress ? { onProgress: params.onProgress } : {}),
  };
}

/** A full run inside a transaction holding the workspace's placement lock. */
export async function placeWorkspaceLocked(params: {
  client: pg.ClientBase;
  pool: pg.Pool;
  workspaceId: string;
  at: Date;
  pending: PendingChanges;
  cause: MoveCause;
  past?: boolean;
  analytics?: AnalyticsEngine;
  onProgress?: (done: number, total: number) => void;
}): Promise<{ profiles: number; moved: number; facts?: KeptOutcome }> {
  const { client, pool, workspaceId, pending } = params;
  const map = await readActiveMap(client, workspaceId);
  if (!map) return { profiles: 0, moved: 0 };
  const context = await placingContext({
    client,
    pool,
    workspaceId,
    map,
    at: params.at,
    past: params.past ?? false,
    analytics: params.analytics,
    deferRfm: true,
  });
  const fallback: PlacementCause = { cause: params.cause, ref: null };
  const causeOf = (customerId: string) => pending.causes.get(customerId) ?? fallback;
  const tally = new PlacingTally();
  // Every profile's facts in columns (the kept ones brought up to date, kept-facts.ts), and the
  // stored placements (in this transaction); then the decisions, written per CHUNK_CUSTOMERS profiles.
  let kept: KeptOutcome | undefined;
  const { facts, stored, rfmSegment } = await loadEveryone(client, context, () =>
    keptWorkspaceFacts({ client, pool, context, pending, report: (outcome) => (kept = outcome) }),
  );
  // The pending changes' customers were read again into the kept facts: no need to again.
  if (kept) await markKeptRefreshed(client, pending.ids, keptFactsStore(pool).keeper);
  const total = facts.count;
  params.onProgress?.(0, total);
  const { compiled, version } = context;
  const cursor = new FactsCursor(facts, compiled, rfmSegment);
  const storedStageIndex = stored.keys.map((key) => context.stageIndex.get(key) ?? -1);
  const stageKeys = compiled.stages.map((stage) => stage.key);
  const levelKeys = compiled.levels.map((level) => level.key);
  const cells = stageKeys.map(() => levelKeys.map(() => 0));
  const at = context.at.toISOString();
  let write = new PlacementWrites();
  for (let i = 0; i < total; i++) {
    const before = stored.stage[i]!;
    const placed = placeFacts(compiled, cursor.fill(i), context.today, before === -1 ? -1 : storedStageIndex[before]!);
    cells[placed.stage]![placed.level]!++;
    const stage = stageKeys[placed.stage]!;
    const level = levelKeys[placed.level]!;
    const fromStage = before === -1 ? null : stored.keys[before]!;
    const fromLevel = before === -1 ? null : stored.keys[stored.level[i]!]!;
    const moved = fromStage !== stage || fromLevel !== level;
    if (moved || stored.mapVersion[i] !== version) {
      const customerId = String(facts.ids[i]!);
      write.add(customerId, stage, level, moved, fromStage, fromLevel, causeOf(customerId));
      if (moved) {
        tally.moved++;
        const cell = cellOf(stage, level);
        tally.add(tally.delta, cell, 1);
        if (fromStage !== null) tally.add(tally.delta, cellOf(fromStage, fromLevel!), -1);
        tally.add(tally.flows, `${fromStage !== null ? cellOf(fromStage, fromLevel!) : cellOf('', '')}\u0000${cell}`, 1);
      }
    }
    if ((i + 1) % CHUNK_CUSTOMERS === 0 || i + 1 === total) {
      await write.flush(client, workspaceId, version, at);
      write = new PlacementWrites();
      params.onProgress?.(i + 1, total);
    }
  }
  tally.profiles = total;
  for (const [s, row] of cells.entries()) {
    for (const [l, customers] of row.entries()) if (customers > 0) tally.add(tally.placed, cellOf(stageKeys[s]!, levelKeys[l]!), customers);
  }
  // Placements of profiles that no longer exist (or, as of a past instant, not yet).
  for (const placement of stored.gone) tally.add(tally.delta, cellOf(placement.stage, placement.level), -1);
  for (let first = 0; first < stored.gone.length; first += CHUNK_CUSTOMERS) {
    const ids = stored.gone.slice(first, first + CHUNK_CUSTOMERS).map((placement) => placement.customerId);
    await client.query('delete from journey_placements where workspace_id = $1 and customer_id = any($2::bigint[])', [workspaceId, ids]);
  }
  await finishRun(client, context, tally, true);
  return { profiles: tally.profiles, moved: tally.moved, ...(kept ? { facts: kept } : {}) };
}

/**
 * Re-places the named customers (the live path: the customers a write touched; see
 * drainJourneyChanges), each move carrying that customer's cause, inside a transaction that
 * holds the workspace's placement lock.
 */
export async function placeCustomersLocked(params: {
  client: pg.ClientBase;
  pool?: pg.Pool | undefined;
  workspaceId: string;
  at: Date;
  causes: Map<string, PlacementCause>;
  analytics?: AnalyticsEngine | undefined;
}): Promise<{ profiles: number; moved: number; keptRefreshed: boolean }> {
  const { client, workspaceId, causes } = params;
  if (causes.size === 0) return { profiles: 0, moved: 0, keptRefreshed: false };
  const map = await readActiveMap(client, workspaceId);
  if (!map) return { profiles: 0, moved: 0, keptRefreshed: false };
  const context = await placingContext({ client, pool: params.pool, workspaceId, map, at: params.at, analytics: params.analytics });
  const tally = new PlacingTally();
  const ids = [...causes.keys()].sort((a, b) => Number(a) - Number(b));
  // Kept facts of this map and day (kept-facts.ts) are refreshed with the facts read here, and
  // each customer's next future record (read meanwhile).
  const pool = params.pool;
  const keep = pool !== undefined && keptFactsApply(pool, context);
  const wake = keep ? readWake(context.facts, { ids }) : null;
  wake?.catch(() => undefined);
  const read: CustomerFacts[] = [];
  for (let first = 0; first < ids.length; first += CHUNK_CUSTOMERS) {
    const scope: FactsScope = { ids: ids.slice(first, first + CHUNK_CUSTOMERS) };
    const customers = await placeScope({ client, context, scope, causeOf: (id) => causes.get(id)!, tally });
    if (keep) read.push(...customers);
  }
  await finishRun(client, context, tally, false);
  const keptRefreshed = keep && wake !== null && refreshKeptFacts(pool, context, read, await wake);
  return { profiles: tally.profiles, moved: tally.moved, keptRefreshed };
}

/**
 * How an unsaved map would place the workspace's profiles now (the workshop's preview): the
 * customers per cell, stages kept by the stages already reached (by key) as saving would.
 * Writes nothing.
 */
export async function previewPlacement(params: {
  pool: pg.Pool;
  workspaceId: string;
  clock: Clock;
  map: JourneyMap;
  analytics?: AnalyticsEngine;
}): Promise<{ cells: Array<{ stage: string; level: string; customers: number }>; profiles: number }> {
  const { pool, workspaceId, map } = params;
  const client = await pool.connect();
  try {
    const context = await placingContext({
      client,
      pool,
      workspaceId,
      map: { version: 0, map },
      at: params.clock.now(),
      analytics: params.analytics,
      deferRfm: true,
    });
    const counts = map.stages.map(() => map.levels.map(() => 0));
    const { facts, stored, rfmSegment } = await loadEveryone(client, context);
    const storedStageIndex = stored.keys.map((key) => context.stageIndex.get(key) ?? -1);
    const cursor = new FactsCursor(facts, context.compiled, rfmSegment);
    for (let i = 0; i < facts.count; i++) {
      const before = stored.stage[i]!;
      const placed = placeFacts(context.compiled, cursor.fill(i), context.today, before === -1 ? -1 : storedStageIndex[before]!);
      counts[placed.stage]![placed.level]!++;
    }
    const profiles = facts.count;
    const cells = map.stages.flatMap((stage, s) => map.levels.map((level, l) => ({ stage: stage.key, level: level.key, customers: counts[s]![l]! })));
    return { cells, profiles };
  } finally {
    client.release();
  }
}
