import { firstSelected } from './process-signals.ts';
import type pg from 'pg';
import { dayNumber, formatDay } from '../../analytics/periods.ts';
import { withTransaction } from '../../db/transaction.ts';
import type { Condition } from '../../journey-map/model.ts';
import { loadFacts } from '../../journey-map/placement/facts-loader.ts';
import { todayOf } from '../../journey-map/placement/local-days.ts';
import { compileCondition, emptyNeeds, loadCatalogue, mergeNeeds } from '../../journey-map/rules/compile.ts';
import type { CatalogueProduct } from '../../journey-map/rules/facts.ts';
import type { Clock } from '../../shared/clock.ts';
import { zonedTimeToUtc } from '../../shared/time.ts';
import { DEFAULT_DATE_TRIGGER_TIME, type ScenarioTrigger, WEEKDAYS } from '../model.ts';
import { listActiveScenarioVersions } from '../scenarios.ts';
import { enrollCustomer, type RunnableVersion, type ScheduleWake, type TriggerRecord } from './enrollments.ts';

/**
 * The triggers that come with time rather than with a write: `date_attribute` (a customer's date
 * ± days, yearly or once, at a local time), `subscription_anniversary` (each yearly anniversary
 * of an active subscription's start ± days) and `audience` (everyone for whom a condition holds
 * when its schedule fires). `runScheduledTriggers` enrolls, for each active scenario with one of
 * them, the customers whose moment came in (cursor, now]; the cursor (scenario_trigger_cursors)
 * moves to now in the same transaction. A scenario's first run counts from when its version
 * was published (or from now, whichever is earlier). Moments more than 400 days back are not
 * caught up. The re-entry rule holds, a customer for whom a condition exit rule holds is not
 * enrolled, and the same moment (ref) never enrolls a customer twice in one scenario.
 */

const AUDIENCE_CHUNK = 5000;
const CATCH_UP_DAYS = 400;

export interface ScheduledOutcome {
  /** Scenarios with a scheduled trigger that ran. */
  scenarios: number;
  enrolled: number;
}

export async function runScheduledTriggers(params: {
  pool: pg.Pool;
  clock: Clock;
  workspaceId: string;
  schedule?: ScheduleWake;
  /** Only these scenarios (the scheduled job runs one); absent: every one of the workspace. */
  scenarioIds?: readonly string[];
}): Promise<ScheduledOutcome> {
  const { pool, workspaceId, scenarioIds } = params;
  const versions = (await listActiveScenarioVersions({ pool, workspaceId })).filter(
    (v) => ['date_attribute', 'subscription_anniversary', 'audience'].includes(v.document.trigger.kind) && (!scenarioIds || scenarioIds.includes(v.scenarioId)),
  );
  const outcome: ScheduledOutcome = { scenarios: 0, enrolled: 0 };
  for (const version of versions) {
    const now = params.clock.now();
    outcome.enrolled += await withTransaction(pool, async (client) => {
      await client.query(
        `insert into scenario_trigger_cursors (scenario_id, workspace_id, ran_until)
         select $1, $2, least($3::timestamptz, v.created_at) from scenario_versions v where v.scenario_id = $1 and v.version = $4
         on conflict (scenario_id) do nothing`,
        [version.scenarioId, workspaceId, now, version.version],
      );
      const { rows } = await client.query<{ ran_until: Date; timezone: string }>(
        `select c.ran_until, w.timezone from scenario_trigger_cursors c join workspaces w on w.id = c.workspace_id
          where c.scenario_id = $1 for update of c`,
        [version.scenarioId],
      );
      const { ran_until: ranUntil, timezone } = rows[0]!;
      const from = new Date(Math.max(ranUntil.getTime(), now.getTime() - CATCH_UP_DAYS * 86_400_000));
      if (from >= now) return 0;
      const runnable: RunnableVersion = { scenarioId: version.scenarioId, version: version.version, document: version.document };
      const catalogue = await loadCatalogue(client, workspaceId);
      const due = await dueCustomers(client, { workspaceId, timezone, trigger: version.document.trigger, from, now, catalogue });
      const enrolled = await enrollDue(client, { workspaceId, timezone, version: runnable, due, now, catalogue, schedule: params.schedule });
      await client.query('update scenario_trigger_cursors set ran_until = $2 where scenario_id = $1', [version.scenarioId, now]);
      return enrolled;
    });
    outcome.scenarios++;
  }
  return outcome;
}

