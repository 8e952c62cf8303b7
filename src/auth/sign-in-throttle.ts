import type { Kdb } from '../db/connect.ts';
import type { Clock } from '../shared/clock.ts';

/**
 * Sign-in throttling, per account and per client address, kept in the database (so it holds
 * across restarts and instances). Failures are counted in a window that starts at the first
 * one; from the limit on, each further failure locks the key for twice as long as the one
 * before (1 min, 2 min, 4 min … at most a day). The count starts again only once the window
 * has passed and the key has been unlocked for a whole window: guessing slowly does not reset it.
 * An address's limit is higher, as an office shares one.
 */
export const SIGN_IN_THROTTLE = {
  windowMs: 15 * 60 * 1000,
  accountLimit: 5,
  addressLimit: 50,
  firstLockMs: 60 * 1000,
  longestLockMs: 24 * 60 * 60 * 1000,
};

export function accountKey(normalizedEmail: string): string {
  return `account:${normalizedEmail}`;
}

export function addressKey(address: string): string {
  return `address:${address}`;
}

/** The latest moment any of the keys is locked until, if one is locked now. */
export async function lockedUntil(db: Kdb, clock: Clock, keys: string[]): Promise<Date | undefined> {
  const rows = await db.selectFrom('sign_in_throttles').select('locked_until').where('key', 'in', keys).where('locked_until', '>', clock.now()).execute();
  const until = Math.max(...rows.map((row) => row.locked_until!.getTime()));
  return rows.length === 0 ? undefined : new Date(until);
}

/** Counts a failed sign-in against the key (locking it past its limit). */
export async function recordFailure(db: Kdb, clock: Clock, key: string, limit: number): Promise<void> {
  const now = clock.now();
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('sign_in_throttles')
      .values({ key, failures: 0, window_started_at: now, locked_until: null })
      .onConflict((oc) => oc.column('key').doNothing())
      .execute();
    const row = await trx.selectFrom('sign_in_throttles').selectAll().where('key', '=', key).forUpdate().executeTakeFirstOrThrow();
    const stale = isStale(row, now);
    const failures = (stale ? 0 : row.failures) + 1;
    const lockMs = failures >= limit ? Math.min(SIGN_IN_THROTTLE.firstLockMs * 2 ** Math.min(failures - limit, 30), SIGN_IN_THROTTLE.longestLockMs) : undefined;
    await trx
      .updateTable('sign_in_throttles')
      .set({
        failures,
        window_started_at: stale ? now : row.window_started_at,
        locked_until: lockMs === undefined ? null : new Date(now.getTime() + lockMs),
      })
      .where('key', '=', key)
      .execute();
  });
}

/** A successful sign-in clears the account's failures (never the address's: one good account must not unlock an address). */
export async function clearFailures(db: Kdb, key: string): Promise<void> {
  await db.deleteFrom('sign_in_throttles').where('key', '=', key).execute();
}

/** Deletes the rows that no longer count (their window and lock long past), so the table stays small. */
export async function purgeStaleThrottles(db: Kdb, clock: Clock): Promise<void> {
  const cutoff = new Date(clock.now().getTime() - SIGN_IN_THROTTLE.longestLockMs - SIGN_IN_THROTTLE.windowMs);
  await db
    .deleteFrom('sign_in_throttles')
    .where('window_started_at', '<', cutoff)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', cutoff)]))
    .execute();
}

function isStale(row: { window_started_at: Date; locked_until: Date | null }, now: Date): boolean {
  const since = Math.max(row.window_started_at.getTime(), row.locked_until?.getTime() ?? 0);
  return now.getTime() - since >= SIGN_IN_THROTTLE.windowMs;
}
