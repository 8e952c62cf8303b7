import type pg from 'pg';
import { z } from 'zod';
import { Day } from '../analytics/result-shapes.ts';
import { withTransaction } from '../db/transaction.ts';
import { KizunaError } from '../shared/errors.ts';
import {
  checkKpiDefinition,
  defaultDirection,
  KPI_DIRECTIONS,
  KPI_GRANULARITIES,
  KpiChanges,
  KpiFilterValues,
  KpiInput,
  KpiMetric,
  parseKpiFields,
  resolveKpiInput,
  type KpiDefinition,
  type KpiFilters,
} from './definition.ts';

/**
 * KPIs of a workspace: create, change, delete and list them (see definition.ts for what
 * a KPI is, board.ts for how it is judged). The KPIs form a tree through `parentId`.
 *
 * Writes of one workspace's KPIs take a transaction-level advisory lock on its tree, so the
 * checks that read other KPIs (the name is free, the parent exists, no cycle) and the write
 * that relies on them cannot interleave with another writer's.
 */

/** A KPI as read: its definition, its id and when it was created and last changed. */
export const Kpi = z
  .object({
    id: z.string(),
    name: z.string(),
    metric: KpiMetric,
    granularity: z.enum(KPI_GRANULARITIES),
    target: z.number().describe('The target of every bucket without an override'),
    targetOverrides: z
      .array(
        z.object({
          bucket: Day.describe('First date of the bucket (a Monday for weeks, the 1st for months)'),
          target: z.number().describe('The target of that bucket'),
        }),
      )
      .describe('Targets of given buckets, by bucket'),
    filters: KpiFilterValues,
    direction: z.enum(KPI_DIRECTIONS),
    tolerance: z.number().describe('Half-width of the on-track band, as a share of the expected value'),
    parentId: z.string().nullable().describe('The KPI above it in the tree; null for a root'),
    createdAt: z.date(),
    updatedAt: z.date(),
  })
  .meta({ id: 'Kpi' });
export type Kpi = z.infer<typeof Kpi>;

/** A KPI in its tree. */
export const KpiInTree = Kpi.extend({ depth: z.number().int().min(0).describe('0 for a root, 1 for its children…') }).meta({ id: 'KpiInTree' });
export type KpiInTree = z.infer<typeof KpiInTree>;

export const KpiList = z
  .object({
    items: z.array(KpiInTree).describe('Tree order: each root (oldest first), then its subtree depth first, siblings oldest first'),
  })
  .meta({ id: 'KpiList' });
export type KpiList = z.infer<typeof KpiList>;

export const DeletedKpis = z.object({ deleted: z.array(z.string()).describe('The ids deleted: the KPI, then those below it') }).meta({ id: 'DeletedKpis' });
export type DeletedKpis = z.infer<typeof DeletedKpis>;

/**
 * Creates a KPI from `input` (checked here: see KpiInput); defaults: no filters, no target
 * overrides, the metric's direction (lower-is-better for churn_rate), a ±5 % band, no parent.
 *
 * @example
 * await createKpi({ pool, workspaceId, input: { name: '売上', metric: { kind: 'sales' }, granularity: 'month', target: 12_000_000 } });
 * await createKpi({ pool, workspaceId, input: { name: 'F2転換率', metric: { kind: 'f2_rate', within: 90 }, granularity: 'month', target: 0.3 } });
 *
 * Throws `validation_failed` naming every problem (an unknown metric, a filter the metric
 * cannot take, a parent that is not a KPI of the workspace…), `conflict` when the name is
 * taken in the workspace, `not_found` without the workspace.
 */
export async function createKpi(params: { pool: pg.Pool; workspaceId: string; input: unknown }): Promise<Kpi> {
  const { pool, workspaceId } = params;
  const definition = resolveKpiInput(parseKpiFields(KpiInput, params.input, 'kpi'));
  checkKpiDefinition(definition);
  const id = await withTransaction(pool, async (client) => {
    await lockKpiTree(client, workspaceId);
    return insertKpi(client, workspaceId, definition);
  });
  return readKpi({ pool, workspaceId, kpiId: id });
}

