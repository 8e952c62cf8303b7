import type { FastifyRequest } from 'fastify';
import { findApiKey } from '../auth/api-keys.ts';
import { roleIn } from '../auth/memberships.ts';
import { roleAllows, type Permission, type Principal, type WorkspacePrincipal } from '../auth/permissions.ts';
import { SESSION_COOKIE, userForSession } from '../auth/sessions.ts';
import type { Kdb } from '../db/connect.ts';
import type { Role } from '../db/schema.ts';
import { KizunaError } from '../shared/errors.ts';
import { findWorkspace, type Workspace } from '../workspaces/workspaces.ts';

/**
 * Who is calling: an API key (`Authorization: Bearer kz_...`) or a console session cookie,
 * valid by the app's clock (`app.clock`, see security.ts). Throws `unauthorized` when neither
 * is valid.
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
  const user = token ? await userForSession(db, request.server.clock, token) : undefined;
  if (!user) throw new KizunaError('unauthorized', 'Sign in, or send an API key as "Authorization: Bearer <key>".');
  return { kind: 'user', userId: user.id, email: user.email, displayName: user.displayName, instanceAdmin: user.instanceAdmin };
}

export function requirePermission(role: Role, permission: Permission): void {
  if (!roleAllows(role, permission)) {
    throw new KizunaError(
      'forbidden',
      `The role "${role}" may not ${permission === 'read' ? 'read this' : permission === 'write' ? 'write data' : 'manage members, keys or workspaces'}.`,
    );
  }
}

/** Creating a workspace is an instance-level right: a console user marked instance admin. */
export function requireInstanceAdmin(principal: Principal): void {
  if (principal.kind !== 'user')
    throw new KizunaError('forbidden', 'An API key belongs to one workspace and cannot create workspaces; an instance admin can, from the console or the CLI.');
  if (!principal.instanceAdmin) throw new KizunaError('forbidden', 'Only an instance admin may create workspaces.');
}

/**
 * The workspace named in the path, if the principal may use it with this permission, and the
 * principal's role there. A key of another workspace, or a user who is not a member, gets
 * `not_found`, exactly as for a workspace that does not exist: they see nothing of other
 * workspaces, not even their names.
 */
export async function authorizeWorkspace(
  db: Kdb,
  request: FastifyRequest,
  name: string,
  permission: Permission,
): Promise<{ workspace: Workspace; principal: WorkspacePrincipal }> {
  const principal = await principalOf(db, request);
  const workspace = await findWorkspace(db, name).catch(() => undefined);
  const role = !workspace
    ? undefined
    : principal.kind === 'api_key'
      ? principal.workspaceId === workspace.id
        ? principal.role
        : undefined
      : await roleIn(db, { userId: principal.userId, workspaceId: workspace.id });
  if (!workspace || !role) throw new KizunaError('not_found', `No workspace named "${name}".`);
  requirePermission(role, permission);
  return { workspace, principal: { ...principal, role } };
}
