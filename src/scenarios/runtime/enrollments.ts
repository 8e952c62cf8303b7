import type pg from 'pg';
import { withTransaction } from '../../db/transaction.ts';
import type { Condition, PropertyTest } from '../../journey-map/model.ts';
import { loadFacts } from '../../journey-map/placement/facts-loader.ts';
import { compileCondition, emptyNeeds, loadCatalogue, mergeNeeds } from '../../journey-map/rules/compile.ts';
import type { CustomerFacts } from '../../journey-map/rules/facts.ts';
import { todayOf } from '../../journey-map/placement/local-days.ts';
import type { Clock } from '../../shared/clock.ts';
import { type Advance, advance, type EffectTimeline, type EnrollmentState, newEnrollment, type StepContext, type Timing, type Wake } from '../interpreter.ts';
import { ScenarioDocument, type ScenarioStep, type TriggerKind } from '../model.ts';

/**
 * Enrollments: customers in scenarios. Every change of an enrollment happens in one
 * transaction holding the enrollment's row lock: the interpreter's answer is written (state,
 * step log, effects under their deterministic keys, the wake-up), so a retry, a crash or a
 * second runner can never advance a step twice or produce an effect twice — an effect whose key
 * exists is not written again, and a wake-up for a step or visit the enrollment has left is
 * stale. Effects are performed afterwards from scenario_effects (sends, tasks, attributes).
 *
 * Wake-ups are kept in scenario_enrollments.wake_at and rung by a job per enrollment (the job
 * queue's `step:${enrollmentId}:${stepId}`, replaced when it moves); `runDueSteps` advances every
 * enrollment whose moment has come by the clock it is given, which is what a job does with the
 * system clock and what a test does with a manual one.
 */

/** What enrolled a customer: kept with the enrollment and with every send. */
export interface TriggerRecord {
  kind: TriggerKind;
  /** The order's, event's or subscription's external id or key; a cell's "stage/level". */
  ref: string | null;
  /** When it happened (ISO). */
  at: string;
  /** The trigger's order (an order trigger): the effect timeline reads its delivery. */
  orderId?: string | null;
  /** The product of the trigger (its SKU), for the effect timeline. */
  sku?: string | null;
}

/** A published version as the runtime runs it. */
export interface RunnableVersion {
  scenarioId: string;
  version: number;
  document: ScenarioDocument;
}

export interface EnrollOutcome {
  enrolled: boolean;
  /** Why not (re-entry rule, already in it). */
  reason?: string;
  enrollmentId?: string;
  advance?: Advance;
}

/**
 * Schedules the wake-up job of an enrollment (the job queue), in the transaction that moves it;
 * absent: only wake_at is kept (tests run them by their clock). `effectsWritten`, when set, is
 * called in the same transaction after effects were written, to have them performed.
 */
export type ScheduleWake = ((client: pg.ClientBase, enrollmentId: string, stepId: string, at: string) => Promise<void>) & {
  effectsWritten?: (client: pg.ClientBase, workspaceId: string) => Promise<void>;
};

/**
 * Enrolls a customer in a published version now, unless its re-entry rule forbids it, and runs
 * its first steps; all in the caller's transaction (one customer and scenario at a time: an
 * advisory lock on the pair).
 */
