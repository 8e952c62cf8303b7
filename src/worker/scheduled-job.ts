import type { TaskList } from 'graphile-worker';
import type pg from 'pg';
import { withTransaction } from '../db/transaction.ts';
import { runScheduledTriggers } from '../scenarios/runtime/scheduled-triggers.ts';
import {
  activeScheduledScenarioIds,
  nextTriggerMoment,
  readScheduledTriggerState,
  SCHEDULED_TRIGGER_TASK,
  syncScheduledTrigger,
} from '../scenarios/runtime/trigger-schedule.ts';
import type { Clock } from '../shared/clock.ts';
import { scheduleWakeJob } from './worker.ts';

/**
 * The scheduled-trigger job (`scenario_scheduled_trigger` {scenarioId}, key
 * `scheduled:${scenarioId}`): at a date or audience trigger's moment it enrolls the moment's
 * customers (runScheduledTriggers, for that scenario) and adds itself again for the next
 * moment. Publishing, pausing and resuming (re)schedule it in their transaction
 * (src/scenarios/runtime/trigger-schedule.ts); a starting worker schedules every active one
 * (a moment missed while no worker ran is caught up at once).
 *
 * Register it with `startWorker({ ..., extraTasks: scheduledTriggerTasks({ pool, clock }) })`
 * and call `scheduleEveryScenarioTrigger` once the worker runs.
 */

export type ScheduledJobOutcome =
  | { outcome: 'ran'; enrolled: number; next: Date | null }
  /** Rung before this worker's clock reaches the moment (clocks apart): added again for it. */
  | { outcome: 'not due'; next: Date | null }
  /** The scenario is gone, paused, or no longer has a scheduled trigger: no job is left. */
  | { outcome: 'inactive' };

/** Runs one scenario's scheduled trigger if its moment has come by `clock`, then schedules the next. */
export async function runScheduledTriggerJob(params: { pool: pg.Pool; clock: Clock; scenarioId: string }): Promise<ScheduledJobOutcome> {
  const { pool, clock, scenarioId } = params;
  const now = clock.now();
  const state = await readScheduledTriggerState(pool, scenarioId, now);
  if (state?.status !== 'active' || !state.trigger) {
    await resync(pool, clock, scenarioId);
    return { outcome: 'inactive' };
  }
  const moment = nextTriggerMoment(state.trigger, state.ranUntil, state.timezone);
  if (moment === null || moment > now) return { outcome: 'not due', next: await resync(pool, clock, scenarioId) };
  const { enrolled } = await runScheduledTriggers({ pool, clock, workspaceId: state.workspaceId, scenarioIds: [scenarioId], schedule: scheduleWakeJob });
  return { outcome: 'ran', enrolled, next: await resync(pool, clock, scenarioId) };
}

/** Schedules the job of every active scenario with a scheduled trigger; returns how many have one. */
export async function scheduleEveryScenarioTrigger(params: { pool: pg.Pool; clock: Clock }): Promise<number> {
  let scheduled = 0;
  for (const scenarioId of await activeScheduledScenarioIds(params.pool)) {
    if (await resync(params.pool, params.clock, scenarioId)) scheduled++;
  }
  return scheduled;
}

/** The job kinds to add to the worker (WorkerOptions.extraTasks). */
export function scheduledTriggerTasks(deps: { pool: pg.Pool; clock: Clock }): TaskList {
  return {
    [SCHEDULED_TRIGGER_TASK]: async (payload) => {
      const scenarioId = String((payload as { scenarioId?: unknown }).scenarioId ?? '');
      if (!/^[1-9][0-9]{0,18}$/.test(scenarioId)) return;
      await runScheduledTriggerJob({ ...deps, scenarioId });
    },
  };
}

function resync(pool: pg.Pool, clock: Clock, scenarioId: string): Promise<Date | null> {
  return withTransaction(pool, (client) => syncScheduledTrigger(client, { scenarioId, clock }));
}
