import type pg from 'pg';
import { withTransaction } from '../../db/transaction.ts';
import { ingestBatch } from '../../ingest/ingest-batch.ts';
import type { BatchKind } from '../../ingest/records.ts';
import type { Clock } from '../../shared/clock.ts';
import type { Workspace } from '../../workspaces/workspaces.ts';
import type { JourneyMap } from '../model.ts';
import { loadFacts } from './facts-loader.ts';
import { placingContext, readActiveMap, readPlacements } from './placing-run.ts';
import { placeFacts } from '../rules/compile.ts';

/**
 * Fixtures of the placement tests: a map with every kind of rule on a small catalogue (the
 * 青汁 with a 14-day effect timeline, a trial pack), a writer through the real ingest path,
 * and a recomputation of everyone's cell in memory (no writes) to compare the live path with.
 */
export const PRODUCTS = [
  { sku: 'AOJIRU', name: '青汁 30包', category: 'aojiru', price: '3980', effect_first_feeling_days: 14, effect_clear_days: 60 },
  { sku: 'TRIAL', name: 'お試し 7包', category: 'trial', price: '980' },
];

export const TEST_MAP: JourneyMap = {
  name: 'テスト',
  goal: '日常化',
  stages: [
    { key: 'aware', name: '認知' },
    { key: 'first', name: '初回購入', rule: { fact: 'purchase_count', op: '>=', value: 1 } },
    {
      key: 'felt',
      name: '実感',
      rule: { fact: 'days_since_delivered', products: ['AOJIRU'], which: 'first', op: '>=', value: { effect: 'first_feeling' } },
    },
    { key: 'sub', name: '定期継続', rule: { fact: 'subscription_status', in: ['active', 'paused'] } },
    { key: 'habit', name: '日常化', rule: { fact: 'subscription_deliveries', op: '>=', value: 6 } },
  ],
  levels: [
    { key: 'cold', name: '無関心' },
    {
      key: 'warm',
      name: '関心',
      rule: {
        any: [
          { fact: 'events', type: 'page_view', withinDays: 30, op: '>=', value: 2 },
          { fact: 'attribute', name: 'newsletter', op: '=', value: true },
        ],
      },
    },
    {
      key: 'trust',
      name: '信頼',
      rule: {
        all: [
          { fact: 'subscription_status', in: ['active'] },
          { not: { fact: 'events', type: 'support_contact', where: [{ property: 'topic', op: '=', value: 'complaint' }], withinDays: 30 } },
        ],
      },
    },
    {
      key: 'fan',
      name: 'ファン',
      rule: {
        any: [
          { fact: 'events', type: 'survey_answer', where: [{ property: 'score', op: '>=', value: 9 }], withinDays: 90 },
          { fact: 'total_spend', op: '>=', value: 50_000 },
        ],
      },
    },
  ],
  cells: [],
};

/** Stores `map` as the workspace's active version (next version number), as saveJourneyMap would after its checks. */
export async function activateTestMap(pool: pg.Pool, workspaceId: string, map: JourneyMap = TEST_MAP): Promise<number> {
  return withTransaction(pool, async (client) => {
    await client.query(`update journey_maps set status = 'archived' where workspace_id = $1 and status = 'active'`, [workspaceId]);
    const { rows } = await client.query<{ version: number }>(
      `insert into journey_maps (workspace_id, version, status, map, changed_by)
       select $1, coalesce(max(version), 0) + 1, 'active', $2, 'test' from journey_maps where workspace_id = $1
       returning version`,
      [workspaceId, JSON.stringify(map)],
    );
    return rows[0]!.version;
  });
}

/** Writes a batch through the ingest API's path (validation, writeRecords, the journey hook) in its own transaction. */
export async function ingest(pool: pg.Pool, workspace: Workspace, kind: BatchKind, records: unknown[], clock: Clock): Promise<void> {
  const result = await withTransaction(pool, (client) =>
    ingestBatch({ client, workspace, kind, records, mode: 'all-or-nothing', writer: { clock, actor: 'test' } }),
  );
  if (!result.stored) throw new Error(`batch refused: ${JSON.stringify(result.errors)}`);
}

