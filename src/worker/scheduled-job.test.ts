import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestDatabase, freshWorkspace } from '../../test/support/database.ts';
import { ingest } from '../journey-map/placement/test-map.ts';
import type { ScenarioDocument } from '../scenarios/model.ts';
import { nextTriggerMoment, SCHEDULED_TRIGGER_TASK, type ScheduledTrigger, scheduledTriggerJobKey } from '../scenarios/runtime/trigger-schedule.ts';
import { pauseScenario, publishScenario, resumeScenario } from '../scenarios/scenarios.ts';
import { prepareScenarioWorkspace } from '../scenarios/test-scenario.ts';
import { manualClock } from '../shared/clock.ts';
import type { Workspace } from '../workspaces/workspaces.ts';
import { runScheduledTriggerJob, scheduledTriggerTasks, scheduleEveryScenarioTrigger } from './scheduled-job.ts';
import { Logger, type Runner, run } from 'graphile-worker';

/**
 * Date and audience triggers run as jobs: one per active scenario (`scheduled:${scenarioId}`) at
 * its next moment, computed from the trigger in the workspace's time zone; re-added after each
 * run; removed by a pause and added again by a resume. The clock is injected: the job's run_at
 * is the database's now plus the moment's distance from that clock.
 */
const database = connectTestDatabase();
const { pool } = database;
let worker: Runner | null = null;
afterAll(async () => {
  await worker?.stop();
  await database.close();
});

const TOKYO = 'Asia/Tokyo';
const HOUR = 3_600_000;

describe('nextTriggerMoment', () => {
  const audience = { fact: 'lifecycle' as const, in: ['customer' as const] };
  it('finds the next local moment of each schedule, strictly after the instant', () => {
    const after = new Date('2026-03-04T12:00:00+09:00'); // a Wednesday
    const monthly = { kind: 'audience', audience, schedule: { kind: 'monthly', dayOfMonth: 5, at: '10:00' } } as const;
    expect(nextTriggerMoment(monthly, after, TOKYO)?.toISOString()).toBe('2026-03-05T01:00:00.000Z');
    // At the moment itself: the next one (a month later).
    expect(nextTriggerMoment(monthly, new Date('2026-03-05T10:00:00+09:00'), TOKYO)?.toISOString()).toBe('2026-04-05T01:00:00.000Z');
    const weekly: ScheduledTrigger = { kind: 'audience', audience, schedule: { kind: 'weekly', weekdays: ['mon'], at: '09:30' } };
    expect(nextTriggerMoment(weekly, after, TOKYO)?.toISOString()).toBe('2026-03-09T00:30:00.000Z');
    const daily = { kind: 'audience', audience, schedule: { kind: 'daily', at: '08:00' } } as const;
    expect(nextTriggerMoment(daily, after, TOKYO)?.toISOString()).toBe('2026-03-04T23:00:00.000Z');
    const once = { kind: 'audience', audience, schedule: { kind: 'once', at: '2026-03-10T12:00:00+09:00' } } as const;
    expect(nextTriggerMoment(once, after, TOKYO)?.toISOString()).toBe('2026-03-10T03:00:00.000Z');
    expect(nextTriggerMoment(once, new Date('2026-03-11T00:00:00Z'), TOKYO)).toBeNull();
    // A date trigger runs daily at its time (default 09:00), in the workspace's zone.
    const birthday = { kind: 'date_attribute', attribute: 'birthday', offsetDays: 0, recurrence: 'yearly' } as const;
    expect(nextTriggerMoment(birthday, after, TOKYO)?.toISOString()).toBe('2026-03-05T00:00:00.000Z');
    expect(nextTriggerMoment(birthday, after, 'America/New_York')?.toISOString()).toBe('2026-03-04T14:00:00.000Z');
    const anniversary = { kind: 'subscription_anniversary', offsetDays: 0, at: '11:15' } as const;
    expect(nextTriggerMoment(anniversary, after, TOKYO)?.toISOString()).toBe('2026-03-05T02:15:00.000Z');
  });
});

