import type pg from 'pg';
import { withTransaction } from '../../db/transaction.ts';
import type { PropertyTest } from '../../journey-map/model.ts';
import type { Clock } from '../../shared/clock.ts';
import { type Advance, advance, type EnrollmentState, newEnrollment, type StepEffect, type Timing, type Wake } from '../interpreter.ts';
import { ScenarioDocument, type TriggerKind } from '../model.ts';
import { armFor } from '../../measurement/assignment.ts';
import { type AdvanceToWrite, applyAdvances, type EnrollmentArm } from './advance-writes.ts';
import { loadStepContexts } from './step-context.ts';

export { loadStepContext } from './step-context.ts';

/**
 * Enrollments: customers in scenarios. Every change of an enrollment happens in a transaction
 * holding the enrollment's row lock: the interpreter's answer is written (state, step log,
 * effects under their deterministic keys, the wake-up), so a retry, a crash or a second runner
 * can never advance a step twice or produce an effect twice — an effect whose key exists is not
 * written again, and a wake-up for a step or visit the enrollment has left is stale.
 * Effects are performed afterwards from scenario_effects (sends, tasks, attributes).
 *
 * Wake-ups are kept in scenario_enrollments.wake_at and rung by a job per enrollment (the job
 * queue's `step:${enrollmentId}:${stepId}`, replaced when it moves). Due enrollments are advanced
 * in batches (advanceDueEnrollments): one transaction locks up to a few hundred of them
 * (`for update skip locked`, so two runners share the work and never take the same one), runs
 * the interpreter for each and writes all the answers in a few statements; the jobs of the
 * enrollments it moved are removed (schedule.passed), and any left would find their step passed
 * and do nothing. `runDueSteps` advances every enrollment whose moment has come by the clock it
 * is given, which is what a test does with a manual one.
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
  /** The arm it entered in (treatment, holdout, global control). */
  arm?: EnrollmentArm;
}

/** A wake-up to schedule: the enrollment, the step it waits in, when. */
export interface WakeToSchedule {
  enrollmentId: string;
  stepId: string;
  at: string;
}

/**
 * Schedules the wake-up job of an enrollment (the job queue), in the transaction that moves it;
 * absent: only wake_at is kept (tests run them by their clock). Optional members, called in the
 * same transaction:
 * - `many`: schedules many wake-ups at once (a batch advance); absent: one call each;
 * - `passed`: the wake-ups of steps these enrollments were just advanced past by another job's
 *   batch (their own jobs are now stale): removes them;
 * - `effectsWritten`: effects of these kinds were written for the workspace: have them performed.
 */
export type ScheduleWake = ((client: pg.ClientBase, enrollmentId: string, stepId: string, at: string) => Promise<void>) & {
  many?: (client: pg.ClientBase, wakes: readonly WakeToSchedule[]) => Promise<void>;
  passed?: (client: pg.ClientBase, steps: ReadonlyArray<{ enrollmentId: string; stepId: string }>) => Promise<void>;
  effectsWritten?: (client: pg.ClientBase, workspaceId: string, kinds?: ReadonlySet<StepEffect['kind']>) => Promise<void>;
};

/** How many due enrollments one transaction advances (runDueSteps, a wake-up job's batch). */
export const DUE_BATCH = 500;

/** One customer to enroll in one version (enrollCustomers). */
export interface EnrollmentRequest {
  version: RunnableVersion;
  customerId: string;
  trigger: TriggerRecord;
}

/**
 * Enrolls a customer in a published version now, unless its re-entry rule forbids it, and runs
 * its first steps; all in the caller's transaction (one customer and scenario at a time: an
 * advisory lock on the pair).
 */
export async function enrollCustomer(
  client: pg.ClientBase,
  params: { workspaceId: string; timezone: string; version: RunnableVersion; customerId: string; trigger: TriggerRecord; now: Date; schedule?: ScheduleWake },
): Promise<EnrollOutcome> {
  const [outcome] = await enrollCustomers(client, {
    ...params,
    requests: [{ version: params.version, customerId: params.customerId, trigger: params.trigger }],
  });
  return outcome!;
}

