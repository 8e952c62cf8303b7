import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestDatabase, freshWorkspace } from '../../test/support/database.ts';
import type { MeasurementPlan, ScenarioDocument } from '../scenarios/model.ts';
import { publishScenario } from '../scenarios/scenarios.ts';
import { marketingScenario, prepareScenarioWorkspace } from '../scenarios/test-scenario.ts';
import { manualClock } from '../shared/clock.ts';
import { KizunaError } from '../shared/errors.ts';
import type { Workspace } from '../workspaces/workspaces.ts';
import { measureScenario, type ScenarioMeasurement } from './uplift.ts';

/**
 * A scenario's effect against its holdout (measureScenario), on enrollments and orders written
 * straight into the tables so that every figure is known by hand. The expected intervals were
 * computed independently in Python (scipy 1.17.1, numpy 2.4.6): Newcombe's method 10 written
 * out from the two Wilson limits with z = scipy.stats.norm.ppf(0.975), the pooled z test with
 * norm.sf, Katz's log interval, Welch by scipy.stats.ttest_ind(..., equal_var=False)
 * .confidence_interval(0.95) on the capped values, CUPED's θ = cov(X, Y)/var(X) with numpy.
 */
const database = connectTestDatabase();
const { pool } = database;
const DAY = 86_400_000;
const HOUR = 3_600_000;
const MINUTE = 60_000;
/** The launch: the publish of the first version with a holdout. */
const T0 = new Date('2026-03-02T00:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const clock = manualClock(T0);
let workspace: Workspace;
let otherWorkspace: Workspace;
let templateId: string;
const scenarioIds = { buy: '', spend: '', kpi_sales: '', skewed: '', plain: '', zero: '' };
let kpiId: string;

const PURCHASE_PLAN: MeasurementPlan = { holdoutPercent: 20, metric: { kind: 'purchase' }, windowDays: 30, runDays: 30, minimumDetectableEffect: 5 };

/** A scenario with a send and a task step; `measurement` undefined: no plan at all. */
function document(key: string, measurement: MeasurementPlan | undefined, name = key): ScenarioDocument {
  const { measurement: _fixtureDefault, ...rest } = marketingScenario({
    key,
    name,
    trigger: { kind: 'event', type: 'page_view' },
    start: 'hello',
    steps: [
      { kind: 'send', id: 'hello', name: 'ご挨拶', channel: 'email', templateId, next: 'call' },
      { kind: 'task', id: 'call', department: 'marketing', title: 'お電話でご案内', due: { days: 3 }, next: null },
    ],
  });
  return measurement ? { ...rest, measurement } : rest;
}

async function publish(key: string, measurement: MeasurementPlan | undefined, when: Date, name?: string): Promise<string> {
  clock.set(when);
  const published = await publishScenario({
    pool,
    workspaceId: workspace.id,
    input: document(key, measurement, name),
    actor: { kind: 'system', label: 'test' },
    clock,
    senderSettingsMissing: async () => [],
  });
  return published.scenario.id;
}

let customerSeq = 0;
/** `n` new customers of the workspace (created a year before the launch), their ids in order. */
async function newCustomers(n: number, ws: Workspace = workspace): Promise<string[]> {
  const externalIds = Array.from({ length: n }, () => `U-${++customerSeq}`);
  await pool.query(`insert into customers (workspace_id, external_id, created_at) select $1, x, $3 from unnest($2::text[]) as x`, [
    ws.id,
    externalIds,
    new Date(T0.getTime() - 365 * DAY),
  ]);
  const { rows } = await pool.query<{ id: string; external_id: string }>(
    'select id::text, external_id from customers where workspace_id = $1 and external_id = any($2)',
    [ws.id, externalIds],
  );
  const byExternal = new Map(rows.map((row) => [row.external_id, row.id]));
  return externalIds.map((id) => byExternal.get(id)!);
}

type Arm = 'treatment' | 'holdout' | 'global_control';
interface Entry {
  customerId: string;
  arm: Arm;
  at: Date;
  version?: number;
}

/** Writes enrollments of a scenario (finished, so several per customer may exist); their ids in order. */
async function enroll(scenarioId: string, entries: readonly Entry[], ws: Workspace = workspace): Promise<string[]> {
  const { rows } = await pool.query<{ id: string; n: string }>(
    `insert into scenario_enrollments (workspace_id, scenario_id, version, customer_id, status, since, timing, trigger, entered_at, finished_at, arm)
     select $1, $2, v.version, v.customer_id, 'completed', v.at, '{"kind":"trigger"}', '{"kind":"event","type":"page_view"}', v.at, v.at, v.arm
       from unnest($3::int[], $4::bigint[], $5::timestamptz[], $6::text[]) with ordinality as v(version, customer_id, at, arm, n)
      order by v.n
     returning id::text, customer_id::text as n`,
    [ws.id, scenarioId, entries.map((e) => e.version ?? 2), entries.map((e) => e.customerId), entries.map((e) => e.at), entries.map((e) => e.arm)],
  );
  // Identity values follow the insert order (ordered by ordinality).
  return rows.map((row) => row.id).sort((a, b) => Number(a) - Number(b));
}

let orderSeq = 0;
interface Order {
  customerId: string;
  at: Date;
  amount: number;
  status?: 'delivered' | 'cancelled' | 'returned' | 'shipped';
}
async function addOrders(orders: readonly Order[], ws: Workspace = workspace): Promise<void> {
  await pool.query(
    `insert into orders (workspace_id, external_id, customer_id, ordered_at, channel, status, amount)
     select $1, v.external_id, v.customer_id, v.at, 'web', v.status, v.amount
       from unnest($2::text[], $3::bigint[], $4::timestamptz[], $5::text[], $6::numeric[]) as v(external_id, customer_id, at, status, amount)`,
    [
      ws.id,
      orders.map(() => `O-${++orderSeq}`),
      orders.map((o) => o.customerId),
      orders.map((o) => o.at),
      orders.map((o) => o.status ?? 'delivered'),
      orders.map((o) => o.amount),
    ],
  );
}

let effectSeq = 0;
/** Effects at a step (holdout ones withheld: not_done, reason holdout, as the runtime writes them). */
async function addEffects(effects: ReadonlyArray<{ enrollmentId: string; customerId: string; stepId: string; at: Date; arm: Arm }>): Promise<void> {
  await pool.query(
    `insert into scenario_effects (workspace_id, key, enrollment_id, customer_id, step_id, kind, payload, why, status, outcome, created_at, done_at)
     select $1, v.key, v.enrollment_id, v.customer_id, v.step_id, 'send', '{"purpose":"marketing"}', '{}',
            case when v.arm = 'treatment' then 'done' else 'not_done' end,
            case when v.arm = 'treatment' then null else jsonb_build_object('reason', v.arm) end, v.at, v.at
       from unnest($2::text[], $3::bigint[], $4::bigint[], $5::text[], $6::timestamptz[], $7::text[]) as v(key, enrollment_id, customer_id, step_id, at, arm)`,
    [
      workspace.id,
      effects.map((e) => `send:${e.enrollmentId}:${e.stepId}:${++effectSeq}`),
      effects.map((e) => e.enrollmentId),
      effects.map((e) => e.customerId),
      effects.map((e) => e.stepId),
      effects.map((e) => e.at),
      effects.map((e) => e.arm),
    ],
  );
}

const measure = (scenario: string, now: Date, ws: Workspace = workspace): Promise<ScenarioMeasurement> =>
  measureScenario(pool, { workspaceId: ws.id, scenario, now });

// ─── The purchase scenario's data ────────────────────────────────────────────────────────────
// Treatment: 200 customers entering every 2 hours from the launch; the first 50 buy in their
// window (T[0] at the very instant of entry, the others 5 days in). Holdout: 50 customers
// entering every 3 hours (+1 h); the first 5 buy 10 days in. Around them, purchases that must
// not count: before entry, at or after the window's end, cancelled or returned, in another
// workspace; a second entry; entries before the launch or after the run; the global control group.
let T: string[] = [];
let H: string[] = [];
const tEntry = (i: number) => at(i * 2 * HOUR);
const hEntry = (j: number) => at(j * 3 * HOUR + HOUR);
let treatmentEnrollments: string[] = [];
let holdoutEnrollments: string[] = [];

beforeAll(async () => {
  workspace = await freshWorkspace(database);
  otherWorkspace = await freshWorkspace(database);
  clock.set(new Date(T0.getTime() - 30 * DAY));
  templateId = (await prepareScenarioWorkspace(pool, workspace, clock)).templateIds[0]!;
  const { rows: kpis } = await pool.query<{ id: string }>(
    `insert into kpis (workspace_id, name, metric, granularity, target, direction) values ($1, '売上', 'sales', 'month', 1000000, 'higher_is_better') returning id::text`,
    [workspace.id],
  );
  kpiId = kpis[0]!.id;

  // "buy": version 1 without a plan (5 days before), version 2 with it (the launch), version 3 renamed later.
  await publish('buy', undefined, new Date(T0.getTime() - 5 * DAY));
  scenarioIds.buy = await publish('buy', PURCHASE_PLAN, T0);
  await publish('buy', PURCHASE_PLAN, at(10 * DAY), '購入のご案内（改）');
  scenarioIds.spend = await publish(
    'spend',
    { holdoutPercent: 20, metric: { kind: 'revenue' }, windowDays: 10, runDays: 10, minimumDetectableEffect: 100, cuped: true },
    T0,
  );
  scenarioIds.kpi_sales = await publish(
    'kpi_sales',
    { holdoutPercent: 20, metric: { kind: 'kpi', kpiId }, windowDays: 7, runDays: 7, minimumDetectableEffect: 100 },
    T0,
  );
  scenarioIds.skewed = await publish('skewed', { holdoutPercent: 10, metric: { kind: 'purchase' }, windowDays: 7, runDays: 7, minimumDetectableEffect: 5 }, T0);
  scenarioIds.plain = await publish('plain', undefined, T0);
  scenarioIds.zero = await publish('zero', { ...PURCHASE_PLAN, holdoutPercent: 0 }, T0);

  T = await newCustomers(200);
  H = await newCustomers(50);
  treatmentEnrollments = await enroll(
    scenarioIds.buy,
    T.map((customerId, i) => ({ customerId, arm: 'treatment' as const, at: tEntry(i) })),
  );
  holdoutEnrollments = await enroll(
    scenarioIds.buy,
    H.map((customerId, j) => ({ customerId, arm: 'holdout' as const, at: hEntry(j) })),
  );
  const orders: Order[] = [];
  // Buyers: T[0] at the instant of entry (the window is closed on the left), T[1..49] 5 days in.
  orders.push({ customerId: T[0]!, at: tEntry(0), amount: 3000 });
  for (let i = 1; i < 50; i++) orders.push({ customerId: T[i]!, at: new Date(tEntry(i).getTime() + 5 * DAY), amount: 3000 });
  for (let j = 0; j < 5; j++) orders.push({ customerId: H[j]!, at: new Date(hEntry(j).getTime() + 10 * DAY), amount: 3000 });
  // Not in the window: a day before entry; exactly at its end (30 days, open on the right) and 40 days in.
  for (let i = 50; i < 55; i++) orders.push({ customerId: T[i]!, at: new Date(tEntry(i).getTime() - DAY), amount: 3000 });
  for (let i = 55; i < 60; i++) {
    orders.push({ customerId: T[i]!, at: new Date(tEntry(i).getTime() + 30 * DAY), amount: 3000 });
    orders.push({ customerId: T[i]!, at: new Date(tEntry(i).getTime() + 40 * DAY), amount: 3000 });
  }
  // Cancelled and returned orders in the window.
  for (let i = 60; i < 65; i++) orders.push({ customerId: T[i]!, at: new Date(tEntry(i).getTime() + DAY), amount: 3000, status: 'cancelled' });
  for (let i = 65; i < 70; i++) orders.push({ customerId: T[i]!, at: new Date(tEntry(i).getTime() + DAY), amount: 3000, status: 'returned' });
  orders.push({ customerId: H[5]!, at: new Date(hEntry(5).getTime() + DAY), amount: 3000, status: 'cancelled' });
  orders.push({ customerId: H[6]!, at: new Date(hEntry(6).getTime() - HOUR), amount: 3000 });
  // T[70] enters again 29 days in and buys in that second window only (39 days in: after its first window).
  orders.push({ customerId: T[70]!, at: at(39 * DAY), amount: 3000 });
  await addOrders(orders);
  // An order of another workspace naming a customer id of this one, in the window: not this workspace's.
  await addOrders([{ customerId: T[100]!, at: new Date(tEntry(100).getTime() + DAY), amount: 3000 }], otherWorkspace);
  await enroll(scenarioIds.buy, [
    { customerId: T[70]!, arm: 'treatment', at: at(29 * DAY) },
    { customerId: T[1]!, arm: 'treatment', at: at(20 * DAY) },
  ]);

  // Outside the run: an entry (and a purchase) before the launch under version 1, one exactly at the run's end.
  const [early, late] = await newCustomers(2);
  await enroll(scenarioIds.buy, [
    { customerId: early!, arm: 'treatment', at: new Date(T0.getTime() - HOUR), version: 1 },
    { customerId: late!, arm: 'holdout', at: at(30 * DAY) },
  ]);
  await addOrders([
    { customerId: early!, at: at(DAY), amount: 3000 },
    { customerId: late!, at: at(31 * DAY), amount: 3000 },
  ]);
  // The global control group: counted apart, never in the arms (one of them buys, one reaches the step).
  const G = await newCustomers(3);
  const gEnrollments = await enroll(
    scenarioIds.buy,
    G.map((customerId, k) => ({ customerId, arm: 'global_control' as const, at: at(k * HOUR) })),
  );
  await addOrders([{ customerId: G[0]!, at: at(2 * DAY), amount: 3000 }]);

  // The step "hello": treatment T[0..9] reach it 6 days in (after their purchase: not a buyer from
  // there), T[40..49] a day in (buyers), T[55..59] a day in (their order 30 days after entry is in
  // the window from the step), T[100..119] a day in (no purchase); T[40] reaches it twice (20 days
  // in again: counted once, from the first). Holdout H[0..14] a day in (H[0..4] buy).
  const effects: Array<{ enrollmentId: string; customerId: string; stepId: string; at: Date; arm: Arm }> = [];
  const reach = (i: number, after: number) =>
    effects.push({ enrollmentId: treatmentEnrollments[i]!, customerId: T[i]!, stepId: 'hello', at: new Date(tEntry(i).getTime() + after), arm: 'treatment' });
  for (let i = 0; i < 10; i++) reach(i, 6 * DAY);
  for (let i = 40; i < 50; i++) reach(i, DAY);
  for (let i = 55; i < 60; i++) reach(i, DAY);
  for (let i = 100; i < 120; i++) reach(i, DAY);
  reach(40, 20 * DAY);
  for (let j = 0; j < 15; j++)
    effects.push({ enrollmentId: holdoutEnrollments[j]!, customerId: H[j]!, stepId: 'hello', at: new Date(hEntry(j).getTime() + DAY), arm: 'holdout' });
  effects.push({ enrollmentId: gEnrollments[0]!, customerId: G[0]!, stepId: 'hello', at: at(DAY), arm: 'global_control' });
  await addEffects(effects);
});
afterAll(async () => {
  await database.close();
});

describe('measureScenario: a purchase rate against the holdout', () => {
  it('launches at the first publish with a holdout, reads the plan of the latest version, and judges after the run plus a window', async () => {
    const { rows } = await pool.query<{ version: number; created_at: Date }>(
      'select version, created_at from scenario_versions where scenario_id = $1 order by version',
      [scenarioIds.buy],
    );
    expect(rows.map((row) => [row.version, row.created_at.toISOString()])).toEqual([
      [1, '2026-02-25T00:00:00.000Z'],
      [2, T0.toISOString()],
      [3, '2026-03-12T00:00:00.000Z'],
    ]);
    const result = await measure('buy', at(61 * DAY));
    expect(result).toMatchObject({
      scenarioId: scenarioIds.buy,
      scenarioKey: 'buy',
      plan: PURCHASE_PLAN,
      metric: 'purchase',
      kpi: null,
      status: 'judged',
      launchedAt: T0.toISOString(),
      entriesUntil: '2026-04-01T00:00:00.000Z',
      judgedAt: '2026-05-01T00:00:00.000Z',
      pending: { treatment: 0, holdout: 0 },
      globalControl: 3,
    });
    // Exactly at judgedAt it is judged; a millisecond before, not yet.
    expect((await measure('buy', new Date('2026-05-01T00:00:00.000Z'))).status).toBe('judged');
    expect((await measure('buy', new Date('2026-04-30T23:59:59.999Z'))).status).toBe('collecting');
  });

  it('counts each customer once, from the first entry, in the window, without cancelled or returned orders: 50/200 against 5/50', async () => {
    const result = await measure(scenarioIds.buy, at(61 * DAY));
    const overall = result.overall!;
    expect(overall.treatment).toEqual({ customers: 200, conversions: 50, value: 0.25 });
    expect(overall.holdout).toEqual({ customers: 50, conversions: 5, value: 0.1 });
    const effect = overall.effect!;
    expect(effect.kind).toBe('proportion');
    if (effect.kind !== 'proportion') throw new Error('a proportion');
    // Python: Newcombe (method 10) from the Wilson limits of 50/200 and 5/50: D = 0.15, [0.023820, 0.235643].
    expect(effect.difference).toBeCloseTo(0.15, 12);
    expect(effect.low).toBeCloseTo(0.023819543, 6);
    expect(effect.high).toBeCloseTo(0.235643162, 6);
    // Pooled z test: 2·norm.sf(|z|) = 0.022013; Katz: lift 1.5, [0.052106, 4.940465].
    expect(effect.pValue).toBeCloseTo(0.022013025, 6);
    expect(effect.relativeLift!.lift).toBeCloseTo(1.5, 12);
    expect(effect.relativeLift!.low).toBeCloseTo(0.052106212, 6);
    expect(effect.relativeLift!.high).toBeCloseTo(4.940464879, 6);
    expect(overall.verdict).toBe('effective');
    // Baseline 0.10 (the holdout), MDE 5 points, 20 % held out: n_t = 7.848879·(0.15·0.85 + 0.1·0.9/0.25)/0.05² = 1530.53 → 1531, n_c = 383.
    expect(overall.required).toEqual({ treatment: 1531, holdout: 383 });
    expect(overall.enoughData).toBe(false);
    // 50 held out of 250 entrants: exactly the planned 20 %.
    expect(result.sampleRatio).toEqual({ planned: 0.2, observed: 0.2, pValue: 1 });
    // Cumulative by local entry date (Asia/Tokyo): the last point holds everyone.
    expect(result.overTime[0]).toMatchObject({ date: '2026-03-02', treatmentCustomers: 8, holdoutCustomers: 5 });
    expect(result.overTime.at(-1)).toEqual({ date: '2026-03-18', treatment: 0.25, holdout: 0.1, treatmentCustomers: 200, holdoutCustomers: 50 });
  });

  it('before judgedAt: collecting, no verdict, and the customers whose window is still open are pending, not counted', async () => {
    // Five weeks after the launch, windows that began by 5 days after it have ended: T[0..60] (the
    // last exactly at that instant) and H[0..39].
    const result = await measure('buy', at(35 * DAY));
    expect(result.status).toBe('collecting');
    expect(result.pending).toEqual({ treatment: 139, holdout: 10 });
    const overall = result.overall!;
    expect(overall.treatment).toEqual({ customers: 61, conversions: 50, value: 50 / 61 });
    expect(overall.holdout).toEqual({ customers: 40, conversions: 5, value: 0.125 });
    expect(overall.verdict).toBeNull();
    const effect = overall.effect!;
    if (effect.kind !== 'proportion') throw new Error('a proportion');
    // Python: Newcombe of 50/61 against 5/40: D = 0.694672, [0.516853, 0.798666] — shown, not judged.
    expect(effect.difference).toBeCloseTo(0.694672131, 6);
    expect(effect.low).toBeCloseTo(0.516853476, 6);
    expect(effect.high).toBeCloseTo(0.798665855, 6);
    expect(result.steps.every((step) => step.verdict === null)).toBe(true);
    // The sample ratio reads every entrant, pending ones too.
    expect(result.sampleRatio.observed).toBe(0.2);
  });

  it('per step: only those who reached it, in the window from reaching it (the first time), holdout included', async () => {
    const result = await measure('buy', at(61 * DAY));
    expect(result.steps.map((step) => [step.stepId, step.name, step.kind])).toEqual([
      ['hello', 'ご挨拶', 'send'],
      ['call', null, 'task'],
    ]);
    const hello = result.steps[0]!;
    // Treatment: T[0..9] (bought before the step) 0, T[40..49] 10, T[55..59] 5, T[100..119] 0 → 15/45; holdout H[0..4] of H[0..14] → 5/15.
    expect(hello.treatment).toEqual({ customers: 45, conversions: 15, value: 1 / 3 });
    expect(hello.holdout).toEqual({ customers: 15, conversions: 5, value: 1 / 3 });
    const effect = hello.effect!;
    if (effect.kind !== 'proportion') throw new Error('a proportion');
    // Python: Newcombe of 15/45 against 5/15: D = 0, [−0.276775, 0.232965]; z = 0, p = 1.
    expect(effect.difference).toBeCloseTo(0, 12);
    expect(effect.low).toBeCloseTo(-0.276775324, 6);
    expect(effect.high).toBeCloseTo(0.232964674, 6);
    expect(effect.pValue).toBe(1);
    expect(hello.verdict).toBe('inconclusive');
    // Nobody reached "call": no figures, no verdict.
    const call = result.steps[1]!;
    expect(call.treatment).toEqual({ customers: 0, conversions: 0, value: null });
    expect(call.effect).toBeNull();
    expect(call.verdict).toBeNull();
  });

  it('finds the holdout share far from the plan: a tiny sample-ratio p-value', async () => {
    const customers = await newCustomers(100);
    await enroll(
      scenarioIds.skewed,
      customers.map((customerId, i) => ({ customerId, arm: i < 30 ? ('holdout' as const) : ('treatment' as const), at: at(i * MINUTE), version: 1 })),
    );
    const result = await measure('skewed', at(61 * DAY));
    // 30 of 100 held out against 10 % planned: z = 20/√9 = 6.666667, p = 2·norm.sf(z) = 2.616785e-11 (scipy).
    expect(result.sampleRatio.planned).toBe(0.1);
    expect(result.sampleRatio.observed).toBe(0.3);
    expect(result.sampleRatio.pValue! / 2.616784937e-11).toBeCloseTo(1, 6);
    expect(result.sampleRatio.pValue!).toBeLessThan(0.001);
  });

  it('has no plan: a scenario without one, or with a holdout of 0', async () => {
    for (const key of ['plain', 'zero']) {
      const result = await measure(key, at(61 * DAY));
      expect(result).toMatchObject({
        scenarioKey: key,
        status: 'no_plan',
        metric: null,
        launchedAt: null,
        judgedAt: null,
        overall: null,
        steps: [],
        overTime: [],
        sampleRatio: { observed: null, pValue: null },
      });
    }
    expect((await measure('plain', at(61 * DAY))).plan).toBeNull();
    expect((await measure('zero', at(61 * DAY))).plan).toMatchObject({ holdoutPercent: 0 });
  });

  it('refuses an unknown scenario, and a scenario of another workspace', async () => {
    const unknown = await measure('nothing_here', at(61 * DAY)).catch((error: unknown) => error);
    expect(unknown).toBeInstanceOf(KizunaError);
    expect(unknown).toMatchObject({ code: 'not_found', message: expect.stringContaining('"nothing_here"') });
    const elsewhere = await measure(scenarioIds.buy, at(61 * DAY), otherWorkspace).catch((error: unknown) => error);
    expect(elsewhere).toMatchObject({ code: 'not_found' });
  });
});

describe('measureScenario: revenue per customer', () => {
  // 1,000 entrants a minute apart, every fifth held out (800 treatment, 200 holdout). In the
  // 10-day window: treatment t[0..99] spend 1,000 (t[0..49] as 400 + 600), t[100] 1,000,000 (a
  // whale); holdout h[0..19] 1,000, h[20] 50,000. Pre-period (10 days before entry): treatment
  // t[0..49] 500, t[111..120] 2,000, t[131..135] 3,000 exactly 10 days before; holdout h[0..9]
  // 500, h[21..30] 2,000. Not counted: cancelled / returned in the window, 7,000 exactly 10 days
  // after entry, 3,000 a minute before the pre-period.
  beforeAll(async () => {
    const customers = await newCustomers(1000);
    const entries: Entry[] = customers.map((customerId, k) => ({ customerId, arm: k % 5 === 4 ? 'holdout' : 'treatment', at: at(k * MINUTE), version: 1 }));
    const enrollments = await enroll(scenarioIds.spend, entries);
    const treatment = entries.filter((entry) => entry.arm === 'treatment');
    const holdout = entries.filter((entry) => entry.arm === 'holdout');
    // Steps: "hello" reached 12 hours in by t[0..3] (1,000 each after it), t[150..151] (nothing), h[0..1] (1,000), h[50..51]
    // (nothing); "call" by t[0] and h[0] alone (fewer than 2 a side: no interval).
    const effectOf = (entry: Entry, stepId: string) => ({
      enrollmentId: enrollments[entries.indexOf(entry)]!,
      customerId: entry.customerId,
      stepId,
      at: new Date(entry.at.getTime() + 12 * HOUR),
      arm: entry.arm,
    });
    await addEffects([
      ...[0, 1, 2, 3, 150, 151].map((t) => effectOf(treatment[t]!, 'hello')),
      ...[0, 1, 50, 51].map((h) => effectOf(holdout[h]!, 'hello')),
      effectOf(treatment[0]!, 'call'),
      effectOf(holdout[0]!, 'call'),
    ]);
    const orders: Order[] = [];
    const order = (entry: Entry, offset: number, amount: number, status?: Order['status']) =>
      orders.push({ customerId: entry.customerId, at: new Date(entry.at.getTime() + offset), amount, ...(status ? { status } : {}) });
    treatment.forEach((entry, t) => {
      if (t < 50) {
        order(entry, DAY, 400);
        order(entry, 2 * DAY, 600, 'shipped');
        order(entry, -2 * DAY, 500);
      } else if (t < 100) order(entry, 3 * DAY, 1000);
      else if (t === 100) order(entry, 9 * DAY, 1_000_000);
      else if (t <= 105) order(entry, DAY, 5000, 'cancelled');
      else if (t <= 110) order(entry, DAY, 5000, 'returned');
      else if (t <= 120) order(entry, -DAY, 2000);
      else if (t <= 130) order(entry, 10 * DAY, 7000);
      else if (t <= 135) order(entry, -10 * DAY, 3000);
      else if (t <= 140) order(entry, -10 * DAY - MINUTE, 3000);
    });
    holdout.forEach((entry, h) => {
      if (h < 20) order(entry, 4 * DAY, 1000);
      if (h < 10) order(entry, -3 * DAY, 500);
      if (h === 20) order(entry, 5 * DAY, 50_000);
      if (h >= 21 && h <= 30) order(entry, -5 * DAY, 2000);
    });
    await addOrders(orders);
  });

  it('caps at the pooled 99.9th percentile, judges by Welch (and CUPED when asked), with the bootstrap beside', async () => {
    const result = await measure('spend', at(61 * DAY));
    expect(result).toMatchObject({ metric: 'revenue', status: 'judged', judgedAt: '2026-03-22T00:00:00.000Z', pending: { treatment: 0, holdout: 0 } });
    const overall = result.overall!;
    // Nearest rank ⌈0.999·1000⌉ = 999: sorted, 878 zeros, 120 × 1,000, then 50,000 (rank 999) and the whale → lowered to 50,000.
    // Means: (100·1,000 + 50,000)/800 = 187.5 and (20·1,000 + 50,000)/200 = 350.
    expect(overall.treatment).toEqual({ customers: 800, conversions: null, value: 187.5 });
    expect(overall.holdout).toEqual({ customers: 200, conversions: null, value: 350 });
    const effect = overall.effect!;
    if (effect.kind !== 'mean') throw new Error('a mean');
    expect(effect.cap).toEqual({ percentile: 0.999, value: 50_000, capped: 1 });
    expect(effect.difference).toBeCloseTo(-162.5, 9);
    expect(effect.relativeLift).toBeCloseTo(187.5 / 350 - 1, 12);
    // scipy.stats.ttest_ind(T, C, equal_var=False).confidence_interval(0.95) on the capped values: [−671.516690, 346.516690] (df 225.1286).
    expect(effect.low).toBeCloseTo(-671.5166902738, 6);
    expect(effect.high).toBeCloseTo(346.5166902738, 6);
    expect(effect.bootstrap.resamples).toBe(2000);
    expect(effect.bootstrap.low).toBeLessThan(-162.5);
    expect(effect.bootstrap.high).toBeGreaterThan(-162.5);
    // CUPED, by hand: Σx = 85,000, Σy = 220,000 (capped), Σxy = 30,000,000 (50·500·1,000 + 10·500·1,000), Σx² = 140,000,000;
    // cov = 30,000,000 − 1000·85·220 = 11,300,000, var = 140,000,000 − 1000·85² = 132,775,000, θ = 4/47.
    const cuped = effect.cuped!;
    expect(cuped.theta).toBeCloseTo(4 / 47, 12);
    // Welch (scipy) on Y − θ(X − X̄): D = −158.244681, [−667.340256, 350.850894]; variance reduction 0.000190 (numpy).
    expect(cuped.difference).toBeCloseTo(-158.2446808511, 6);
    expect(cuped.low).toBeCloseTo(-667.3402555762, 6);
    expect(cuped.high).toBeCloseTo(350.8508938741, 6);
    expect(cuped.varianceReduction).toBeCloseTo(0.000189625, 8);
    expect(overall.verdict).toBe('inconclusive');

    // Per step, from reaching it: "hello" 1,000 × 4 and 0 × 2 against 1,000 × 2 and 0 × 2; the cap is the largest (10 values).
    const hello = result.steps.find((step) => step.stepId === 'hello')!;
    expect(hello.treatment).toEqual({ customers: 6, conversions: null, value: 4000 / 6 });
    expect(hello.holdout).toEqual({ customers: 4, conversions: null, value: 500 });
    if (hello.effect?.kind !== 'mean') throw new Error('a mean');
    expect(hello.effect.cap).toEqual({ percentile: 0.999, value: 1000, capped: 0 });
    // scipy Welch: D = 166.666667, [−707.125872, 1040.459205].
    expect(hello.effect.low).toBeCloseTo(-707.1258719856, 6);
    expect(hello.effect.high).toBeCloseTo(1040.4592053189, 6);
    const call = result.steps.find((step) => step.stepId === 'call')!;
    expect(call.treatment.customers).toBe(1);
    expect(call.holdout.customers).toBe(1);
    expect(call.effect).toBeNull();
    expect(call.verdict).toBeNull();
  });

  // No customer to compare yet (a revenue scenario before its first window ended, a step nobody reached): collecting, 0 customers, no effect.
  it('measures a revenue scenario before any window has ended (no customer yet)', async () => {
    const result = await measure('spend', at(DAY));
    expect(result.status).toBe('collecting');
    expect(result.pending).toEqual({ treatment: 800, holdout: 200 });
    expect(result.overall).toMatchObject({ treatment: { customers: 0, value: null }, holdout: { customers: 0, value: null }, effect: null, verdict: null });
  });

  it('measures a KPI by its per-customer metric (sales → revenue), small numbers by hand; a KPI gone is a clear error', async () => {
    const customers = await newCustomers(7);
    const arms: Arm[] = ['treatment', 'treatment', 'treatment', 'treatment', 'holdout', 'holdout', 'holdout'];
    const entries = customers.map((customerId, i) => ({ customerId, arm: arms[i]!, at: at(i * HOUR), version: 1 }));
    const enrollments = await enroll(scenarioIds.kpi_sales, entries);
    // Each step reached by someone (a step nobody reached cannot be measured on revenue: see the bug above).
    await addEffects(
      ['hello', 'call'].map((stepId) => ({
        enrollmentId: enrollments[0]!,
        customerId: customers[0]!,
        stepId,
        at: new Date(entries[0]!.at.getTime() + HOUR),
        arm: 'treatment',
      })),
    );
    const amounts = [100, 200, 300, 400, 100, 0, 200];
    await addOrders(
      entries.flatMap((entry, i) => (amounts[i]! > 0 ? [{ customerId: entry.customerId, at: new Date(entry.at.getTime() + DAY), amount: amounts[i]! }] : [])),
    );
    const result = await measure('kpi_sales', at(61 * DAY));
    expect(result.metric).toBe('revenue');
    expect(result.kpi).toEqual({ id: kpiId, name: '売上', metric: 'sales' });
    const overall = result.overall!;
    // Treatment 100, 200, 300, 400 → 250; holdout 100, 0, 200 → 100.
    expect(overall.treatment.value).toBe(250);
    expect(overall.holdout.value).toBe(100);
    const effect = overall.effect!;
    if (effect.kind !== 'mean') throw new Error('a mean');
    // Seven customers: the nearest rank is the largest value, nobody is lowered.
    expect(effect.cap).toEqual({ percentile: 0.999, value: 400, capped: 0 });
    // scipy Welch: D = 150, [−73.171148, 373.171148].
    expect(effect.difference).toBe(150);
    expect(effect.low).toBeCloseTo(-73.1711481339, 6);
    expect(effect.high).toBeCloseTo(373.1711481339, 6);
    expect(effect.cuped).toBeNull();
    expect(overall.verdict).toBe('inconclusive');

    await pool.query('delete from kpis where id = $1', [kpiId]);
    const gone = await measure('kpi_sales', at(61 * DAY)).catch((error: unknown) => error);
    expect(gone).toBeInstanceOf(KizunaError);
    expect(gone).toMatchObject({ code: 'validation_failed', message: expect.stringContaining(`KPI ${kpiId}, which no longer exists`) });
  });
});
