import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshWorkspace, isolatedTestDatabase } from '../../test/support/database.ts';
import { withTransaction } from '../db/transaction.ts';
import { ingest } from '../journey-map/placement/test-map.ts';
import { enrollCustomer } from '../scenarios/runtime/enrollments.ts';
import { publishScenario } from '../scenarios/scenarios.ts';
import { prepareScenarioWorkspace, stepUpExample } from '../scenarios/test-scenario.ts';
import { manualClock } from '../shared/clock.ts';
import { type KizunaWorker, scheduleWakeJob, startWorker, wakeDue } from './worker.ts';

/**
 * The job queue rings enrollments' wake-ups: a wait that ended (its wake_at in the database's
 * past) is advanced by the worker's job, once, with the worker's clock; a job rung before the
 * worker's clock reaches wake_at changes nothing and is added again.
 */
// A database of its own: a worker or reactor here acts on every workspace of its database.
const database = await isolatedTestDatabase();
const { pool } = database;
let worker: KizunaWorker | null = null;
afterAll(async () => {
  await worker?.stop();
  await database.close();
});

// A day in the past of the real clock, so the database's own clock finds the jobs due.
const DELIVERED = new Date(Date.now() - 30 * 86_400_000);
DELIVERED.setUTCHours(2, 0, 0, 0);
const clock = manualClock(DELIVERED);
let enrollmentId: string;

async function stateOf(id: string) {
  const { rows } = await pool.query<{ step_id: string | null; visit: number; wake_at: Date | null }>(
    'select step_id, visit, wake_at from scenario_enrollments where id = $1',
    [id],
  );
  return rows[0]!;
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (let attempt = 0; attempt < 300; attempt++) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the worker did not get there within 15 s');
}

beforeAll(async () => {
  const workspace = await freshWorkspace(database);
  const { templateIds } = await prepareScenarioWorkspace(pool, workspace, clock);
  const published = await publishScenario({
    pool,
    workspaceId: workspace.id,
    input: stepUpExample(templateIds),
    actor: { kind: 'system', label: 'test' },
    clock,
  });
  await ingest(
    pool,
    workspace,
    'orders',
    [
      {
        order_id: 'O-1',
        customer_id: 'C-1',
        ordered_at: new Date(DELIVERED.getTime() - 2 * 86_400_000).toISOString(),
        delivered_at: DELIVERED.toISOString(),
        status: 'delivered',
        items: [{ sku: 'MNR-AOJ-TRIAL14', quantity: 1, unit_price: '980' }],
      },
    ],
    clock,
  );
  const { rows } = await pool.query<{ id: string; customer_id: string }>('select id, customer_id from orders where workspace_id = $1', [workspace.id]);
  const entered = await withTransaction(pool, (client) =>
    enrollCustomer(client, {
      workspaceId: workspace.id,
      timezone: workspace.timezone,
      version: { scenarioId: published.scenario.id, version: published.version.version, document: published.version.document },
      customerId: rows[0]!.customer_id,
      trigger: { kind: 'order', ref: 'O-1', at: DELIVERED.toISOString(), orderId: rows[0]!.id, sku: 'MNR-AOJ-TRIAL14' },
      now: clock.now(),
      schedule: scheduleWakeJob,
    }),
  );
  enrollmentId = entered.enrollmentId!;
});

describe('the job queue', () => {
  it('adds the wake-up job with the enrollment, keyed by its step', async () => {
    const { rows } = await pool.query<{ key: string; task_identifier: string }>(`select key, task_identifier from graphile_worker.jobs where key = $1`, [
      `step:${enrollmentId}:morning_of_delivery`,
    ]);
    expect(rows).toEqual([{ key: `step:${enrollmentId}:morning_of_delivery`, task_identifier: 'scenario_wake' }]);
  });

  it('advances an enrollment when its wake-up comes, and does nothing when rung before its clock reaches it', async () => {
    // The worker's clock passes 17:00 in Tokyo on the delivery day: its job advances the enrollment.
    clock.set(new Date(DELIVERED.getTime() + 7 * 3_600_000));
    worker = await startWorker({ pool, clock, concurrency: 2 });
    const state = await until(
      () => stateOf(enrollmentId),
      (row) => row.step_id === 'first_feeling',
    );
    expect(state.wake_at?.toISOString()).toBe(new Date(DELIVERED.getTime() + 3 * 86_400_000).toISOString());
    const { rows } = await pool.query('select key from scenario_effects where enrollment_id = $1', [enrollmentId]);
    expect(rows).toEqual([{ key: `send:${enrollmentId}:how_to_drink:3` }]);
    // Its next wake-up is queued under the next step's key.
    const jobs = await pool.query<{ key: string }>('select key from graphile_worker.jobs where key like $1', [`step:${enrollmentId}:%`]);
    expect(jobs.rows.map((row) => row.key)).toContain(`step:${enrollmentId}:first_feeling`);
    await worker.stop();
    worker = null;
    // Rung before this clock reaches the first feeling (3 days after the delivery): nothing moves, the job waits again.
    expect(await wakeDue({ pool, clock, enrollmentId })).toBe('not due');
    expect((await stateOf(enrollmentId)).step_id).toBe('first_feeling');
    const again = await pool.query<{ run_at: Date }>('select run_at from graphile_worker.jobs where key = $1', [`step:${enrollmentId}:first_feeling`]);
    expect(again.rows[0]!.run_at.getTime()).toBeGreaterThan(Date.now() + 2 * 86_400_000);
  });
});
