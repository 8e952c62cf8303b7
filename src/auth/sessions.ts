import { createHash, randomBytes } from 'node:crypto';
import type { Kdb } from '../db/connect.ts';
import type { User } from './users.ts';

export const SESSION_COOKIE = 'kizuna_session';
export const SESSION_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/** Only the SHA-256 of a session token is stored; the token itself lives in the cookie. */
function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export async function createSession(db: Kdb, userId: string, now: Date = new Date()): Promise<{ token: string; expiresAt: Date }> {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + SESSION_TTL_MS);
  await db.insertInto('sessions').values({ token_hash: tokenHash(token), user_id: userId, expires_at: expiresAt }).execute();
  return { token, expiresAt };
}

export async function userForSession(db: Kdb, token: string, now: Date = new Date()): Promise<User | undefined> {
  const row = await db.selectFrom('sessions').innerJoin('users', 'users.id', 'sessions.user_id')
    .select(['users.id', 'users.email', 'users.display_name', 'users.role'])
    .where('sessions.token_hash', '=', tokenHash(token)).where('sessions.expires_at', '>', now)
    .executeTakeFirst();
  return row && { id: row.id, email: row.email, displayName: row.display_name, role: row.role };
}

export async function deleteSession(db: Kdb, token: string): Promise<void> {
  await db.deleteFrom('sessions').where('token_hash', '=', tokenHash(token)).execute();
}
