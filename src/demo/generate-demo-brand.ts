import type pg from 'pg';
import { withTransaction } from '../db/transaction.ts';
import { noteOrdersChanged } from '../orders/order-changes.ts';
import type { Clock } from '../shared/clock.ts';
import { KizunaError } from '../shared/errors.ts';
import type { Workspace } from '../workspaces/workspaces.ts';
import { demoLastDay, demoWindow, formatDate } from './calendar.ts';
import { DEMO_BRAND } from './catalogue.ts';
import { chunkToCopyText, COPY_ORDER, ordersIn, subscriptionsIn, type DemoTable } from './copy-rows.ts';
import { postgresSink, type DemoSink } from './demo-sink.ts';
import { demoModel, type DemoModel } from './model.ts';
import { demoPlan, generateProfile, type DemoPlan, type DemoProfile } from './profile.ts';

export type DemoOptions = {
  /** Profiles that buy; leads come on top (DemoModel.leadShare). */
  customers: number;
  seed: number;
  model?: Partial<DemoModel>;
  onProgress?: (done: number, total: number) => void;
} & DemoHistoryEnd;

/**
 * Where the two-year history ends: on `until` ('YYYY-MM-DD'), or on yesterday in the
 * workspace's time zone by `clock` (the CLI's and the server's), so the history ends the day
 * before it is generated and every "today" view has data up to yesterday.
 */
export type DemoHistoryEnd = { until: string; clock?: Clock } | { clock: Clock; until?: undefined };

export interface DemoSummary {
  brand: string;
  workspace: Workspace;
  seed: number;
  window: { from: string; until: string };
  customers: number;
  /** Subscriptions in force (active or paused) on the last day. */
  subscriptionsInForce: number;
  leads: number;
  products: number;
  rows: Record<DemoTable, number>;
  /** Orders neither cancelled nor returned, and their Σ amount (JPY). */
  purchases: number;
  salesTotal: number;
}

/** Profiles generated and written together; two chunks at most are in memory at once. */
const CHUNK_PROFILES = 2_000;
/** Identities stay unique up to this many profiles (see drawPerson). */
const MAX_PROFILES = 100_000_000;

/**
 * Generates the demo brand into `workspace` in one transaction and returns what was written.
 * The same (customers, seed, last day, model) always gives the same rows, apart from the ids
 * the database hands out; the last day is `until`, or yesterday by the clock. Profiles are generated and copied in chunks, so memory stays
 * bounded at any size; generation of the next chunk overlaps the COPY of the previous one.
 * The workspace should be empty (see loadDemoBrand, which checks and can replace).
 *
 *   const summary = await generateDemoBrand({ pool, workspace, customers: 20_000, seed: 1, clock });
 *   summary.rows.orders; // ≈ 180,000
 */
export async function generateDemoBrand(params: DemoOptions & { pool: pg.Pool; workspace: Workspace; analyze?: boolean }): Promise<DemoSummary> {
  const summary = await withTransaction(params.pool, async (client) => {
    await noteDemoDataChanged(client, params.workspace.id);
    return writeDemoBrand({ ...params, sink: postgresSink(client) });
  });
  if (params.analyze ?? true) await analyzeDemoTables(params.pool);
  return summary;
}

/**
 * Records in the caller's transaction that the workspace's orders and subscriptions changed
 * (one row in each version log, as every writer of them does), for whoever keeps a copy.
 */
export async function noteDemoDataChanged(client: pg.ClientBase, workspaceId: string): Promise<void> {
  await noteOrdersChanged(client, workspaceId);
  await client.query('insert into subscription_changes (workspace_id) values ($1)', [workspaceId]);
}

/** Bulk loads leave the planner's statistics stale; analytics right after a load need them. */
export async function analyzeDemoTables(pool: pg.Pool): Promise<void> {
  await pool.query(`analyze products, ${COPY_ORDER.join(', ')}`);
}

