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
