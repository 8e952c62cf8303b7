import type pg from 'pg';
import { addDays } from '../analytics/periods.ts';
import { readActiveJourneyMap, saveJourneyMap } from '../journey-map/maps.ts';
import { replayJourneyHistory } from '../journey-map/placement/history.ts';
import { fixedClock, type Clock } from '../shared/clock.ts';
import { localDateOf, zonedTimeToUtc } from '../shared/time.ts';
import { demoJourneyMap } from './demo-journey-map.ts';

/** The past the demo's journey shows: placements every week over the last 52 weeks, up to today. */
export const DEMO_JOURNEY_HISTORY = { days: 364, everyDays: 7 } as const;

export interface DemoJourneyOutcome {
  /** The demo map was saved as the active map (false: the workspace had an active map, which is kept). */
  saved: boolean;
  /** Placements replayed (one a week, the last one now) and the moves they recorded. */
  steps: number;
  moves: number;
  seconds: number;
}

/**
 * Puts the demo brand on its journey map: saves みのり青汁本舗's map (demo-journey-map.ts) as
 * the active map unless the workspace has one (a map the user edited survives a reload), then
 * places everyone over the past year, week by week, and finally now, so the diagram opens
 * filled and its flows of the past year (advances, rises and step-downs) exist.
 *
 * "Now" is the clock's now: the CLI's and the server's, or for a demo loaded with a fixed
 * `until`, the end of its last day (demoHistoryEndClock), so the same demo gives the same journey.
 *
 *   await placeDemoJourney({ pool, workspaceId, timezone: 'Asia/Tokyo', clock });
 */
export async function placeDemoJourney(params: {
  pool: pg.Pool;
  workspaceId: string;
  timezone: string;
  clock: Clock;
  onProgress?: ((done: number, total: number) => void) | undefined;
}): Promise<DemoJourneyOutcome> {
  const { pool, workspaceId, timezone, clock } = params;
  const started = performance.now();
  const today = localDateOf(clock.now(), timezone);
  let saved = false;
  if ((await readActiveJourneyMap({ pool, workspaceId })) === null) {
    await saveJourneyMap({ pool, workspaceId, input: demoJourneyMap(), actor: { kind: 'system', label: 'demo' }, clock });
    saved = true;
  }
  const replay = await replayJourneyHistory({
    pool,
    workspaceId,
    from: addDays(today, -DEMO_JOURNEY_HISTORY.days),
    until: today,
    everyDays: DEMO_JOURNEY_HISTORY.everyDays,
    clock,
    ...(params.onProgress ? { onProgress: params.onProgress } : {}),
  });
  return { saved, steps: replay.steps, moves: replay.moved, seconds: (performance.now() - started) / 1000 };
}

/** A clock standing at the last millisecond of local day `date` ('YYYY-MM-DD'): the end of a demo history loaded with `until`. */
export function demoHistoryEndClock(date: string, timezone: string): Clock {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  return fixedClock(zonedTimeToUtc(year, month, day, 23, 59, 59, 999, timezone));
}