/**
 * Changes the fields named in `changes` (see KpiChanges) and keeps the others; the result
 * must be a valid KPI as a whole (a new metric must accept the filters kept). A new metric
 * without a direction takes the new metric's default direction. `targetOverrides` replaces
 * every override; `parentId: null` makes the KPI a root.
 *
 * Throws `validation_failed` (including a parent that would make a cycle), `conflict` for a
 * name taken by another KPI, `not_found` when the workspace has no such KPI.
 */
export async function updateKpi(params: { pool: pg.Pool; workspaceId: string; kpiId: string; changes: unknown }): Promise<Kpi> {
  const { pool, workspaceId, kpiId } = params;
  const changes = parseKpiFields(KpiChanges, params.changes, 'changes');
  await withTransaction(pool, async (client) => {
    await lockKpiTree(client, workspaceId);
    const current = await readKpi({ pool: client, workspaceId, kpiId });
    const given = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined)) as Partial<KpiDefinition>;
    const metricChanged = given.metric !== undefined && given.metric.kind !== current.metric.kind;
    const definition: KpiDefinition = {
      ...definitionOf(current),
      ...(metricChanged && given.direction === undefined ? { direction: defaultDirection(given.metric!.kind) } : {}),
      ...given,
    };
    checkKpiDefinition(definition);
    if (definition.name !== current.name) await checkNameFree(client, workspaceId, definition.name);
    if (definition.parentId !== current.parentId && definition.parentId !== null) {
      await checkParent(client, workspaceId, definition.parentId, current);
    }
    await client.query(
      `update kpis set name = $3, metric = $4, f2_within_days = $5, churn_window_days = $6, granularity = $7, filters = $8,
                       target = $9, direction = $10, tolerance = $11, parent_id = $12, delivery_number = $13, step_up_within_days = $14, updated_at = now()
        where workspace_id = $1 and id = $2`,
      [workspaceId, kpiId, ...columnsOf(definition)],
    );
    if (given.targetOverrides !== undefined) await writeOverrides(client, kpiId, definition, true);
  });
  return readKpi({ pool, workspaceId, kpiId });
}

/**
 * Deletes a KPI. A KPI with KPIs below it is refused (`conflict`, naming them) unless
 * `withDescendants`, which deletes its whole subtree. Returns the ids deleted.
 */
export async function deleteKpi(params: { pool: pg.Pool; workspaceId: string; kpiId: string; withDescendants?: boolean }): Promise<DeletedKpis> {
  const { pool, workspaceId, kpiId } = params;
  return withTransaction(pool, async (client) => {
    await lockKpiTree(client, workspaceId);
    const kpi = await readKpi({ pool: client, workspaceId, kpiId });
    const { rows: below } = await client.query<{ id: string; name: string }>(
      // In tree order (as listKpis): ordering by the id cast to text would put 100 before 99.
      `with recursive below as (
         select id, name, array[id] as path from kpis where workspace_id = $1 and parent_id = $2
         union all
         select k.id, k.name, b.path || k.id from kpis k join below b on k.parent_id = b.id where k.workspace_id = $1)
       select id::text as id, name from below order by below.path`,
      [workspaceId, kpiId],
    );
    if (below.length > 0 && params.withDescendants !== true) {
      throw new KizunaError(
        'conflict',
        `KPI "${kpi.name}" has ${below.length} KPI${below.length === 1 ? '' : 's'} below it ` +
          `(${below.map((row) => row.name).join(', ')}): delete or move them first, or delete it with its descendants.`,
      );
    }
    const ids = [kpiId, ...below.map((row) => row.id)];
    await client.query('delete from kpis where workspace_id = $1 and id = any($2::bigint[])', [workspaceId, ids]);
    return { deleted: ids };
  });
}

