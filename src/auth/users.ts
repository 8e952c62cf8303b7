import type { Kdb } from '../db/connect.ts';
import { KizunaError } from '../shared/errors.ts';
import { generatePassword, hashPassword } from './passwords.ts';

/**
 * A console user. What a user may do is decided per workspace (src/auth/memberships.ts);
 * `instanceAdmin` only adds the right to create workspaces.
 */
export interface User {
  id: string;
  email: string;
  displayName: string;
  instanceAdmin: boolean;
}

/** The form every email is stored and looked up in. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export async function createUser(db: Kdb, params: { email: string; displayName: string; password: string; instanceAdmin?: boolean }): Promise<User> {
  const email = normalizeEmail(params.email);
  if (!/^[^\s@]+@[^\s@]+$/.test(email)) throw new KizunaError('validation_failed', `Not an email address: "${params.email}"`);
  if (params.password.length < 10) throw new KizunaError('validation_failed', 'A password needs at least 10 characters.');
  const row = await db
    .insertInto('users')
    .values({ email, display_name: params.displayName, instance_admin: params.instanceAdmin ?? false, password_hash: await hashPassword(params.password) })
    .onConflict((oc) => oc.column('email').doNothing())
    .returning(['id', 'email', 'display_name', 'instance_admin'])
    .executeTakeFirst();
  if (!row) throw new KizunaError('conflict', `A user with email ${email} already exists.`);
  return { id: row.id, email: row.email, displayName: row.display_name, instanceAdmin: row.instance_admin };
}

export async function findUserByEmail(db: Kdb, email: string): Promise<(User & { passwordHash: string }) | undefined> {
  const row = await db
    .selectFrom('users')
    .select(['id', 'email', 'display_name', 'instance_admin', 'password_hash'])
    .where('email', '=', normalizeEmail(email))
    .executeTakeFirst();
  return row && { id: row.id, email: row.email, displayName: row.display_name, instanceAdmin: row.instance_admin, passwordHash: row.password_hash };
}

/**
 * On the first start (no user at all) creates the instance admin. The password comes from the
 * environment when given; otherwise one is generated and returned so it can be printed once.
 * Workspaces created without a user (the demo brand, `kizuna workspace create`) get every
 * instance admin as their admin, so this user reaches the demo brand.
 */
export async function ensureFirstAdmin(
  db: Kdb,
  params: { email: string; password: string | undefined },
): Promise<{ email: string; generatedPassword?: string } | undefined> {
  const existing = await db.selectFrom('users').select('id').limit(1).executeTakeFirst();
  if (existing) return undefined;
  const password = params.password ?? generatePassword();
  await createUser(db, { email: params.email, displayName: 'Admin', instanceAdmin: true, password });
  return { email: params.email, ...(params.password ? {} : { generatedPassword: password }) };
}
