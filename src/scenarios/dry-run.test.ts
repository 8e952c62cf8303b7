import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKizuna } from '../../test/support/cli.ts';
import { connectTestDatabase, freshWorkspace } from '../../test/support/database.ts';
import { ingest } from '../journey-map/placement/test-map.ts';
import { fixedClock, systemClock } from '../shared/clock.ts';
import type { Workspace } from '../workspaces/workspaces.ts';
import { dryRunScenario } from './dry-run.ts';
import { publishScenario, saveScenarioDraft } from './scenarios.ts';
import { prepareScenarioWorkspace, stepUpExample } from './test-scenario.ts';

/** A dry run shows the path and the moments of a scenario for one customer, and writes nothing. */
const database = connectTestDatabase();
const { pool } = database;
afterAll(() => database.close());
let workspace: Workspace;
const DELIVERED = '2026-06-01T02:00:00.000Z'; // 11:00 in Tokyo

beforeAll(async () => {
  workspace = await freshWorkspace(database);
  const clock = fixedClock(DELIVERED);
  const { templateIds } = await prepareScenarioWorkspace(pool, workspace, clock);
  await publishScenario({ pool, workspaceId: workspace.id, input: stepUpExample(templateIds), actor: { kind: 'system', label: 'test' }, clock });
  const order = (id: string, customer: string, deliveredAt: string | null) => ({
    order_id: id,
    customer_id: customer,
    ordered_at: '2026-05-29T01:00:00Z',
    delivered_at: deliveredAt,
    status: deliveredAt ? 'delivered' : 'confirmed',
    items: [{ sku: 'MNR-AOJ-TRIAL14', quantity: 1, unit_price: '980' }],
  });
  await ingest(pool, workspace, 'orders', [order('O-1', 'C-1', DELIVERED), order('O-2', 'C-2', null)], clock);
  await ingest(pool, workspace, 'customers', [{ customer_id: 'C-3' }], clock);
});

