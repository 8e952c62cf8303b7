import type pg from 'pg';
import { actorColumns, type Actor } from '../charter/actor.ts';
import { withTransaction } from '../db/transaction.ts';
import { canonicalJson } from '../journey-map/map-diff.ts';
import type { Clock } from '../shared/clock.ts';
import { KizunaError } from '../shared/errors.ts';
import { checkScenario } from './check-scenario.ts';
import { KEY_PATTERN } from '../journey-map/model.ts';
import type { ScenarioDocument, ScenarioProblem, ScenarioStatus } from './model.ts';
import { summarizeScenarioChange } from './scenario-diff.ts';
import { syncScheduledTrigger } from './runtime/trigger-schedule.ts';

/**
 * A workspace's scenarios and their versions. A scenario is found by its key (the document's
 * `key`, unique in the workspace) or its id. The editor saves a draft (any JSON object; checked
 * and answered with its problems, never refused for them); publishing checks the document
 * whole and, when no error remains, writes it as version n + 1 (immutable: customers in
 * flight stay on the version they entered) and makes the scenario active. Pause and resume
 * stop and restart new entries.
 */

export interface ScenarioVersion {
  scenarioId: string;
  version: number;
  document: ScenarioDocument;
  createdBy: string;
  createdAt: Date;
  /** What changed from the version before, e.g. "steps: +effect_message, 1 changed; priority 80 → 90". */
  summary: string;
}

export interface ScenarioDraft {
  /** As saved: any JSON object, possibly not (yet) a valid scenario. */
  document: Record<string, unknown>;
  savedBy: string;
  savedAt: Date;
}

