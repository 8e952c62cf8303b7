import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestDatabase, freshWorkspace } from '../../../test/support/database.ts';
import { addSubscriptionBrand, SUBSCRIPTION_BRAND_NOW } from '../../../test/support/subscription-brand.ts';
import { addSubscriptions } from '../../../test/support/subscriptions.ts';
import { fixedClock } from '../../shared/clock.ts';
import type { Workspace } from '../../workspaces/workspaces.ts';
import { analyseCancellations, analyseContinuation, analyseStepUp, analyseSubscribers, type AnalysisDeps } from '../analyses.ts';
import { AnalyticsEngine } from '../engine/analytics-engine.ts';
import type { EngineChoice } from '../engine/analytics-engine.ts';

/**
 * The subscription analyses on the hand-computed brand of test/support/subscription-brand.ts:
 * every figure below is worked out from its table, and the engine and the SQL reference must
 * both give it (each test runs both and compares them whole).
 */
const database = connectTestDatabase();
const clock = fixedClock(SUBSCRIPTION_BRAND_NOW);
const analytics = new AnalyticsEngine(database.pool, { clock });
const deps: AnalysisDeps = { pool: database.pool, analytics, clock };
let workspace: Workspace;

beforeAll(async () => {
  workspace = await freshWorkspace(database, { timezone: 'Asia/Tokyo' });
  await addSubscriptionBrand(database, workspace);
});
afterAll(async () => {
  analytics.close();
  await database.close();
});

/** Runs an analysis on both engines, checks they agree figure by figure, and returns the result. */
async function both<T>(run: (engine: EngineChoice) => Promise<T>): Promise<T> {
  const [memory, sql] = await Promise.all([run('memory'), run('sql')]);
  expect(memory).toEqual(sql);
  return memory;
}

const row = (delivery: number, reached: number, continued: number, censored: number, stopped: number, rate: number | null, survival: number | null) => ({
  delivery,
  reached,
  continued,
  censored,
  stopped,
  rate,
  survival,
});

describe('continuation by delivery number', () => {
  it('as of today: censored subscriptions leave the denominator, a stop counts at its delivery, the re-subscription is its own delivery 1', async () => {
    const result = await both((engine) => analyseContinuation(deps, { workspace, maxDelivery: 3, engine }));
    // S8 starts today: left out. By stored count: d0 cancelled S4; d1 in force S3 (paused), S9, cancelled S7;
    // d2 cancelled S1, S6; d3 in force S5; d5 in force S2 (paused and resumed: status active).
    expect(result).toMatchObject({ asOf: '2024-07-01', by: null, maxDelivery: 3, deliveriesCountedFrom: 'stored_count', groups: [], omittedGroups: 0 });
    expect(result.total).toEqual({
      subscriptions: 8,
      withoutDelivery: 0,
      cancelledWithoutDelivery: 1,
      rows: [row(1, 7, 4, 2, 1, 4 / 5, 1), row(2, 4, 2, 0, 2, 2 / 4, 0.8), row(3, 2, 1, 1, 0, 1, 0.4)],
      // S2's 5 deliveries: reached the tail at 4 and went on to 5 (one continuation), still running.
      tail: { fromDelivery: 4, reached: 1, continuedDeliveries: 1, censored: 1, stopped: 0, rate: 1 },
    });
  });

  it('splits by course, largest group first', async () => {
    const result = await both((engine) => analyseContinuation(deps, { workspace, maxDelivery: 3, by: 'course', engine }));
    expect(result.groups.map((group) => [group.key, group.subscriptions])).toEqual([
      ['Monthly', 5],
      ['Bimonthly', 3],
    ]);
    // Monthly: S1 c2, S2 d5, S4 c0, S5 d3, S7 c1.
    expect(result.groups[0]!.rows).toEqual([row(1, 4, 3, 0, 1, 3 / 4, 1), row(2, 3, 2, 0, 1, 2 / 3, 3 / 4), row(3, 2, 1, 1, 0, 1, 1 / 2)]);
    // Bimonthly: S3 d1, S6 c2, S9 d1: everyone decided at 1 went on; the one at 2 stopped.
    expect(result.groups[1]!.rows).toEqual([row(1, 3, 1, 2, 0, 1, 1), row(2, 1, 0, 0, 1, 0, 1), row(3, 0, 0, 0, 0, null, 0)]);
  });

  it('splits by start month, first product and acquisition source', async () => {
    const cohorts = await both((engine) => analyseContinuation(deps, { workspace, maxDelivery: 3, by: 'cohort', engine }));
    expect(cohorts.groups.map((group) => [group.key, group.subscriptions])).toEqual([
      ['2024-01', 2],
      ['2024-02', 2],
      ['2024-03', 1],
      ['2024-04', 1],
      ['2024-05', 2],
    ]);
    const products = await both((engine) => analyseContinuation(deps, { workspace, by: 'product', engine }));
    expect(products.groups.map((group) => [group.key, group.subscriptions])).toEqual([
      ['AOJIRU', 4],
      ['KOSO', 4],
    ]);
    expect(products.maxDelivery).toBe(24);
    expect(products.total.rows).toHaveLength(24);
    const sources = await both((engine) => analyseContinuation(deps, { workspace, maxDelivery: 3, by: 'source', engine }));
    expect(sources.groups.map((group) => [group.key, group.subscriptions])).toEqual([
      ['instagram', 4],
      ['search', 3],
      [null, 1],
    ]);
    // search: S2 d5, S6 c2, S9 d1.
    expect(sources.groups[1]!.rows.map((r) => r.rate)).toEqual([1, 1 / 2, 1]);
  });

  it('as of a past date: statuses from the history, deliveries from the orders naming the subscription', async () => {
    const result = await both((engine) => analyseContinuation(deps, { workspace, asOf: '2024-05-01', maxDelivery: 3, engine }));
    // Started before 05-01: S1..S6. S2 is paused then (04-05); S6 is active with 1 delivery
    // (its order of 03-05; delivery 2 comes 05-05), though its stored count is 2. Others: stored.
    // d0 c S4; d1 in force S3, S6; d2 c S1; d3 in force S5; d5 in force S2.
    expect(result.deliveriesCountedFrom).toBe('orders');
    expect(result.total.subscriptions).toBe(6);
    expect(result.total.rows).toEqual([row(1, 5, 3, 2, 0, 1, 1), row(2, 3, 2, 0, 1, 2 / 3, 1), row(3, 2, 1, 1, 0, 1, 2 / 3)]);
  });

  it('refuses a K beyond 60 and an unknown split before reading anything', async () => {
    await expect(analyseContinuation(deps, { workspace, maxDelivery: 61 })).rejects.toMatchObject({
      code: 'validation_failed',
      details: { field: 'maxDelivery' },
    });
    await expect(analyseContinuation(deps, { workspace, by: 'colour' as never })).rejects.toMatchObject({ code: 'validation_failed' });
  });
});