export async function enrollCustomer(
  client: pg.ClientBase,
  params: { workspaceId: string; timezone: string; version: RunnableVersion; customerId: string; trigger: TriggerRecord; now: Date; schedule?: ScheduleWake },
): Promise<EnrollOutcome> {
  const { workspaceId, version, customerId, now } = params;
  await client.query(`select pg_advisory_xact_lock(hashtextextended('scenario-enroll:' || $1::text || ':' || $2::text, 0))`, [version.scenarioId, customerId]);
  const { rows: previous } = await client.query<{ status: string; entered_at: Date }>(
    `select status, entered_at from scenario_enrollments
      where workspace_id = $1 and customer_id = $2 and scenario_id = $3
      order by entered_at desc limit 1`,
    [workspaceId, customerId, version.scenarioId],
  );
  const last = previous[0];
  const reentry = version.document.reentry;
  if (last?.status === 'active') return { enrolled: false, reason: 'already in the scenario' };
  if (last && reentry.kind === 'once') return { enrolled: false, reason: 'entered before (once)' };
  if (last && reentry.kind === 'once_per_days' && now.getTime() - last.entered_at.getTime() < reentry.days * 86_400_000) {
    return { enrolled: false, reason: `entered within the last ${reentry.days} days` };
  }
  const initial = newEnrollment('0', now);
  const { rows } = await client.query<{ id: string }>(
    `insert into scenario_enrollments (workspace_id, scenario_id, version, customer_id, status, step_id, visit, since, timing, trigger, entered_at)
     values ($1, $2, $3, $4, 'active', null, 0, $5, $6, $7, $5) returning id`,
    [workspaceId, version.scenarioId, version.version, customerId, now, initial.timing, params.trigger],
  );
  const enrollmentId = rows[0]!.id;
  const state: EnrollmentState = { ...initial, id: enrollmentId };
  const context = await loadStepContext(client, {
    workspaceId,
    timezone: params.timezone,
    document: version.document,
    customerId,
    trigger: params.trigger,
    now,
  });
  const result = advance(version.document, state, { kind: 'enter', triggerAt: params.trigger.at }, context);
  await applyAdvance(client, { workspaceId, customerId, version, trigger: params.trigger, result, now, schedule: params.schedule });
  return { enrolled: true, enrollmentId, advance: result };
}

interface EnrollmentRow {
  id: string;
  workspace_id: string;
  scenario_id: string;
  version: number;
  customer_id: string;
  status: EnrollmentState['status'];
  step_id: string | null;
  visit: number;
  since: Date;
  timing: Timing;
  exit_reason: string | null;
  trigger: TriggerRecord;
  document: unknown;
  timezone: string;
}

/**
 * Wakes one enrollment (its row locked in the caller's transaction): a wait came due, an event
 * arrived, or a delivery was recorded. A wake for a step or visit it has left changes nothing.
 */
export async function wakeEnrollment(
  client: pg.ClientBase,
  params: { enrollmentId: string; wake: Exclude<Wake, { kind: 'enter' }>; now: Date; schedule?: ScheduleWake },
): Promise<Advance | null> {
  const { rows } = await client.query<EnrollmentRow>(
    `select e.id, e.workspace_id, e.scenario_id, e.version, e.customer_id, e.status, e.step_id, e.visit, e.since, e.timing,
            e.exit_reason, e.trigger, v.document, w.timezone
       from scenario_enrollments e
       join scenario_versions v on v.scenario_id = e.scenario_id and v.version = e.version
       join workspaces w on w.id = e.workspace_id
      where e.id = $1
      for update of e`,
    [params.enrollmentId],
  );
  const row = rows[0];
  if (row?.status !== 'active') return null;
  const document = ScenarioDocument.parse(row.document);
  const state: EnrollmentState = {
    id: row.id,
    status: row.status,
    stepId: row.step_id,
    visit: row.visit,
    since: row.since.toISOString(),
    timing: row.timing,
    exitReason: row.exit_reason,
  };
  const context = await loadStepContext(client, {
    workspaceId: row.workspace_id,
    timezone: row.timezone,
    document,
    customerId: row.customer_id,
    trigger: row.trigger,
    now: params.now,
  });
  const result = advance(document, state, params.wake, context);
  if (result.stale) return result;
  await applyAdvance(client, {
    workspaceId: row.workspace_id,
    customerId: row.customer_id,
    version: { scenarioId: row.scenario_id, version: row.version, document },
    trigger: row.trigger,
    result,
    now: params.now,
    schedule: params.schedule,
  });
  return result;
}

/**
 * Advances every active enrollment whose wake-up is due by `clock` (optionally of one
 * workspace), each in its own transaction; rows another runner holds are skipped (it advances
 * them). Returns how many it advanced.
 */
export async function runDueSteps(params: { pool: pg.Pool; clock: Clock; workspaceId?: string; limit?: number; schedule?: ScheduleWake }): Promise<number> {
  const limit = params.limit ?? 1000;
  let advanced = 0;
  for (;;) {
    const now = params.clock.now();
    const done = await withTransaction(params.pool, async (client) => {
      const { rows } = await client.query<{ id: string; step_id: string; visit: number }>(
        `select id, step_id, visit from scenario_enrollments
          where status = 'active' and wake_at <= $1 and ($2::bigint is null or workspace_id = $2)
          order by wake_at, id limit 1
          for update skip locked`,
        [now, params.workspaceId ?? null],
      );
      const row = rows[0];
      if (!row) return false;
      await wakeEnrollment(client, {
        enrollmentId: row.id,
        wake: { kind: 'due', stepId: row.step_id, visit: row.visit },
        now,
        ...(params.schedule ? { schedule: params.schedule } : {}),
      });
      return true;
    });
    if (!done) return advanced;
    advanced++;
    if (advanced >= limit) return advanced;
  }
}

