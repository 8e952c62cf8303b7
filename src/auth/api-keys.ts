import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../shared/clock.ts';
import type { Kdb } from '../db/connect.ts';
import type { Role } from '../db/schema.ts';
import { KizunaError } from '../shared/errors.ts';

/**
 * API keys look like `kz_<prefix>_<secret>`. The prefix identifies the key in lists; only the
 * SHA-256 of the whole key is stored (a key is high-entropy, so a fast hash is enough).
 */
export interface ApiKeyInfo {
  id: string;
  name: string;
  role: Role;
  prefix: string;
  createdAt: Date;
  revokedAt: Date | null;
}

function keyHash(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export async function createApiKey(db: Kdb, params: { workspaceId: string; name: string; role: Role }): Promise<{ key: string; info: ApiKeyInfo }> {
  const prefix = randomBytes(4).toString('hex');
  const key = `kz_${prefix}_${randomBytes(24).toString('base64url')}`;
  const row = await db
    .insertInto('api_keys')
    .values({ workspace_id: params.workspaceId, name: params.name, role: params.role, key_prefix: prefix, key_hash: keyHash(key) })
    .returning(['id', 'name', 'role', 'key_prefix', 'created_at', 'revoked_at'])
    .executeTakeFirstOrThrow();
  return { key, info: { id: row.id, name: row.name, role: row.role, prefix: row.key_prefix, createdAt: row.created_at, revokedAt: row.revoked_at } };
}

export async function listApiKeys(db: Kdb, workspaceId: string): Promise<ApiKeyInfo[]> {
  const rows = await db
    .selectFrom('api_keys')
    .select(['id', 'name', 'role', 'key_prefix', 'created_at', 'revoked_at'])
    .where('workspace_id', '=', workspaceId)
    .orderBy('id')
    .execute();
  return rows.map((row) => ({ id: row.id, name: row.name, role: row.role, prefix: row.key_prefix, createdAt: row.created_at, revokedAt: row.revoked_at }));
}

export async function revokeApiKey(db: Kdb, clock: Clock, workspaceId: string, id: string): Promise<void> {
  const result = await db
    .updateTable('api_keys')
    .set({ revoked_at: clock.now() })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (result.numUpdatedRows === 0n) throw new KizunaError('not_found', `No active API key ${id} in this workspace.`);
}

export async function findApiKey(db: Kdb, key: string): Promise<{ id: string; workspaceId: string; role: Role } | undefined> {
  if (!key.startsWith('kz_')) return undefined;
  const row = await db
    .selectFrom('api_keys')
    .select(['id', 'workspace_id', 'role'])
    .where('key_hash', '=', keyHash(key))
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return row && { id: row.id, workspaceId: row.workspace_id, role: row.role };
}
