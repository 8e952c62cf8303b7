import type { FastifyRequest } from 'fastify';
import { findApiKey } from '../auth/api-keys.ts';
import { roleAllows, type Permission, type Principal } from '../auth/permissions.ts';
import { SESSION_COOKIE, userForSession } from '../auth/sessions.ts';
import type { Kdb } from '../db/connect.ts';
import { KizunaError } from '../shared/errors.ts';
import { findWorkspace, type Workspace } from '../workspaces/workspaces.ts';

/**
 * Who is calling: an API key (`Authorization: Bearer kz_...`) or a console session cookie.
 * Throws `unauthorized` when neither is valid.
 */
export async function principalOf(db: Kdb, request: FastifyRequest): Promise<Principal> {
  const header = request.headers.authorization;
  if (header) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const key = match ? await findApiKey(db, match[1]!) : undefined;
    if (!key) throw new KizunaError('unauthorized', 'The API key is not valid (revoked, mistyped, or not a Kizuna key).');
    return { kind: 'api_key', keyId: key.id, workspaceId: key.workspaceId, role: key.role };
  }
  const token = request.cookies[SESSION_COOKIE];
  const user = token ? await userForSession(db, token) : undefined;
  if (!user) throw new KizunaError('unauthorized', 'Sign in, or send an API key as "Authorization: Bearer <key>".');
  return { kind: 'user', userId: user.id, email: user.email, displayName: user.displayName, role: user.role };
}

export function requirePermission(principal: Principal, permission: Permission): void {
  if (!roleAllows(principal.role, permission)) {
    throw new KizunaError('forbidden', `The role "${principal.role}" may not ${permission === 'read' ? 'read this' : permission === 'write' ? 'write data' : 'manage users, keys or workspaces'}.`);
  }
}

/**
 * The workspace named in the path, if the principal may use it with this permission.
 * A key of another workspace gets `not_found`, exactly as for a workspace that does not
 * exist: a key sees nothing of other workspaces, not even their names.
 */
export async function authorizeWorkspace(db: Kdb, request: FastifyRequest, name: string, permission: Permission): Promise<{ workspace: Workspace; principal: Principal }> {
  const principal = await principalOf(db, request);
  const workspace = await findWorkspace(db, name).catch(() => undefined);
  if (!workspace || (principal.kind === 'api_key' && principal.workspaceId !== workspace.id)) {
    throw new KizunaError('not_found', `No workspace named "${name}".`);
  }
  requirePermission(principal, permission);
  return { workspace, principal };
}
