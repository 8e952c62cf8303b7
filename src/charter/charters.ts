import type pg from 'pg';
import { withTransaction } from '../db/transaction.ts';
import { actorColumns, type Actor } from './actor.ts';
import { diffCharters } from './charter-diff.ts';
import { Charter } from './types.ts';
import { parseOrRefuse } from './validation.ts';

/**
 * A workspace's relationship charter and its versions. There is at most one current charter
 * per workspace; every save that changes something writes version n + 1 with who saved it and
 * which fields changed, in one transaction with the current row.
 */
export interface StoredCharter {
  version: number;
  charter: Charter;
  updatedAt: Date;
}

export interface CharterVersion {
  version: number;
  charter: Charter;
  changedBy: string;
  changedAt: Date;
  /** The fields that changed from the version before ('charter' for the first). */
  changedFields: string[];
  /** The changes in words, one per field, joined by newlines. */
  summary: string;
}

export type SaveCharterOutcome = { outcome: 'saved'; version: CharterVersion } | { outcome: 'unchanged'; version: CharterVersion };

type Queryable = pg.Pool | pg.PoolClient;

/** The workspace's current charter, or undefined when none was set. */
export async function readCharter(params: { pool: Queryable; workspaceId: string }): Promise<StoredCharter | undefined> {
  const { rows } = await params.pool.query<{ version: number; charter: Charter; updated_at: Date }>(
    'select version, charter, updated_at from charters where workspace_id = $1',
    [params.workspaceId],
  );
  const row = rows[0];
  return row && { version: row.version, charter: row.charter, updatedAt: row.updated_at };
}

/**
 * Saves `input` as the workspace's charter: checked against the Charter schema first
 * (`validation_failed` with `{ problems: [{ field, reason }] }` naming every wrong field, and
 * nothing written), then written as the next version with a summary of the fields that
 * changed. Saving the charter as it already is writes nothing and answers 'unchanged'.
 *
 * @example
 * const { version } = await saveCharter({ pool, workspaceId, input: DEMO_CHARTER, actor: { kind: 'system', label: 'cli' } });
 * version.summary; // 'first version: 「かかりつけ薬剤師」のような関係'
 */
export async function saveCharter(params: { pool: pg.Pool; workspaceId: string; input: unknown; actor: Actor }): Promise<SaveCharterOutcome> {
  const { pool, workspaceId, actor } = params;
  const charter = parseOrRefuse(Charter, params.input, 'charter');
  return withTransaction(pool, async (client) => {
    // One writer per workspace at a time: the version read here is the one the next follows.
    await client.query(`select pg_advisory_xact_lock(hashtextextended('charter:' || $1::text, 0))`, [workspaceId]);
    const current = await readCharter({ pool: client, workspaceId });
    const changes = diffCharters(current?.charter, charter);
    if (current && changes.length === 0) {
      return { outcome: 'unchanged', version: (await readVersion(client, workspaceId, current.version))! };
    }
    const version = (current?.version ?? 0) + 1;
    await client.query(
      `insert into charters (workspace_id, version, charter) values ($1, $2, $3)
       on conflict (workspace_id) do update set version = excluded.version, charter = excluded.charter, updated_at = now()`,
      [workspaceId, version, JSON.stringify(charter)],
    );
    await client.query(
      `insert into charter_versions (workspace_id, version, charter, changed_by, changed_by_user_id, changed_by_api_key_id, changed_fields, summary)
       values ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [workspaceId, version, JSON.stringify(charter), ...actorColumns(actor), changes.map((c) => c.field), changes.map((c) => c.summary).join('\n')],
    );
    return { outcome: 'saved', version: (await readVersion(client, workspaceId, version))! };
  });
}

/** Every version of the workspace's charter, newest first. */
export async function listCharterVersions(params: { pool: Queryable; workspaceId: string }): Promise<CharterVersion[]> {
  const { rows } = await params.pool.query<VersionRow>(`${SELECT_VERSION} where workspace_id = $1 order by version desc`, [params.workspaceId]);
  return rows.map(versionOf);
}

interface VersionRow {
  version: number;
  charter: Charter;
  changed_by: string;
  changed_at: Date;
  changed_fields: string[];
  summary: string;
}

const SELECT_VERSION = 'select version, charter, changed_by, changed_at, changed_fields, summary from charter_versions';

async function readVersion(client: Queryable, workspaceId: string, version: number): Promise<CharterVersion | undefined> {
  const { rows } = await client.query<VersionRow>(`${SELECT_VERSION} where workspace_id = $1 and version = $2`, [workspaceId, version]);
  return rows[0] && versionOf(rows[0]);
}

function versionOf(row: VersionRow): CharterVersion {
  return {
    version: row.version,
    charter: row.charter,
    changedBy: row.changed_by,
    changedAt: row.changed_at,
    changedFields: row.changed_fields,
    summary: row.summary,
  };
}