interface Due {
  customerId: string;
  ref: string;
  at: Date;
  sku?: string | null;
}

/** The local dates whose `time` falls in (from, now], each with that instant. */
function momentsIn(from: Date, now: Date, timezone: string, time: string): Array<{ day: string; at: Date }> {
  const [hour, minute] = time.split(':').map(Number) as [number, number];
  const moments: Array<{ day: string; at: Date }> = [];
  for (let day = todayOf(from, timezone); day <= todayOf(now, timezone); day++) {
    const text = formatDay(day);
    const [y, m, d] = text.split('-').map(Number) as [number, number, number];
    const at = zonedTimeToUtc(y, m, d, hour, minute, 0, 0, timezone);
    if (at > from && at <= now) moments.push({ day: text, at });
  }
  return moments;
}

function shiftDay(day: string, days: number): string {
  return formatDay(dayNumber(day) + days);
}

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

async function dueCustomers(
  client: pg.ClientBase,
  params: { workspaceId: string; timezone: string; trigger: ScenarioTrigger; from: Date; now: Date; catalogue: readonly CatalogueProduct[] },
): Promise<Due[]> {
  const { workspaceId, timezone, trigger, from, now } = params;
  switch (trigger.kind) {
    case 'date_attribute': {
      const due: Due[] = [];
      for (const moment of momentsIn(from, now, timezone, trigger.at ?? DEFAULT_DATE_TRIGGER_TIME)) {
        const target = shiftDay(moment.day, -trigger.offsetDays);
        // Yearly on the month and day; a 29 February date comes on the 28th in other years.
        const monthDays = [target.slice(5)];
        if (target.slice(5) === '02-28' && !isLeap(Number(target.slice(0, 4)))) monthDays.push('02-29');
        const { rows } = await client.query<{ id: string }>(
          `select id from customers
            where workspace_id = $1 and attributes->>$2 ~ '^\\d{4}-\\d{2}-\\d{2}'
              and case when $3 then substr(attributes->>$2, 6, 5) = any($4::text[]) else substr(attributes->>$2, 1, 10) = $5 end
            order by id`,
          [workspaceId, trigger.attribute, trigger.recurrence === 'yearly', monthDays, target],
        );
        for (const row of rows) due.push({ customerId: row.id, ref: `${trigger.attribute}:${moment.day}`, at: moment.at });
      }
      return due;
    }
    case 'subscription_anniversary': {
      const due: Due[] = [];
      for (const moment of momentsIn(from, now, timezone, trigger.at ?? DEFAULT_DATE_TRIGGER_TIME)) {
        const target = shiftDay(moment.day, -trigger.offsetDays);
        const monthDays = [target.slice(5)];
        if (target.slice(5) === '02-28' && !isLeap(Number(target.slice(0, 4)))) monthDays.push('02-29');
        const { rows } = await client.query<{ customer_id: string; external_id: string; skus: string[] }>(
          `select s.customer_id, s.external_id,
                  coalesce(array(select p.sku from subscription_items i join products p on p.id = i.product_id where i.subscription_id = s.id order by p.sku), '{}') as skus
             from subscriptions s
            where s.workspace_id = $1 and s.status = 'active'
              and to_char(s.started_at at time zone $2, 'MM-DD') = any($3::text[])
              and extract(year from s.started_at at time zone $2) < $4
            order by s.customer_id, s.external_id`,
          [workspaceId, timezone, monthDays, Number(target.slice(0, 4))],
        );
        for (const row of rows) {
          const sku = firstSelected(trigger, row.skus, params.catalogue);
          if (sku === undefined) continue;
          due.push({ customerId: row.customer_id, ref: `${row.external_id}:${target.slice(0, 4)}`, at: moment.at, sku: sku || null });
        }
      }
      return due;
    }
    case 'audience': {
      const at = lastScheduledMoment(trigger.schedule, from, now, timezone);
      if (!at) return [];
      const compiled = compileCondition(trigger.audience, params.catalogue);
      const today = todayOf(now, timezone);
      const due: Due[] = [];
      let after: string | null = null;
      for (;;) {
        const { rows }: { rows: Array<{ id: string }> } = await client.query<{ id: string }>(
          'select id from customers where workspace_id = $1 and ($2::bigint is null or id > $2) order by id limit $3',
          [workspaceId, after, AUDIENCE_CHUNK],
        );
        if (rows.length === 0) return due;
        const upTo: string = rows.at(-1)!.id;
        const facts = await loadFacts({ db: client, workspaceId, timezone, needs: compiled.needs, at: now }, { after, upTo });
        for (const each of facts) if (compiled.holds(each, today)) due.push({ customerId: each.customerId, ref: `audience:${at.toISOString()}`, at });
        after = upTo;
      }
    }
    default:
      return [];
  }
}

