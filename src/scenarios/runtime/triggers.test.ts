import { afterAll, describe, expect, it } from 'vitest';
import { freshWorkspace, isolatedTestDatabase } from '../../../test/support/database.ts';
import type { PropertyTest } from '../../journey-map/model.ts';
import { ingest } from '../../journey-map/placement/test-map.ts';
import { drainJourneyChanges } from '../../journey-map/placement/reactor.ts';
import { manualClock } from '../../shared/clock.ts';
import type { Workspace } from '../../workspaces/workspaces.ts';
import type { ExitRule, ScenarioDocument, ScenarioStep, ScenarioTrigger } from '../model.ts';
import { publishScenario } from '../scenarios.ts';
import { marketingScenario, prepareScenarioWorkspace, stepUpExample } from '../test-scenario.ts';
import { runDueSteps } from './enrollments.ts';
import { processSignals } from './process-signals.ts';
import { runScheduledTriggers } from './scheduled-triggers.ts';
import { startScenarioReactor } from './reactor.ts';

/**
 * Triggers and exit rules at runtime, through the real ingest path and a real database: writes
 * queue signals in their transaction, processSignals enrolls, wakes and exits.
 */
// A database of its own: a worker or reactor here acts on every workspace of its database.
const database = await isolatedTestDatabase();
const { pool } = database;
afterAll(() => database.close());

const DAY = 86_400_000;
const START = '2026-06-01T02:00:00.000Z';
const TRIAL = 'MNR-AOJ-TRIAL14';
const REGULAR = 'MNR-AOJ-SUB30';
const COMPLAINT: ExitRule = {
  kind: 'condition',
  name: '苦情',
  condition: { fact: 'events', type: 'support_contact', where: [{ property: 'topic', op: '=', value: 'complaint' }], withinDays: 1 },
};

async function scenarioWorkspace(clock: ReturnType<typeof manualClock>): Promise<{ workspace: Workspace; templateIds: string[] }> {
  const workspace = await freshWorkspace(database);
  const { templateIds } = await prepareScenarioWorkspace(pool, workspace, clock);
  return { workspace, templateIds };
}

function scenario(
  key: string,
  trigger: ScenarioTrigger,
  templateId: string,
  options: { exitRules?: ExitRule[]; steps?: ScenarioStep[]; start?: string; reentry?: ScenarioDocument['reentry'] } = {},
): ScenarioDocument {
  return marketingScenario({
    key,
    name: key,
    trigger,
    ...(options.reentry ? { reentry: options.reentry } : {}),
    ...(options.exitRules ? { exitRules: options.exitRules } : {}),
    start: options.start ?? 'pause',
    steps: options.steps ?? [
      { kind: 'wait', id: 'pause', duration: { days: 14 }, next: 'hello' },
      { kind: 'send', id: 'hello', channel: 'email', templateId, next: null },
    ],
  });
}

/** A survey follow-up: wait up to 7 days for a survey_answer passing `where`, then thank with `templateId`. */
function surveyScenario(templateId: string, where: PropertyTest[]): ScenarioDocument {
  return scenario('survey', { kind: 'event', type: 'page_view' }, templateId, {
    start: 'answer',
    steps: [
      { kind: 'wait_for_event', id: 'answer', type: 'survey_answer', where, timeout: { days: 7 }, next: 'thanks', timeoutNext: null },
      { kind: 'send', id: 'thanks', channel: 'email', templateId, next: null },
    ],
  });
}

async function publish(workspace: Workspace, document: ScenarioDocument, clock: ReturnType<typeof manualClock>): Promise<string> {
  const published = await publishScenario({
    pool,
    workspaceId: workspace.id,
    input: document,
    actor: { kind: 'system', label: 'test' },
    clock,
    senderSettingsMissing: async () => [],
  });
  return published.scenario.id;
}

let eventSeq = 0;
async function event(workspace: Workspace, clock: ReturnType<typeof manualClock>, customer: string, type: string, properties: Record<string, unknown> = {}) {
  eventSeq++;
  await ingest(
    pool,
    workspace,
    'events',
    [{ customer_id: customer, type, occurred_at: clock.now().toISOString(), properties, idempotency_key: `ev-${eventSeq}` }],
    clock,
  );
  return `ev-${eventSeq}`;
}

