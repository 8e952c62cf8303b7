import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshWorkspace, isolatedTestDatabase } from '../../test/support/database.ts';
import { AnalyticsEngine } from '../analytics/engine/analytics-engine.ts';
import { addMember } from '../auth/memberships.ts';
import { createUser } from '../auth/users.ts';
import { ingest } from '../journey-map/placement/test-map.ts';
import { unsubscribeToken } from '../messaging/unsubscribe-token.ts';
import { prepareScenarioWorkspace, stepUpExample } from '../scenarios/test-scenario.ts';
import { fixedClock } from '../shared/clock.ts';
import type { Workspace } from '../workspaces/workspaces.ts';
import { buildApp } from './app.ts';

/**
 * The scenario, task, email-settings, suppression and unsubscribe surfaces tried as an attacker
 * would: a member of one workspace reaching into another (by its name and by ids that exist
 * there), a foreign page riding a signed-in browser's cookie, ids of another workspace's rows,
 * forged and oversized unsubscribe tokens. Every attempt is refused with a 4xx and changes
 * nothing.
 */

// A database of its own: the sessions signed in here carry this file's clock, which another
// file's purge of expired sessions (with its own clock) would otherwise end.
const database = await isolatedTestDatabase();
const clock = fixedClock('2026-06-10T03:00:00Z');
const SECRET = 'attack-test-secret-0123456789abcdef';
const OWN = 'http://localhost:80';
const FOREIGN = 'https://evil.example';
let app: FastifyInstance;
let mine: Workspace;
let theirs: Workspace;
let cookie: string;
let theirTaskId: string;
let myTaskId: string;
let theirCustomerId: string;

async function signIn(workspace: Workspace, role: 'admin' | 'marketing'): Promise<string> {
  const email = `${randomUUID()}@example.jp`;
  await createUser(database.db, { email, displayName: 'Attacker', password: 'correct horse battery' });
  await addMember(database.db, { workspaceId: workspace.id, email, role });
  const login = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    headers: { origin: OWN },
    payload: { email, password: 'correct horse battery' },
  });
  expect(login.statusCode).toBe(200);
  return String(login.headers['set-cookie']).split(';')[0]!;
}

async function insertTask(workspace: Workspace, customerId: string): Promise<string> {
  const { rows } = await database.pool.query<{ id: string }>(
    `insert into tasks (workspace_id, department, title, customer_id, due_at, created_at)
     values ($1, 'support', 'お電話でフォロー', $2, $3, $3) returning id`,
    [workspace.id, customerId, clock.now()],
  );
  return rows[0]!.id;
}

async function customerId(workspace: Workspace, externalId: string): Promise<string> {
  const { rows } = await database.pool.query<{ id: string }>('select id from customers where workspace_id = $1 and external_id = $2', [
    workspace.id,
    externalId,
  ]);
  return rows[0]!.id;
}

/** What an attack could have changed: scenarios, tasks, consents, suppressions and settings of both workspaces. */
async function snapshot(): Promise<string> {
  const ids = [mine.id, theirs.id];
  const parts = await Promise.all([
    database.pool.query(
      `select s.key, s.status, s.draft::text, (select count(*) from scenario_versions v where v.scenario_id = s.id) as versions
         from scenarios s where s.workspace_id = any($1) order by s.id`,
      [ids],
    ),
    database.pool.query('select id, status, assignee_user_id, done_at from tasks where workspace_id = any($1) order by id', [ids]),
    database.pool.query('select workspace_id, address, reason from email_suppressions where workspace_id = any($1) order by 1, 2', [ids]),
    database.pool.query('select * from email_settings where workspace_id = any($1) order by workspace_id', [ids]),
    database.pool.query('select customer_id, channel, purpose, status from consents where workspace_id = any($1) order by 1, 2, 3', [ids]),
  ]);
  return JSON.stringify(parts.map((part) => part.rows));
}

beforeAll(async () => {
  app = await buildApp({ database, analytics: new AnalyticsEngine(database.pool), config: { secureCookies: false }, clock, secret: SECRET });
  mine = await freshWorkspace(database);
  theirs = await freshWorkspace(database);
  for (const workspace of [mine, theirs]) {
    const { templateIds } = await prepareScenarioWorkspace(database.pool, workspace, clock);
    await ingest(
      database.pool,
      workspace,
      'customers',
      [
        {
          customer_id: 'C-1',
          name: '佐藤 花子',
          email: `c1-${workspace.id}@example.jp`,
          consents: [{ channel: 'email', purpose: 'marketing', status: 'granted', at: '2026-06-01T00:00:00Z' }],
        },
      ],
      clock,
    );
    const key = await signIn(workspace, 'admin');
    const published = await app.inject({
      method: 'POST',
      url: `/api/v1/workspaces/${workspace.name}/scenarios/aojiru_step_up/publish`,
      headers: { cookie: key, origin: OWN },
      payload: { document: stepUpExample(templateIds) },
    });
    expect(published.statusCode, published.body).toBe(200);
  }
  theirCustomerId = await customerId(theirs, 'C-1');
  theirTaskId = await insertTask(theirs, theirCustomerId);
  myTaskId = await insertTask(mine, await customerId(mine, 'C-1'));
  cookie = await signIn(mine, 'admin');
});
afterAll(async () => {
  await app.close();
  await database.close();
});

function request(method: 'GET' | 'POST' | 'PUT', url: string, options: { origin?: string; payload?: unknown; cookie?: string } = {}) {
  return app.inject({
    method,
    url,
    headers: { cookie: options.cookie ?? cookie, ...(options.origin === undefined ? {} : { origin: options.origin }) },
    ...(options.payload === undefined ? {} : { payload: options.payload as object }),
  });
}

