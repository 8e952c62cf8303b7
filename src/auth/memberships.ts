import type { Kdb } from '../db/connect.ts';
import type { Role } from '../db/schema.ts';
import { KizunaError } from '../shared/errors.ts';
import { generatePassword } from './passwords.ts';
import { createUser, findUserByEmail, normalizeEmail } from './users.ts';

/**
 * Workspace membership: a console user's role in one workspace. A user who is not a member of
 * a workspace sees nothing of it. Every workspace keeps at least one admin: the last one can
 * be neither removed nor given another role.
 */
export interface Member {
  userId: string;
  email: string;
  displayName: string;
  role: Role;
  since: Date;
}

/** The user's role in the workspace, or undefined when not a member. */
export async function roleIn(db: Kdb, params: { userId: string; workspaceId: string }): Promise<Role | undefined> {
  const row = await db
    .selectFrom('workspace_members')
    .select('role')
    .where('workspace_id', '=', params.workspaceId)
    .where('user_id', '=', params.userId)
    .executeTakeFirst();
  return row?.role;
}

/** The ids of the workspaces the user is a member of, with the role in each. */
export async function membershipsOf(db: Kdb, userId: string): Promise<Map<string, Role>> {
  const rows = await db.selectFrom('workspace_members').select(['workspace_id', 'role']).where('user_id', '=', userId).execute();
  return new Map(rows.map((row) => [row.workspace_id, row.role]));
}

export async function listMembers(db: Kdb, workspaceId: string): Promise<Member[]> {
  const rows = await db
    .selectFrom('workspace_members')
    .innerJoin('users', 'users.id', 'workspace_members.user_id')
    .select(['users.id', 'users.email', 'users.display_name', 'workspace_members.role', 'workspace_members.created_at'])
    .where('workspace_members.workspace_id', '=', workspaceId)
    .orderBy('users.email')
    .execute();
  return rows.map((row) => ({ userId: row.id, email: row.email, displayName: row.display_name, role: row.role, since: row.created_at }));
}

/**
 * Makes the user with this email a member with the role. A user that does not exist yet is
 * created with a generated password, returned once so the inviting admin can hand it over
 * (Kizuna sends no email). An existing member is a conflict: change a role with setMemberRole.
 */
export async function addMember(
  db: Kdb,
  params: { workspaceId: string; email: string; role: Role; displayName?: string },
): Promise<{ member: Member; generatedPassword?: string }> {
  let user = await findUserByEmail(db, params.email);
  let generatedPassword: string | undefined;
  if (!user) {
    generatedPassword = generatePassword();
    const email = normalizeEmail(params.email);
    user = { ...(await createUser(db, { email, displayName: params.displayName?.trim() || email, password: generatedPassword })), passwordHash: '' };
  }
  const row = await db
    .insertInto('workspace_members')
    .values({ workspace_id: params.workspaceId, user_id: user.id, role: params.role })
    .onConflict((oc) => oc.columns(['workspace_id', 'user_id']).doNothing())
    .returning(['role', 'created_at'])
    .executeTakeFirst();
  if (!row) throw new KizunaError('conflict', `${user.email} is already a member of this workspace; change the role instead.`);
  const member = { userId: user.id, email: user.email, displayName: user.displayName, role: row.role, since: row.created_at };
  return generatedPassword === undefined ? { member } : { member, generatedPassword };
}

export async function setMemberRole(db: Kdb, params: { workspaceId: string; userId: string; role: Role }): Promise<Member> {
  return db.transaction().execute(async (trx) => {
    if (params.role !== 'admin') await refuseLosingLastAdmin(trx, params.workspaceId, params.userId, 'change the role of');
    const updated = await trx
      .updateTable('workspace_members')
      .set({ role: params.role })
      .where('workspace_id', '=', params.workspaceId)
      .where('user_id', '=', params.userId)
      .executeTakeFirst();
    if (updated.numUpdatedRows === 0n) throw new KizunaError('not_found', `User ${params.userId} is not a member of this workspace.`);
    const member = (await listMembers(trx, params.workspaceId)).find((m) => m.userId === params.userId);
    if (!member) throw new KizunaError('not_found', `User ${params.userId} is not a member of this workspace.`);
    return member;
  });
}

export async function removeMember(db: Kdb, params: { workspaceId: string; userId: string }): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await refuseLosingLastAdmin(trx, params.workspaceId, params.userId, 'remove');
    const removed = await trx
      .deleteFrom('workspace_members')
      .where('workspace_id', '=', params.workspaceId)
      .where('user_id', '=', params.userId)
      .executeTakeFirst();
    if (removed.numDeletedRows === 0n) throw new KizunaError('not_found', `User ${params.userId} is not a member of this workspace.`);
  });
}

/**
 * Refuses when the user is the workspace's only admin. The admins' rows are locked first, so
 * two admins removing each other at once cannot both succeed.
 */
async function refuseLosingLastAdmin(trx: Kdb, workspaceId: string, userId: string, action: string): Promise<void> {
  const admins = await trx
    .selectFrom('workspace_members')
    .select('user_id')
    .where('workspace_id', '=', workspaceId)
    .where('role', '=', 'admin')
    .forUpdate()
    .execute();
  if (admins.length === 1 && admins[0]!.user_id === userId) {
    throw new KizunaError('conflict', `Cannot ${action} the last admin of this workspace: make another member admin first.`);
  }
}

/**
 * The first members of a new workspace: its creator as admin, or, for a workspace created
 * without a user (the demo brand, the CLI), every instance admin.
 */
export async function addFirstMembers(db: Kdb, params: { workspaceId: string; creatorUserId?: string }): Promise<void> {
  if (params.creatorUserId !== undefined) {
    await db.insertInto('workspace_members').values({ workspace_id: params.workspaceId, user_id: params.creatorUserId, role: 'admin' }).execute();
    return;
  }
  await db
    .insertInto('workspace_members')
    .columns(['workspace_id', 'user_id', 'role'])
    .expression((eb) =>
      eb
        .selectFrom('users')
        .select([eb.val(params.workspaceId).as('workspace_id'), 'id', eb.val<Role>('admin').as('role')])
        .where('instance_admin', '=', true),
    )
    .execute();
}