/** The workspace's KPIs in tree order: each root (oldest first), then its subtree depth first, siblings oldest first. */
export async function listKpis(params: { pool: pg.Pool; workspaceId: string }): Promise<KpiInTree[]> {
  const { rows } = await params.pool.query<KpiRow & { depth: number }>(
    `with recursive tree as (
       select id, array[id] as path, 0 as depth from kpis where workspace_id = $1 and parent_id is null
       union all
       select k.id, t.path || k.id, t.depth + 1 from kpis k join tree t on k.parent_id = t.id where k.workspace_id = $1)
     select ${KPI_COLUMNS}, t.depth from tree t join kpis k on k.id = t.id order by t.path`,
    [params.workspaceId],
  );
  return rows.map((row) => ({ ...kpiOf(row), depth: row.depth }));
}

/** One KPI of the workspace; `not_found` when it has none with this id. */
export async function readKpi(params: { pool: pg.Pool | pg.ClientBase; workspaceId: string; kpiId: string }): Promise<Kpi> {
  const { pool, workspaceId, kpiId } = params;
  const { rows } = /^\d{1,18}$/.test(kpiId)
    ? await pool.query<KpiRow>(`select ${KPI_COLUMNS} from kpis k where k.workspace_id = $1 and k.id = $2`, [workspaceId, kpiId])
    : { rows: [] };
  if (!rows[0]) throw new KizunaError('not_found', `No KPI with id ${kpiId} in this workspace.`);
  return kpiOf(rows[0]);
}

/** Serialises the writers of one workspace's KPI tree until the transaction ends. */
export async function lockKpiTree(client: pg.ClientBase, workspaceId: string): Promise<void> {
  const { rows } = await client.query('select 1 from workspaces where id = $1', [workspaceId]);
  if (rows.length === 0) throw new KizunaError('not_found', `No workspace with id ${workspaceId}.`);
  await client.query(`select pg_advisory_xact_lock(hashtextextended('kizuna.kpi-tree:' || $1::text, 0))`, [workspaceId]);
}

/**
 * Inserts a checked definition under the tree lock (lockKpiTree): the name must be free and
 * the parent a KPI of the workspace. Returns the new id.
 */
export async function insertKpi(client: pg.ClientBase, workspaceId: string, definition: KpiDefinition): Promise<string> {
  await checkNameFree(client, workspaceId, definition.name);
  if (definition.parentId !== null) await checkParent(client, workspaceId, definition.parentId, null);
  const { rows } = await client.query<{ id: string }>(
    `insert into kpis (workspace_id, name, metric, f2_within_days, churn_window_days, granularity, filters, target, direction, tolerance, parent_id,
                       delivery_number, step_up_within_days)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) returning id::text`,
    [workspaceId, ...columnsOf(definition)],
  );
  const id = rows[0]!.id;
  await writeOverrides(client, id, definition, false);
  return id;
}

async function checkNameFree(client: pg.ClientBase, workspaceId: string, name: string): Promise<void> {
  const { rows } = await client.query<{ id: string }>('select id::text from kpis where workspace_id = $1 and name = $2', [workspaceId, name]);
  if (rows[0]) throw new KizunaError('conflict', `A KPI named "${name}" already exists in this workspace (id ${rows[0].id}); choose another name.`);
}

/**
 * The parent must be a KPI of the workspace, and neither the KPI itself nor one below it:
 * the chain of parents from the new parent up to its root must not pass through the KPI.
 */
async function checkParent(client: pg.ClientBase, workspaceId: string, parentId: string, kpi: Kpi | null): Promise<void> {
  const { rows: chain } = await client.query<{ id: string; name: string }>(
    `with recursive chain as (
       select id, name, parent_id, array[id] as path from kpis where workspace_id = $1 and id = $2
       union all
       select k.id, k.name, k.parent_id, c.path || k.id from kpis k join chain c on k.id = c.parent_id
        where k.workspace_id = $1 and k.id <> all(c.path))
     select id::text, name from chain order by cardinality(path)`,
    [workspaceId, parentId],
  );
  const invalid = (reason: string) => new KizunaError('validation_failed', `The KPI is not valid: parentId: ${reason}`);
  if (chain.length === 0) throw invalid(`${parentId} is not the id of a KPI of this workspace`);
  if (kpi === null) return;
  if (parentId === kpi.id) throw invalid(`a KPI cannot be its own parent ("${kpi.name}")`);
  const at = chain.findIndex((row) => row.id === kpi.id);
  if (at >= 0) {
    const cycle = [kpi.name, ...chain.slice(0, at + 1).map((row) => row.name)].join(' → ');
    throw invalid(
      `"${chain[0]!.name}" is below "${kpi.name}", so it cannot be its parent: the tree would have a cycle (${cycle}, each KPI followed by its parent)`,
    );
  }
}