/**
 * enrollCustomer for many (customer, version) pairs of one workspace at once, in the caller's
 * transaction, with the same rules: the advisory locks of all pairs are taken in one statement
 * (in key order, so two callers never wait for each other in a cycle), the last enrollment of
 * every pair is read in one query, the admitted ones inserted in one statement, their first
 * steps run with the step contexts loaded per version, and every answer written at once
 * (applyAdvances: one ring of the effects job). A pair asked twice is enrolled at most once.
 * Outcomes in the order of `requests`.
 */
export async function enrollCustomers(
  client: pg.ClientBase,
  params: { workspaceId: string; timezone: string; requests: readonly EnrollmentRequest[]; now: Date; schedule?: ScheduleWake | undefined },
): Promise<EnrollOutcome[]> {
  const { workspaceId, requests, now } = params;
  if (requests.length === 0) return [];
  const scenarioIds = requests.map((request) => request.version.scenarioId);
  const customerIds = requests.map((request) => request.customerId);
  await client.query(
    `select pg_advisory_xact_lock(k.h)
       from (select distinct hashtextextended('scenario-enroll:' || x.s || ':' || x.c, 0) as h
               from unnest($1::text[], $2::text[]) as x(s, c) order by h) k`,
    [scenarioIds, customerIds],
  );
  const { rows: previous } = await client.query<{ scenario_id: string; customer_id: string; status: string; entered_at: Date }>(
    `select distinct on (e.scenario_id, e.customer_id) e.scenario_id, e.customer_id, e.status, e.entered_at
       from scenario_enrollments e
       join (select distinct s, c from unnest($2::bigint[], $3::bigint[]) as x(s, c)) x on e.scenario_id = x.s and e.customer_id = x.c
      where e.workspace_id = $1
      order by e.scenario_id, e.customer_id, e.entered_at desc`,
    [workspaceId, scenarioIds, customerIds],
  );
  const pairKey = (scenarioId: string, customerId: string) => `${scenarioId}:${customerId}`;
  const last = new Map(previous.map((row) => [pairKey(row.scenario_id, row.customer_id), row]));
  const outcomes: EnrollOutcome[] = [];
  const admitted: Array<{ index: number; request: EnrollmentRequest }> = [];
  const decided = new Set<string>();
  requests.forEach((request, index) => {
    const key = pairKey(request.version.scenarioId, request.customerId);
    const before = last.get(key);
    const reentry = request.version.document.reentry;
    let reason: string | null = null;
    if (decided.has(key) || before?.status === 'active') reason = 'already in the scenario';
    else if (before && reentry.kind === 'once') reason = 'entered before (once)';
    else if (before && reentry.kind === 'once_per_days' && now.getTime() - before.entered_at.getTime() < reentry.days * 86_400_000)
      reason = `entered within the last ${reentry.days} days`;
    outcomes.push(reason === null ? { enrolled: true } : { enrolled: false, reason });
    if (reason === null) {
      decided.add(key);
      admitted.push({ index, request });
    }
  });
  if (admitted.length === 0) return outcomes;
  const initial = newEnrollment('0', now);
  // The arm, fixed at entry (src/measurement/assignment.ts): the global control group, the scenario's holdout, or treatment.
  const { rows: ruleRows } = await client.query<{ percent: number | null }>(
    `select (document->>'globalControlPercent')::int as percent from contact_rules where workspace_id = $1`,
    [workspaceId],
  );
  const globalControlPercent = ruleRows[0]?.percent ?? 0;
  const arms = admitted.map(({ request }) =>
    armFor({
      workspaceId,
      scenarioId: request.version.scenarioId,
      customerId: request.customerId,
      purpose: request.version.document.purpose,
      holdoutPercent: request.version.document.measurement?.holdoutPercent ?? 0,
      globalControlPercent,
    }),
  );
  const { rows: inserted } = await client.query<{ id: string; n: string }>(
    `insert into scenario_enrollments (workspace_id, scenario_id, version, customer_id, status, step_id, visit, since, timing, trigger, entered_at, arm)
     select $1, x.s, x.v, x.c, 'active', null, 0, $5, $6, x.t, $5, x.a
       from unnest($2::bigint[], $3::int[], $4::bigint[], $7::jsonb[], $8::text[]) with ordinality as x(s, v, c, t, a, n)
      order by x.n
     returning id, scenario_id::text || ':' || customer_id::text as n`,
    [
      workspaceId,
      admitted.map(({ request }) => request.version.scenarioId),
      admitted.map(({ request }) => request.version.version),
      admitted.map(({ request }) => request.customerId),
      now,
      initial.timing,
      admitted.map(({ request }) => JSON.stringify(request.trigger)),
      arms,
    ],
  );
  const armOf = new Map(admitted.map(({ index }, i) => [index, arms[i]!]));
  const ids = new Map(inserted.map((row) => [row.n, row.id]));
  const groups = new Map<string, Array<{ index: number; request: EnrollmentRequest; enrollmentId: string }>>();
  for (const { index, request } of admitted) {
    const versionKey = `${request.version.scenarioId}:${request.version.version}`;
    const enrollmentId = ids.get(pairKey(request.version.scenarioId, request.customerId))!;
    groups.set(versionKey, [...(groups.get(versionKey) ?? []), { index, request, enrollmentId }]);
  }
  const writes: AdvanceToWrite[] = [];
  for (const group of groups.values()) {
    const { version } = group[0]!.request;
    const contexts = await loadStepContexts(client, {
      workspaceId,
      timezone: params.timezone,
      document: version.document,
      customers: group.map(({ request }) => ({ customerId: request.customerId, trigger: request.trigger })),
      now,
    });
    group.forEach(({ index, request, enrollmentId }, i) => {
      const state: EnrollmentState = { ...initial, id: enrollmentId };
      const result = advance(version.document, state, { kind: 'enter', triggerAt: request.trigger.at }, contexts[i]!);
      const arm = armOf.get(index)!;
      writes.push({ workspaceId, customerId: request.customerId, version, trigger: request.trigger, result, arm });
      outcomes[index] = { enrolled: true, enrollmentId, advance: result, arm };
    });
  }
  await applyAdvances(client, writes, now, params.schedule);
  return outcomes;
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
  timezone: string;
  arm: EnrollmentArm;
}