describe('a member of one workspace reaching into another', () => {
  it('gets 404 for every scenario, task and email route of the other workspace, and changes nothing', async () => {
    const before = await snapshot();
    const base = `/api/v1/workspaces/${theirs.name}`;
    const attempts: Array<[method: 'GET' | 'POST' | 'PUT', path: string, payload?: unknown]> = [
      ['GET', 'scenarios'],
      ['GET', 'scenarios/aojiru_step_up'],
      ['GET', 'scenarios/aojiru_step_up/versions'],
      ['GET', 'scenarios/aojiru_step_up/dry-run?customer=C-1'],
      ['PUT', 'scenarios/aojiru_step_up/draft', { key: 'aojiru_step_up' }],
      ['POST', 'scenarios/aojiru_step_up/publish', {}],
      ['POST', 'scenarios/aojiru_step_up/pause', {}],
      ['GET', 'tasks'],
      ['POST', `tasks/${theirTaskId}/assign`, {}],
      ['POST', `tasks/${theirTaskId}/done`, {}],
      ['GET', 'settings/email'],
      ['PUT', 'settings/email', { senderName: 'Mallory' }],
      ['GET', 'email/suppressions'],
      ['POST', 'email/suppressions', { reports: [{ address: 'c1@example.jp', reason: 'complaint' }] }],
    ];
    for (const [method, path, payload] of attempts) {
      const response = await request(method, `${base}/${path}`, { origin: OWN, payload });
      expect(response.statusCode, `${method} ${path}`).toBe(404);
    }
    expect(await snapshot()).toBe(before);
  });

  it("cannot act on the other workspace's task, or dry-run its customer, through its own workspace", async () => {
    const before = await snapshot();
    const base = `/api/v1/workspaces/${mine.name}`;
    for (const action of ['assign', 'done']) {
      const response = await request('POST', `${base}/tasks/${theirTaskId}/${action}`, { origin: OWN, payload: {} });
      expect(response.statusCode, action).toBe(404);
    }
    const dryRun = await request('GET', `${base}/scenarios/aojiru_step_up/dry-run?customer=${encodeURIComponent(theirCustomerId)}`);
    expect(dryRun.statusCode).toBe(404);
    const listed = await request('GET', `${base}/tasks?status=open`);
    expect(listed.statusCode).toBe(200);
    expect(listed.json().tasks.map((task: { id: string }) => task.id)).toEqual([myTaskId]);
    expect(await snapshot()).toBe(before);
  });
});

describe('a foreign page riding the signed-in browser', () => {
  it('is refused on every state-changing route of the own workspace (403), and nothing changes', async () => {
    const before = await snapshot();
    const base = `/api/v1/workspaces/${mine.name}`;
    const attempts: Array<[method: 'POST' | 'PUT', path: string, payload: unknown]> = [
      ['PUT', 'scenarios/aojiru_step_up/draft', { key: 'aojiru_step_up' }],
      ['POST', 'scenarios/aojiru_step_up/publish', {}],
      ['POST', 'scenarios/aojiru_step_up/pause', {}],
      ['POST', `tasks/${myTaskId}/assign`, {}],
      ['POST', `tasks/${myTaskId}/done`, {}],
      ['PUT', 'settings/email', { senderName: 'Mallory' }],
      ['POST', 'email/suppressions', { reports: [{ address: 'c1@example.jp', reason: 'complaint' }] }],
    ];
    for (const [method, path, payload] of attempts) {
      const response = await request(method, `${base}/${path}`, { origin: FOREIGN, payload });
      expect(response.statusCode, `${method} ${path}`).toBe(403);
    }
    expect(await snapshot()).toBe(before);
  });
});

describe('the public unsubscribe link', () => {
  it('refuses forged, altered, oversized and malformed tokens with a 4xx, never a 500, and withdraws nothing', async () => {
    const before = await snapshot();
    const genuine = unsubscribeToken(SECRET, { workspaceId: theirs.id, customerId: theirCustomerId, issuedAt: clock.now() });
    const [workspace, customer, issued, mac] = genuine.split('.') as [string, string, string, string];
    const forged = [
      unsubscribeToken('another-secret-000000000000000000', { workspaceId: theirs.id, customerId: theirCustomerId, issuedAt: clock.now() }),
      `${workspace}.${BigInt(customer) + 1n}.${issued}.${mac}`,
      `${mine.id}.${customer}.${issued}.${mac}`,
      `${workspace}.${customer}.${Number(issued) + 1}.${mac}`,
      `${workspace}.${customer}.${issued}.${mac.slice(0, -1)}${mac.endsWith('A') ? 'B' : 'A'}`,
      'x'.repeat(5000),
      '1.2.3',
      '%00',
      `${'9'.repeat(19)}.${customer}.${issued}.${mac}`,
    ];
    for (const token of forged) {
      for (const method of ['GET', 'POST'] as const) {
        const response = await app.inject({
          method,
          url: `/u/${encodeURIComponent(token)}`,
          headers: { 'content-type': 'application/x-www-form-urlencoded', origin: FOREIGN },
          ...(method === 'POST' ? { payload: 'List-Unsubscribe=One-Click' } : {}),
        });
        expect(response.statusCode, `${method} ${token.slice(0, 40)}`).toBeGreaterThanOrEqual(400);
        expect(response.statusCode, `${method} ${token.slice(0, 40)}`).toBeLessThan(500);
      }
    }
    expect(await snapshot()).toBe(before);

    // The genuine token works from anywhere (a mail client's POST carries no cookie and no own Origin).
    const genuineResponse = await app.inject({
      method: 'POST',
      url: `/u/${genuine}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: FOREIGN },
      payload: 'List-Unsubscribe=One-Click',
    });
    expect(genuineResponse.statusCode).toBe(200);
    expect(await snapshot()).not.toBe(before);
  });
});
