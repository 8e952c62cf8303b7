import type { Kdb } from '../db/connect.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import { findUserByEmail, type User } from './users.ts';

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

/** The user for this email and password, or undefined (never says which of the two was wrong). */
export async function authenticate(db: Kdb, email: string, password: string, verify: VerifyPassword = verifyPassword): Promise<User | undefined> {
  const user = await findUserByEmail(db, email);
  const matches = await verify(password, user?.passwordHash ?? await dummyPasswordHash());
  if (!user || !matches) return undefined;
  return { id: user.id, email: user.email, displayName: user.displayName, instanceAdmin: user.instanceAdmin };
}