describe('cancellations', () => {
  it('per month: cancelled in the month ÷ in force at its start, from the status history', async () => {
    const result = await both((engine) => analyseCancellations(deps, { workspace, from: '2024-01-01', to: '2024-07-01', maxDelivery: 3, engine }));
    // In force at the start of Feb: S1, S2. Mar: S1, S2, S3 (paused on 03-01 itself). Apr: S2, S3 (paused), S6.
    // May: S2 (paused), S3, S5, S6. Jun: S2, S3, S5, S6, S7, S9. Cancelled: Feb S4, Mar S1, Jun S6 and S7.
    expect(result.series.map((bucket) => [bucket.bucket, bucket.inForceAtStart, bucket.cancelled, bucket.rate])).toEqual([
      ['2024-01-01', 0, 0, null],
      ['2024-02-01', 2, 1, 1 / 2],
      ['2024-03-01', 3, 1, 1 / 3],
      ['2024-04-01', 3, 0, 0],
      ['2024-05-01', 4, 0, 0],
      ['2024-06-01', 6, 2, 2 / 6],
    ]);
    expect(result.total).toEqual({ inForceAtStart: 0, cancelled: 4, rate: null });
  });

  it('ranks the reasons with the built-in and the workspace words, and gives the reasons by delivery number', async () => {
    const result = await both((engine) => analyseCancellations(deps, { workspace, from: '2024-01-01', to: '2024-07-01', maxDelivery: 3, engine }));
    expect(result.reasons).toEqual([
      { code: 'no_effect', labelJa: '効果を感じない', labelEn: 'No effect felt', count: 2, share: 0.5 },
      { code: 'delivery_delay', labelJa: '配送の遅れ', labelEn: 'Late delivery', count: 1, share: 0.25 },
      { code: 'price', labelJa: '価格', labelEn: 'Price', count: 1, share: 0.25 },
    ]);
    // S4 stopped before its first delivery, S7 at the 1st, S1 and S6 at the 2nd.
    expect(result.byDelivery.map((atDelivery) => [atDelivery.delivery, atDelivery.cancelled, atDelivery.reasons.map((r) => [r.code, r.share])])).toEqual([
      [0, 1, [['delivery_delay', 1]]],
      [1, 1, [['no_effect', 1]]],
      [
        2,
        2,
        [
          ['no_effect', 0.5],
          ['price', 0.5],
        ],
      ],
    ]);
  });

  it('counts by week within the period, the first and last weeks cut at it', async () => {
    const result = await both((engine) => analyseCancellations(deps, { workspace, from: '2024-06-05', to: '2024-06-21', granularity: 'week', engine }));
    // Weeks from Mon 06-03 (cut to 06-05), 06-10, 06-17 (cut to 06-21). S6 cancelled 06-10, S7 06-20.
    // In force as of 06-05: S2, S3, S5, S6, S7, S9; as of 06-10: the same (S6 cancels during 06-10); as of 06-17: S6 gone.
    expect(result.series.map((bucket) => [bucket.period.from, bucket.inForceAtStart, bucket.cancelled])).toEqual([
      ['2024-06-05', 6, 0],
      ['2024-06-10', 6, 1],
      ['2024-06-17', 5, 1],
    ]);
  });
});

