import type pg from 'pg';
import type { AnalyticsEngine } from '../../analytics/engine/analytics-engine.ts';
import { dayNumber, requireCalendarDate } from '../../analytics/periods.ts';
import { withTransaction } from '../../db/transaction.ts';
import type { Clock } from '../../shared/clock.ts';
import { KizunaError } from '../../shared/errors.ts';
import { localDayStartInstant } from './local-days.ts';
import { placeWorkspaceLocked } from './place.ts';
import { analyzeAfterLargeWrite, lockWorkspacePlacement } from './placing-run.ts';

/**
 * Replays the workspace's past on its active map, so a map placed over imported history shows
 * the flows of the past year: the workspace's journey record (placements, moves, flow days,
 * cell counts) is rebuilt from nothing by placing everyone as of the end of local day `from`,
 * then every `everyDays` days, and finally `until`; each step's moves carry cause 'history'
 * and that instant. All in one transaction under the placement lock: readers see the old
 * record or the whole new one.
 *
 * As of each step: purchases, product deliveries and events up to the instant; subscriptions
 * from their status history, deliveries counted from the orders naming them; profiles that
 * existed then (created by then, or with an order or event by then: an import creates
 * profiles at import time with their past); RFM scored as of that day. P(alive) has no
 * history: the current value of the last customer-value run is used at every step.
 *
 * The last instant is capped at `clock`'s now when given (a step ending today ends now).
 */
export async function replayJourneyHistory(params: {
  pool: pg.Pool;
  workspaceId: string;
  /** Local dates 'YYYY-MM-DD', both included. */
  from: string;
  until: string;
  everyDays?: number;
  onProgress?: (done: number, total: number) => void;
  analytics?: AnalyticsEngine;
  clock?: Clock;
  /** Aborted: the replay stops before its next step and rolls back (a server stopping). */
  signal?: AbortSignal;
}): Promise<{ steps: number; moved: number; profiles: number; seconds: number }> {
  const started = performance.now();
  const { pool, workspaceId, from, until, everyDays = 7 } = params;
  requireCalendarDate(from, 'from');
  requireCalendarDate(until, 'until');
  if (until < from) throw new KizunaError('validation_failed', `until (${until}) is before from (${from}).`);
  if (!Number.isInteger(everyDays) || everyDays < 1)
    throw new KizunaError('validation_failed', `everyDays must be a whole number of days (1 or more), not ${everyDays}.`);
  const days: number[] = [];
  for (let day = dayNumber(from); day < dayNumber(until); day += everyDays) days.push(day);
  days.push(dayNumber(until));
  const outcome = await withTransaction(pool, async (client) => {
    await client.query('set local statement_timeout = 0');
    await lockWorkspacePlacement(client, workspaceId);
    const timezone = (await client.query<{ timezone: string }>('select timezone from workspaces where id = $1', [workspaceId])).rows[0]?.timezone;
    if (!timezone) throw new KizunaError('not_found', `No workspace with id ${workspaceId}.`);
    for (const table of ['journey_placements', 'journey_moves', 'journey_flow_days', 'journey_cell_counts']) {
      await client.query(`delete from ${table} where workspace_id = $1`, [workspaceId]);
    }
    let moved = 0;
    let profiles = 0;
    const now = params.clock?.now().getTime() ?? Number.POSITIVE_INFINITY;
    for (const [i, day] of days.entries()) {
      params.signal?.throwIfAborted();
      const endOfDay = localDayStartInstant(day + 1, timezone).getTime() - 1;
      const at = new Date(Math.min(endOfDay, now));
      const step = await placeWorkspaceLocked({
        client,
        pool,
        workspaceId,
        at,
        pending: { rows: 0, everyone: null, causes: new Map(), ids: [] },
        cause: 'history',
        past: true,
        ...(params.analytics ? { analytics: params.analytics } : {}),
      });
      moved += step.moved;
      profiles = step.profiles;
      params.onProgress?.(i + 1, days.length);
    }
    return { steps: days.length, moved, profiles };
  });
  await analyzeAfterLargeWrite(pool, { profiles: outcome.profiles, moved: Math.max(outcome.moved, 10_000) });
  return { ...outcome, seconds: (performance.now() - started) / 1000 };
}
