import type { Kdb } from '../db/connect.ts';
import type { Role } from '../db/schema.ts';
import { KizunaError } from '../shared/errors.ts';
import { generatePassword, hashPassword, verifyPassword } from './passwords.ts';

export interface User {
  id: string;
  email: string;
  displayName: string;
  role: Role;
}

export async function createUser(db: Kdb, params: { email: string; displayName: string; role: Role; password: string }): Promise<User> {
  const email = params.email.trim().toLowerCase();
  if (!/^[^\s@]+@[^\s@]+$/.test(email)) throw new KizunaError('validation_failed', `Not an email address: "${params.email}"`);
  if (params.password.length < 10) throw new KizunaError('validation_failed', 'A password needs at least 10 characters.');
  const row = await db.insertInto('users')
    .values({ email, display_name: params.displayName, role: params.role, password_hash: await hashPassword(params.password) })
    .onConflict((oc) => oc.column('email').doNothing())
    .returning(['id', 'email', 'display_name', 'role']).executeTakeFirst();
  if (!row) throw new KizunaError('conflict', `A user with email ${email} already exists.`);
  return { id: row.id, email: row.email, displayName: row.display_name, role: row.role };
}

/** The user for this email and password, or undefined (never says which of the two was wrong). */
export async function authenticate(db: Kdb, email: string, password: string): Promise<User | undefined> {
  const row = await db.selectFrom('users').selectAll().where('email', '=', email.trim().toLowerCase()).executeTakeFirst();
  if (!row || !(await verifyPassword(password, row.password_hash))) return undefined;
  return { id: row.id, email: row.email, displayName: row.display_name, role: row.role };
}

/**
 * On the first start (no user at all) creates the admin. The password comes from the
 * environment when given; otherwise one is generated and returned so it can be printed once.
 */
export async function ensureFirstAdmin(db: Kdb, params: { email: string; password: string | undefined }): Promise<{ email: string; generatedPassword?: string } | undefined> {
  const existing = await db.selectFrom('users').select('id').limit(1).executeTakeFirst();
  if (existing) return undefined;
  const password = params.password ?? generatePassword();
  await createUser(db, { email: params.email, displayName: 'Admin', role: 'admin', password });
  return { email: params.email, ...(params.password ? {} : { generatedPassword: password }) };
}