export interface StoredScenario {
  id: string;
  key: string;
  status: ScenarioStatus;
  /** The version customers enter now; null before the first publish. */
  published: ScenarioVersion | null;
  /** The editor's working copy beyond the published version; null when there is none. */
  draft: ScenarioDraft | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A scenario in a list. Name and the rest come from the published version, else from the draft where it has them. */
export interface ScenarioSummary {
  id: string;
  key: string;
  status: ScenarioStatus;
  name: string | null;
  purpose: string | null;
  department: string | null;
  priority: number | null;
  triggerKind: string | null;
  publishedVersion: number | null;
  hasDraft: boolean;
  updatedAt: Date;
}

/**
 * The fields the workspace's email sender settings lack (特定電子メール法: the sender's name,
 * address, a contact for enquiries, how to opt out); empty when complete. Passed in by the
 * messaging module (src/messaging), so scenarios do not depend on it.
 */
export type SenderSettingsMissing = (workspaceId: string) => Promise<string[]>;

export type PublishScenarioOutcome =
  | { outcome: 'published'; scenario: StoredScenario; version: ScenarioVersion; warnings: ScenarioProblem[] }
  | { outcome: 'unchanged'; scenario: StoredScenario; version: ScenarioVersion; warnings: ScenarioProblem[] };

type Queryable = pg.Pool | pg.ClientBase;

/**
 * Saves `input` as the draft of the scenario its `key` names (created, status draft, when the
 * workspace has none), and answers the checker's problems of it without refusing them. Refused
 * (`validation_failed`, details.problems) only when it is not an object with a valid key, or
 * when `scenario` (the id or key the caller addressed) is another scenario than its key.
 */
export async function saveScenarioDraft(params: {
  pool: pg.Pool;
  workspaceId: string;
  input: unknown;
  scenario?: string;
  actor: Actor;
  clock: Clock;
}): Promise<{ scenario: StoredScenario; problems: ScenarioProblem[] }> {
  const { pool, workspaceId } = params;
  const key = keyOf(params.input);
  const checked = await checkScenario({ pool, workspaceId, input: params.input });
  const id = await withTransaction(pool, async (client) => {
    await lockScenarios(client, workspaceId);
    const id = await findOrCreate(client, workspaceId, key, params.scenario, params.clock);
    await client.query(`update scenarios set draft = $2, draft_saved_by = $3, draft_saved_at = $4, updated_at = $4 where id = $1`, [
      id,
      JSON.stringify(params.input),
      params.actor.label,
      params.clock.now(),
    ]);
    return id;
  });
  return { scenario: (await readById(pool, workspaceId, id))!, problems: checked.ok ? checked.warnings : checked.problems };
}

/**
 * Publishes `input` (or, without it, the draft of `scenario`): checks it whole
 * (check-scenario.ts) and refuses with every problem (`validation_failed`, details.problems:
 * [{ path, message, severity }]) while any error remains, writing nothing. An advertising
 * scenario (purpose marketing, or a send whose purpose is marketing) is also refused while
 * `senderSettingsMissing` names missing sender settings. Otherwise writes version n + 1 with
 * who and what changed, makes the scenario active (a paused or archived one too) and clears
 * the draft. The same document as the published version writes no version ('unchanged'), but
 * still activates a paused scenario. A date or audience trigger's job is (re)scheduled for its
 * next moment in the same transaction (runtime/trigger-schedule.ts).
 *
 * @example
 * const { version } = await publishScenario({ pool, workspaceId, input: JSON.parse(file), actor: { kind: 'system', label: 'cli' }, clock });
 * version.summary; // 'first version: 10 steps, trigger order'
 */
export async function publishScenario(params: {
  pool: pg.Pool;
  workspaceId: string;
  input?: unknown;
  scenario?: string;
  actor: Actor;
  clock: Clock;
  senderSettingsMissing?: SenderSettingsMissing;
}): Promise<PublishScenarioOutcome> {
  const { pool, workspaceId } = params;
  const input = params.input !== undefined ? params.input : await storedDraft(pool, workspaceId, params.scenario);
  const key = keyOf(input);
  const checked = await checkScenario({ pool, workspaceId, input });
  const problems = checked.ok ? [...checked.warnings] : [...checked.problems];
  if (checked.ok) problems.push(...(await senderProblems(checked.scenario, workspaceId, params.senderSettingsMissing)));
  if (!checked.ok || problems.some((problem) => problem.severity === 'error')) throw refusal(problems);
  const document = checked.scenario;
  const outcome = await withTransaction(pool, async (client) => {
    await lockScenarios(client, workspaceId);
    const id = await findOrCreate(client, workspaceId, key, params.scenario, params.clock);
    const previous = await readPublished(client, id);
    const now = params.clock.now();
    if (previous && canonicalJson(previous.document) === canonicalJson(document)) {
      await client.query(`update scenarios set status = 'active', draft = null, draft_saved_by = null, draft_saved_at = null, updated_at = $2 where id = $1`, [
        id,
        now,
      ]);
      await syncScheduledTrigger(client, { scenarioId: id, clock: params.clock });
      return { outcome: 'unchanged' as const, id, version: previous.version };
    }
    const version = (previous?.version ?? 0) + 1;
    await client.query(
      `insert into scenario_versions (scenario_id, version, document, created_by, created_by_user_id, created_by_api_key_id, created_at, summary)
       values ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [id, version, JSON.stringify(document), ...actorColumns(params.actor), now, summarizeScenarioChange(previous?.document, document)],
    );
    await client.query(
      `update scenarios set status = 'active', published_version = $2, draft = null, draft_saved_by = null, draft_saved_at = null, updated_at = $3 where id = $1`,
      [id, version, now],
    );
    // A date or audience trigger: its job at the next moment, in this transaction.
    await syncScheduledTrigger(client, { scenarioId: id, clock: params.clock });
    return { outcome: 'published' as const, id, version };
  });
  const scenario = (await readById(pool, workspaceId, outcome.id))!;
  return { outcome: outcome.outcome, scenario, version: scenario.published!, warnings: problems };
}

/** Stops new entries: active → paused (a scheduled trigger's job removed with it). `conflict` when the scenario is not active. */
export async function pauseScenario(params: { pool: pg.Pool; workspaceId: string; scenario: string; clock: Clock }): Promise<StoredScenario> {
  return changeStatus(params, 'active', 'paused');
}

/** Restarts new entries: paused → active (a scheduled trigger's job added for its next moment). `conflict` when the scenario is not paused. */
export async function resumeScenario(params: { pool: pg.Pool; workspaceId: string; scenario: string; clock: Clock }): Promise<StoredScenario> {
  return changeStatus(params, 'paused', 'active');
}

/** A scenario by id or key, with its published version and draft; `not_found` when the workspace has none. */
export async function readScenario(params: { pool: Queryable; workspaceId: string; scenario: string }): Promise<StoredScenario> {
  const id = await resolveScenario(params.pool, params.workspaceId, params.scenario);
  return (await readById(params.pool, params.workspaceId, id))!;
}

/** Every scenario of the workspace, by key. */
export async function listScenarios(params: { pool: Queryable; workspaceId: string }): Promise<ScenarioSummary[]> {
  const { rows } = await params.pool.query<ScenarioRow & { document: ScenarioDocument | null }>(
    `select s.*, v.document from scenarios s
       left join scenario_versions v on v.scenario_id = s.id and v.version = s.published_version
      where s.workspace_id = $1 order by s.key`,
    [params.workspaceId],
  );
  return rows.map((row) => {
    const source: Record<string, unknown> = row.document ?? (row.draft as Record<string, unknown> | null) ?? {};
    const text = (field: string) => (typeof source[field] === 'string' ? (source[field] as string) : null);
    const trigger = source.trigger as { kind?: unknown } | undefined;
    return {
      id: String(row.id),
      key: row.key,
      status: row.status,
      name: text('name'),
      purpose: text('purpose'),
      department: text('department'),
      priority: typeof source.priority === 'number' ? source.priority : null,
      triggerKind: typeof trigger?.kind === 'string' ? trigger.kind : null,
      publishedVersion: row.published_version,
      hasDraft: row.draft !== null,
      updatedAt: row.updated_at,
    };
  });
}

/** Every published version of a scenario, newest first. */
export async function listScenarioVersions(params: { pool: Queryable; workspaceId: string; scenario: string }): Promise<ScenarioVersion[]> {
  const id = await resolveScenario(params.pool, params.workspaceId, params.scenario);
  const { rows } = await params.pool.query<VersionRow>(`${SELECT_VERSION} where scenario_id = $1 order by version desc`, [id]);
  return rows.map(versionOf);
}

/** One published version; `not_found` when the scenario or the version does not exist. */
export async function readScenarioVersion(params: { pool: Queryable; workspaceId: string; scenario: string; version: number }): Promise<ScenarioVersion> {
  const id = await resolveScenario(params.pool, params.workspaceId, params.scenario);
  const { rows } = await params.pool.query<VersionRow>(`${SELECT_VERSION} where scenario_id = $1 and version = $2`, [id, params.version]);
  if (!rows[0]) throw new KizunaError('not_found', `The scenario "${params.scenario}" has no version ${params.version}.`);
  return versionOf(rows[0]);
}

/** The published version of every active scenario of the workspace: what triggers enroll customers into. */
export async function listActiveScenarioVersions(params: { pool: Queryable; workspaceId: string }): Promise<ScenarioVersion[]> {
  const { rows } = await params.pool.query<VersionRow>(
    `${SELECT_VERSION} join scenarios s on s.id = v.scenario_id and s.published_version = v.version
      where s.workspace_id = $1 and s.status = 'active' order by s.key`,
    [params.workspaceId],
  );
  return rows.map(versionOf);
}

// ─── Inside ─────────────────────────────────────────────────────────────────────────────────

function refusal(problems: ScenarioProblem[]): KizunaError {
  const errors = problems.filter((problem) => problem.severity === 'error');
  const listed = errors.map((problem) => `${problem.path}: ${problem.message}`).join('; ');
  return new KizunaError('validation_failed', `The scenario cannot be published (${errors.length} problem${errors.length === 1 ? '' : 's'}): ${listed}`, {
    problems,
  });
}

/** 特定電子メール法: advertising mail only with the sender's details in every message. */
async function senderProblems(
  document: ScenarioDocument,
  workspaceId: string,
  senderSettingsMissing: SenderSettingsMissing | undefined,
): Promise<ScenarioProblem[]> {
  if (senderSettingsMissing === undefined) return [];
  const advertising = document.purpose === 'marketing' || document.steps.some((step) => step.kind === 'send' && step.purpose === 'marketing');
  if (!advertising) return [];
  const missing = await senderSettingsMissing(workspaceId);
  if (missing.length === 0) return [];
  return [
    {
      path: 'purpose',
      message: `advertising email (特定電子メール法) shows the sender's details in every message, and the workspace's sender settings lack: ${missing.join(', ')}; complete them before publishing`,
      severity: 'error',
    },
  ];
}

/** A scenario's JSON, at most this long: a 200-step scenario with its conditions is far below it. */
export const MAX_SCENARIO_JSON_CHARS = 1_000_000;

function keyOf(input: unknown): string {
  const length = JSON.stringify(input ?? null).length;
  if (length > MAX_SCENARIO_JSON_CHARS)
    throw new KizunaError(
      'payload_too_large',
      `The scenario is ${length.toLocaleString('en-US')} characters of JSON; at most ${MAX_SCENARIO_JSON_CHARS.toLocaleString('en-US')}.`,
    );
  const key = input !== null && typeof input === 'object' && !Array.isArray(input) ? (input as Record<string, unknown>).key : undefined;
  if (typeof key === 'string' && KEY_PATTERN.test(key)) return key;
  const message =
    input === null || typeof input !== 'object' || Array.isArray(input)
      ? 'a scenario is a JSON object: {"key": …, "name": …, "trigger": {…}, "steps": […], …} (docs/scenarios.md)'
      : 'a scenario needs a "key": lower-case letters, digits and _ (start with a letter, at most 40), e.g. step_up';
  const path = input !== null && typeof input === 'object' && !Array.isArray(input) ? 'key' : '(the scenario)';
  throw new KizunaError('validation_failed', `The scenario is not valid: ${path}: ${message}`, { problems: [{ path, message, severity: 'error' }] });
}

/** One writer of a workspace's scenarios at a time: the version read is the one the next follows. */
async function lockScenarios(client: pg.ClientBase, workspaceId: string): Promise<void> {
  await client.query(`select pg_advisory_xact_lock(hashtextextended('scenarios:' || $1::text, 0))`, [workspaceId]);
}

/** The scenario of `key` (created when new); when the caller addressed one (`addressed`: id or key), it must be that one. */
async function findOrCreate(client: pg.ClientBase, workspaceId: string, key: string, addressed: string | undefined, clock: Clock): Promise<string> {
  const { rows } = await client.query<{ id: string }>('select id::text from scenarios where workspace_id = $1 and key = $2', [workspaceId, key]);
  if (addressed !== undefined) {
    const addressedId = await resolveScenario(client, workspaceId, addressed).catch((error: unknown) => {
      if (error instanceof KizunaError && error.code === 'not_found' && addressed === key) return null;
      throw error;
    });
    if (addressedId !== null && addressedId !== rows[0]?.id) {
      const message = `the document's key "${key}" is not the key of the scenario addressed ("${addressed}"); a scenario keeps its key`;
      throw new KizunaError('validation_failed', `The scenario is not valid: key: ${message}`, { problems: [{ path: 'key', message, severity: 'error' }] });
    }
  }
  if (rows[0]) return rows[0].id;
  const now = clock.now();
  const { rows: created } = await client.query<{ id: string }>(
    `insert into scenarios (workspace_id, key, status, created_at, updated_at) values ($1, $2, 'draft', $3, $3) returning id::text`,
    [workspaceId, key, now],
  );
  return created[0]!.id;
}

async function storedDraft(pool: Queryable, workspaceId: string, scenario: string | undefined): Promise<unknown> {
  if (scenario === undefined) throw new KizunaError('bad_request', 'Name the scenario to publish, or give its document.');
  const id = await resolveScenario(pool, workspaceId, scenario);
  const { rows } = await pool.query<{ draft: unknown }>('select draft from scenarios where id = $1', [id]);
  if (rows[0]?.draft == null) throw new KizunaError('conflict', `The scenario "${scenario}" has no draft to publish; save a draft or give the document.`);
  return rows[0].draft;
}

async function changeStatus(
  params: { pool: pg.Pool; workspaceId: string; scenario: string; clock: Clock },
  from: ScenarioStatus,
  to: ScenarioStatus,
): Promise<StoredScenario> {
  const { pool, workspaceId } = params;
  const id = await resolveScenario(pool, workspaceId, params.scenario);
  const rowCount = await withTransaction(pool, async (client) => {
    const { rowCount } = await client.query(`update scenarios set status = $3, updated_at = $4 where id = $1 and status = $2`, [
      id,
      from,
      to,
      params.clock.now(),
    ]);
    // Paused: its scheduled-trigger job is removed; resumed: added again for the next moment.
    if (rowCount) await syncScheduledTrigger(client, { scenarioId: id, clock: params.clock });
    return rowCount;
  });
  if (rowCount === 0) {
    const { rows } = await pool.query<{ status: ScenarioStatus }>('select status from scenarios where id = $1', [id]);
    const verb = to === 'paused' ? 'paused' : 'resumed';
    throw new KizunaError(
      'conflict',
      `The scenario "${params.scenario}" is ${rows[0]?.status ?? 'gone'}; only ${from === 'active' ? 'an active' : 'a paused'} scenario can be ${verb}.`,
    );
  }
  return (await readById(pool, workspaceId, id))!;
}

/** The id of a scenario named by id (digits) or key; `not_found` otherwise (also for another workspace's). */
async function resolveScenario(pool: Queryable, workspaceId: string, scenario: string): Promise<string> {
  const byId = /^[1-9][0-9]{0,17}$/.test(scenario);
  const { rows } = await pool.query<{ id: string }>(`select id::text from scenarios where workspace_id = $1 and ${byId ? 'id = $2::bigint' : 'key = $2'}`, [
    workspaceId,
    scenario,
  ]);
  if (!rows[0]) throw new KizunaError('not_found', `No scenario "${scenario}" in this workspace.`);
  return rows[0].id;
}

interface ScenarioRow {
  id: string;
  key: string;
  status: ScenarioStatus;
  published_version: number | null;
  draft: unknown;
  draft_saved_by: string | null;
  draft_saved_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

interface VersionRow {
  scenario_id: string;
  version: number;
  document: ScenarioDocument;
  created_by: string;
  created_at: Date;
  summary: string;
}

const SELECT_VERSION = 'select v.scenario_id::text, v.version, v.document, v.created_by, v.created_at, v.summary from scenario_versions v';

async function readPublished(client: Queryable, id: string): Promise<ScenarioVersion | null> {
  const { rows } = await client.query<VersionRow>(
    `${SELECT_VERSION} join scenarios s on s.id = v.scenario_id and s.published_version = v.version where s.id = $1`,
    [id],
  );
  return rows[0] ? versionOf(rows[0]) : null;
}

async function readById(pool: Queryable, workspaceId: string, id: string): Promise<StoredScenario | null> {
  const { rows } = await pool.query<ScenarioRow>('select * from scenarios where workspace_id = $1 and id = $2', [workspaceId, id]);
  const row = rows[0];
  if (!row) return null;
  return {
    id: String(row.id),
    key: row.key,
    status: row.status,
    published: await readPublished(pool, id),
    draft:
      row.draft !== null && row.draft_saved_at !== null
        ? { document: row.draft as Record<string, unknown>, savedBy: row.draft_saved_by ?? '', savedAt: row.draft_saved_at }
        : null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function versionOf(row: VersionRow): ScenarioVersion {
  return {
    scenarioId: String(row.scenario_id),
    version: row.version,
    document: row.document,
    createdBy: row.created_by,
    createdAt: row.created_at,
    summary: row.summary,
  };
}
