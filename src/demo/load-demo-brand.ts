import type pg from 'pg';
import { checkMessage } from '../charter/check-message.ts';
import { seedDemoCharter } from './demo-templates.ts';
import type { Database, Kdb } from '../db/connect.ts';
import { withTransaction } from '../db/transaction.ts';
import { noteJourneyChanges } from '../journey-map/changes.ts';
import { KizunaError } from '../shared/errors.ts';
import { createWorkspace, DEMO_WORKSPACE, type Workspace } from '../workspaces/workspaces.ts';
import { DEMO_BRAND } from './catalogue.ts';
import { analyzeDemoTables, noteDemoDataChanged, writeDemoBrand, type DemoOptions, type DemoSummary } from './generate-demo-brand.ts';
import { demoHistoryEndClock, placeDemoJourney, type DemoJourneyOutcome } from './demo-journey.ts';
import { postgresSink } from './demo-sink.ts';
import { seedDemoScenarios } from './demo-scenarios.ts';
import { systemClock } from '../shared/clock.ts';

export type LoadDemoOptions = DemoOptions & {
  /** Default 'demo'. Created (Asia/Tokyo, JPY) when it does not exist. */
  workspaceName?: string;
  /** Delete the workspace's customers, subscriptions, orders, events and products first, instead of refusing. */
  replace?: boolean;
  /**
   * Place the journey map over the past year, week by week (the default), or only now: the
   * server's first start replays the year in the background once it listens (placeDemoJourney).
   */
  journeyHistory?: boolean;
  /** Progress of the journey phase: weekly placements of the past year made (see placeDemoJourney). */
  onJourneyProgress?: (done: number, total: number) => void;
};

export type LoadDemoSummary = DemoSummary & {
  journey: DemoJourneyOutcome;
  /** Whether the demo scenarios (引き上げCRM, 継続CRM) were published now (false: the workspace had them). */
  scenariosSeeded: boolean;
};

/**
 * Loads the demo brand into the named workspace, creating it when missing. Refuses with a
 * 'conflict' error when the workspace already holds customers, unless `replace` is set: then
 * its data rows are deleted and the demo written in the same transaction, so readers see
 * either the old data or the new, never a half-loaded workspace. A workspace this call
 * created is removed again if loading fails, so a later start tries afresh. A workspace
 * without a charter then gets the demo charter and templates (src/charter/demo-templates.ts),
 * and one without an active journey map the demo's map; everyone is then placed on the active
 * map week by week over the past year and now (placeDemoJourney), so the diagram opens filled
 * and with a year of flows (`journeyHistory: false`: only now). Last, the demo scenarios
 * (demo-scenarios.ts: 引き上げCRM and the 継続CRM 会報誌, with their templates and the demo
 * sender settings) are published, once per workspace.
 *
 *   await loadDemoBrand(database, { customers: 20_000, seed: 1 });               // workspace 'demo'
 *   await loadDemoBrand(database, { customers: 5_000, seed: 2, replace: true }); // regenerate
 */
/** The demo brand's gross margin (粗利率): a D2C health-food brand keeps about 65 % of its sales. */
export const DEMO_GROSS_MARGIN = 0.65;

