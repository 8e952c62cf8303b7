import { createSmtpTransport } from '../messaging/smtp.ts';
import { withTransaction } from '../db/transaction.ts';
import { ingest } from '../journey-map/placement/test-map.ts';
import type { ScenarioDocument } from '../scenarios/model.ts';
import { performPendingEffects } from '../scenarios/runtime/effects.ts';
import { enrollCustomer, runDueSteps } from '../scenarios/runtime/enrollments.ts';
import { publishScenario } from '../scenarios/scenarios.ts';
import { prepareScenarioWorkspace } from '../scenarios/test-scenario.ts';
import type { ManualClock } from '../shared/clock.ts';
import type { Workspace } from '../workspaces/workspaces.ts';
import type pg from 'pg';

/**
 * Fixtures of the task tests (HTTP and console): tasks made the way the product makes them —
 * a published scenario whose task steps the runtime performs for enrolled customers — so each
 * task has its customer, due date and structured reason.
 */

export const TRIAL_SKU = 'MNR-AOJ-TRIAL14';

/** Two days after a trial order, three tasks: support calls (due in 3 days), sales (1 day), marketing (10 days). */
export const TASK_SCENARIO: ScenarioDocument = {
  key: 'trial_care',
  name: 'お試し後のフォロー',
  purpose: 'marketing',
  department: 'support',
  priority: 40,
  channels: ['email'],
  trigger: { kind: 'order', products: [TRIAL_SKU] },
  reentry: { kind: 'once' },
  exitRules: [],
  start: 'two_days',
  steps: [
    { kind: 'wait', id: 'two_days', duration: { days: 2 }, next: 'call' },
    { kind: 'task', id: 'call', department: 'support', title: 'お電話でご様子を伺う', due: { days: 3 }, next: 'offer' },
    { kind: 'task', id: 'offer', department: 'sales', title: '定期便のご提案を準備する', due: { days: 1 }, next: 'card' },
    { kind: 'task', id: 'card', department: 'marketing', title: '手書きのカードを送る', due: { days: 10 }, next: null },
  ],
};

/** Prepares the workspace (catalogue, map, charter) and publishes TASK_SCENARIO; returns its runnable version. */
export async function publishTaskScenario(pool: pg.Pool, workspace: Workspace, clock: ManualClock) {
  await prepareScenarioWorkspace(pool, workspace, clock);
  const published = await publishScenario({
    pool,
    workspaceId: workspace.id,
    input: TASK_SCENARIO,
    actor: { kind: 'system', label: 'test' },
    clock,
    senderSettingsMissing: async () => [],
  });
  return { scenarioId: published.scenario.id, version: published.version.version, document: published.version.document };
}

/**
 * Customers who ordered the trial at the clock's now, enrolled; then the clock moves two days on
 * and the runtime creates their tasks (three each). Returns the customers' ids by external id.
 */
export async function createScenarioTasks(params: {
  pool: pg.Pool;
  workspace: Workspace;
  clock: ManualClock;
  version: Awaited<ReturnType<typeof publishTaskScenario>>;
  customers: ReadonlyArray<{ externalId: string; name: string }>;
}): Promise<Record<string, string>> {
  const { pool, workspace, clock, version } = params;
  const ordered = clock.now().toISOString();
  await ingest(
    pool,
    workspace,
    'customers',
    params.customers.map((c) => ({ customer_id: c.externalId, name: c.name })),
    clock,
  );
  await ingest(
    pool,
    workspace,
    'orders',
    params.customers.map((c) => ({
      order_id: `O-${c.externalId}`,
      customer_id: c.externalId,
      ordered_at: ordered,
      status: 'confirmed',
      items: [{ sku: TRIAL_SKU, quantity: 1, unit_price: '980' }],
    })),
    clock,
  );
  const ids: Record<string, string> = {};
  for (const customer of params.customers) {
    const { rows } = await pool.query<{ customer_id: string; id: string }>('select customer_id, id from orders where workspace_id = $1 and external_id = $2', [
      workspace.id,
      `O-${customer.externalId}`,
    ]);
    const { customer_id: customerId, id: orderId } = rows[0]!;
    ids[customer.externalId] = customerId;
    await withTransaction(pool, (client) =>
      enrollCustomer(client, {
        workspaceId: workspace.id,
        timezone: workspace.timezone,
        version,
        customerId,
        trigger: { kind: 'order', ref: `O-${customer.externalId}`, at: ordered, orderId, sku: TRIAL_SKU },
        now: clock.now(),
      }),
    );
  }
  clock.set(new Date(clock.now().getTime() + 2 * 86_400_000));
  await runDueSteps({ pool, clock, workspaceId: workspace.id });
  // Task steps only: the transport is never used (no send step), but the performer takes one.
  // One effect at a time, so the tasks are created (and numbered) in the customers' order.
  const transport = createSmtpTransport('smtp://127.0.0.1:9');
  try {
    await performPendingEffects({
      pool,
      clock,
      transport,
      secret: 't'.repeat(40),
      publicUrl: 'https://crm.example.jp',
      workspaceId: workspace.id,
      inFlight: 1,
    });
  } finally {
    transport.close();
  }
  return ids;
}
