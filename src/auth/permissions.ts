import type { Role } from '../shared/vocabulary.ts';

export { ROLES } from '../shared/vocabulary.ts';

/**
 * What each role may do. `read`: see the workspace's data; `write`: ingest and import data;
 * `manage`: users, API keys and workspaces.
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

/** Who is calling: a console user (any workspace) or an API key (its one workspace). */
export type Principal =
  | { kind: 'user'; userId: string; email: string; displayName: string; role: Role }
  | { kind: 'api_key'; keyId: string; workspaceId: string; role: Role };