/** Writes the interpreter's answer: the enrollment's state, its step log, its effects (each once, by key) and its wake-up. */
async function applyAdvance(
  client: pg.ClientBase,
  params: {
    workspaceId: string;
    customerId: string;
    version: RunnableVersion;
    trigger: TriggerRecord;
    result: Advance;
    now: Date;
    schedule?: ScheduleWake | undefined;
  },
): Promise<void> {
  const { result, workspaceId, customerId, version } = params;
  const { state } = result;
  const finished = state.status !== 'active';
  await client.query(
    `update scenario_enrollments set status = $2, step_id = $3, visit = $4, since = $5, timing = $6, exit_reason = $7,
            wake_at = $8, wait_event_type = $9, wait_event_where = $10, waiting_for_delivery = $11,
            finished_at = case when $12 then $13::timestamptz else null end
      where id = $1`,
    [
      state.id,
      state.status,
      state.stepId,
      state.visit,
      state.since,
      state.timing,
      state.exitReason,
      result.schedule?.at ?? null,
      result.waitFor?.type ?? null,
      result.waitFor ? JSON.stringify(result.waitFor.where) : null,
      result.waitingForDelivery,
      finished,
      params.now,
    ],
  );
  if (result.path.length > 0) {
    await client.query(
      `insert into scenario_step_log (enrollment_id, step_id, kind, outcome, at, detail, until)
       select $1, p.step_id, p.kind, p.outcome, p.at, p.detail, p.until
         from unnest($2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::text[], $7::timestamptz[]) as p(step_id, kind, outcome, at, detail, until)`,
      [
        state.id,
        result.path.map((entry) => entry.stepId),
        result.path.map((entry) => entry.kind),
        result.path.map((entry) => entry.outcome),
        result.path.map((entry) => entry.at),
        result.path.map((entry) => entry.detail ?? null),
        result.path.map((entry) => entry.until ?? null),
      ],
    );
  }
  for (const effect of result.effects) {
    const { key, stepId, kind, ...payload } = effect;
    const why = {
      scenarioId: version.scenarioId,
      key: version.document.key,
      version: version.version,
      stepId,
      trigger: params.trigger,
      timing: 'timing' in effect ? effect.timing : state.timing,
    };
    await client.query(
      `insert into scenario_effects (workspace_id, key, enrollment_id, customer_id, step_id, kind, payload, why, created_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       on conflict (key) do nothing`,
      [workspaceId, key, state.id, customerId, stepId, kind, payload, why, params.now],
    );
  }
  if (result.schedule && params.schedule) await params.schedule(client, state.id, result.schedule.stepId, result.schedule.at);
  if (result.effects.length > 0) await params.schedule?.effectsWritten?.(client, workspaceId);
}

/** The conditions of a version's branch steps (the facts its interpreter reads). */
function branchConditions(document: ScenarioDocument): Condition[] {
  return document.steps.flatMap((step: ScenarioStep) => (step.kind === 'branch' ? [step.condition] : []));
}

/**
 * What the interpreter reads about one customer now: their facts for the version's branch
 * conditions (the journey rules' facts loader), and the effect timeline of the trigger's
 * product (or a named one): its days to the first feeling and to a clear effect, and the
 * delivery of the trigger's order (or the customer's last delivered order of that product).
 */
