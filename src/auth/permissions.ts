import type { Role } from '../shared/vocabulary.ts';

export { ROLES } from '../shared/vocabulary.ts';

/**
 * What each role may do in a workspace. `read`: see the workspace's data; `write`: ingest and
 * import data; `manage`: the workspace's members and API keys.
 */
export type Permission = 'read' | 'write' | 'manage';

const GRANTS: Record<Role, readonly Permission[]> = {
  admin: ['read', 'write', 'manage'],
  marketing: ['read', 'write'],
  support: ['read', 'write'],
  site_operations: ['read', 'write'],
  sales: ['read', 'write'],
  read_only: ['read'],
};

export function roleAllows(role: Role, permission: Permission): boolean {
  return GRANTS[role].includes(permission);
}

/**
 * Who is calling: a console user (a role in each workspace they are a member of; an instance
 * admin may also create workspaces) or an API key (one role in its one workspace).
 */
export type Principal =
  | { kind: 'user'; userId: string; email: string; displayName: string; instanceAdmin: boolean }
  | { kind: 'api_key'; keyId: string; workspaceId: string; role: Role };

/** A principal acting in one workspace, with its role there. */
export type WorkspacePrincipal = Principal & { role: Role };
