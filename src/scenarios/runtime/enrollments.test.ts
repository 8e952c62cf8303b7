import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestDatabase, freshWorkspace } from '../../../test/support/database.ts';
import { withTransaction } from '../../db/transaction.ts';
import { ingest } from '../../journey-map/placement/test-map.ts';
import { manualClock } from '../../shared/clock.ts';
import type { Workspace } from '../../workspaces/workspaces.ts';
import { ScenarioDocument } from '../model.ts';
import { publishScenario } from '../scenarios.ts';
import { prepareScenarioWorkspace, stepUpExample } from '../test-scenario.ts';
import { enrollCustomer, type RunnableVersion, runDueSteps, type TriggerRecord, wakeEnrollment } from './enrollments.ts';

/**
 * The runtime on a real database with an injected clock: the demo's step-up scenario (the
 * example file) runs for a customer whose trial was delivered, as the clock is advanced.
 */
const database = connectTestDatabase();
const { pool } = database;
afterAll(() => database.close());

// Delivered on Monday 2026-06-01 at 11:00 in Tokyo.
const DELIVERED = '2026-06-01T02:00:00.000Z';
const clock = manualClock(DELIVERED);
let workspace: Workspace;
let version: RunnableVersion;
let templateIds: string[];

async function customerWithTrial(externalId: string): Promise<{ customerId: string; orderId: string }> {
  await ingest(
    pool,
    workspace,
    'orders',
    [
      {
        order_id: `O-${externalId}`,
        customer_id: externalId,
        ordered_at: '2026-05-29T01:00:00Z',
        delivered_at: DELIVERED,
        status: 'delivered',
        items: [{ sku: 'MNR-AOJ-TRIAL14', quantity: 1, unit_price: '980' }],
      },
    ],
    clock,
  );
  const { rows } = await pool.query<{ customer_id: string; id: string }>(
    'select o.customer_id, o.id from orders o where o.workspace_id = $1 and o.external_id = $2',
    [workspace.id, `O-${externalId}`],
  );
  return { customerId: rows[0]!.customer_id, orderId: rows[0]!.id };
}

function trigger(orderId: string): TriggerRecord {
  return { kind: 'order', ref: 'O-1', at: DELIVERED, orderId, sku: 'MNR-AOJ-TRIAL14' };
}

async function effectsOf(customerId: string): Promise<Array<{ key: string; step_id: string; created_at: Date; why: { timing: { kind: string } } }>> {
  const { rows } = await pool.query(
    'select key, step_id, created_at, why from scenario_effects where workspace_id = $1 and customer_id = $2 order by created_at, id',
    [workspace.id, customerId],
  );
  return rows;
}

beforeAll(async () => {
  workspace = await freshWorkspace(database);
  ({ templateIds } = await prepareScenarioWorkspace(pool, workspace, clock));
  const published = await publishScenario({
    pool,
    workspaceId: workspace.id,
    input: stepUpExample(templateIds),
    actor: { kind: 'system', label: 'test' },
    clock,
    senderSettingsMissing: async () => [],
  });
  version = { scenarioId: published.scenario.id, version: published.version.version, document: published.version.document };
});

