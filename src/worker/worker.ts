import { Logger, type Runner, run, type Task, type TaskList } from 'graphile-worker';
import { createEmailRenderer } from '../messaging/render.ts';
import type { SmtpTransport } from '../messaging/smtp.ts';
import { LOCAL_EFFECT_KINDS, performPendingEffects, STALE_SENDING_MINUTES } from '../scenarios/runtime/effects.ts';
import type pg from 'pg';
import { withTransaction } from '../db/transaction.ts';
import type { StepEffect } from '../scenarios/interpreter.ts';
import type { ScheduleWake, WakeToSchedule } from '../scenarios/runtime/enrollments.ts';
import { advanceDueEnrollments } from '../scenarios/runtime/enrollments.ts';
import type { Clock } from '../shared/clock.ts';

/**
 * The job queue: graphile-worker on the same PostgreSQL (its schema `graphile_worker` is
 * installed with Kizuna's migrations: src/db/job-queue.ts). This module is an edge like http/ and cli/: it maps job
 * names to domain functions and holds no logic of its own.
 *
 * - `scenario_wake` {enrollmentId}: an enrollment's wait has ended (its wake_at came): the
 *   interpreter advances it (src/scenarios/runtime/enrollments.ts), and with it up to DUE_BATCH
 *   other due enrollments of its workspace in the same transaction (a timer that releases many
 *   customers at once is a few hundred transactions, not one per customer); the jobs of those
 *   others are removed in that transaction. The job key is `step:${enrollmentId}:${stepId}`,
 *   replaced when the enrollment reschedules that step, so a step is rung once; a job for a step
 *   the enrollment has left finds it stale and does nothing.
 * - `scenario_effects` {workspaceId}: performs the workspace's pending sends over SMTP
 *   (src/scenarios/runtime/effects.ts), several in flight; rung by the transaction that wrote
 *   them (job key `effects:${workspaceId}`), and again for the earliest retry. Only a worker
 *   with SMTP takes it.
 * - `scenario_local_effects` {workspaceId}: performs the workspace's tasks and attribute updates
 *   (job key `local-effects:${workspaceId}`); every worker takes it, with SMTP or without.
 *
 * Jobs run at least once (a crashed worker's jobs are retried); every handler is idempotent
 * because the state it changes is keyed (enrollment step and visit, effect keys).
 */

/** The job that rings an enrollment's wake-up. */
export const WAKE_TASK = 'scenario_wake';

/** The job that performs a workspace's pending sends (workers with SMTP). */
export const EFFECTS_TASK = 'scenario_effects';

/** The job that performs a workspace's pending tasks and attribute updates (every worker). */
export const LOCAL_EFFECTS_TASK = 'scenario_local_effects';

type EffectsTask = typeof EFFECTS_TASK | typeof LOCAL_EFFECTS_TASK;
const EFFECTS_JOB_KEY: Record<EffectsTask, string> = { [EFFECTS_TASK]: 'effects', [LOCAL_EFFECTS_TASK]: 'local-effects' };

/**
 * Rings a workspace's effects job now, one pending job per workspace and task; `later`: at that
 * time under a key of its own (`…-later:`), so a job for later never delays one due now.
 */
async function ringEffects(client: pg.ClientBase | pg.Pool, task: EffectsTask, workspaceId: string, later: Date | null = null): Promise<void> {
  await client.query(
    `select graphile_worker.add_job($1, json_build_object('workspaceId', $2::text), run_at => coalesce($3::timestamptz, now()), job_key => $4, job_key_mode => 'replace')`,
    [task, workspaceId, later, `${EFFECTS_JOB_KEY[task]}${later ? '-later' : ''}:${workspaceId}`],
  );
}

const wakeJobKey = (enrollmentId: string, stepId: string) => `step:${enrollmentId}:${stepId}`;

/**
 * The wake-up scheduler the runtime calls inside its transaction: the job is added with the
 * enrollment's new state, or not at all (many at once for a batch); the jobs of steps a batch
 * moved enrollments past are removed; effects written in that transaction ring the workspace's
 * effects jobs of their kinds.
 */