describe('a dry run', () => {
  it('lists every step with the moment it would run, timed by the customer’s delivery, and writes nothing', async () => {
    const run = await dryRunScenario({ pool, workspaceId: workspace.id, scenario: 'aojiru_step_up', customer: 'C-1', clock: fixedClock(DELIVERED) });
    expect(run.effects.map((effect) => [effect.stepId, effect.at])).toEqual([
      ['how_to_drink', '2026-06-01T08:00:00.000Z'],
      ['first_impressions', '2026-06-04T02:00:00.000Z'],
      ['effect_message', '2026-06-15T23:00:00.000Z'],
      ['others_notice', '2026-07-01T23:00:00.000Z'],
    ]);
    expect(run.end).toEqual({ status: 'completed', reason: null });
    expect(run.notes).toEqual(['as if the order O-1 had just triggered it']);
    expect(run.path.filter((entry) => entry.outcome === 'waiting').map((entry) => entry.stepId)).toEqual([
      'morning_of_delivery',
      'first_feeling',
      'effect_clear',
      'effect_morning',
      'later',
    ]);
    const { rows } = await pool.query('select count(*)::int as n from scenario_enrollments where workspace_id = $1', [workspace.id]);
    expect(rows[0].n).toBe(0);
  });

  it('stops where the delivery is not recorded yet, and says why a customer without the order has no timeline', async () => {
    const undelivered = await dryRunScenario({ pool, workspaceId: workspace.id, scenario: 'aojiru_step_up', customer: 'C-2', clock: fixedClock(DELIVERED) });
    expect(undelivered.end).toEqual({ status: 'waiting', reason: 'waits for the delivery of the trigger order to be recorded' });
    expect(undelivered.effects).toEqual([]);
    const none = await dryRunScenario({ pool, workspaceId: workspace.id, scenario: 'aojiru_step_up', customer: 'C-3', clock: fixedClock(DELIVERED) });
    expect(none.end.status).toBe('exited');
    expect(none.notes[0]).toContain('no order of the trigger');
    await expect(dryRunScenario({ pool, workspaceId: workspace.id, scenario: 'aojiru_step_up', customer: 'NOPE', clock: systemClock })).rejects.toThrow(
      'no customer NOPE in this workspace',
    );
  });

  it('says when the customer would not enter: an exit rule holds now, or the re-entry rule refuses', async () => {
    const clock = fixedClock(DELIVERED);
    // C-4 bought the trial and runs a 定期便: the exit rule 定期便を始めた holds, so the runtime would not enrol them.
    await ingest(
      pool,
      workspace,
      'orders',
      [
        {
          order_id: 'O-4',
          customer_id: 'C-4',
          ordered_at: '2026-05-29T01:00:00Z',
          delivered_at: DELIVERED,
          status: 'delivered',
          items: [{ sku: 'MNR-AOJ-TRIAL14', quantity: 1, unit_price: '980' }],
        },
      ],
      clock,
    );
    await ingest(
      pool,
      workspace,
      'subscriptions',
      [
        {
          subscription_id: 'S-4',
          customer_id: 'C-4',
          status: 'active',
          sku: 'MNR-AOJ-SUB30',
          cycle: '1ヶ月ごと',
          started_at: '2026-05-30',
        },
      ],
      clock,
    );
    const subscriber = await dryRunScenario({ pool, workspaceId: workspace.id, scenario: 'aojiru_step_up', customer: 'C-4', clock });
    expect(subscriber.end).toEqual({ status: 'not_entered', reason: 'would not enter: the exit rule "定期便を始めた" holds for this customer now' });
    expect(subscriber.path).toEqual([]);
    // C-1 entered once already (reentry: once).
    const { rows } = await pool.query<{ id: string }>('select id from customers where workspace_id = $1 and external_id = $2', [workspace.id, 'C-1']);
    const { rows: versions } = await pool.query<{ scenario_id: string }>('select id as scenario_id from scenarios where workspace_id = $1 and key = $2', [
      workspace.id,
      'aojiru_step_up',
    ]);
    await pool.query(
      `insert into scenario_enrollments (workspace_id, scenario_id, version, customer_id, status, step_id, visit, since, timing, trigger, entered_at, exit_reason)
       values ($1, $2, 1, $3, 'exited', null, 0, $4, '{}', '{"kind":"order","ref":"O-1","at":"2026-05-29T01:00:00Z"}', $4, 'test')`,
      [workspace.id, versions[0]!.scenario_id, rows[0]!.id, '2026-05-29T02:00:00Z'],
    );
    const again = await dryRunScenario({ pool, workspaceId: workspace.id, scenario: 'aojiru_step_up', customer: 'C-1', clock });
    expect(again.end).toEqual({
      status: 'not_entered',
      reason: 'would not enter: the customer entered on 2026-05-29T02:00:00.000Z and the scenario is entered once',
    });
    await pool.query('delete from scenario_enrollments where workspace_id = $1 and customer_id = $2', [workspace.id, rows[0]!.id]);
  });

  it('runs the saved draft when asked (the editor dry-runs before publishing); a draft with problems is refused with why', async () => {
    const clock = fixedClock(DELIVERED);
    const actor = { kind: 'system' as const, label: 'test' };
    const document = { ...stepUpExample(), key: 'draft_only', steps: [{ kind: 'exit', id: 'bye' }], start: 'bye' };
    await saveScenarioDraft({ pool, workspaceId: workspace.id, input: document, actor, clock });
    const run = await dryRunScenario({ pool, workspaceId: workspace.id, scenario: 'draft_only', customer: 'C-1', clock, draft: true });
    expect(run.scenario).toMatchObject({ key: 'draft_only', version: 'draft' });
    expect(run.path.map((entry) => [entry.stepId, entry.outcome])).toEqual([['bye', 'exited']]);
    await expect(dryRunScenario({ pool, workspaceId: workspace.id, scenario: 'draft_only', customer: 'C-1', clock })).rejects.toThrow(
      'has no published version',
    );
    await saveScenarioDraft({ pool, workspaceId: workspace.id, input: { ...document, steps: 'none' }, actor, clock });
    await expect(dryRunScenario({ pool, workspaceId: workspace.id, scenario: 'draft_only', customer: 'C-1', clock, draft: true })).rejects.toThrow(
      'is not a complete scenario yet',
    );
  });

  it('runs from the command line', async () => {
    const run = await runKizuna('scenario', workspace.name, ['dry-run', 'aojiru_step_up', '--customer', 'C-1']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Dry run of aojiru_step_up (version 1) for customer C-1; nothing is written or sent.');
    expect(run.stdout.match(/^effect at /gm)).toHaveLength(4);
    expect(run.stdout).toMatch(/end: completed\n$/);
  });
});