export async function loadStepContext(
  client: pg.ClientBase,
  params: { workspaceId: string; timezone: string; document: ScenarioDocument; customerId: string; trigger: TriggerRecord; now: Date },
): Promise<StepContext> {
  const { workspaceId, timezone, document, customerId, trigger, now } = params;
  const catalogue = await loadCatalogue(client, workspaceId);
  const compiled = new Map(branchConditions(document).map((condition) => [condition, compileCondition(condition, catalogue)]));
  let facts: CustomerFacts | null = null;
  if (compiled.size > 0) {
    let needs = emptyNeeds();
    for (const { needs: more } of compiled.values()) needs = mergeNeeds(needs, more);
    [facts = null] = await loadFacts({ db: client, workspaceId, timezone, needs, at: now }, { ids: [customerId] });
  }
  const today = todayOf(now, timezone);
  const timelines = new Map<string, EffectTimeline | null>();
  const wantedSkus = new Set<string | undefined>(document.steps.flatMap((step) => (step.kind === 'wait_for_effect' ? [step.product] : [])));
  for (const sku of wantedSkus)
    timelines.set(
      sku ?? '',
      await effectTimelineOf(client, { workspaceId, customerId, sku: sku ?? trigger.sku ?? null, orderId: sku ? null : (trigger.orderId ?? null) }),
    );
  return {
    now,
    timezone,
    holds: (condition) => {
      const found = compiled.get(condition);
      return found !== undefined && facts !== null && found.holds(facts, today);
    },
    effectTimeline: (sku) => timelines.get(sku ?? '') ?? null,
  };
}

async function effectTimelineOf(
  client: pg.ClientBase,
  params: { workspaceId: string; customerId: string; sku: string | null; orderId: string | null },
): Promise<EffectTimeline | null> {
  if (params.sku === null) return null;
  const { rows } = await client.query<{ sku: string; name: string; first: number | null; clear: number | null; delivered_at: Date | null }>(
    `select p.sku, p.name, p.effect_first_feeling_days as first, p.effect_clear_days as clear,
            (select o.delivered_at from orders o join order_items i on i.order_id = o.id and i.product_id = p.id
              where o.workspace_id = $1 and o.customer_id = $2 and ($4::bigint is null or o.id = $4)
              order by o.ordered_at desc limit 1) as delivered_at
       from products p where p.workspace_id = $1 and p.sku = $3`,
    [params.workspaceId, params.customerId, params.sku, params.orderId],
  );
  const row = rows[0];
  if (!row) return null;
  return { sku: row.sku, name: row.name, deliveredAt: row.delivered_at, firstFeelingDays: row.first, clearDays: row.clear };
}

/** The active enrollments of a customer that wait for an event of `type` (the caller tests the properties). */
export async function enrollmentsWaitingFor(
  client: pg.ClientBase,
  workspaceId: string,
  customerId: string,
  type: string,
): Promise<Array<{ id: string; stepId: string; visit: number; where: PropertyTest[] }>> {
  const { rows } = await client.query<{ id: string; step_id: string; visit: number; wait_event_where: PropertyTest[] | null }>(
    `select id, step_id, visit, wait_event_where from scenario_enrollments
      where workspace_id = $1 and customer_id = $2 and status = 'active' and wait_event_type = $3`,
    [workspaceId, customerId, type],
  );
  return rows.map((row) => ({ id: row.id, stepId: row.step_id, visit: row.visit, where: row.wait_event_where ?? [] }));
}

/**
 * Ends an active enrollment at once — an exit rule held, even in the middle of a wait — in the
 * caller's transaction: status exited with its reason, no wake-up, no event or delivery awaited,
 * and a step-log row at the step it was in (step_id cleared, as the interpreter's exit does). Its pending wake-up job finds it no longer active
 * and does nothing. Returns false when it was not active.
 */
export async function exitEnrollment(client: pg.ClientBase, params: { enrollmentId: string; reason: string; now: Date }): Promise<boolean> {
  const { rows } = await client.query<{ step_id: string | null }>(
    `with was as (select id, step_id from scenario_enrollments where id = $1 and status = 'active' for update)
     update scenario_enrollments e
        set status = 'exited', step_id = null, exit_reason = $2, wake_at = null, wait_event_type = null, wait_event_where = null,
            waiting_for_delivery = false, finished_at = $3
       from was where e.id = was.id
      returning was.step_id`,
    [params.enrollmentId, params.reason, params.now],
  );
  const row = rows[0];
  if (!row) return false;
  await client.query(`insert into scenario_step_log (enrollment_id, step_id, kind, outcome, at, detail) values ($1, $2, 'exit_rule', 'exited', $3, $4)`, [
    params.enrollmentId,
    row.step_id ?? '(entry)',
    params.now,
    params.reason,
  ]);
  return true;
}
