import { createHash, randomBytes } from 'node:crypto';
import type { Kdb } from '../db/connect.ts';
import type { Clock } from '../shared/clock.ts';
import type { User } from './users.ts';

export const SESSION_COOKIE = 'kizuna_session';
export const SESSION_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/** Only the SHA-256 of a session token is stored; the token itself lives in the cookie. */
function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** A session for the user, valid SESSION_TTL_MS from the clock's now. */
export async function createSession(db: Kdb, clock: Clock, userId: string): Promise<{ token: string; expiresAt: Date }> {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(clock.now().getTime() + SESSION_TTL_MS);
  await db
    .insertInto('sessions')
    .values({ token_hash: tokenHash(token), user_id: userId, created_at: clock.now(), expires_at: expiresAt })
    .execute();
  return { token, expiresAt };
}

/** The user of a session that has not expired by the clock's now, or undefined. */
export async function userForSession(db: Kdb, clock: Clock, token: string): Promise<User | undefined> {
  const row = await db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select(['users.id', 'users.email', 'users.display_name', 'users.instance_admin'])
    .where('sessions.token_hash', '=', tokenHash(token))
    .where('sessions.expires_at', '>', clock.now())
    .executeTakeFirst();
  return row && { id: row.id, email: row.email, displayName: row.display_name, instanceAdmin: row.instance_admin };
}

export async function deleteSession(db: Kdb, token: string): Promise<void> {
  await db.deleteFrom('sessions').where('token_hash', '=', tokenHash(token)).execute();
}

/**
 * Deletes every session expired by the clock's now (they can no longer sign anyone in; this
 * keeps the table from growing). Called on each sign-in; returns how many were deleted.
 */
export async function purgeExpiredSessions(db: Kdb, clock: Clock): Promise<number> {
  const result = await db.deleteFrom('sessions').where('expires_at', '<=', clock.now()).executeTakeFirst();
  return Number(result.numDeletedRows);
}