describe('step-up rate', () => {
  it('per trial cohort and by source within W days; the cohort whose window is still open says so', async () => {
    const result = await both((engine) => analyseStepUp(deps, { workspace, period: { from: '2024-01-01', to: '2024-07-01' }, within: 30, engine }));
    // Trial starters: A 01-05 (S1 after 5 days), C 01-20 (S3, 12), D 01-25 (S4, 16), E 02-01 (S6 after 33: too late),
    // H 02-20 (none), F 04-20 (S7, 11), G 06-25 (S8 starts 07-01: not before asOf). B's first purchase is no trial.
    expect(result.asOf).toBe('2024-07-01');
    expect(result.cohorts.map((c) => [c.bucket, c.trialCustomers, c.steppedUp, c.rate, c.windowEnd, c.complete])).toEqual([
      ['2024-01-01', 3, 3, 1, '2024-03-01', true],
      ['2024-02-01', 2, 0, 0, '2024-03-30', true],
      ['2024-03-01', 0, 0, null, '2024-04-30', true],
      ['2024-04-01', 1, 1, 1, '2024-05-30', true],
      ['2024-05-01', 0, 0, null, '2024-06-30', true],
      ['2024-06-01', 1, 0, 0, '2024-07-30', false],
    ]);
    expect(result.total).toEqual({ trialCustomers: 7, steppedUp: 4, rate: 4 / 7, complete: false });
    expect(result.bySource).toEqual([
      { source: 'instagram', trialCustomers: 3, steppedUp: 3, rate: 1, complete: false },
      { source: 'search', trialCustomers: 3, steppedUp: 0, rate: 0, complete: false },
      { source: null, trialCustomers: 1, steppedUp: 1, rate: 1, complete: false },
    ]);
  });

  it('counts a start only within W days of the trial, on or after its day', async () => {
    const result = await both((engine) => analyseStepUp(deps, { workspace, period: { from: '2024-01-01', to: '2024-02-01' }, within: 10, engine }));
    // Only A's S1 (5 days) is within 10; C (12) and D (16) are not.
    expect(result.total).toEqual({ trialCustomers: 3, steppedUp: 1, rate: 1 / 3, complete: true });
    const asOfBefore = await both((engine) =>
      analyseStepUp(deps, { workspace, period: { from: '2024-01-01', to: '2024-02-01' }, within: 30, asOf: '2024-01-21', engine }),
    );
    // As of 01-21: A and C are trial starters; only S1 (01-10) started before it.
    expect(asOfBefore.total).toEqual({ trialCustomers: 2, steppedUp: 1, rate: 1 / 2, complete: false });
  });
});

describe('subscribers over time', () => {
  it('in force at each month end, active and paused apart, and distinct customers', async () => {
    const result = await both((engine) => analyseSubscribers(deps, { workspace, from: '2024-01-01', to: '2024-07-01', engine }));
    // B holds S2 and S9 in June: six in force, five customers.
    expect(result.series.map((b) => [b.bucket, b.measuredAt, b.active, b.paused, b.inForce, b.customers])).toEqual([
      ['2024-01-01', '2024-02-01', 2, 0, 2, 2],
      ['2024-02-01', '2024-03-01', 3, 0, 3, 3],
      ['2024-03-01', '2024-04-01', 2, 1, 3, 3],
      ['2024-04-01', '2024-05-01', 2, 2, 4, 4],
      ['2024-05-01', '2024-06-01', 5, 1, 6, 5],
      ['2024-06-01', '2024-07-01', 3, 1, 4, 3],
    ]);
  });

  it('measures the current bucket as of today, and follows new subscriptions (the snapshot reloads)', async () => {
    const before = await analyseSubscribers(deps, { workspace, from: '2024-07-01', to: '2024-08-01' });
    expect(before.series[0]).toMatchObject({ measuredAt: '2024-07-01', inForce: 4 });
    const other = await freshWorkspace(database, { timezone: 'Asia/Tokyo' });
    await addSubscriptions(database, other, [{ id: 'X1', customer: 'Z', startedAt: '2024-06-30 23:30', status: 'active', deliveries: 1 }]);
    const first = await analyseSubscribers(deps, { workspace: other, from: '2024-06-01', to: '2024-07-01' });
    expect(first.series[0]).toMatchObject({ active: 1, customers: 1 });
    await addSubscriptions(database, other, [
      { id: 'X2', customer: 'Y', startedAt: '2024-06-29 12:00', status: 'paused', deliveries: 1, changes: [{ at: '2024-06-30 12:00', status: 'paused' }] },
    ]);
    const second = await analyseSubscribers(deps, { workspace: other, from: '2024-06-01', to: '2024-07-01' });
    expect(second.series[0]).toMatchObject({ active: 1, paused: 1, customers: 2 });
  });
});