async function enrollmentsOf(workspace: Workspace, external: string) {
  const { rows } = await pool.query<{
    id: string;
    status: string;
    exit_reason: string | null;
    wake_at: Date | null;
    step_id: string | null;
    trigger: { kind: string; ref: string; orderId?: string; sku?: string };
  }>(
    `select e.id, e.status, e.exit_reason, e.wake_at, e.step_id, e.trigger from scenario_enrollments e
       join customers c on c.id = e.customer_id
      where e.workspace_id = $1 and c.external_id = $2 order by e.id`,
    [workspace.id, external],
  );
  return rows;
}

async function signalCount(workspace: Workspace, kind?: string): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(
    'select count(*)::int as n from scenario_signals where workspace_id = $1 and ($2::text is null or kind = $2)',
    [workspace.id, kind ?? null],
  );
  return rows[0]!.n;
}

async function effectsCount(workspace: Workspace): Promise<number> {
  const { rows } = await pool.query<{ n: number }>('select count(*)::int as n from scenario_effects where workspace_id = $1', [workspace.id]);
  return rows[0]!.n;
}

describe('scenario triggers at runtime', () => {
  it('an ingested event enrolls the customer once; the re-entry rule holds on a second event; a non-matching event enrolls nobody', async () => {
    const clock = manualClock(START);
    const { workspace, templateIds } = await scenarioWorkspace(clock);
    await publish(
      workspace,
      scenario('sample', { kind: 'event', type: 'page_view', where: [{ property: 'plan', op: '=', value: 'free' }] }, templateIds[0]!),
      clock,
    );
    const key = await event(workspace, clock, 'C-1', 'page_view', { plan: 'free' });
    await event(workspace, clock, 'C-2', 'page_view', { plan: 'paid' });
    expect(await signalCount(workspace, 'event')).toBe(2);
    const first = await processSignals({ pool, clock, workspaceId: workspace.id });
    expect(first).toMatchObject({ processed: 2, enrolled: 1 });
    const [enrollment] = await enrollmentsOf(workspace, 'C-1');
    expect(enrollment).toMatchObject({ status: 'active', step_id: 'pause', trigger: { kind: 'event', ref: key } });
    expect(await enrollmentsOf(workspace, 'C-2')).toEqual([]);

    clock.advance(1 * DAY);
    await event(workspace, clock, 'C-1', 'page_view', { plan: 'free' });
    expect(await processSignals({ pool, clock, workspaceId: workspace.id })).toMatchObject({ processed: 1, enrolled: 0 });
    expect(await enrollmentsOf(workspace, 'C-1')).toHaveLength(1);
    // Processed signals are not taken again.
    expect(await processSignals({ pool, clock, workspaceId: workspace.id })).toMatchObject({ processed: 0 });
  });

  it('an order of the trial product enrolls with its order id and SKU, once however often the order is sent', async () => {
    const clock = manualClock(START);
    const { workspace, templateIds } = await scenarioWorkspace(clock);
    await publish(workspace, stepUpExample(templateIds), clock);
    const order = {
      order_id: 'O-1',
      customer_id: 'C-1',
      ordered_at: '2026-05-29T01:00:00Z',
      status: 'confirmed',
      items: [
        { sku: 'MNR-LAC-TRIAL21', quantity: 1, unit_price: '980' },
        { sku: TRIAL, quantity: 1, unit_price: '980' },
      ],
    };
    await ingest(pool, workspace, 'orders', [order], clock);
    expect(await processSignals({ pool, clock, workspaceId: workspace.id })).toMatchObject({ processed: 1, enrolled: 1 });
    const { rows } = await pool.query<{ id: string }>('select id from orders where workspace_id = $1 and external_id = $2', [workspace.id, 'O-1']);
    const [enrollment] = await enrollmentsOf(workspace, 'C-1');
    expect(enrollment!.trigger).toMatchObject({ kind: 'order', ref: 'O-1', orderId: rows[0]!.id, sku: TRIAL });
    // Waiting for the delivery (wait_for_effect "delivered" with none recorded yet).
    expect(enrollment!.step_id).toBe('delivered');

    // The delivery is recorded: the waiting enrollment is rechecked and moves on; the order does not enroll again.
    await ingest(pool, workspace, 'orders', [{ ...order, status: 'delivered', delivered_at: START }], clock);
    expect(await processSignals({ pool, clock, workspaceId: workspace.id })).toMatchObject({ processed: 1, enrolled: 0, woken: 1 });
    const after = await enrollmentsOf(workspace, 'C-1');
    expect(after).toHaveLength(1);
    expect(after[0]!.step_id).toBe('morning_of_delivery');
  });

  it('a journey move into a cell enrolls a cell_entered scenario; leaving the cell exits by a left_cell rule', async () => {
    const clock = manualClock(START);
    const { workspace, templateIds } = await scenarioWorkspace(clock);
    await publish(
      workspace,
      scenario('trial_welcome', { kind: 'cell_entered', stage: 'trial' }, templateIds[0]!, { exitRules: [{ kind: 'left_cell' }] }),
      clock,
    );
    await drainJourneyChanges({ pool, workspaceId: workspace.id, clock });
    await pool.query('update scenario_signals set processed_at = now() where workspace_id = $1', [workspace.id]);
    await ingest(
      pool,
      workspace,
      'orders',
      [{ order_id: 'O-1', customer_id: 'C-1', ordered_at: START, status: 'confirmed', items: [{ sku: TRIAL, quantity: 1, unit_price: '980' }] }],
      clock,
    );
    await drainJourneyChanges({ pool, workspaceId: workspace.id, clock });
    expect(await signalCount(workspace, 'moved')).toBe(1);
    expect(await processSignals({ pool, clock, workspaceId: workspace.id })).toMatchObject({ enrolled: 1 });
    const [enrollment] = await enrollmentsOf(workspace, 'C-1');
    expect(enrollment!.trigger.kind).toBe('cell_entered');
    expect(enrollment!.trigger.ref).toMatch(/^trial\//);

    // Two more orders: the customer moves on to a later stage and leaves the trial cell.
    for (const id of ['O-2', 'O-3'])
      await ingest(
        pool,
        workspace,
        'orders',
        [{ order_id: id, customer_id: 'C-1', ordered_at: START, status: 'confirmed', items: [{ sku: TRIAL, quantity: 1, unit_price: '980' }] }],
        clock,
      );
    await drainJourneyChanges({ pool, workspaceId: workspace.id, clock });
    expect(await processSignals({ pool, clock, workspaceId: workspace.id })).toMatchObject({ exited: 1 });
    const [left] = await enrollmentsOf(workspace, 'C-1');
    expect(left).toMatchObject({ status: 'exited', wake_at: null });
    expect(left!.exit_reason).toMatch(/^exit rule: left the cell/);
  });

  it('exits at once during a 14-day wait when a complaint arrives: no later send; a customer who already complained is not enrolled', async () => {
    const clock = manualClock(START);
    const { workspace, templateIds } = await scenarioWorkspace(clock);
    await publish(workspace, scenario('sample', { kind: 'event', type: 'page_view' }, templateIds[0]!, { exitRules: [COMPLAINT] }), clock);
    await event(workspace, clock, 'C-1', 'page_view');
    await event(workspace, clock, 'C-2', 'support_contact', { topic: 'complaint' });
    await event(workspace, clock, 'C-2', 'page_view');
    expect(await processSignals({ pool, clock, workspaceId: workspace.id })).toMatchObject({ enrolled: 1 });
    expect(await enrollmentsOf(workspace, 'C-2')).toEqual([]);

    clock.advance(3 * DAY);
    expect(await runDueSteps({ pool, clock, workspaceId: workspace.id })).toBe(0);
    await event(workspace, clock, 'C-1', 'support_contact', { topic: 'shipping' });
    expect(await processSignals({ pool, clock, workspaceId: workspace.id })).toMatchObject({ exited: 0 });
    await event(workspace, clock, 'C-1', 'support_contact', { topic: 'complaint' });
    expect(await processSignals({ pool, clock, workspaceId: workspace.id })).toMatchObject({ exited: 1 });
    const [enrollment] = await enrollmentsOf(workspace, 'C-1');
    expect(enrollment).toMatchObject({ status: 'exited', exit_reason: 'exit rule: 苦情', wake_at: null, step_id: null });
    const { rows: log } = await pool.query('select step_id, kind, outcome, detail from scenario_step_log where enrollment_id = $1 order by id desc limit 1', [
      enrollment!.id,
    ]);
    expect(log[0]).toEqual({ step_id: 'pause', kind: 'exit_rule', outcome: 'exited', detail: 'exit rule: 苦情' });

    clock.advance(20 * DAY);
    expect(await runDueSteps({ pool, clock, workspaceId: workspace.id })).toBe(0);
    expect(await effectsCount(workspace)).toBe(0);
  });

  it('wait_for_event is woken by the event passing its property tests, not by a non-matching one', async () => {
    const clock = manualClock(START);
    const { workspace, templateIds } = await scenarioWorkspace(clock);
    await publish(workspace, surveyScenario(templateIds[1]!, [{ property: 'felt_effect', op: '=', value: true }]), clock);
    await event(workspace, clock, 'C-1', 'page_view');
    await processSignals({ pool, clock, workspaceId: workspace.id });
    expect((await enrollmentsOf(workspace, 'C-1'))[0]!.step_id).toBe('answer');

    clock.advance(1 * DAY);
    await event(workspace, clock, 'C-1', 'survey_answer', { felt_effect: false });
    expect(await processSignals({ pool, clock, workspaceId: workspace.id })).toMatchObject({ woken: 0 });
    expect((await enrollmentsOf(workspace, 'C-1'))[0]!.step_id).toBe('answer');
    expect(await effectsCount(workspace)).toBe(0);

    await event(workspace, clock, 'C-1', 'survey_answer', { felt_effect: true });
    expect(await processSignals({ pool, clock, workspaceId: workspace.id })).toMatchObject({ woken: 1 });
    expect((await enrollmentsOf(workspace, 'C-1'))[0]!.status).toBe('completed');
    expect(await effectsCount(workspace)).toBe(1);
  });

  it('several signals of one customer in one batch are processed in their order, with other customers at once', async () => {
    const clock = manualClock(START);
    const { workspace, templateIds } = await scenarioWorkspace(clock);
    await publish(workspace, surveyScenario(templateIds[1]!, []), clock);
    // One batch: C-1 enters, answers (woken by the enrollment its first signal made) and views again (entered before: once);
    // C-2 enters alongside; C-3 answers before it ever entered (nothing to wake), then enters.
    await event(workspace, clock, 'C-1', 'page_view');
    await event(workspace, clock, 'C-2', 'page_view');
    await event(workspace, clock, 'C-1', 'survey_answer');
    await event(workspace, clock, 'C-3', 'survey_answer');
    await event(workspace, clock, 'C-1', 'page_view');
    await event(workspace, clock, 'C-3', 'page_view');
    expect(await processSignals({ pool, clock, workspaceId: workspace.id })).toMatchObject({ processed: 6, enrolled: 3, woken: 1 });
    expect((await enrollmentsOf(workspace, 'C-1')).map((e) => e.status)).toEqual(['completed']);
    expect((await enrollmentsOf(workspace, 'C-2')).map((e) => [e.status, e.step_id])).toEqual([['active', 'answer']]);
    expect((await enrollmentsOf(workspace, 'C-3')).map((e) => [e.status, e.step_id])).toEqual([['active', 'answer']]);
    expect(await effectsCount(workspace)).toBe(1);
  });

  it('subscription changes trigger: a started subscription, and the k-th delivery only', async () => {
    const clock = manualClock(START);
    const { workspace, templateIds } = await scenarioWorkspace(clock);
    await publish(workspace, scenario('welcome_sub', { kind: 'subscription', change: 'started', products: [REGULAR] }, templateIds[0]!), clock);
    await publish(workspace, scenario('third_delivery', { kind: 'subscription', change: 'delivery', delivery: 3 }, templateIds[1]!), clock);
    const subscription = {
      subscription_id: 'S-1',
      customer_id: 'C-1',
      course: '青汁定期',
      items: [{ sku: REGULAR, quantity: 1 }],
      cycle: '1ヶ月ごと',
      status: 'active',
      started_at: '2026-05-20 10:00',
      deliveries: 2,
    };
    await ingest(pool, workspace, 'subscriptions', [subscription], clock);
    // Sent again unchanged: no new change, no signal.
    await ingest(pool, workspace, 'subscriptions', [subscription], clock);
    expect(await signalCount(workspace, 'subscription')).toBe(1);
    expect(await processSignals({ pool, clock, workspaceId: workspace.id })).toMatchObject({ enrolled: 1 });
    const delivery = (n: number) => ({
      order_id: `O-${n}`,
      customer_id: 'C-1',
      ordered_at: START,
      status: 'delivered',
      delivered_at: START,
      subscription_id: 'S-1',
      delivery_number: n,
      items: [{ sku: REGULAR, quantity: 1, unit_price: '3980' }],
    });
    await ingest(pool, workspace, 'orders', [delivery(2)], clock);
    expect(await processSignals({ pool, clock, workspaceId: workspace.id })).toMatchObject({ enrolled: 0 });
    await ingest(pool, workspace, 'orders', [delivery(3)], clock);
    expect(await processSignals({ pool, clock, workspaceId: workspace.id })).toMatchObject({ enrolled: 1 });
    const enrollments = await enrollmentsOf(workspace, 'C-1');
    expect(enrollments.map((e) => e.trigger.ref)).toEqual(expect.arrayContaining(['S-1#3']));
    expect(enrollments).toHaveLength(2);
  });

  it('two processors at once handle every signal exactly once', async () => {
    const clock = manualClock(START);
    const { workspace, templateIds } = await scenarioWorkspace(clock);
    await publish(workspace, scenario('sample', { kind: 'event', type: 'page_view' }, templateIds[0]!, { reentry: { kind: 'every_time' } }), clock);
    const records = Array.from({ length: 250 }, (_, i) => ({
      customer_id: `C-${i % 125}`,
      type: 'page_view',
      occurred_at: START,
      idempotency_key: `bulk-${i}`,
    }));
    await ingest(pool, workspace, 'events', records, clock);
    expect(await signalCount(workspace)).toBe(250);
    const [a, b] = await Promise.all([processSignals({ pool, clock, workspaceId: workspace.id }), processSignals({ pool, clock, workspaceId: workspace.id })]);
    expect(a.processed + b.processed).toBe(250);
    // every_time, but one enrollment at a time: each of the 125 customers is in it once.
    expect(a.enrolled + b.enrolled).toBe(125);
    const { rows } = await pool.query<{ n: number }>('select count(*)::int as n from scenario_enrollments where workspace_id = $1', [workspace.id]);
    expect(rows[0]!.n).toBe(125);
    const { rows: left } = await pool.query<{ n: number }>('select count(*)::int as n from scenario_signals where workspace_id = $1 and processed_at is null', [
      workspace.id,
    ]);
    expect(left[0]!.n).toBe(0);
  });

  it('a workspace without active scenarios queues no signals', async () => {
    const clock = manualClock(START);
    const { workspace } = await scenarioWorkspace(clock);
    await event(workspace, clock, 'C-1', 'page_view');
    await ingest(
      pool,
      workspace,
      'orders',
      [{ order_id: 'O-1', customer_id: 'C-1', ordered_at: START, status: 'confirmed', items: [{ sku: TRIAL, quantity: 1, unit_price: '980' }] }],
      clock,
    );
    await drainJourneyChanges({ pool, workspaceId: workspace.id, clock });
    expect(await signalCount(workspace)).toBe(0);
  });

  it('the reactor processes signals as they are committed', async () => {
    const clock = manualClock(START);
    const { workspace, templateIds } = await scenarioWorkspace(clock);
    await publish(workspace, scenario('sample', { kind: 'event', type: 'page_view' }, templateIds[0]!), clock);
    const reactor = startScenarioReactor({ connectionString: database.url, clock });
    try {
      await reactor.idle();
      await event(workspace, clock, 'C-1', 'page_view');
      for (let i = 0; i < 500 && (await enrollmentsOf(workspace, 'C-1')).length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
      await reactor.idle();
      expect(await enrollmentsOf(workspace, 'C-1')).toHaveLength(1);
    } finally {
      await reactor.stop();
    }
  });
});

describe('scheduled triggers', () => {
  it('a date attribute enrolls each customer on their day at the local time, once', async () => {
    const clock = manualClock(START);
    const { workspace, templateIds } = await scenarioWorkspace(clock);
    await publish(
      workspace,
      scenario('birthday', { kind: 'date_attribute', attribute: 'birthday', offsetDays: -1, recurrence: 'yearly', at: '10:00' }, templateIds[0]!),
      clock,
    );
    await ingest(
      pool,
      workspace,
      'customers',
      [
        { customer_id: 'C-1', attributes: { birthday: '1990-06-04' } },
        { customer_id: 'C-2', attributes: { birthday: '1985-06-11T00:00:00+09:00' } },
        { customer_id: 'C-3' },
      ],
      clock,
    );
    // The first run starts the scenario's cursor.
    expect(await runScheduledTriggers({ pool, clock, workspaceId: workspace.id })).toEqual({ scenarios: 1, enrolled: 0 });
    // 2026-06-03 09:59 in Tokyo: not yet.
    clock.set(new Date('2026-06-03T00:59:00Z'));
    expect((await runScheduledTriggers({ pool, clock, workspaceId: workspace.id })).enrolled).toBe(0);
    clock.set(new Date('2026-06-03T01:30:00Z'));
    expect((await runScheduledTriggers({ pool, clock, workspaceId: workspace.id })).enrolled).toBe(1);
    expect((await enrollmentsOf(workspace, 'C-1'))[0]!.trigger).toMatchObject({
      kind: 'date_attribute',
      ref: 'birthday:2026-06-03',
      at: '2026-06-03T01:00:00.000Z',
    });
    expect((await runScheduledTriggers({ pool, clock, workspaceId: workspace.id })).enrolled).toBe(0);
    clock.advance(10 * DAY);
    expect((await runScheduledTriggers({ pool, clock, workspaceId: workspace.id })).enrolled).toBe(1);
    expect(await enrollmentsOf(workspace, 'C-2')).toHaveLength(1);
    expect(await enrollmentsOf(workspace, 'C-3')).toEqual([]);
  });

  it('a subscription anniversary enrolls the customer of an active subscription on its yearly day', async () => {
    const clock = manualClock(START);
    const { workspace, templateIds } = await scenarioWorkspace(clock);
    await publish(workspace, scenario('anniversary', { kind: 'subscription_anniversary', offsetDays: 0, products: [REGULAR] }, templateIds[0]!), clock);
    const subscription = (id: string, customer: string, status: string) => ({
      subscription_id: id,
      customer_id: customer,
      course: '青汁定期',
      items: [{ sku: REGULAR, quantity: 1 }],
      cycle: '1ヶ月ごと',
      status,
      started_at: '2025-06-05 10:00',
      deliveries: 12,
      ...(status === 'cancelled' ? { cancelled_at: '2026-01-10 10:00' } : {}),
    });
    await ingest(pool, workspace, 'subscriptions', [subscription('S-1', 'C-1', 'active'), subscription('S-2', 'C-2', 'cancelled')], clock);
    await runScheduledTriggers({ pool, clock, workspaceId: workspace.id });
    clock.set(new Date('2026-06-05T00:30:00Z'));
    expect((await runScheduledTriggers({ pool, clock, workspaceId: workspace.id })).enrolled).toBe(1);
    expect((await enrollmentsOf(workspace, 'C-1'))[0]!.trigger).toMatchObject({ kind: 'subscription_anniversary', ref: 'S-1:2026', sku: REGULAR });
    expect(await enrollmentsOf(workspace, 'C-2')).toEqual([]);
  });

  it('an audience enrolls everyone its condition holds for when its schedule fires', async () => {
    const clock = manualClock(START);
    const { workspace, templateIds } = await scenarioWorkspace(clock);
    await publish(
      workspace,
      scenario(
        'buyers',
        { kind: 'audience', audience: { fact: 'purchase_count', op: '>=', value: 1 }, schedule: { kind: 'daily', at: '09:00' } },
        templateIds[0]!,
        { exitRules: [COMPLAINT] },
      ),
      clock,
    );
    const order = (id: string, customer: string) => ({
      order_id: id,
      customer_id: customer,
      ordered_at: START,
      status: 'confirmed',
      items: [{ sku: TRIAL, quantity: 1, unit_price: '980' }],
    });
    await ingest(pool, workspace, 'orders', [order('O-1', 'C-1'), order('O-2', 'C-3')], clock);
    await ingest(pool, workspace, 'customers', [{ customer_id: 'C-2' }], clock);
    await runScheduledTriggers({ pool, clock, workspaceId: workspace.id });
    // The next morning at 09:00 in Tokyo; C-3 complained a minute before.
    clock.set(new Date('2026-06-01T23:59:00Z'));
    await event(workspace, clock, 'C-3', 'support_contact', { topic: 'complaint' });
    clock.set(new Date('2026-06-02T00:00:00Z'));
    expect((await runScheduledTriggers({ pool, clock, workspaceId: workspace.id })).enrolled).toBe(1);
    expect((await enrollmentsOf(workspace, 'C-1'))[0]!.trigger.kind).toBe('audience');
    expect(await enrollmentsOf(workspace, 'C-2')).toEqual([]);
    // C-3 complained within the day: the exit rule holds, so not enrolled.
    expect(await enrollmentsOf(workspace, 'C-3')).toEqual([]);
    // The next day: C-1 entered before (re-entry once); C-3's complaint is more than a day old now, so C-3 enters.
    clock.advance(DAY);
    expect((await runScheduledTriggers({ pool, clock, workspaceId: workspace.id })).enrolled).toBe(1);
    expect(await enrollmentsOf(workspace, 'C-1')).toHaveLength(1);
    expect(await enrollmentsOf(workspace, 'C-3')).toHaveLength(1);
  });
});