/** An enrollment's columns (its version's document is read once per version: loadDocuments). */
const ENROLLMENT_COLUMNS = `e.id, e.workspace_id, e.scenario_id, e.version, e.customer_id, e.status, e.step_id, e.visit, e.since, e.timing,
            e.exit_reason, e.trigger, w.timezone, e.arm
       from scenario_enrollments e
       join workspaces w on w.id = e.workspace_id`;

/**
 * Wakes one enrollment (its row locked in the caller's transaction): a wait came due, an event
 * arrived, or a delivery was recorded. A wake for a step or visit it has left changes nothing.
 */
export async function wakeEnrollment(
  client: pg.ClientBase,
  params: { enrollmentId: string; wake: Exclude<Wake, { kind: 'enter' }>; now: Date; schedule?: ScheduleWake },
): Promise<Advance | null> {
  const { rows } = await client.query<EnrollmentRow>(`select ${ENROLLMENT_COLUMNS} where e.id = $1 for update of e`, [params.enrollmentId]);
  const row = rows[0];
  if (row?.status !== 'active') return null;
  const [result] = await advanceLocked(client, [row], () => params.wake, params.now, params.schedule);
  return result!;
}

/**
 * Advances due active enrollments (wake_at reached by `now`) in the caller's transaction, up to
 * `limit` (default DUE_BATCH), optionally of one workspace: `first`, when given, is locked first
 * (waiting for it), the others are taken `for update skip locked` in wake-up order, so rows
 * another runner holds are left to it. The wake-up jobs of the enrollments it moved, but
 * `first`'s (the job running), are removed through `schedule.passed`. Returns how many it
 * advanced (stale ones included: none is left due).
 */
export async function advanceDueEnrollments(
  client: pg.ClientBase,
  params: { now: Date; workspaceId: string; limit?: number; first?: string; schedule?: ScheduleWake | undefined },
): Promise<number> {
  const limit = params.limit ?? DUE_BATCH;
  const rows: EnrollmentRow[] = [];
  if (params.first !== undefined) {
    const { rows: own } = await client.query<EnrollmentRow>(
      `select ${ENROLLMENT_COLUMNS} where e.id = $1 and e.status = 'active' and e.wake_at <= $2 for update of e`,
      [params.first, params.now],
    );
    rows.push(...own);
  }
  if (rows.length < limit) {
    // The oldest due first, walked in the order of scenario_enrollments_due_idx (workspace, wake_at, id).
    const { rows: others } = await client.query<EnrollmentRow>(
      `select ${ENROLLMENT_COLUMNS}
        where e.workspace_id = $2 and e.status = 'active' and e.wake_at <= $1 and e.id <> $4
        order by e.wake_at, e.id limit $3
        for update of e skip locked`,
      [params.now, params.workspaceId, limit - rows.length, params.first ?? '0'],
    );
    rows.push(...others);
  }
  if (rows.length === 0) return 0;
  const passed = rows.filter((row) => row.id !== params.first && row.step_id !== null).map((row) => ({ enrollmentId: row.id, stepId: row.step_id! }));
  if (passed.length > 0) await params.schedule?.passed?.(client, passed);
  await advanceLocked(client, rows, (row) => ({ kind: 'due', stepId: row.step_id ?? '', visit: row.visit }), params.now, params.schedule);
  return rows.length;
}