export const scheduleWakeJob: ScheduleWake = Object.assign(
  async (client: pg.ClientBase, enrollmentId: string, stepId: string, at: string) => {
    await client.query(
      `select graphile_worker.add_job($1, json_build_object('enrollmentId', $2::text), run_at => $3::timestamptz, job_key => $4, job_key_mode => 'replace')`,
      [WAKE_TASK, enrollmentId, at, wakeJobKey(enrollmentId, stepId)],
    );
  },
  {
    many: async (client: pg.ClientBase, wakes: readonly WakeToSchedule[]) => {
      await client.query(
        `select graphile_worker.add_jobs(array(
           select row($1, json_build_object('enrollmentId', w.id), null, w.at, null, w.key, null, null)::graphile_worker.job_spec
             from unnest($2::text[], $3::timestamptz[], $4::text[]) as w(id, at, key)))`,
        [WAKE_TASK, wakes.map((wake) => wake.enrollmentId), wakes.map((wake) => wake.at), wakes.map((wake) => wakeJobKey(wake.enrollmentId, wake.stepId))],
      );
    },
    passed: async (client: pg.ClientBase, steps: ReadonlyArray<{ enrollmentId: string; stepId: string }>) => {
      await client.query('select graphile_worker.remove_job(k) from unnest($1::text[]) as k', [
        steps.map((step) => wakeJobKey(step.enrollmentId, step.stepId)),
      ]);
    },
    effectsWritten: async (client: pg.ClientBase, workspaceId: string, kinds?: ReadonlySet<StepEffect['kind']>) => {
      if (!kinds || kinds.has('send')) await ringEffects(client, EFFECTS_TASK, workspaceId);
      if (!kinds || LOCAL_EFFECT_KINDS.some((kind) => kinds.has(kind))) await ringEffects(client, LOCAL_EFFECTS_TASK, workspaceId);
    },
  },
);

/**
 * The size of the pool `kizuna serve` gives its worker, apart from the application's: the job
 * queue's own queries, the jobs run at once (4; an effects job holds one connection for its
 * claims), and the performers' checks and group writes, so a flood of requests waiting for the
 * application's pool never holds up a wake-up or a send.
 */
export const WORKER_CONNECTIONS = 8;

export interface WorkerOptions {
  pool: pg.Pool;
  clock: Clock;
  /**
   * Email over SMTP (KIZUNA_SMTP_URL) with what links in mail need. Without it this worker does
   * not take the effects jobs: they wait in the queue for a worker that has it.
   */
  email?: { transport: SmtpTransport; secret: string; publicUrl: string } | undefined;
  /** Sends in flight per effects job (default DEFAULT_IN_FLIGHT of effects.ts). */
  sendsInFlight?: number;
  /** false: sends skip the contact rules (benchmarks only: they measure what the rules cost). */
  governance?: boolean;
  /** Jobs run at once (default 4). */
  concurrency?: number;
  /**
   * At start, take over what a worker that died (kill -9, a lost machine) left: its locked
   * scenario jobs (the job queue unlocks them only after 4 hours) are added again under their
   * keys, and every workspace with effects pending or sending gets its effects jobs rung. A live
   * worker's job added again this way finds nothing to do. `kizuna serve` sets it.
   */
  recover?: boolean;
  /** More job kinds: name → handler (payload). */
  extraTasks?: TaskList;
  log?: (line: string) => void;
}

export interface KizunaWorker {
  stop(): Promise<void>;
}

/** Starts a worker in this process (`kizuna serve` runs one; `kizuna worker` runs one alone). */
export async function startWorker(options: WorkerOptions): Promise<KizunaWorker> {
  const { pool, clock } = options;
  const log = options.log ?? (() => {});
  const taskList: TaskList = {
    [WAKE_TASK]: async (payload) => {
      const enrollmentId = String((payload as { enrollmentId?: unknown }).enrollmentId ?? '');
      if (!/^[1-9][0-9]{0,18}$/.test(enrollmentId)) return;
      await wakeDue({ pool, clock, enrollmentId });
    },
    [LOCAL_EFFECTS_TASK]: effectsTask(pool, clock, LOCAL_EFFECTS_TASK),
    ...(options.email ? { [EFFECTS_TASK]: effectsTask(pool, clock, EFFECTS_TASK, options.email, options.sendsInFlight, options.governance) } : {}),
    ...options.extraTasks,
  };
  if (options.recover) await recover(pool, options.email !== undefined);
  const runner: Runner = await run({
    pgPool: pool,
    taskList,
    concurrency: options.concurrency ?? 4,
    noHandleSignals: true,
    pollInterval: 2000,
    logger: new Logger(() => (level, message) => {
      if (level === 'error' || level === 'warning') log(`Job queue: ${message}`);
    }),
  });
  return {
    async stop() {
      await runner.stop();
    },
  };
}

/**
 * Advances an enrollment whose wake-up came (a job ran): only when it is still active and its
 * wake_at is due by `clock`; a job that ran early (clocks apart) is added again for wake_at.
 */