/** The last moment of an audience schedule in (from, now], or null. */
function lastScheduledMoment(schedule: Extract<ScenarioTrigger, { kind: 'audience' }>['schedule'], from: Date, now: Date, timezone: string): Date | null {
  if (schedule.kind === 'once') {
    const at = new Date(schedule.at);
    return at > from && at <= now ? at : null;
  }
  const moments = momentsIn(from, now, timezone, schedule.at).filter(({ day }) => {
    if (schedule.kind === 'daily') return true;
    if (schedule.kind === 'monthly') return Number(day.slice(8)) === schedule.dayOfMonth;
    const weekday = WEEKDAYS[(new Date(`${day}T00:00:00Z`).getUTCDay() + 6) % 7]!;
    return schedule.weekdays.includes(weekday);
  });
  return moments.at(-1)?.at ?? null;
}

/** Enrolls the due customers (not when a condition exit rule holds for them, nor twice for the same moment). */
async function enrollDue(
  client: pg.ClientBase,
  params: {
    workspaceId: string;
    timezone: string;
    version: RunnableVersion;
    due: Due[];
    now: Date;
    catalogue: readonly CatalogueProduct[];
    schedule?: ScheduleWake | undefined;
  },
): Promise<number> {
  const { workspaceId, timezone, version, due, now } = params;
  if (due.length === 0) return 0;
  const exits = version.document.exitRules.flatMap((rule) =>
    rule.kind === 'condition' ? [compileCondition(rule.condition as Condition, params.catalogue)] : [],
  );
  const excluded = new Set<string>();
  if (exits.length > 0) {
    let needs = emptyNeeds();
    for (const exit of exits) needs = mergeNeeds(needs, exit.needs);
    const today = todayOf(now, timezone);
    const ids = [...new Set(due.map((each) => each.customerId))];
    for (let i = 0; i < ids.length; i += AUDIENCE_CHUNK) {
      const facts = await loadFacts({ db: client, workspaceId, timezone, needs, at: now }, { ids: ids.slice(i, i + AUDIENCE_CHUNK) });
      for (const each of facts) if (exits.some((exit) => exit.holds(each, today))) excluded.add(each.customerId);
    }
  }
  let enrolled = 0;
  for (const each of due) {
    if (excluded.has(each.customerId)) continue;
    const { rows } = await client.query(
      `select 1 from scenario_enrollments where workspace_id = $1 and customer_id = $2 and scenario_id = $3 and trigger->>'ref' = $4 limit 1`,
      [workspaceId, each.customerId, version.scenarioId, each.ref],
    );
    if (rows.length > 0) continue;
    const trigger: TriggerRecord = { kind: version.document.trigger.kind, ref: each.ref, at: each.at.toISOString(), ...(each.sku ? { sku: each.sku } : {}) };
    const result = await enrollCustomer(client, {
      workspaceId,
      timezone,
      version,
      customerId: each.customerId,
      trigger,
      now,
      ...(params.schedule ? { schedule: params.schedule } : {}),
    });
    if (result.enrolled) enrolled++;
  }
  return enrolled;
}
