import type { Kdb } from '../db/connect.ts';
import type { Clock } from '../shared/clock.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import { createSession, purgeExpiredSessions } from './sessions.ts';
import { accountKey, addressKey, clearFailures, lockedUntil, purgeStaleThrottles, recordFailure, SIGN_IN_THROTTLE } from './sign-in-throttle.ts';
import { findUserByEmail, normalizeEmail, type User } from './users.ts';

/**
 * A scrypt hash of a random password, made once per process: an unknown email is checked
 * against it, so a sign-in spends the same scrypt work whether or not the account exists and
 * the answer's timing does not tell which emails have accounts.
 */
let dummyHash: Promise<string> | undefined;
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword(`unknown-account-${Math.random()}`);
  return dummyHash;
}

/** How a password is checked against a stored hash (injectable, so tests can see the work done). */
export type VerifyPassword = (password: string, storedHash: string) => Promise<boolean>;

export interface SignInDeps {
  db: Kdb;
  clock: Clock;
  verify?: VerifyPassword;
}

export type SignInOutcome =
  | { outcome: 'signed_in'; user: User; session: { token: string; expiresAt: Date } }
  /** Wrong email or password: never says which. */
  | { outcome: 'refused' }
  /** Too many failures for this account or address: nothing was checked. */
  | { outcome: 'locked'; retryAfterSeconds: number };

/**
 * Signs in with email and password from a client address: refused without any check while the
 * account or the address is locked (sign-in-throttle.ts); otherwise the password is verified
 * (against a dummy hash for an unknown email), a failure counted against both, and a success
 * clears the account's failures and opens a session. Expired sessions are purged on the way.
 */
export async function signIn(deps: SignInDeps, params: { email: string; password: string; address: string }): Promise<SignInOutcome> {
  const { db, clock } = deps;
  const email = normalizeEmail(params.email);
  const account = accountKey(email);
  const address = addressKey(params.address);
  const locked = await lockedUntil(db, clock, [account, address]);
  if (locked) return { outcome: 'locked', retryAfterSeconds: Math.max(1, Math.ceil((locked.getTime() - clock.now().getTime()) / 1000)) };

  const user = await findUserByEmail(db, email);
  const matches = await (deps.verify ?? verifyPassword)(params.password, user?.passwordHash ?? (await dummyPasswordHash()));
  if (!user || !matches) {
    await recordFailure(db, clock, account, SIGN_IN_THROTTLE.accountLimit);
    await recordFailure(db, clock, address, SIGN_IN_THROTTLE.addressLimit);
    return { outcome: 'refused' };
  }
  await clearFailures(db, account);
  await purgeExpiredSessions(db, clock);
  await purgeStaleThrottles(db, clock);
  return {
    outcome: 'signed_in',
    user: { id: user.id, email: user.email, displayName: user.displayName, instanceAdmin: user.instanceAdmin },
    session: await createSession(db, clock, user.id),
  };
}
