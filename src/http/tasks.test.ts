import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestDatabase, freshWorkspace } from '../../test/support/database.ts';
import { createApiKey } from '../auth/api-keys.ts';
import { addMember } from '../auth/memberships.ts';
import { createSession } from '../auth/sessions.ts';
import { createUser } from '../auth/users.ts';
import { manualClock } from '../shared/clock.ts';
import { createScenarioTasks, publishTaskScenario } from '../tasks/test-tasks.ts';
import type { Workspace } from '../workspaces/workspaces.ts';
import { buildApp } from './app.ts';

/**
 * The task list the console shows (GET …/tasks): the reason in words and the scenario step of
 * each task, "mine" (assignee=me) for a signed-in user, done tasks the latest first.
 */
const database = connectTestDatabase();
const clock = manualClock('2026-06-01T01:00:00.000Z');
let app: FastifyInstance;
let workspace: Workspace;
let customers: Record<string, string>;

beforeAll(async () => {
  workspace = await freshWorkspace(database);
  const version = await publishTaskScenario(database.pool, workspace, clock);
  customers = await createScenarioTasks({
    pool: database.pool,
    workspace,
    clock,
    version,
    customers: [
      { externalId: 'T-1', name: '山田 花子' },
      { externalId: 'T-2', name: '佐藤 美咲' },
    ],
  });
  app = await buildApp({ database, config: { secureCookies: false }, clock });
});
afterAll(async () => {
  await app.close();
  await database.close();
});

async function signedIn(role: 'support' | 'sales'): Promise<{ cookie: string; userId: string }> {
  const user = await createUser(database.db, { email: `${role}-${workspace.id}@example.jp`, displayName: `${role} 担当`, password: 'correct horse battery' });
  await addMember(database.db, { workspaceId: workspace.id, email: user.email, role });
  const session = await createSession(database.db, clock, user.id);
  return { cookie: `kizuna_session=${session.token}`, userId: user.id };
}

describe('GET /workspaces/{workspace}/tasks', () => {
  it('gives each task its scenario step and the reason in words', async () => {
    const response = await app.inject({ url: `/api/v1/workspaces/${workspace.name}/tasks?department=support`, headers: await readKey() });
    expect(response.statusCode).toBe(200);
    const { tasks } = response.json() as { tasks: Array<Record<string, unknown>> };
    expect(tasks).toHaveLength(2);
    expect(tasks[0]).toMatchObject({
      department: 'support',
      title: 'お電話でご様子を伺う',
      customerId: customers['T-1'],
      customerName: '山田 花子',
      dueAt: '2026-06-06T01:00:00.000Z',
      scenario: { key: 'trial_care', name: 'お試し後のフォロー', version: 1, stepId: 'call' },
      whyText: { ja: expect.stringContaining('みのり青汁'), en: expect.stringContaining('since you ordered') },
    });
    expect((tasks[0]!.whyText as { ja: string }).ja).toMatch(/ご注文いただいてから2日後の方$/);
  });

  it('lists the tasks the signed-in user took (assignee=me), and refuses "me" for an API key', async () => {
    const support = await signedIn('support');
    const headers = { cookie: support.cookie };
    const open = (await app.inject({ url: `/api/v1/workspaces/${workspace.name}/tasks?department=support&status=open`, headers })).json() as {
      tasks: Array<{ id: string; customerId: string }>;
    };
    const taken = open.tasks.find((task) => task.customerId === customers['T-2'])!;
    const assign = await app.inject({
      method: 'POST',
      url: `/api/v1/workspaces/${workspace.name}/tasks/${taken.id}/assign`,
      headers: { ...headers, origin: 'http://localhost:80' },
    });
    expect(assign.statusCode).toBe(200);
    const mine = (await app.inject({ url: `/api/v1/workspaces/${workspace.name}/tasks?status=open&assignee=me`, headers })).json() as {
      tasks: Array<{ id: string; assigneeUserId: string; assigneeName: string }>;
    };
    expect(mine.tasks.map((task) => task.id)).toEqual([taken.id]);
    expect(mine.tasks[0]).toMatchObject({ assigneeUserId: support.userId, assigneeName: 'support 担当' });

    const byKey = await app.inject({ url: `/api/v1/workspaces/${workspace.name}/tasks?assignee=me`, headers: await readKey() });
    expect(byKey.statusCode).toBe(400);
    expect(byKey.json()).toMatchObject({ code: 'bad_request', details: { issues: [{ field: 'querystring.assignee' }] } });
    expect((await app.inject({ url: `/api/v1/workspaces/${workspace.name}/tasks?assignee=someone`, headers })).statusCode).toBe(400);
  });

  it('lists done tasks the latest done first', async () => {
    const sales = await signedIn('sales');
    const headers = { cookie: sales.cookie, origin: 'http://localhost:80' };
    const open = (await app.inject({ url: `/api/v1/workspaces/${workspace.name}/tasks?department=sales&status=open`, headers })).json() as {
      tasks: Array<{ id: string }>;
    };
    expect(open.tasks).toHaveLength(2);
    const [first, second] = open.tasks;
    for (const task of [first!, second!]) {
      clock.set(new Date(clock.now().getTime() + 60_000));
      const done = await app.inject({ method: 'POST', url: `/api/v1/workspaces/${workspace.name}/tasks/${task.id}/done`, headers });
      expect(done.statusCode).toBe(200);
    }
    const done = (await app.inject({ url: `/api/v1/workspaces/${workspace.name}/tasks?department=sales&status=done`, headers })).json() as {
      tasks: Array<{ id: string; doneBy: string }>;
    };
    expect(done.tasks.map((task) => task.id)).toEqual([second!.id, first!.id]);
    expect(done.tasks[0]!.doneBy).toBe(sales.userId);
  });
});

async function readKey(): Promise<{ authorization: string }> {
  const { key } = await createApiKey(database.db, { workspaceId: workspace.id, name: `read-${Math.random()}`, role: 'read_only' });
  return { authorization: `Bearer ${key}` };
}