describe('the scheduled-trigger job', () => {
  // 12:00 on 4 March in Tokyo; the 会報誌 goes on the 5th at 10:00, 22 hours later.
  const clock = manualClock('2026-03-04T12:00:00+09:00');
  let workspace: Workspace;
  let scenarioId: string;

  const newsletter = (templateId: string): ScenarioDocument => ({
    key: 'monthly_newsletter',
    name: '会報誌',
    purpose: 'marketing',
    department: 'marketing',
    priority: 40,
    channels: ['email'],
    trigger: { kind: 'audience', audience: { fact: 'lifecycle', in: ['customer'] }, schedule: { kind: 'monthly', dayOfMonth: 5, at: '10:00' } },
    reentry: { kind: 'every_time' },
    exitRules: [],
    start: 'issue',
    steps: [{ kind: 'send', id: 'issue', channel: 'email', templateId, next: null }],
  });

  async function job(): Promise<{ task: string; payload: unknown; inMs: number } | null> {
    const { rows } = await pool.query<{ task_identifier: string; payload: unknown; in_ms: string }>(
      `select j.task_identifier, p.payload, (extract(epoch from j.run_at - now()) * 1000)::bigint as in_ms
         from graphile_worker.jobs j join graphile_worker._private_jobs p on p.id = j.id where j.key = $1`,
      [scheduledTriggerJobKey(scenarioId)],
    );
    return rows[0] ? { task: rows[0].task_identifier, payload: rows[0].payload, inMs: Number(rows[0].in_ms) } : null;
  }

  async function enrolled(): Promise<number> {
    const { rows } = await pool.query<{ n: number }>('select count(*)::int as n from scenario_enrollments where scenario_id = $1', [scenarioId]);
    return rows[0]!.n;
  }

  beforeAll(async () => {
    workspace = await freshWorkspace(database, { timezone: TOKYO });
    const { templateIds } = await prepareScenarioWorkspace(pool, workspace, clock);
    await ingest(
      pool,
      workspace,
      'orders',
      ['C-1', 'C-2'].map((customer, i) => ({
        order_id: `O-${i}`,
        customer_id: customer,
        ordered_at: '2026-02-01T10:00:00+09:00',
        status: 'delivered',
        items: [{ sku: 'MNR-AOJ-30', quantity: 1, unit_price: '4980' }],
      })),
      clock,
    );
    const published = await publishScenario({
      pool,
      workspaceId: workspace.id,
      input: newsletter(templateIds[0]!),
      actor: { kind: 'system', label: 'test' },
      clock,
    });
    scenarioId = published.scenario.id;
  });

  it('is added by the publication at the next moment of the schedule', async () => {
    const added = await job();
    expect(added).toMatchObject({ task: SCHEDULED_TRIGGER_TASK, payload: { scenarioId, workspaceId: workspace.id } });
    expect(Math.abs(added!.inMs - 22 * HOUR)).toBeLessThan(60_000);
  });

  it('is removed by a pause and added again by a resume', async () => {
    await pauseScenario({ pool, workspaceId: workspace.id, scenario: scenarioId, clock });
    expect(await job()).toBeNull();
    // A worker starting while it is paused schedules nothing for it.
    await scheduleEveryScenarioTrigger({ pool, clock });
    expect(await job()).toBeNull();
    await resumeScenario({ pool, workspaceId: workspace.id, scenario: scenarioId, clock });
    expect(Math.abs((await job())!.inMs - 22 * HOUR)).toBeLessThan(60_000);
  });

  it('enrolls nobody when rung before its moment, and waits for it again', async () => {
    clock.set(new Date('2026-03-05T09:59:00+09:00'));
    expect(await runScheduledTriggerJob({ pool, clock, scenarioId })).toEqual({ outcome: 'not due', next: new Date('2026-03-05T01:00:00Z') });
    expect(await enrolled()).toBe(0);
    expect(Math.abs((await job())!.inMs - 60_000)).toBeLessThan(10_000);
  });

  it('fires at its moment in the worker, enrolls the audience, and is added again for the next month', async () => {
    clock.set(new Date('2026-03-05T10:00:30+09:00'));
    // As at a worker's start: the moment has come, so the job is due now.
    expect(await scheduleEveryScenarioTrigger({ pool, clock })).toBeGreaterThanOrEqual(1);
    expect((await job())!.inMs).toBeLessThanOrEqual(0);
    // A worker with only this job kind (test files run side by side on one database: it must not take their jobs).
    worker = await run({
      pgPool: pool,
      taskList: scheduledTriggerTasks({ pool, clock }),
      concurrency: 1,
      noHandleSignals: true,
      pollInterval: 200,
      logger: new Logger(() => () => {}),
    });
    for (let attempt = 0; attempt < 300 && (await enrolled()) < 2; attempt++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await enrolled()).toBe(2);
    const { rows } = await pool.query<{ ref: string }>(`select trigger->>'ref' as ref from scenario_enrollments where scenario_id = $1`, [scenarioId]);
    expect(new Set(rows.map((row) => row.ref))).toEqual(new Set(['audience:2026-03-05T01:00:00.000Z']));
    // Re-added for 5 April 10:00 in Tokyo, 31 days later by this clock.
    for (let attempt = 0; attempt < 100 && ((await job())?.inMs ?? 0) < 30 * 24 * HOUR; attempt++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(Math.abs((await job())!.inMs - (31 * 24 * HOUR - 30_000))).toBeLessThan(60_000);
    await worker.stop();
    worker = null;
    // Running it again at the same moment enrolls nobody twice.
    expect(await runScheduledTriggerJob({ pool, clock, scenarioId })).toMatchObject({ outcome: 'not due' });
    expect(await enrolled()).toBe(2);
  });

  it('is removed when a new version has no scheduled trigger', async () => {
    const { rows } = await pool.query<{ document: ScenarioDocument }>(
      'select v.document from scenario_versions v join scenarios s on s.id = v.scenario_id and s.published_version = v.version where s.id = $1',
      [scenarioId],
    );
    const document = { ...rows[0]!.document, trigger: { kind: 'order' as const, products: ['MNR-AOJ-30'] } };
    await publishScenario({ pool, workspaceId: workspace.id, input: document, actor: { kind: 'system', label: 'test' }, clock });
    expect(await job()).toBeNull();
    expect(await runScheduledTriggerJob({ pool, clock, scenarioId })).toEqual({ outcome: 'inactive' });
  });
});
