import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { isolatedTestDatabase } from '../../test/support/database.ts';
import type { Database } from '../db/connect.ts';
import { manualClock } from '../shared/clock.ts';
import { verifyPassword } from './passwords.ts';
import { createSession, purgeExpiredSessions, SESSION_TTL_MS, userForSession } from './sessions.ts';
import { dummyPasswordHash, signIn } from './sign-in.ts';
import { SIGN_IN_THROTTLE } from './sign-in-throttle.ts';
import { createUser } from './users.ts';

// Throttles and sessions are instance-wide: a database of its own, so no other file's purge touches them.
let database: Database;
beforeAll(async () => {
  database = await isolatedTestDatabase();
});
afterAll(() => database.close());

const PASSWORD = 'correct horse battery';

async function newUser() {
  const email = `${randomUUID()}@example.jp`;
  return createUser(database.db, { email, displayName: email, password: PASSWORD });
}
/** Each test signs in from an address of its own, so address limits never cross tests. */
const newAddress = () => `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;

describe('sign-in throttling', () => {
  it('locks an account after 5 failures, refuses even the right password while locked, and lets it in once the lock has passed', async () => {
    const clock = manualClock('2026-01-10T09:00:00Z');
    const deps = { db: database.db, clock };
    const user = await newUser();
    const address = newAddress();
    for (let i = 0; i < SIGN_IN_THROTTLE.accountLimit; i += 1) {
      expect(await signIn(deps, { email: user.email, password: 'wrong password', address })).toEqual({ outcome: 'refused' });
      clock.advance(10 * 1000);
    }
    // The 5th failure (at 40 s) locked the account for a minute; 10 s of it have passed.
    expect(await signIn(deps, { email: user.email, password: PASSWORD, address })).toEqual({ outcome: 'locked', retryAfterSeconds: 50 });
    // Another address does not help: the account is locked.
    expect((await signIn(deps, { email: user.email.toUpperCase(), password: PASSWORD, address: newAddress() })).outcome).toBe('locked');
    clock.advance(49 * 1000);
    expect((await signIn(deps, { email: user.email, password: PASSWORD, address })).outcome).toBe('locked');
    clock.advance(1000);
    const after = await signIn(deps, { email: user.email, password: PASSWORD, address });
    expect(after.outcome).toBe('signed_in');
  });

  it('doubles the lock with each failure past the limit, and forgets failures a window after the last lock', async () => {
    const clock = manualClock('2026-01-10T09:00:00Z');
    const deps = { db: database.db, clock };
    const user = await newUser();
    const address = newAddress();
    const fail = () => signIn(deps, { email: user.email, password: 'wrong password', address });
    for (let i = 0; i < SIGN_IN_THROTTLE.accountLimit; i += 1) await fail();
    const locks: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      const locked = await fail();
      if (locked.outcome !== 'locked') throw new Error('expected a lock');
      locks.push(locked.retryAfterSeconds);
      clock.advance(locked.retryAfterSeconds * 1000);
      expect((await fail()).outcome).toBe('refused'); // counted: the next lock is twice as long
    }
    expect(locks).toEqual([60, 120, 240]);
    const last = await fail();
    expect(last).toEqual({ outcome: 'locked', retryAfterSeconds: 480 });
    clock.advance(480 * 1000 + SIGN_IN_THROTTLE.windowMs);
    // A whole window after the lock: the count starts again from one failure.
    expect((await fail()).outcome).toBe('refused');
    expect((await signIn(deps, { email: user.email, password: PASSWORD, address })).outcome).toBe('signed_in');
  });

  it('locks a client address after 50 failures across accounts, for every account', async () => {
    const clock = manualClock('2026-01-10T09:00:00Z');
    // Unknown emails: no scrypt work needed to count failures (the verify is stubbed).
    const deps = { db: database.db, clock, verify: async () => false };
    const address = newAddress();
    for (let i = 0; i < SIGN_IN_THROTTLE.addressLimit; i += 1) {
      expect((await signIn(deps, { email: `${randomUUID()}@example.jp`, password: 'guess', address })).outcome).toBe('refused');
    }
    const user = await newUser();
    expect(await signIn(deps, { email: user.email, password: PASSWORD, address })).toEqual({ outcome: 'locked', retryAfterSeconds: 60 });
    expect((await signIn({ db: database.db, clock }, { email: user.email, password: PASSWORD, address: newAddress() })).outcome).toBe('signed_in');
  });

  it('checks an unknown email against a dummy scrypt hash, the same work as for a known one', async () => {
    const clock = manualClock('2026-01-10T09:00:00Z');
    const verify = vi.fn(verifyPassword);
    const user = await newUser();
    await signIn({ db: database.db, clock, verify }, { email: `${randomUUID()}@example.jp`, password: 'guess', address: newAddress() });
    await signIn({ db: database.db, clock, verify }, { email: user.email, password: 'guess', address: newAddress() });
    expect(verify).toHaveBeenCalledTimes(2);
    const [unknownCall, knownCall] = verify.mock.calls;
    expect(unknownCall![1]).toBe(await dummyPasswordHash());
    // Same algorithm and cost parameters as a real user's hash: scrypt$N$r$p$…
    expect(unknownCall![1].split('$').slice(0, 4)).toEqual(knownCall![1].split('$').slice(0, 4));
  });
});

describe('sessions', () => {
  it('expire after SESSION_TTL_MS by the injected clock', async () => {
    const clock = manualClock('2026-01-10T09:00:00Z');
    const user = await newUser();
    const { token, expiresAt } = await createSession(database.db, clock, user.id);
    expect(expiresAt.getTime()).toBe(clock.now().getTime() + SESSION_TTL_MS);
    clock.advance(SESSION_TTL_MS - 1);
    expect((await userForSession(database.db, clock, token))?.email).toBe(user.email);
    clock.advance(1);
    expect(await userForSession(database.db, clock, token)).toBeUndefined();
  });

  // In the past, so the purge cannot reach the sessions of tests running beside this one.
  it('are purged once expired, on sign-in; live sessions stay', async () => {
    const clock = manualClock('2020-06-01T00:00:00Z');
    const user = await newUser();
    const old = await createSession(database.db, clock, user.id);
    clock.advance(SESSION_TTL_MS / 2);
    const recent = await createSession(database.db, clock, user.id);
    clock.advance(SESSION_TTL_MS / 2);
    const count = async () => (await database.db.selectFrom('sessions').select('token_hash').where('user_id', '=', user.id).execute()).length;
    expect(await count()).toBe(2);
    expect((await signIn({ db: database.db, clock }, { email: user.email, password: PASSWORD, address: newAddress() })).outcome).toBe('signed_in');
    expect(await count()).toBe(2); // the recent one and the new one
    expect(await userForSession(database.db, clock, old.token)).toBeUndefined();
    expect(await userForSession(database.db, clock, recent.token)).toBeDefined();
    clock.advance(SESSION_TTL_MS);
    expect(await purgeExpiredSessions(database.db, clock)).toBeGreaterThanOrEqual(2);
    expect(await count()).toBe(0);
  });
});