/** Every profile's cell recomputed from its facts now (stages kept by the stored ones), without writing: customer id (internal) → "stage/level". */
export async function recomputedCells(pool: pg.Pool, workspaceId: string, clock: Clock): Promise<Map<string, string>> {
  const client = await pool.connect();
  try {
    const map = await readActiveMap(client, workspaceId);
    if (!map) throw new Error('no active map');
    const context = await placingContext({ client, pool, workspaceId, map, at: clock.now() });
    const scope = { after: null, upTo: null };
    const [facts, stored] = await Promise.all([loadFacts(context.facts, scope), readPlacements(client, workspaceId, scope)]);
    const cells = new Map<string, string>();
    for (const customer of facts) {
      const before = stored.get(customer.customerId);
      const placed = placeFacts(context.compiled, customer, context.today, before ? (context.stageIndex.get(before.stage) ?? -1) : -1);
      cells.set(customer.customerId, `${context.compiled.stages[placed.stage]!.key}/${context.compiled.levels[placed.level]!.key}`);
    }
    return cells;
  } finally {
    client.release();
  }
}

/** Every placement: customer id (internal) → "stage/level". */
export async function storedCells(pool: pg.Pool, workspaceId: string): Promise<Map<string, string>> {
  const { rows } = await pool.query<{ customer_id: string; cell: string }>(
    `select customer_id, stage || '/' || level as cell from journey_placements where workspace_id = $1`,
    [workspaceId],
  );
  return new Map(rows.map((row) => [row.customer_id, row.cell]));
}

/** Every profile by external id → its cell "stage/level", or "-" when not placed. */
export async function cellsByExternalId(pool: pg.Pool, workspaceId: string): Promise<Record<string, string>> {
  const { rows } = await pool.query<{ external_id: string; cell: string | null }>(
    `select c.external_id, p.stage || '/' || p.level as cell
       from customers c left join journey_placements p on p.workspace_id = c.workspace_id and p.customer_id = c.id
      where c.workspace_id = $1 order by c.external_id`,
    [workspaceId],
  );
  return Object.fromEntries(rows.map((row) => [row.external_id, row.cell ?? '-']));
}

/** The moves of a customer (by external id), oldest first, as "from → to (cause ref)". */
export async function movesOf(pool: pg.Pool, workspaceId: string, externalId: string): Promise<string[]> {
  const { rows } = await pool.query<{ line: string }>(
    `select coalesce(m.from_stage || '/' || m.from_level, '∅') || ' → ' || m.to_stage || '/' || m.to_level
            || ' (' || m.cause || coalesce(' ' || m.cause_ref, '') || ')' as line
       from journey_moves m join customers c on c.id = m.customer_id
      where m.workspace_id = $1 and c.external_id = $2 order by m.id`,
    [workspaceId, externalId],
  );
  return rows.map((row) => row.line);
}

/** The cell counts as stored, and as counted from the placements: they must be equal. */
export async function countsBothWays(pool: pg.Pool, workspaceId: string): Promise<{ stored: Record<string, number>; counted: Record<string, number> }> {
  const stored = await pool.query<{ cell: string; n: number }>(
    `select stage || '/' || level as cell, customers::int as n from journey_cell_counts where workspace_id = $1 and customers > 0 order by 1`,
    [workspaceId],
  );
  const counted = await pool.query<{ cell: string; n: number }>(
    `select stage || '/' || level as cell, count(*)::int as n from journey_placements where workspace_id = $1 group by 1 order by 1`,
    [workspaceId],
  );
  const record = (rows: Array<{ cell: string; n: number }>) => Object.fromEntries(rows.map((row) => [row.cell, row.n]));
  return { stored: record(stored.rows), counted: record(counted.rows) };
}
