import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestDatabase, freshWorkspace } from '../../test/support/database.ts';
import { createApiKey } from '../auth/api-keys.ts';
import { addMember } from '../auth/memberships.ts';
import { createUser } from '../auth/users.ts';
import type { Role } from '../db/schema.ts';
import type { Workspace } from '../workspaces/workspaces.ts';
import { buildApp } from './app.ts';

/** Roles per workspace: a user is a member of workspaces, each with a role, and sees nothing of the others. */
const database = connectTestDatabase();
let app: FastifyInstance;
let brandA: Workspace;
let brandB: Workspace;

beforeAll(async () => {
  app = await buildApp({ database, config: { secureCookies: false } });
  brandA = await freshWorkspace(database);
  brandB = await freshWorkspace(database);
});
afterAll(async () => {
  await app.close();
  await database.close();
});

const PASSWORD = 'correct horse battery';

/** A user with the given roles, signed in: the session cookie. */
async function signedIn(roles: [Workspace, Role][], options: { instanceAdmin?: boolean } = {}): Promise<{ email: string; cookie: string }> {
  const email = `${randomUUID()}@example.jp`;
  await createUser(database.db, { email, displayName: email, password: PASSWORD, instanceAdmin: options.instanceAdmin ?? false });
  for (const [workspace, role] of roles) await addMember(database.db, { workspaceId: workspace.id, email, role });
  const login = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password: PASSWORD } });
  expect(login.statusCode).toBe(200);
  return { email, cookie: String(login.headers['set-cookie']).split(';')[0]! };
}

/** A request as the console sends it: the session cookie, from the console's own origin. */
function asUser(cookie: string, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, payload?: object) {
  return app.inject({ method, url: `/api/v1${path}`, headers: { cookie, origin: 'http://localhost:80' }, ...(payload ? { payload } : {}) });
}

describe('roles per workspace', () => {
  it('gives an admin of one workspace nothing in another: 404, as for a workspace that does not exist', async () => {
    const { cookie } = await signedIn([[brandA, 'admin']]);
    expect((await asUser(cookie, 'GET', `/workspaces/${brandA.name}`)).statusCode).toBe(200);
    expect((await asUser(cookie, 'GET', `/workspaces/${brandA.name}/members`)).statusCode).toBe(200);
    for (const path of [
      `/workspaces/${brandB.name}`,
      `/workspaces/${brandB.name}/members`,
      `/workspaces/${brandB.name}/api-keys`,
      `/workspaces/${brandB.name}/customers`,
    ]) {
      const response = await asUser(cookie, 'GET', path);
      expect(response.statusCode, path).toBe(404);
      expect(response.json().message).toBe(`No workspace named "${brandB.name}".`);
    }
    const write = await asUser(cookie, 'POST', `/workspaces/${brandB.name}/customers/batch`, { records: [{ customer_id: 'X-1' }] });
    expect(write.statusCode).toBe(404);
    expect((await asUser(cookie, 'POST', `/workspaces/${brandB.name}/api-keys`, { name: 'steal', role: 'admin' })).statusCode).toBe(404);
  });

  it('applies the role of each workspace: admin in one, read-only in another', async () => {
    const { cookie } = await signedIn([
      [brandA, 'admin'],
      [brandB, 'read_only'],
    ]);
    expect((await asUser(cookie, 'GET', `/workspaces/${brandB.name}`)).statusCode).toBe(200);
    expect((await asUser(cookie, 'GET', `/workspaces/${brandB.name}/members`)).statusCode).toBe(403);
    expect((await asUser(cookie, 'POST', `/workspaces/${brandB.name}/customers/batch`, { records: [{ customer_id: 'X-1' }] })).statusCode).toBe(403);
    expect((await asUser(cookie, 'POST', `/workspaces/${brandA.name}/customers/batch`, { records: [{ customer_id: 'X-1' }] })).statusCode).toBe(200);
  });

  it('lists only the workspaces the caller is a member of, with its role in each', async () => {
    const { cookie } = await signedIn([[brandB, 'marketing']]);
    expect((await asUser(cookie, 'GET', '/workspaces')).json()).toEqual([{ ...brandB, role: 'marketing' }]);
    const nowhere = await signedIn([]);
    expect((await asUser(nowhere.cookie, 'GET', '/workspaces')).json()).toEqual([]);
  });
});

describe('creating workspaces', () => {
  it('refuses an admin API key: a key belongs to one workspace', async () => {
    const { key } = await createApiKey(database.db, { workspaceId: brandA.id, name: 'admin key', role: 'admin' });
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/workspaces',
      headers: { authorization: `Bearer ${key}` },
      payload: { name: `k-${randomUUID().slice(0, 8)}` },
    });
    expect(response.statusCode).toBe(403);
    expect(response.json().code).toBe('forbidden');
  });

  it('refuses a workspace admin who is not an instance admin', async () => {
    const { cookie } = await signedIn([[brandA, 'admin']]);
    expect((await asUser(cookie, 'POST', '/workspaces', { name: `u-${randomUUID().slice(0, 8)}` })).statusCode).toBe(403);
  });

  it('lets an instance admin create one, as its admin; the others do not see it', async () => {
    const { cookie, email } = await signedIn([], { instanceAdmin: true });
    const name = `i-${randomUUID().slice(0, 8)}`;
    const created = await asUser(cookie, 'POST', '/workspaces', { name });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ name, role: 'admin' });
    expect((await asUser(cookie, 'GET', '/workspaces')).json().map((w: Workspace) => w.name)).toContain(name);
    expect((await asUser(cookie, 'GET', `/workspaces/${name}/members`)).json()).toMatchObject([{ email, role: 'admin' }]);
    const outsider = await signedIn([[brandA, 'admin']]);
    expect((await asUser(outsider.cookie, 'GET', `/workspaces/${name}`)).statusCode).toBe(404);
  });
});

