import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isolatedTestDatabase } from '../../test/support/database.ts';
import type { Database } from '../db/connect.ts';
import { SESSION_TTL_MS } from '../auth/sessions.ts';
import { createUser } from '../auth/users.ts';
import { manualClock } from '../shared/clock.ts';
import { buildApp } from './app.ts';

// Throttles and sessions are instance-wide: a database of its own, so no other file's purge touches them.
let database: Database;
const clock = manualClock('2021-03-01T09:00:00Z');
let app: FastifyInstance;

beforeAll(async () => {
  database = await isolatedTestDatabase();
  app = await buildApp({ database, config: { secureCookies: false }, clock });
});
afterAll(async () => {
  await app.close();
  await database.close();
});

const PASSWORD = 'correct horse battery';
const login = (email: string, password: string, remoteAddress: string) =>
  app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password }, remoteAddress });

describe('POST /auth/login', () => {
  it('answers 429 too_many_requests with Retry-After once an account is locked, then signs in after it', async () => {
    const email = `${randomUUID()}@example.jp`;
    await createUser(database.db, { email, displayName: email, password: PASSWORD });
    for (let i = 0; i < 5; i += 1) expect((await login(email, 'wrong password', '10.9.8.7')).statusCode).toBe(401);
    const locked = await login(email, PASSWORD, '10.9.8.7');
    expect(locked.statusCode).toBe(429);
    expect(locked.headers['retry-after']).toBe('60');
    expect(locked.json()).toMatchObject({ code: 'too_many_requests', details: { retryAfterSeconds: 60 } });
    clock.advance(60 * 1000);
    expect((await login(email, PASSWORD, '10.9.8.7')).statusCode).toBe(200);
  });

  it("ends a console session after SESSION_TTL_MS by the app's clock", async () => {
    const email = `${randomUUID()}@example.jp`;
    await createUser(database.db, { email, displayName: email, password: PASSWORD });
    const cookie = String((await login(email, PASSWORD, '10.9.8.6')).headers['set-cookie']).split(';')[0]!;
    const me = () => app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie } });
    clock.advance(SESSION_TTL_MS - 1000);
    expect((await me()).statusCode).toBe(200);
    clock.advance(1000);
    expect((await me()).statusCode).toBe(401);
  });
});

describe('behind a proxy (KIZUNA_TRUST_PROXY)', () => {
  it("throttles each client by its forwarded address, not the proxy's", async () => {
    const proxied = await buildApp({ database, config: { secureCookies: false, trustProxy: true }, clock });
    try {
      const from = (client: string) =>
        proxied.inject({
          method: 'POST',
          url: '/api/v1/auth/login',
          remoteAddress: '10.0.0.1',
          headers: { 'x-forwarded-for': client },
          payload: { email: `${randomUUID()}@example.jp`, password: 'guess' },
        });
      // 50 failures from one client lock that client's address only.
      for (let i = 0; i < 50; i += 1) expect((await from('203.0.113.9')).statusCode).toBe(401);
      expect((await from('203.0.113.9')).statusCode).toBe(429);
      expect((await from('198.51.100.4')).statusCode).toBe(401);
    } finally {
      await proxied.close();
    }
  });
});
