import type pg from 'pg';
import type { AnalyticsEngine } from '../analytics/engine/analytics-engine.ts';
import { actorColumns, type Actor } from '../charter/actor.ts';
import { withTransaction } from '../db/transaction.ts';
import type { Clock } from '../shared/clock.ts';
import { KizunaError } from '../shared/errors.ts';
import { JOURNEY_CHANNEL } from './changes.ts';
import { canonicalJson, summarizeMapChange } from './map-diff.ts';
import type { JourneyMap, MapProblem, MapStatus } from './model.ts';
import { placeWorkspace, type PlacementOutcome } from './placement/place.ts';
import { checkJourneyMap } from './rules/check-map.ts';

/**
 * A workspace's journey maps, versioned like the charter: every save that changes something
 * writes version n + 1 with who saved it and what changed. One version is active (customers
 * are placed on it; a partial unique index holds it to one); the others are drafts or
 * archived. Activating a version (saving with `activate`, or activating an older one)
 * archives the previous active one and re-places everyone on the new one (cause 'map').
 */
export interface JourneyMapVersion {
  version: number;
  status: MapStatus;
  map: JourneyMap;
  changedBy: string;
  changedAt: Date;
  /** What changed from the version before, e.g. "stages: +実感; cells: 3 changed". */
  summary: string;
}

export type SaveJourneyMapOutcome =
  | { outcome: 'saved'; version: JourneyMapVersion; placement: PlacementOutcome | null }
  | { outcome: 'unchanged'; version: JourneyMapVersion };

type Queryable = pg.Pool | pg.ClientBase;

/**
 * Checks `input` (rules/check-map.ts: the schema, then every rule against the workspace's
 * catalogue) and saves it as the next version: 'active' (the default; the previous active one
 * becomes 'archived', and everyone is re-placed on it after the commit) or 'draft'. A refused
 * map raises `validation_failed` with `details.problems` ([{ path, message }], every problem)
 * and writes nothing. A map equal to the latest version (and, when activating, already active)
 * writes nothing and answers 'unchanged'.
 *
 * @example
 * const saved = await saveJourneyMap({ pool, workspaceId, input: json, actor: { kind: 'system', label: 'cli' }, clock });
 * saved.outcome === 'saved' && saved.version.summary; // 'stages: +実感; cells: 3 changed'
 */