export async function wakeDue(params: { pool: pg.Pool; clock: Clock; enrollmentId: string }): Promise<'advanced' | 'not due' | 'nothing to do'> {
  return withTransaction(params.pool, async (client) => {
    const { rows } = await client.query<{ workspace_id: string; step_id: string | null; wake_at: Date | null; status: string }>(
      'select workspace_id, step_id, wake_at, status from scenario_enrollments where id = $1 for update',
      [params.enrollmentId],
    );
    const row = rows[0];
    if (row?.status !== 'active' || row.wake_at === null || row.step_id === null) return 'nothing to do';
    const now = params.clock.now();
    if (row.wake_at.getTime() > now.getTime()) {
      // Rung early (the database's clock is ahead of this one): again when this clock reaches wake_at.
      await client.query(
        `select graphile_worker.add_job($1, json_build_object('enrollmentId', $2::text), run_at => now() + $3::bigint * interval '1 millisecond', job_key => $4, job_key_mode => 'replace')`,
        [WAKE_TASK, params.enrollmentId, row.wake_at.getTime() - now.getTime(), `step:${params.enrollmentId}:${row.step_id}`],
      );
      return 'not due';
    }
    // With it, the other enrollments of its workspace due now (their jobs are removed).
    await advanceDueEnrollments(client, { now, workspaceId: row.workspace_id, first: params.enrollmentId, schedule: scheduleWakeJob });
    return 'advanced';
  });
}

/** Effects performed per job run; the job rings itself again while more are pending. */
const EFFECTS_PER_RUN = 5000;

/**
 * Performs a workspace's pending effects of the task's kinds; rings itself again for the
 * earliest still to come: a retry, more than one run held, or the settling of a send left
 * `sending` by a performer that died.
 */
function effectsTask(
  pool: pg.Pool,
  clock: Clock,
  task: EffectsTask,
  email?: NonNullable<WorkerOptions['email']>,
  inFlight?: number,
  governance?: boolean,
): Task {
  const kinds: readonly StepEffect['kind'][] = task === EFFECTS_TASK ? ['send'] : LOCAL_EFFECT_KINDS;
  // One renderer for every run of this worker: a template version is compiled once, not once per run (its cache is keyed by the content).
  const renderer = email ? createEmailRenderer() : undefined;
  return async (payload) => {
    const workspaceId = String((payload as { workspaceId?: unknown }).workspaceId ?? '');
    if (!/^[1-9][0-9]{0,18}$/.test(workspaceId)) return;
    await performPendingEffects({
      pool,
      clock,
      workspaceId,
      kinds,
      limit: EFFECTS_PER_RUN,
      ...(email ?? {}),
      ...(renderer ? { renderer } : {}),
      ...(inFlight !== undefined ? { inFlight } : {}),
      ...(governance === false ? { governance } : {}),
    });
    const { rows } = await pool.query<{ due: boolean; later: Date | null }>(
      `select coalesce(bool_or(status = 'pending' and (retry_at is null or retry_at <= $4)), false) as due,
              min(case when status = 'pending' then retry_at else claimed_at + $3::int * interval '1 minute' end) filter (where status = 'sending' or retry_at > $4) as later
         from scenario_effects where workspace_id = $1 and status in ('pending', 'sending') and kind = any($2::text[])`,
      [workspaceId, kinds, STALE_SENDING_MINUTES, clock.now()],
    );
    if (rows[0]?.due) await ringEffects(pool, task, workspaceId);
    if (rows[0]?.later) await ringEffects(pool, task, workspaceId, rows[0].later);
  };
}

/** See WorkerOptions.recover. */
async function recover(pool: pg.Pool, withEmail: boolean): Promise<void> {
  const { rows: locked } = await pool.query<{ task_identifier: string; key: string }>(
    `select task_identifier, key from graphile_worker.jobs
      where locked_at is not null and key is not null and task_identifier = any($1::text[])`,
    [[WAKE_TASK, EFFECTS_TASK, LOCAL_EFFECTS_TASK]],
  );
  for (const job of locked) {
    // The payload follows from the key: `step:${enrollmentId}:${stepId}`, `effects:${workspaceId}` and the like.
    const parts = job.key.split(':');
    const payload = job.task_identifier === WAKE_TASK ? { enrollmentId: parts[1] } : { workspaceId: parts[parts.length - 1] };
    await pool.query(`select graphile_worker.add_job($1, $2::json, job_key => $3, job_key_mode => 'replace')`, [
      job.task_identifier,
      JSON.stringify(payload),
      job.key,
    ]);
  }
  const { rows: workspaces } = await pool.query<{ workspace_id: string; sends: boolean; local: boolean }>(
    `select workspace_id::text, bool_or(kind = 'send') as sends, bool_or(kind <> 'send') as local
       from scenario_effects where status in ('pending', 'sending') group by workspace_id`,
  );
  for (const workspace of workspaces) {
    if (workspace.sends && withEmail) await ringEffects(pool, EFFECTS_TASK, workspace.workspace_id);
    if (workspace.local) await ringEffects(pool, LOCAL_EFFECTS_TASK, workspace.workspace_id);
  }
}