/** The documents of these rows' versions (one row per version), by "scenarioId:version". */
async function loadDocuments(client: pg.ClientBase, rows: readonly EnrollmentRow[]): Promise<Map<string, ScenarioDocument>> {
  const { rows: found } = await client.query<{ scenario_id: string; version: number; document: unknown }>(
    `select v.scenario_id, v.version, v.document from scenario_versions v
       join unnest($1::bigint[], $2::int[]) as k(scenario_id, version) on v.scenario_id = k.scenario_id and v.version = k.version`,
    [rows.map((row) => row.scenario_id), rows.map((row) => row.version)],
  );
  return new Map(found.map((row) => [`${row.scenario_id}:${row.version}`, ScenarioDocument.parse(row.document)]));
}

/** Runs the interpreter for locked enrollment rows (contexts loaded per version at once) and writes the answers that are not stale. */
async function advanceLocked(
  client: pg.ClientBase,
  rows: readonly EnrollmentRow[],
  wakeOf: (row: EnrollmentRow) => Wake,
  now: Date,
  schedule: ScheduleWake | undefined,
): Promise<Advance[]> {
  const groups = new Map<string, EnrollmentRow[]>();
  for (const row of rows) {
    const key = `${row.scenario_id}:${row.version}`;
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  const results = new Map<string, Advance>();
  const writes: AdvanceToWrite[] = [];
  const documents = await loadDocuments(
    client,
    [...groups.values()].map((group) => group[0]!),
  );
  for (const group of groups.values()) {
    const first = group[0]!;
    const document = documents.get(`${first.scenario_id}:${first.version}`)!;
    const version: RunnableVersion = { scenarioId: first.scenario_id, version: first.version, document };
    const contexts = await loadStepContexts(client, {
      workspaceId: first.workspace_id,
      timezone: first.timezone,
      document,
      customers: group.map((row) => ({ customerId: row.customer_id, trigger: row.trigger })),
      now,
    });
    group.forEach((row, i) => {
      const state: EnrollmentState = {
        id: row.id,
        status: row.status,
        stepId: row.step_id,
        visit: row.visit,
        since: row.since.toISOString(),
        timing: row.timing,
        exitReason: row.exit_reason,
      };
      const result = advance(document, state, wakeOf(row), contexts[i]!);
      results.set(row.id, result);
      if (!result.stale) writes.push({ workspaceId: row.workspace_id, customerId: row.customer_id, version, trigger: row.trigger, result, arm: row.arm });
    });
  }
  await applyAdvances(client, writes, now, schedule);
  return rows.map((row) => results.get(row.id)!);
}

/**
 * Advances every active enrollment of a workspace whose wake-up is due by `clock`, a batch of up to `batch` (default DUE_BATCH) per transaction; rows another runner
 * holds are skipped (it advances them). Returns how many it advanced.
 */
export async function runDueSteps(params: {
  pool: pg.Pool;
  clock: Clock;
  workspaceId: string;
  limit?: number;
  batch?: number;
  schedule?: ScheduleWake;
}): Promise<number> {
  const limit = params.limit ?? Number.POSITIVE_INFINITY;
  let advanced = 0;
  while (advanced < limit) {
    const now = params.clock.now();
    const step = await withTransaction(params.pool, (client) =>
      advanceDueEnrollments(client, {
        now,
        workspaceId: params.workspaceId,
        limit: Math.min(params.batch ?? DUE_BATCH, limit - advanced),
        schedule: params.schedule,
      }),
    );
    if (step === 0) break;
    advanced += step;
  }
  return advanced;
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