describe('the scenario runtime', () => {
  it('runs the step-up scenario as the clock advances: each message at its moment, each once', async () => {
    const { customerId, orderId } = await customerWithTrial('C-1');
    clock.set(new Date(DELIVERED));
    const entered = await withTransaction(pool, (client) =>
      enrollCustomer(client, { workspaceId: workspace.id, timezone: workspace.timezone, version, customerId, trigger: trigger(orderId), now: clock.now() }),
    );
    expect(entered).toMatchObject({ enrolled: true });
    // Delivered: it waits for 17:00 the same day.
    expect((await effectsOf(customerId)).length).toBe(0);

    const moments: Array<[string, string[]]> = [];
    for (const at of ['2026-06-01T08:00:00Z', '2026-06-04T02:00:00Z', '2026-06-15T23:00:00Z', '2026-07-01T23:00:00Z']) {
      // A minute before: nothing new is sent (a wait may end earlier: the clear effect at 11:00 waits for 08:00 the next morning).
      clock.set(new Date(new Date(at).getTime() - 60_000));
      const before = (await effectsOf(customerId)).length;
      await runDueSteps({ pool, clock, workspaceId: workspace.id });
      expect((await effectsOf(customerId)).length).toBe(before);
      clock.set(new Date(at));
      // Two runners at the same moment: each step advances once.
      await Promise.all([runDueSteps({ pool, clock, workspaceId: workspace.id }), runDueSteps({ pool, clock, workspaceId: workspace.id })]);
      moments.push([at, (await effectsOf(customerId)).map((effect) => effect.step_id)]);
    }
    expect(moments).toEqual([
      ['2026-06-01T08:00:00Z', ['how_to_drink']],
      ['2026-06-04T02:00:00Z', ['how_to_drink', 'first_impressions']],
      ['2026-06-15T23:00:00Z', ['how_to_drink', 'first_impressions', 'effect_message']],
      ['2026-07-01T23:00:00Z', ['how_to_drink', 'first_impressions', 'effect_message', 'others_notice']],
    ]);
    const effects = await effectsOf(customerId);
    expect(effects.map((effect) => effect.why.timing.kind)).toEqual(['local_time', 'effect', 'local_time', 'after']);
    const { rows } = await pool.query('select status, step_id from scenario_enrollments where id = $1', [entered.enrollmentId]);
    expect(rows[0]).toEqual({ status: 'completed', step_id: null });
  });

  it('keeps its re-entry rule (once), ignores stale wake-ups, and keeps customers in flight on their version', async () => {
    const { customerId, orderId } = await customerWithTrial('C-2');
    clock.set(new Date(DELIVERED));
    const enroll = () =>
      withTransaction(pool, (client) =>
        enrollCustomer(client, { workspaceId: workspace.id, timezone: workspace.timezone, version, customerId, trigger: trigger(orderId), now: clock.now() }),
      );
    const first = await enroll();
    expect(await enroll()).toEqual({ enrolled: false, reason: 'already in the scenario' });

    // A new version while C-2 waits for 17:00: C-2 goes on with version 1's steps.
    const next = ScenarioDocument.parse({ ...stepUpExample(templateIds), priority: 90 });
    const v2 = await publishScenario({
      pool,
      workspaceId: workspace.id,
      input: next,
      actor: { kind: 'system', label: 'test' },
      clock,
      senderSettingsMissing: async () => [],
    });
    expect(v2.version.version).toBe(version.version + 1);

    // A stale wake-up (another step) changes nothing.
    const stale = await withTransaction(pool, (client) =>
      wakeEnrollment(client, { enrollmentId: first.enrollmentId!, wake: { kind: 'due', stepId: 'later', visit: 9 }, now: clock.now() }),
    );
    expect(stale?.stale).toBe(true);

    clock.set(new Date('2026-06-01T08:00:00Z'));
    await runDueSteps({ pool, clock, workspaceId: workspace.id });
    const { rows } = await pool.query('select version, step_id from scenario_enrollments where id = $1', [first.enrollmentId]);
    expect(rows[0]).toEqual({ version: version.version, step_id: 'first_feeling' });
    expect((await effectsOf(customerId)).map((effect) => effect.key)).toEqual([`send:${first.enrollmentId}:how_to_drink:3`]);

    // Run it to its end, each wake-up at its moment; then "once" keeps C-2 out for good.
    for (let guard = 0; guard < 10; guard++) {
      const { rows: waiting } = await pool.query<{ wake_at: Date | null }>("select wake_at from scenario_enrollments where id = $1 and status = 'active'", [
        first.enrollmentId,
      ]);
      if (!waiting[0]?.wake_at) break;
      clock.set(waiting[0].wake_at);
      await runDueSteps({ pool, clock, workspaceId: workspace.id });
    }
    expect((await effectsOf(customerId)).length).toBe(4);
    expect(await enroll()).toEqual({ enrolled: false, reason: 'entered before (once)' });
  });
});