/** The generator over any sink: the database, or /dev/null to measure generation alone. */
export async function writeDemoBrand(params: DemoOptions & { workspace: Workspace; sink: DemoSink }): Promise<DemoSummary> {
  const { workspace, sink, onProgress } = params;
  if (!Number.isInteger(params.customers) || params.customers < 1) {
    throw new KizunaError('validation_failed', `The demo needs a whole number of customers ≥ 1, got ${params.customers}.`);
  }
  if (!Number.isSafeInteger(params.seed) || params.seed < 0)
    throw new KizunaError('validation_failed', `The seed must be a non-negative integer, got ${params.seed}.`);
  const window = demoWindow(demoLastDay({ until: params.until, clock: params.clock, timezone: workspace.timezone }));
  const plan = demoPlan({ seed: params.seed, customers: params.customers, model: demoModel(params.model), window });
  const total = plan.customers + plan.leads;
  if (total > MAX_PROFILES) throw new KizunaError('validation_failed', `The demo generates at most ${MAX_PROFILES} profiles.`);

  const productIds = await sink.insertProducts(workspace.id, plan.products);
  const totals: Totals = {
    rows: Object.fromEntries(COPY_ORDER.map((table) => [table, 0])) as Record<DemoTable, number>,
    purchases: 0,
    sales: 0,
    subscriptionsInForce: 0,
  };
  let writing: Promise<void> | undefined;
  try {
    for (let from = 0; from < total; from += CHUNK_PROFILES) {
      const to = Math.min(total, from + CHUNK_PROFILES);
      const profiles = await generateChunk(plan, from, to);
      await writing;
      writing = writeChunk({ sink, workspaceId: workspace.id, productIds, profiles, totals }).then(() => onProgress?.(to, total));
      // Awaited at the next turn; until then a failure must not count as unhandled.
      writing.catch(() => undefined);
    }
    await writing;
  } finally {
    await writing?.catch(() => undefined);
    await sink.close();
  }
  return {
    brand: DEMO_BRAND.name,
    workspace,
    seed: params.seed,
    window: { from: formatDate(window.startMs), until: window.until },
    customers: plan.customers,
    subscriptionsInForce: totals.subscriptionsInForce,
    leads: plan.leads,
    products: productIds.length,
    rows: totals.rows,
    purchases: totals.purchases,
    salesTotal: totals.sales,
  };
}

/** Generates profiles [from, to), yielding to the event loop now and then so a COPY in flight keeps streaming. */
async function generateChunk(plan: DemoPlan, from: number, to: number): Promise<DemoProfile[]> {
  const profiles: DemoProfile[] = [];
  for (let index = from; index < to; index++) {
    profiles.push(generateProfile(plan, index));
    if ((index - from) % 250 === 249) await new Promise((resolve) => setImmediate(resolve));
  }
  return profiles;
}

interface Totals {
  rows: Record<DemoTable, number>;
  purchases: number;
  sales: number;
  subscriptionsInForce: number;
}

/** Reserves the chunk's ids, then copies its rows table by table, parents first. */
async function writeChunk(params: {
  sink: DemoSink;
  workspaceId: string;
  productIds: readonly number[];
  profiles: readonly DemoProfile[];
  totals: Totals;
}): Promise<void> {
  const { sink, workspaceId, productIds, profiles, totals } = params;
  const customerIds = await sink.reserveIds('customers', profiles.length);
  const orderIds = await sink.reserveIds('orders', ordersIn(profiles));
  const subscriptionIds = await sink.reserveIds('subscriptions', subscriptionsIn(profiles));
  const chunk = chunkToCopyText(profiles, {
    workspaceId,
    productIds,
    customerId: (i) => customerIds.at(i),
    orderId: (i) => orderIds.at(i),
    subscriptionId: (i) => subscriptionIds.at(i),
  });
  for (const table of COPY_ORDER) {
    await sink.copy(table, chunk.text[table]);
    totals.rows[table] += chunk.rows[table];
  }
  for (const profile of profiles) {
    totals.purchases += profile.summary.count;
    totals.sales += profile.summary.total;
    for (const subscription of profile.subscriptions) if (subscription.status !== 'cancelled') totals.subscriptionsInForce++;
  }
}
