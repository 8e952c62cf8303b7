import { Logger, type Runner, run, type Task, type TaskList } from 'graphile-worker';
import type { SmtpTransport } from '../messaging/smtp.ts';
import { performPendingEffects } from '../scenarios/runtime/effects.ts';
import type pg from 'pg';
import { withTransaction } from '../db/transaction.ts';
import type { ScheduleWake } from '../scenarios/runtime/enrollments.ts';
import { wakeEnrollment } from '../scenarios/runtime/enrollments.ts';
import type { Clock } from '../shared/clock.ts';

/**
 * The job queue: graphile-worker on the same PostgreSQL (its schema `graphile_worker` is
 * installed with Kizuna's migrations: src/db/job-queue.ts). This module is an edge like http/ and cli/: it maps job
 * names to domain functions and holds no logic of its own.
 *
 * - `scenario_wake` {enrollmentId}: an enrollment's wait has ended (its wake_at came): the
 *   interpreter advances it (src/scenarios/runtime/enrollments.ts). The job key is
 *   `step:${enrollmentId}:${stepId}`, replaced when the enrollment reschedules that step, so a
 *   step is rung once; a job for a step the enrollment has left finds it stale and does nothing.
 * - `scenario_effects` {workspaceId}: performs the workspace's pending effects (sends over SMTP,
 *   tasks, attribute updates: src/scenarios/runtime/effects.ts), rung by the transaction that
 *   wrote them (job key `effects:${workspaceId}`), and again for the earliest retry.
 *
 * Jobs run at least once (a crashed worker's jobs are retried); every handler is idempotent
 * because the state it changes is keyed (enrollment step and visit, effect keys).
 */

/** The job that rings an enrollment's wake-up. */
export const WAKE_TASK = 'scenario_wake';

/** The job that performs a workspace's pending effects (sends, tasks, attribute updates). */
export const EFFECTS_TASK = 'scenario_effects';

/** Rings the workspace's effects job at `runAt` (default: now), one pending job per workspace. */
async function ringEffects(client: pg.ClientBase, workspaceId: string, runAt: Date | null = null): Promise<void> {
  await client.query(
    `select graphile_worker.add_job($1, json_build_object('workspaceId', $2::text), run_at => coalesce($3::timestamptz, now()), job_key => $4, job_key_mode => 'replace')`,
    [EFFECTS_TASK, workspaceId, runAt, `effects:${workspaceId}`],
  );
}

/**
 * The wake-up scheduler the runtime calls inside its transaction: the job is added with the
 * enrollment's new state, or not at all; effects written in that transaction ring the
 * workspace's effects job.
 */
export const scheduleWakeJob: ScheduleWake = Object.assign(
  async (client: pg.ClientBase, enrollmentId: string, stepId: string, at: string) => {
    await client.query(
      `select graphile_worker.add_job($1, json_build_object('enrollmentId', $2::text), run_at => $3::timestamptz, job_key => $4, job_key_mode => 'replace')`,
      [WAKE_TASK, enrollmentId, at, `step:${enrollmentId}:${stepId}`],
    );
  },
  { effectsWritten: (client: pg.ClientBase, workspaceId: string) => ringEffects(client, workspaceId) },
);

export interface WorkerOptions {
  pool: pg.Pool;
  clock: Clock;
  /**
   * Email over SMTP (KIZUNA_SMTP_URL) with what links in mail need. Without it this worker does
   * not take the effects jobs: they wait in the queue for a worker that has it.
   */
  email?: { transport: SmtpTransport; secret: string; publicUrl: string } | undefined;
  /** Jobs run at once (default 4). */
  concurrency?: number;
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
    ...(options.email ? { [EFFECTS_TASK]: effectsTask(pool, clock, options.email) } : {}),
    ...options.extraTasks,
  };
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
    const { rows } = await client.query<{ step_id: string | null; visit: number; wake_at: Date | null; status: string }>(
      'select step_id, visit, wake_at, status from scenario_enrollments where id = $1 for update',
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
    await wakeEnrollment(client, {
      enrollmentId: params.enrollmentId,
      wake: { kind: 'due', stepId: row.step_id, visit: row.visit },
      now,
      schedule: scheduleWakeJob,
    });
    return 'advanced';
  });
}

/** Performs a workspace's pending effects; rings itself again for the earliest retry still pending. */
function effectsTask(pool: pg.Pool, clock: Clock, email: NonNullable<WorkerOptions['email']>): Task {
  return async (payload) => {
    const workspaceId = String((payload as { workspaceId?: unknown }).workspaceId ?? '');
    if (!/^[1-9][0-9]{0,18}$/.test(workspaceId)) return;
    await performPendingEffects({ pool, clock, workspaceId, ...email });
    const { rows } = await pool.query<{ next: Date | null }>(
      `select min(coalesce(retry_at, now())) as next from scenario_effects where workspace_id = $1 and status = 'pending'`,
      [workspaceId],
    );
    const next = rows[0]?.next ?? null;
    if (!next) return;
    const client = await pool.connect();
    try {
      await ringEffects(client, workspaceId, next);
    } finally {
      client.release();
    }
  };
}