async function writeOverrides(client: pg.ClientBase, kpiId: string, definition: KpiDefinition, replace: boolean): Promise<void> {
  if (replace) await client.query('delete from kpi_target_overrides where kpi_id = $1', [kpiId]);
  if (definition.targetOverrides.length === 0) return;
  await client.query(
    `insert into kpi_target_overrides (kpi_id, bucket, target)
     select $1, bucket, target from unnest($2::date[], $3::numeric[]) as o(bucket, target)`,
    [kpiId, definition.targetOverrides.map((o) => o.bucket), definition.targetOverrides.map((o) => String(o.target))],
  );
}

/** The columns of a definition, from name to step_up_within_days, in the order of the insert and the update. */
function columnsOf(definition: KpiDefinition): unknown[] {
  const { metric } = definition;
  return [
    definition.name,
    metric.kind,
    metric.kind === 'f2_rate' ? metric.within : null,
    metric.kind === 'churn_rate' ? metric.window : null,
    definition.granularity,
    JSON.stringify(definition.filters),
    String(definition.target),
    definition.direction,
    String(definition.tolerance),
    definition.parentId,
    metric.kind === 'continuation_rate' ? metric.deliveryNumber : null,
    metric.kind === 'step_up_rate' ? metric.within : null,
  ];
}

function definitionOf(kpi: Kpi): KpiDefinition {
  const { name, metric, granularity, target, targetOverrides, filters, direction, tolerance, parentId } = kpi;
  return { name, metric, granularity, target, targetOverrides, filters, direction, tolerance, parentId };
}

// Numerics are read as float8: targets are set by people (and by seedKpiTree from the shortest
// decimal of a double), so the double holds them as given.
const KPI_COLUMNS = `k.id::text, k.parent_id::text, k.name, k.metric, k.f2_within_days, k.churn_window_days, k.delivery_number, k.step_up_within_days,
  k.granularity, k.filters, k.target::float8 as target, k.direction, k.tolerance::float8 as tolerance, k.created_at, k.updated_at,
  coalesce((select json_agg(json_build_object('bucket', o.bucket::text, 'target', o.target::float8) order by o.bucket)
              from kpi_target_overrides o where o.kpi_id = k.id), '[]') as target_overrides`;

interface KpiRow {
  id: string;
  parent_id: string | null;
  name: string;
  metric: KpiMetric['kind'];
  f2_within_days: number | null;
  churn_window_days: number | null;
  delivery_number: number | null;
  step_up_within_days: number | null;
  granularity: Kpi['granularity'];
  filters: KpiFilters;
  target: number;
  direction: Kpi['direction'];
  tolerance: number;
  created_at: Date;
  updated_at: Date;
  target_overrides: { bucket: string; target: number }[];
}

function kpiOf(row: KpiRow): Kpi {
  return {
    id: row.id,
    name: row.name,
    metric: metricOf(row),
    granularity: row.granularity,
    target: row.target,
    targetOverrides: row.target_overrides,
    filters: row.filters,
    direction: row.direction,
    tolerance: row.tolerance,
    parentId: row.parent_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function metricOf(row: KpiRow): KpiMetric {
  switch (row.metric) {
    case 'f2_rate':
      return { kind: 'f2_rate', within: row.f2_within_days! };
    case 'churn_rate':
      return { kind: 'churn_rate', window: row.churn_window_days };
    case 'continuation_rate':
      return { kind: 'continuation_rate', deliveryNumber: row.delivery_number! };
    case 'step_up_rate':
      return { kind: 'step_up_rate', within: row.step_up_within_days! };
    default:
      return { kind: row.metric };
  }
}
