import type pg from 'pg';
import { formatDay } from '../../analytics/periods.ts';
import { todayOf } from '../../journey-map/placement/local-days.ts';
import type { Clock } from '../../shared/clock.ts';
import { zonedTimeToUtc } from '../../shared/time.ts';
import { DEFAULT_DATE_TRIGGER_TIME, type ScenarioDocument, type ScenarioStatus, type ScenarioTrigger, WEEKDAYS } from '../model.ts';

/**
 * When a scenario with a trigger that comes with time (date_attribute, subscription_anniversary,
 * audience: scheduled-triggers.ts) runs next, and the job that runs it then. One job per
 * scenario, keyed `scheduled:${scenarioId}` and replaced on every change, so there is never a
 * second; its run (src/worker/scheduled-job.ts) enrolls the moment's customers and adds it again
 * for the next moment. It is (re)scheduled in the transaction that publishes, pauses or resumes
 * the scenario, and for every active scenario when a worker starts. Nothing polls.
 */

/** The job that runs one scenario's scheduled trigger. */
export const SCHEDULED_TRIGGER_TASK = 'scenario_scheduled_trigger';

/** The job key of a scenario's scheduled trigger. */
export function scheduledTriggerJobKey(scenarioId: string): string {
  return `scheduled:${scenarioId}`;
}

export type ScheduledTrigger = Extract<ScenarioTrigger, { kind: 'date_attribute' | 'subscription_anniversary' | 'audience' }>;

export function isScheduledTrigger(trigger: ScenarioTrigger): trigger is ScheduledTrigger {
  return trigger.kind === 'date_attribute' || trigger.kind === 'subscription_anniversary' || trigger.kind === 'audience';
}

/** Days looked ahead for the next moment: a monthly schedule's day comes within 31 days. */
const LOOK_AHEAD_DAYS = 32;

/**
 * The first moment of the trigger strictly after `after`, in the workspace's time zone: a date
 * trigger fires daily at its `at` (default 09:00) and finds that day's customers; an audience
 * fires on its schedule (once: its instant, if still ahead; daily, weekly, monthly: at the
 * local time on the days it names). Null when it never fires again.
 *
 * @example
 * nextTriggerMoment({ kind: 'audience', audience, schedule: { kind: 'monthly', dayOfMonth: 5, at: '10:00' } }, new Date('2026-11-01T00:00:00Z'), 'Asia/Tokyo')
 * // 2026-11-05T01:00:00.000Z (10:00 in Tokyo)
 */
export function nextTriggerMoment(trigger: ScheduledTrigger, after: Date, timezone: string): Date | null {
  if (trigger.kind === 'audience' && trigger.schedule.kind === 'once') {
    const at = new Date(trigger.schedule.at);
    return at > after ? at : null;
  }
  const schedule = trigger.kind === 'audience' ? trigger.schedule : { kind: 'daily' as const, at: trigger.at ?? DEFAULT_DATE_TRIGGER_TIME };
  const [hour, minute] = schedule.at.split(':').map(Number) as [number, number];
  const first = todayOf(after, timezone);
  for (let day = first; day <= first + LOOK_AHEAD_DAYS; day++) {
    const text = formatDay(day);
    if (schedule.kind === 'monthly' && Number(text.slice(8)) !== schedule.dayOfMonth) continue;
    if (schedule.kind === 'weekly') {
      const weekday = WEEKDAYS[(new Date(`${text}T00:00:00Z`).getUTCDay() + 6) % 7]!;
      if (!schedule.weekdays.includes(weekday)) continue;
    }
    const [y, m, d] = text.split('-').map(Number) as [number, number, number];
    const at = zonedTimeToUtc(y, m, d, hour, minute, 0, 0, timezone);
    if (at > after) return at;
  }
  return null;
}

type Queryable = pg.Pool | pg.ClientBase;

export interface ScheduledTriggerState {
  scenarioId: string;
  workspaceId: string;
  status: ScenarioStatus;
  trigger: ScheduledTrigger | null;
  timezone: string;
  /** What the trigger has run until: its cursor, or (first run) the publication or now, whichever is earlier (as runScheduledTriggers counts). */
  ranUntil: Date;
}

/** A scenario's scheduled-trigger state as of `now`; null when the scenario does not exist. */
export async function readScheduledTriggerState(client: Queryable, scenarioId: string, now: Date): Promise<ScheduledTriggerState | null> {
  const { rows } = await client.query<{
    workspace_id: string;
    status: ScenarioStatus;
    timezone: string;
    document: ScenarioDocument | null;
    created_at: Date | null;
    ran_until: Date | null;
  }>(
    `select s.workspace_id::text, s.status, w.timezone, v.document, v.created_at, c.ran_until
       from scenarios s join workspaces w on w.id = s.workspace_id
       left join scenario_versions v on v.scenario_id = s.id and v.version = s.published_version
       left join scenario_trigger_cursors c on c.scenario_id = s.id
      where s.id = $1`,
    [scenarioId],
  );
  const row = rows[0];
  if (!row) return null;
  const trigger = row.document && isScheduledTrigger(row.document.trigger) ? row.document.trigger : null;
  const ranUntil = row.ran_until ?? new Date(Math.min(now.getTime(), row.created_at?.getTime() ?? now.getTime()));
  return { scenarioId, workspaceId: row.workspace_id, status: row.status, trigger, timezone: row.timezone, ranUntil };
}

/**
 * Adds, moves or removes the scenario's scheduled-trigger job in the caller's transaction: while
 * the scenario is active with a scheduled trigger, one job at its next moment after what it has
 * run until (a moment already past runs at once: a worker that was down catches up); otherwise
 * none. `run_at` is the database's now plus the moment's distance from `clock`, so an injected
 * clock and the database's agree on "due". Returns the moment, or null when no job is left.
 */
export async function syncScheduledTrigger(client: pg.ClientBase, params: { scenarioId: string; clock: Clock }): Promise<Date | null> {
  const now = params.clock.now();
  const state = await readScheduledTriggerState(client, params.scenarioId, now);
  const key = scheduledTriggerJobKey(params.scenarioId);
  const moment = state?.status === 'active' && state.trigger ? nextTriggerMoment(state.trigger, state.ranUntil, state.timezone) : null;
  if (!state || !moment) {
    await client.query('select graphile_worker.remove_job($1)', [key]);
    return null;
  }
  await client.query(
    `select graphile_worker.add_job($1, json_build_object('scenarioId', $2::text, 'workspaceId', $3::text),
                                    run_at => now() + $4::bigint * interval '1 millisecond', job_key => $5, job_key_mode => 'replace')`,
    [SCHEDULED_TRIGGER_TASK, params.scenarioId, state.workspaceId, moment.getTime() - now.getTime(), key],
  );
  return moment;
}

/** The ids of every active scenario whose published trigger is a scheduled one (a worker schedules them all when it starts). */
export async function activeScheduledScenarioIds(pool: Queryable): Promise<string[]> {
  const { rows } = await pool.query<{ id: string }>(
    `select s.id::text from scenarios s join scenario_versions v on v.scenario_id = s.id and v.version = s.published_version
      where s.status = 'active' and v.document->'trigger'->>'kind' in ('date_attribute', 'subscription_anniversary', 'audience')
      order by s.id`,
  );
  return rows.map((row) => row.id);
}
