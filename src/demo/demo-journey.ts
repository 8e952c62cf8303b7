import type pg from 'pg';
import { addDays } from '../analytics/periods.ts';
import { readActiveJourneyMap, saveJourneyMap } from '../journey-map/maps.ts';
import { replayJourneyHistory } from '../journey-map/placement/history.ts';
import { placeWorkspace } from '../journey-map/placement/place.ts';
import { fixedClock, type Clock } from '../shared/clock.ts';
import { localDateOf, zonedTimeToUtc } from '../shared/time.ts';
import { demoJourneyMap } from './demo-journey-map.ts';

/** The past the demo's journey shows: placements every week over the last 52 weeks, up to now. */
export const DEMO_JOURNEY_HISTORY = { days: 364, everyDays: 7 } as const;

export interface DemoJourneyOutcome {
  /** The demo map was saved as the active map (false: the workspace had an active map, which is kept). */
  saved: boolean;
  /** Placements made: one a week over the past year and now, or only now. */
  steps: number;
  /** Moves they recorded. */
  moves: number;
  seconds: number;
}

interface DemoJourneyParams {
  pool: pg.Pool;
  workspaceId: string;
  timezone: string;
  clock: Clock;
}

/**
 * Puts the demo brand on its journey map: saves みのり青汁本舗's map (demo-journey-map.ts) as
 * the active map unless the workspace has one (a map the user edited survives a reload), then
 * places everyone. With `history` (the default) the placements are replayed week by week over
 * the past year and then now (placeDemoJourneyHistory), so the diagram opens filled and the
 * flows of the past year (advances, rises and step-downs) exist; without, only now (the server's
 * first start, which replays the year in the background once it listens).
 *
 * "Now" is the clock's now: the CLI's and the server's, or for a demo loaded with a fixed
 * `until`, the end of its last day (demoHistoryEndClock), so the same demo gives the same journey.
 *
 *   await placeDemoJourney({ pool, workspaceId, timezone: 'Asia/Tokyo', clock });
 */
export async function placeDemoJourney(
  params: DemoJourneyParams & { history?: boolean; onProgress?: ((done: number, total: number) => void) | undefined },
): Promise<DemoJourneyOutcome> {
  const { pool, workspaceId, clock } = params;
  const started = performance.now();
  let saved = false;
  let moves: number | null = null;
  if ((await readActiveJourneyMap({ pool, workspaceId })) === null) {
    const outcome = await saveJourneyMap({ pool, workspaceId, input: demoJourneyMap(), actor: { kind: 'system', label: 'demo' }, clock });
    saved = true;
    if (outcome.outcome === 'saved') moves = outcome.placement?.moved ?? 0;
  }
  if (params.history ?? true) {
    const replay = await placeDemoJourneyHistory(params);
    return { saved, steps: replay.steps, moves: replay.moves, seconds: (performance.now() - started) / 1000 };
  }
  // Saving placed everyone; a map that was already active places the reloaded data now.
  moves ??= (await placeWorkspace({ pool, workspaceId, clock, cause: 'import' })).moved;
  return { saved, steps: 1, moves, seconds: (performance.now() - started) / 1000 };
}

/**
 * Replays the workspace's last 52 weeks on its active map, a placement a week and the last one
 * now (replayJourneyHistory: the journey record is rebuilt in one transaction, so readers see
 * the placements of now until the year's replaces them).
 */
export async function placeDemoJourneyHistory(
  params: DemoJourneyParams & { onProgress?: ((done: number, total: number) => void) | undefined; signal?: AbortSignal },
): Promise<{ steps: number; moves: number }> {
  const today = localDateOf(params.clock.now(), params.timezone);
  const replay = await replayJourneyHistory({
    pool: params.pool,
    workspaceId: params.workspaceId,
    from: addDays(today, -DEMO_JOURNEY_HISTORY.days),
    until: today,
    everyDays: DEMO_JOURNEY_HISTORY.everyDays,
    clock: params.clock,
    ...(params.onProgress ? { onProgress: params.onProgress } : {}),
    ...(params.signal ? { signal: params.signal } : {}),
  });
  return { steps: replay.steps, moves: replay.moved };
}

/** Whether the workspace's journey record holds replayed history (moves of cause 'history'). */
export async function hasJourneyHistory(pool: pg.Pool, workspaceId: string): Promise<boolean> {
  const { rows } = await pool.query(`select 1 from journey_moves where workspace_id = $1 and cause = 'history' limit 1`, [workspaceId]);
  return rows.length > 0;
}

/** A clock standing at the last millisecond of local day `date` ('YYYY-MM-DD'): the end of a demo history loaded with `until`. */
export function demoHistoryEndClock(date: string, timezone: string): Clock {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  return fixedClock(zonedTimeToUtc(year, month, day, 23, 59, 59, 999, timezone));
}