export async function loadDemoBrand(database: Database, options: LoadDemoOptions): Promise<LoadDemoSummary> {
  const name = options.workspaceName ?? DEMO_WORKSPACE;
  let workspace = await database.db.selectFrom('workspaces').select(['id', 'name', 'timezone', 'currency']).where('name', '=', name).executeTakeFirst();
  const created = workspace === undefined;
  workspace ??= await createWorkspace(database.db, { name, timezone: 'Asia/Tokyo', currency: 'JPY' });
  try {
    const summary = await withTransaction(database.pool, async (client) => {
      // Bounded by the brand's size; at 1,000,000 customers some statements outlast the server's statement timeout.
      await client.query('set local statement_timeout = 0');
      await prepareWorkspace(client, workspace, options.replace ?? false);
      // The console names the brand, not the workspace: みのり青汁本舗 の概要, not demo の概要.
      await client.query('update workspaces set display_name = $2 where id = $1', [workspace.id, DEMO_BRAND.name]);
      // The brand's gross margin, as its owner would enter it: customer value is never computed on
      // an assumed 100 %. A margin the user set already is kept.
      await client.query(
        `insert into analytics_settings (workspace_id, clv_margin) values ($1, $2)
         on conflict (workspace_id) do update set clv_margin = coalesce(analytics_settings.clv_margin, excluded.clv_margin)`,
        [workspace.id, DEMO_GROSS_MARGIN],
      );
      await noteDemoDataChanged(client, workspace.id);
      // Every profile is new: the journey map (once one is active) places everyone.
      await noteJourneyChanges(client, workspace.id, { cause: 'import', customerIds: null });
      return writeDemoBrand({ ...options, workspace, sink: postgresSink(client) });
    });
    await analyzeDemoTables(database.pool);
    // The demo brand's relationship charter (version 1) and its departments' templates, once.
    await seedDemoCharter({ pool: database.pool, workspaceId: workspace.id, check: checkMessage });
    const journey = await placeDemoJourney({
      pool: database.pool,
      workspaceId: workspace.id,
      timezone: workspace.timezone,
      clock: options.clock ?? demoHistoryEndClock(summary.window.until, workspace.timezone),
      history: options.journeyHistory ?? true,
      onProgress: options.onJourneyProgress,
    });
    // The demo's scenarios, published once everyone is placed (an active scenario makes writes
    // queue signals); publishing enrolls no one from the history, only triggers from now on.
    const scenarios = await seedDemoScenarios({
      pool: database.pool,
      db: database.db,
      workspaceId: workspace.id,
      check: checkMessage,
      clock: options.clock ?? systemClock,
    });
    return { ...summary, journey, scenariosSeeded: scenarios.seeded };
  } catch (error) {
    if (created)
      await database.db
        .deleteFrom('workspaces')
        .where('id', '=', workspace.id)
        .execute()
        .catch(() => undefined);
    throw error;
  }
}

/**
 * Whether the named workspace holds the demo brand: it exists and has customers. The server
 * loads the demo on start when it does not; an empty demo workspace (a first start that was
 * interrupted mid-load) is loaded again rather than left empty.
 */
export async function isDemoBrandLoaded(db: Kdb, workspaceName: string = DEMO_WORKSPACE): Promise<boolean> {
  const customer = await db
    .selectFrom('customers')
    .innerJoin('workspaces', 'workspaces.id', 'customers.workspace_id')
    .select('customers.id')
    .where('workspaces.name', '=', workspaceName)
    .limit(1)
    .executeTakeFirst();
  return customer !== undefined;
}

async function prepareWorkspace(client: pg.ClientBase, workspace: Workspace, replace: boolean): Promise<void> {
  // One loader at a time per workspace: a second one waits here, then sees the customers.
  await client.query('select id from workspaces where id = $1 for update', [workspace.id]);
  const { rows } = await client.query('select 1 from customers where workspace_id = $1 limit 1', [workspace.id]);
  if (rows.length === 0) return;
  if (!replace) {
    throw new KizunaError(
      'conflict',
      `Workspace "${workspace.name}" already holds customers. Replace its data with: npx kizuna demo --workspace ${workspace.name} --replace`,
    );
  }
  await deleteWorkspaceData(client, workspace.id);
}

/**
 * Deletes a workspace's business rows, children first so no cascade has to find them, and
 * keeps the workspace itself (its name, API keys and settings).
 */
export async function deleteWorkspaceData(client: pg.ClientBase, workspaceId: string): Promise<void> {
  for (const table of [
    // Scenario runs of the customers about to go (the scenarios themselves stay, like the charter).
    'scenario_signals',
    'scenario_enrollments',
    'journey_changes',
    'journey_moves',
    'journey_flow_days',
    'journey_cell_counts',
    'journey_placements',
    'customer_values',
    'events',
    'order_items',
    'orders',
    'subscription_status_changes',
    'subscription_items',
    'subscriptions',
    'consent_changes',
    'consents',
    'customer_identities',
    'customers',
    'products',
  ]) {
    await client.query(`delete from ${table} where workspace_id = $1`, [workspaceId]);
  }
  await noteDemoDataChanged(client, workspaceId);
}
