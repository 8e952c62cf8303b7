import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestDatabase, freshWorkspace } from '../../test/support/database.ts';
import { addSubscriptionBrand } from '../../test/support/subscription-brand.ts';
import { loadPurchaseSnapshot } from '../analytics/engine/snapshot/load.ts';
import { loadSubscriptionSnapshot } from '../analytics/engine/subscriptions/load.ts';
import type { Workspace } from '../workspaces/workspaces.ts';
import { kpiBoard, type KpiBoard, type KpiBoardEntry } from './board.ts';
import { createKpi, readKpi } from './store.ts';

/**
 * The subscription KPIs on the hand-computed brand of test/support/subscription-brand.ts, as
 * of 2024-07-01, by month from January: their figures are those of the subscription analyses'
 * tests, bucket by bucket, from the engine and from the SQL reference alike.
 */
const database = connectTestDatabase();
const { pool } = database;
let workspace: Workspace;
let board: KpiBoard;

const kpi = (input: Record<string, unknown>) => createKpi({ pool, workspaceId: workspace.id, input: { granularity: 'month', target: 0.5, ...input } });
const entryOf = (name: string): KpiBoardEntry => board.entries.find((entry) => entry.kpi.name === name)!;
const series = (name: string) => entryOf(name).series.map((bucket) => [bucket.bucket.slice(0, 7), bucket.actual, bucket.complete]);

beforeAll(async () => {
  workspace = await freshWorkspace(database, { timezone: 'Asia/Tokyo' });
  await addSubscriptionBrand(database, workspace);
  await kpi({ name: '定期会員数', metric: { kind: 'active_subscribers' }, target: 4 });
  await kpi({ name: '解約率', metric: { kind: 'cancellation_rate' }, target: 0.3 });
  await kpi({ name: '継続率1', metric: { kind: 'continuation_rate', deliveryNumber: 1 } });
  await kpi({ name: '引き上げ率', metric: { kind: 'step_up_rate', within: 30 } });
  const terms = { pool, workspaceId: workspace.id, asOf: '2024-07-01', buckets: 5 };
  const [purchases, subscriptions] = await Promise.all([loadPurchaseSnapshot(pool, workspace.id), loadSubscriptionSnapshot(pool, workspace.id)]);
  const [inMemory, sql] = await Promise.all([kpiBoard({ ...terms, snapshot: purchases, subscriptions: async () => subscriptions }), kpiBoard(terms)]);
  expect(inMemory).toEqual(sql);
  board = inMemory;
});
afterAll(() => database.close());

describe('subscription KPIs per bucket', () => {
  it('active_subscribers: customers with a subscription in force at each month end', () => {
    expect(series('定期会員数')).toEqual([
      ['2024-01', 2, true],
      ['2024-02', 3, true],
      ['2024-03', 3, true],
      ['2024-04', 4, true],
      ['2024-05', 5, true],
      ['2024-06', 3, true],
    ]);
  });

  it('cancellation_rate: cancelled in the month ÷ in force at its start, lower is better', () => {
    expect(series('解約率').map(([, actual]) => actual)).toEqual([null, 1 / 2, 1 / 3, 0, 0, 2 / 6]);
    expect(entryOf('解約率').kpi.direction).toBe('lower_is_better');
    // June: 1/3 against 0.3 with ±5 %: behind (lower is better).
    expect(entryOf('解約率').status).toMatchObject({ status: 'behind', bucket: '2024-06-01' });
  });

  it('continuation_rate: rate(k) of each start month, complete once every one of them is decided at k', () => {
    // Jan: S1 (2), S2 (5) both went on; Feb: S3 paused at 1 (undecided), S4 none; Mar: S6 went on; Apr: S5 went on;
    // May: S7 stopped at 1, S9 still at 1 (undecided); Jun: no start.
    expect(series('継続率1')).toEqual([
      ['2024-01', 1, true],
      ['2024-02', null, false],
      ['2024-03', 1, true],
      ['2024-04', 1, true],
      ['2024-05', 0, false],
      ['2024-06', null, true],
    ]);
    // Judged on the latest start cohort with a decided subscription: May, 0 against 0.5.
    expect(entryOf('継続率1').status).toMatchObject({ status: 'behind', bucket: '2024-05-01' });
  });

  it('step_up_rate: the trial cohorts of each month, judged on the latest whose window is over', () => {
    expect(series('引き上げ率')).toEqual([
      ['2024-01', 1, true],
      ['2024-02', 0, true],
      ['2024-03', null, true],
      ['2024-04', 1, true],
      ['2024-05', null, true],
      ['2024-06', 0, false],
    ]);
    expect(entryOf('引き上げ率').status).toMatchObject({ bucket: '2024-05-01' });
  });
});

describe('subscription KPI definitions', () => {
  it('keeps the delivery number and the step-up window, and refuses them missing or a filter', async () => {
    const stored = await kpi({ name: '2回目継続率', metric: { kind: 'continuation_rate', deliveryNumber: 2 } });
    expect((await readKpi({ pool, workspaceId: workspace.id, kpiId: stored.id })).metric).toEqual({ kind: 'continuation_rate', deliveryNumber: 2 });
    const stepUp = await kpi({ name: '引き上げ率60', metric: { kind: 'step_up_rate', within: 60 } });
    expect(stepUp.metric).toEqual({ kind: 'step_up_rate', within: 60 });
    await expect(kpi({ name: 'x', metric: { kind: 'continuation_rate' } })).rejects.toMatchObject({ code: 'validation_failed' });
    await expect(kpi({ name: 'y', metric: { kind: 'continuation_rate', deliveryNumber: 61 } })).rejects.toThrow(/from 1 to 60/);
    await expect(kpi({ name: 'z', metric: { kind: 'active_subscribers' }, target: 10, filters: { channel: 'web' } })).rejects.toThrow(
      /active_subscribers cannot be filtered/,
    );
  });
});