describe('members', () => {
  it('lets an admin invite a new user (password shown once), an existing user, change a role and remove a member', async () => {
    const workspace = await freshWorkspace(database);
    const admin = await signedIn([[workspace, 'admin']]);
    const newEmail = `${randomUUID()}@example.jp`;
    const invited = await asUser(admin.cookie, 'POST', `/workspaces/${workspace.name}/members`, { email: newEmail, role: 'marketing', displayName: '新人' });
    expect(invited.statusCode).toBe(201);
    const { member, generatedPassword } = invited.json() as { member: { userId: string; role: Role; displayName: string }; generatedPassword: string };
    expect(member).toMatchObject({ role: 'marketing', displayName: '新人' });
    expect(generatedPassword).toMatch(/^[\w-]{20}$/);
    const signIn = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: newEmail, password: generatedPassword } });
    expect(signIn.statusCode).toBe(200);

    const other = await signedIn([[brandA, 'read_only']]);
    const existing = await asUser(admin.cookie, 'POST', `/workspaces/${workspace.name}/members`, { email: other.email, role: 'support' });
    expect(existing.statusCode).toBe(201);
    expect(existing.json().generatedPassword).toBeUndefined();
    expect((await asUser(admin.cookie, 'POST', `/workspaces/${workspace.name}/members`, { email: other.email, role: 'sales' })).statusCode).toBe(409);
    // Joining this workspace changed nothing in the other one.
    expect(
      (await asUser(other.cookie, 'GET', '/workspaces'))
        .json()
        .map((w: { name: string; role: Role }) => [w.name, w.role])
        .sort(),
    ).toEqual(
      [
        [brandA.name, 'read_only'],
        [workspace.name, 'support'],
      ].sort(),
    );

    const changed = await asUser(admin.cookie, 'PATCH', `/workspaces/${workspace.name}/members/${member.userId}`, { role: 'read_only' });
    expect(changed.json()).toMatchObject({ email: newEmail, role: 'read_only' });
    expect((await asUser(admin.cookie, 'DELETE', `/workspaces/${workspace.name}/members/${member.userId}`)).statusCode).toBe(204);
    const left = (await asUser(admin.cookie, 'GET', `/workspaces/${workspace.name}/members`)).json() as { email: string }[];
    expect(left.map((m) => m.email)).not.toContain(newEmail);
    expect(left.map((m) => m.email)).toEqual(expect.arrayContaining([admin.email, other.email]));
  });

  it('never leaves a workspace without an admin: the last admin can be neither removed nor demoted', async () => {
    const workspace = await freshWorkspace(database);
    const admin = await signedIn([[workspace, 'admin']]);
    const members = (await asUser(admin.cookie, 'GET', `/workspaces/${workspace.name}/members`)).json() as { userId: string; email: string }[];
    const self = members.find((m) => m.email === admin.email)!;
    // freshWorkspace may have made the run's instance admins admins too: keep only ours.
    for (const m of members) if (m.userId !== self.userId) await asUser(admin.cookie, 'DELETE', `/workspaces/${workspace.name}/members/${m.userId}`);
    const demote = await asUser(admin.cookie, 'PATCH', `/workspaces/${workspace.name}/members/${self.userId}`, { role: 'marketing' });
    expect(demote.statusCode).toBe(409);
    expect(demote.json().message).toMatch(/last admin/);
    expect((await asUser(admin.cookie, 'DELETE', `/workspaces/${workspace.name}/members/${self.userId}`)).statusCode).toBe(409);
    const second = await asUser(admin.cookie, 'POST', `/workspaces/${workspace.name}/members`, { email: `${randomUUID()}@example.jp`, role: 'admin' });
    expect((await asUser(admin.cookie, 'DELETE', `/workspaces/${workspace.name}/members/${self.userId}`)).statusCode).toBe(204);
    expect((await asUser(admin.cookie, 'GET', `/workspaces/${workspace.name}`)).statusCode).toBe(404);
    expect(second.statusCode).toBe(201);
  });

  it('shows API keys without their secret and lets an admin revoke one', async () => {
    const admin = await signedIn([[brandA, 'admin']]);
    const created = await asUser(admin.cookie, 'POST', `/workspaces/${brandA.name}/api-keys`, { name: 'EC sync', role: 'marketing' });
    expect(created.statusCode).toBe(201);
    const { key, info } = created.json() as { key: string; info: { id: string; prefix: string } };
    const listed = (await asUser(admin.cookie, 'GET', `/workspaces/${brandA.name}/api-keys`)).body;
    expect(listed).toContain(info.prefix);
    expect(listed).not.toContain(key);
    expect((await asUser(admin.cookie, 'DELETE', `/workspaces/${brandA.name}/api-keys/${info.id}`)).statusCode).toBe(204);
    expect((await app.inject({ method: 'GET', url: '/api/v1/workspaces', headers: { authorization: `Bearer ${key}` } })).statusCode).toBe(401);
  });
});