export async function saveJourneyMap(params: {
  pool: pg.Pool;
  workspaceId: string;
  input: unknown;
  actor: Actor;
  activate?: boolean;
  clock: Clock;
  analytics?: AnalyticsEngine;
}): Promise<SaveJourneyMapOutcome> {
  const { pool, workspaceId, actor, activate = true } = params;
  const map = await checkedMap(pool, workspaceId, params.input);
  const saved = await withTransaction(pool, async (client): Promise<SaveJourneyMapOutcome> => {
    await lockMaps(client, workspaceId);
    const latest = await readLatest(client, workspaceId);
    if (latest && canonicalJson(latest.map) === canonicalJson(map) && (!activate || latest.status === 'active')) {
      return { outcome: 'unchanged', version: latest };
    }
    const version = (latest?.version ?? 0) + 1;
    if (activate) await archiveActive(client, workspaceId);
    await client.query(
      `insert into journey_maps (workspace_id, version, status, map, changed_by, changed_by_user_id, changed_by_api_key_id, changed_at, summary)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        workspaceId,
        version,
        activate ? 'active' : 'draft',
        JSON.stringify(map),
        ...actorColumns(actor),
        params.clock.now(),
        summarizeMapChange(latest?.map, map),
      ],
    );
    if (activate) await announceActivation(client, workspaceId);
    return { outcome: 'saved', version: (await readVersionRow(client, workspaceId, version))!, placement: null };
  });
  if (saved.outcome === 'unchanged' || !activate) return saved;
  return { ...saved, placement: await placeWorkspace({ pool, workspaceId, clock: params.clock, cause: 'map', ...analyticsOf(params) }) };
}

/**
 * Makes a stored version the active one (the previous active one archived) and re-places
 * everyone on it. The version is checked again first: the catalogue may have changed since it
 * was saved (a SKU its rules name removed). Already active: nothing to do (placement null).
 */
export async function activateJourneyMapVersion(params: {
  pool: pg.Pool;
  workspaceId: string;
  version: number;
  clock: Clock;
  analytics?: AnalyticsEngine;
}): Promise<{ version: JourneyMapVersion; placement: PlacementOutcome | null }> {
  const { pool, workspaceId, version } = params;
  const stored = await readJourneyMapVersion({ pool, workspaceId, version });
  if (stored.status === 'active') return { version: stored, placement: null };
  await checkedMap(pool, workspaceId, stored.map);
  const activated = await withTransaction(pool, async (client) => {
    await lockMaps(client, workspaceId);
    await archiveActive(client, workspaceId);
    await client.query(`update journey_maps set status = 'active' where workspace_id = $1 and version = $2`, [workspaceId, version]);
    await announceActivation(client, workspaceId);
    return (await readVersionRow(client, workspaceId, version))!;
  });
  return { version: activated, placement: await placeWorkspace({ pool, workspaceId, clock: params.clock, cause: 'map', ...analyticsOf(params) }) };
}

/** The active map, or null when the workspace has none. */
export async function readActiveJourneyMap(params: { pool: Queryable; workspaceId: string }): Promise<JourneyMapVersion | null> {
  const { rows } = await params.pool.query<VersionRow>(`${SELECT_VERSION} where workspace_id = $1 and status = 'active'`, [params.workspaceId]);
  return rows[0] ? versionOf(rows[0]) : null;
}

/** Every version, newest first. */
export async function listJourneyMapVersions(params: { pool: Queryable; workspaceId: string }): Promise<JourneyMapVersion[]> {
  const { rows } = await params.pool.query<VersionRow>(`${SELECT_VERSION} where workspace_id = $1 order by version desc`, [params.workspaceId]);
  return rows.map(versionOf);
}

/** One version; `not_found` when the workspace has no such version. */
export async function readJourneyMapVersion(params: { pool: Queryable; workspaceId: string; version: number }): Promise<JourneyMapVersion> {
  const found = await readVersionRow(params.pool, params.workspaceId, params.version);
  if (!found) throw new KizunaError('not_found', `The journey map has no version ${params.version}.`);
  return found;
}

/** The map `input` is, checked (rules/check-map.ts); refused: validation_failed with details.problems, every problem with its path. */
export async function checkedMap(pool: pg.Pool, workspaceId: string, input: unknown): Promise<JourneyMap> {
  const checked = await checkJourneyMap({ pool, workspaceId, input });
  if (checked.ok) return checked.map;
  throw new KizunaError('validation_failed', `The journey map is not valid: ${describeProblems(checked.problems)}`, { problems: checked.problems });
}

function describeProblems(problems: readonly MapProblem[]): string {
  return problems.map((problem) => `${problem.path || 'map'}: ${problem.message}`).join('; ');
}

function analyticsOf(params: { analytics?: AnalyticsEngine | undefined }) {
  return params.analytics ? { analytics: params.analytics } : {};
}

/** One writer of a workspace's maps at a time: the version read is the one the next follows. */
async function lockMaps(client: pg.ClientBase, workspaceId: string): Promise<void> {
  await client.query(`select pg_advisory_xact_lock(hashtextextended('journey-maps:' || $1::text, 0))`, [workspaceId]);
}

async function archiveActive(client: pg.ClientBase, workspaceId: string): Promise<void> {
  await client.query(`update journey_maps set status = 'archived' where workspace_id = $1 and status = 'active'`, [workspaceId]);
}

/** Tells a running reactor (at commit) that the workspace has an active map, so it arms the workspace's midnight sweep. */
async function announceActivation(client: pg.ClientBase, workspaceId: string): Promise<void> {
  await client.query('select pg_notify($1, $2::text)', [JOURNEY_CHANNEL, workspaceId]);
}

interface VersionRow {
  version: number;
  status: MapStatus;
  map: JourneyMap;
  changed_by: string;
  changed_at: Date;
  summary: string;
}

const SELECT_VERSION = 'select version, status, map, changed_by, changed_at, summary from journey_maps';

async function readLatest(client: Queryable, workspaceId: string): Promise<JourneyMapVersion | null> {
  const { rows } = await client.query<VersionRow>(`${SELECT_VERSION} where workspace_id = $1 order by version desc limit 1`, [workspaceId]);
  return rows[0] ? versionOf(rows[0]) : null;
}

async function readVersionRow(client: Queryable, workspaceId: string, version: number): Promise<JourneyMapVersion | null> {
  const { rows } = await client.query<VersionRow>(`${SELECT_VERSION} where workspace_id = $1 and version = $2`, [workspaceId, version]);
  return rows[0] ? versionOf(rows[0]) : null;
}

function versionOf(row: VersionRow): JourneyMapVersion {
  return { version: row.version, status: row.status, map: row.map, changedBy: row.changed_by, changedAt: row.changed_at, summary: row.summary };
}
