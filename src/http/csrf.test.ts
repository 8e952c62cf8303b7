import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestDatabase, freshWorkspace } from '../../test/support/database.ts';
import { createApiKey } from '../auth/api-keys.ts';
import { addMember } from '../auth/memberships.ts';
import { createUser } from '../auth/users.ts';
import type { Workspace } from '../workspaces/workspaces.ts';
import { buildApp } from './app.ts';

/**
 * Cross-site request forgery: a foreign page can make the browser send the session cookie
 * with a form upload, a body-less POST or a text/plain one (no CORS preflight for any of them).
 * The server refuses them by their Origin / Sec-Fetch-Site.
 */
const database = connectTestDatabase();
let app: FastifyInstance;
let workspace: Workspace;
let cookie: string;
const FOREIGN = 'https://evil.example';
const OWN = 'http://localhost:80';

beforeAll(async () => {
  app = await buildApp({ database, config: { secureCookies: false } });
  workspace = await freshWorkspace(database);
  const email = `${randomUUID()}@example.jp`;
  await createUser(database.db, { email, displayName: 'Admin', password: 'correct horse battery' });
  await addMember(database.db, { workspaceId: workspace.id, email, role: 'admin' });
  const login = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    headers: { origin: OWN },
    payload: { email, password: 'correct horse battery' },
  });
  cookie = String(login.headers['set-cookie']).split(';')[0]!;
});
afterAll(async () => {
  await app.close();
  await database.close();
});

function upload(origin: string) {
  const boundary = '----csrf-boundary';
  const payload = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="c.csv"\r\nContent-Type: text/csv\r\n\r\ncustomer_id,name\r\nCSRF-1,Mallory\r\n\r\n--${boundary}--\r\n`,
  );
  return app.inject({
    method: 'POST',
    url: `/api/v1/workspaces/${workspace.name}/imports/customers`,
    headers: { cookie, origin, 'content-type': `multipart/form-data; boundary=${boundary}` },
    payload,
  });
}

async function customerCount(): Promise<number> {
  const row = await database.db
    .selectFrom('customers')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('workspace_id', '=', workspace.id)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

describe('cross-site requests with the session cookie', () => {
  it("refuses a multipart upload from a foreign origin, storing nothing; the console's own upload works", async () => {
    const refused = await upload(FOREIGN);
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ code: 'forbidden', message: expect.stringContaining(FOREIGN) });
    expect(await customerCount()).toBe(0);
    expect((await upload(OWN)).statusCode).toBe(200);
    expect(await customerCount()).toBe(1);
  });

  it('refuses a body-less publish from a foreign origin before it reaches the route', async () => {
    const url = `/api/v1/workspaces/${workspace.name}/templates/1/publish`;
    expect((await app.inject({ method: 'POST', url, headers: { cookie, origin: FOREIGN } })).statusCode).toBe(403);
    expect((await app.inject({ method: 'POST', url, headers: { cookie, origin: OWN } })).statusCode).toBe(404);
  });

  it('refuses a text/plain sign-out from a foreign origin: the session stays', async () => {
    const logout = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: { cookie, origin: FOREIGN, 'content-type': 'text/plain' },
      payload: 'x',
    });
    expect(logout.statusCode).toBe(403);
    expect((await app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie } })).statusCode).toBe(200);
  });

  it('refuses by Sec-Fetch-Site when a browser sends no Origin, and an opaque "null" origin', async () => {
    const url = `/api/v1/workspaces/${workspace.name}/customers/batch`;
    const payload = { records: [{ customer_id: 'CSRF-2' }] };
    expect((await app.inject({ method: 'POST', url, headers: { cookie, 'sec-fetch-site': 'cross-site' }, payload })).statusCode).toBe(403);
    expect((await app.inject({ method: 'POST', url, headers: { cookie, 'sec-fetch-site': 'same-site' }, payload })).statusCode).toBe(403);
    expect((await app.inject({ method: 'POST', url, headers: { cookie, origin: 'null' }, payload })).statusCode).toBe(403);
    expect((await app.inject({ method: 'POST', url, headers: { cookie, origin: OWN, 'sec-fetch-site': 'same-origin' }, payload })).statusCode).toBe(200);
  });

  it('refuses a foreign sign-in (login CSRF) and lets reads through', async () => {
    expect(
      (await app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { origin: FOREIGN }, payload: { email: 'a@b.c', password: 'whatever' } }))
        .statusCode,
    ).toBe(403);
    expect((await app.inject({ method: 'GET', url: `/api/v1/workspaces/${workspace.name}`, headers: { cookie, origin: FOREIGN } })).statusCode).toBe(200);
  });

  it('exempts an API key without a cookie: a foreign page cannot make the browser send it', async () => {
    const { key } = await createApiKey(database.db, { workspaceId: workspace.id, name: 'sync', role: 'marketing' });
    const response = await app.inject({
      method: 'POST',
      url: `/api/v1/workspaces/${workspace.name}/customers/batch`,
      headers: { authorization: `Bearer ${key}`, origin: FOREIGN },
      payload: { records: [{ customer_id: 'CSRF-3' }] },
    });
    expect(response.statusCode).toBe(200);
  });

  it("takes KIZUNA_PUBLIC_ORIGIN as the console's origin behind a proxy that rewrites Host", async () => {
    const proxied = await buildApp({ database, config: { secureCookies: false, publicOrigin: 'https://crm.example.jp' } });
    try {
      const send = (origin: string) =>
        proxied.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { cookie: 'kizuna_session=x', origin, host: 'kizuna:3000' } });
      expect((await send('https://crm.example.jp')).statusCode).toBe(204);
      expect((await send('http://kizuna:3000')).statusCode).toBe(403);
    } finally {
      await proxied.close();
    }
  });
});
