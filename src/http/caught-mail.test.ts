import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isolatedTestDatabase } from '../../test/support/database.ts';
import { type SmtpSink, startSmtpSink } from '../../test/support/smtp-sink.ts';
import { createApiKey } from '../auth/api-keys.ts';
import { fakeCheck } from '../charter/fake-checker.ts';
import { createTemplate, publishTemplate } from '../charter/templates.ts';
import { readConfig } from '../config.ts';
import type { Database } from '../db/connect.ts';
import { ingest } from '../journey-map/placement/test-map.ts';
import { publishScenario } from '../scenarios/scenarios.ts';
import { prepareScenarioWorkspace } from '../scenarios/test-scenario.ts';
import { type RunningServer, startServer } from '../server.ts';
import { systemClock } from '../shared/clock.ts';
import { createWorkspace, type Workspace } from '../workspaces/workspaces.ts';

/**
 * The demo's mail catcher as `kizuna serve` runs it: without KIZUNA_SMTP_URL the server starts
 * an SMTP server on loopback, and a scenario's mail — sent by the job queue's worker over SMTP —
 * lands there and is listed under GET …/caught-mail of its workspace only. With KIZUNA_SMTP_URL,
 * nothing of it runs: the mail goes to that server and the routes do not exist.
 *
 * A database of its own: the server's worker takes any workspace's effects jobs, which must not
 * be another test file's.
 */
let database: Database;
let dataDir: string;
let workspace: Workspace;
let other: Workspace;
let sink: SmtpSink;

function config(smtpUrl?: string) {
  return readConfig({
    DATABASE_URL: database.url,
    PORT: '0',
    KIZUNA_DATA_DIR: dataDir,
    KIZUNA_DEMO_CUSTOMERS: '0',
    KIZUNA_SECRET: 's'.repeat(40),
    KIZUNA_ADMIN_PASSWORD: 'correct horse battery',
    KIZUNA_PUBLIC_URL: 'https://crm.example.jp',
    ...(smtpUrl ? { KIZUNA_SMTP_URL: smtpUrl } : {}),
  });
}

async function readKey(of: Workspace): Promise<{ authorization: string }> {
  const { key } = await createApiKey(database.db, { workspaceId: of.id, name: `read-${Math.random()}`, role: 'read_only' });
  return { authorization: `Bearer ${key}` };
}

/** A customer with marketing email consent views the course page: the scenario sends at once. */
async function customerViewsCourse(externalId: string, email: string): Promise<void> {
  const { pool } = database;
  await ingest(
    pool,
    workspace,
    'customers',
    [
      {
        customer_id: externalId,
        name: '山田 花子',
        email,
        consents: [{ channel: 'email', purpose: 'marketing', status: 'granted', at: '2026-05-01T10:00:00+09:00', source: 'signup form' }],
      },
    ],
    systemClock,
  );
  await ingest(
    pool,
    workspace,
    'events',
    [
      {
        idempotency_key: `view-${externalId}`,
        customer_id: externalId,
        type: 'page_view',
        occurred_at: new Date().toISOString(),
        properties: { page: 'course' },
      },
    ],
    systemClock,
  );
}

/** Until `check` holds (the worker sends in the background), at most 30 s. */
async function until(check: () => Promise<boolean>): Promise<void> {
  for (let attempt = 0; attempt < 600; attempt++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('timed out');
}

beforeAll(async () => {
  database = await isolatedTestDatabase();
  dataDir = mkdtempSync(path.join(tmpdir(), 'kizuna-catcher-'));
  sink = await startSmtpSink();
  workspace = await createWorkspace(database.db, { name: 'catcher-brand' });
  other = await createWorkspace(database.db, { name: 'catcher-other' });
  await prepareScenarioWorkspace(database.pool, workspace, systemClock);
  // An HTML template: the caught message has both parts.
  const deps = { pool: database.pool, workspaceId: workspace.id, check: fakeCheck };
  const template = await createTemplate({
    ...deps,
    input: {
      name: 'コースのご案内',
      department: 'marketing',
      channel: 'email',
      format: 'html',
      subject: 'コースのご案内',
      body: '<p>{{ customer.name }}様、<strong>コース</strong>のご案内です。</p>',
    },
    actor: { kind: 'system', label: 'test' },
  });
  await publishTemplate({ ...deps, templateId: template.id, actor: { kind: 'system', label: 'test' }, actorIsAdmin: true });
  await publishScenario({
    pool: database.pool,
    workspaceId: workspace.id,
    input: {
      key: 'course_thanks',
      name: 'コースページご覧のお礼',
      purpose: 'marketing',
      department: 'marketing',
      priority: 50,
      channels: ['email'],
      trigger: { kind: 'event', type: 'page_view', where: [{ property: 'page', op: '=', value: 'course' }] },
      reentry: { kind: 'once' },
      exitRules: [],
      start: 'thanks',
      steps: [{ kind: 'send', id: 'thanks', channel: 'email', templateId: template.id, next: null }],
    },
    actor: { kind: 'system', label: 'test' },
    clock: systemClock,
  });
});
afterAll(async () => {
  await sink?.close();
  await database?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('kizuna serve without KIZUNA_SMTP_URL', () => {
  let server: RunningServer;
  const lines: string[] = [];
  beforeAll(async () => {
    server = await startServer(config(), { log: (line) => lines.push(line) });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('catches the mail the worker sends and lists it for its workspace, with why and the unsubscribe headers', async () => {
    expect(lines).toContainEqual(
      expect.stringMatching(/^Email: KIZUNA_SMTP_URL is not set: mail is caught by a loopback SMTP server \(smtp:\/\/127\.0\.0\.1:\d+\), not delivered/),
    );
    await customerViewsCourse('C-1', 'hanako@example.jp');
    const headers = await readKey(workspace);
    const list = async () => {
      const response = await server.app.inject({ url: `/api/v1/workspaces/${workspace.name}/caught-mail`, headers });
      expect(response.statusCode).toBe(200);
      return response.json() as { messages: Array<Record<string, unknown> & { id: string }>; nextOffset: number | null; capacity: number };
    };
    await until(async () => (await list()).messages.length > 0);
    const page = await list();
    expect(page).toMatchObject({ nextOffset: null, capacity: 1000 });
    expect(page.messages).toHaveLength(1);
    const { rows } = await database.pool.query<{ id: string }>('select id::text from customers where workspace_id = $1 and external_id = $2', [
      workspace.id,
      'C-1',
    ]);
    const summary = page.messages[0]!;
    expect(summary).toMatchObject({
      to: ['hanako@example.jp'],
      customer: { id: rows[0]!.id, name: '山田 花子' },
      scenario: { key: 'course_thanks', version: 1, stepId: 'thanks' },
      whyText: {
        ja: expect.stringContaining('サイトのページをご覧になった方にお送りしています'),
        en: 'We are sending you this because you viewed a page of our site. It is part of "コースページご覧のお礼".',
      },
      listUnsubscribe: expect.stringMatching(/^<https:\/\/crm\.example\.jp\/u\/[^>]+>$/),
      listUnsubscribePost: 'List-Unsubscribe=One-Click',
    });
    expect(summary.messageId).toMatch(/^<send-send=3A\d+=3Athanks=3A\d+@/);
    expect(sink.received).toHaveLength(0);

    const full = await server.app.inject({ url: `/api/v1/workspaces/${workspace.name}/caught-mail/${summary.id}`, headers });
    expect(full.statusCode).toBe(200);
    const message = full.json() as { html: string; text: string; headers: Array<{ name: string; value: string }>; subject: string };
    expect(message.subject).toBe('コースのご案内');
    expect(summary.subject).toBe('コースのご案内');
    expect(message.html).toContain('<strong>コース</strong>のご案内です。');
    expect(message.html).toContain('このメールをお送りした理由');
    expect(message.text).toContain('このメールをお送りした理由');
    expect(message.text).toContain((summary.whyText as { ja: string }).ja);
    expect(message.headers).toContainEqual({ name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' });
    expect(message.headers).toContainEqual({ name: 'Message-ID', value: summary.messageId });

    // Another workspace sees none of it; a malformed id is a 400, an unknown one a 404.
    const others = await readKey(other);
    const theirs = await server.app.inject({ url: `/api/v1/workspaces/${other.name}/caught-mail`, headers: others });
    expect(theirs.json()).toMatchObject({ messages: [], nextOffset: null });
    expect((await server.app.inject({ url: `/api/v1/workspaces/${other.name}/caught-mail/${summary.id}`, headers: others })).statusCode).toBe(404);
    expect((await server.app.inject({ url: `/api/v1/workspaces/${workspace.name}/caught-mail/x1`, headers })).statusCode).toBe(400);
    expect((await server.app.inject({ url: `/api/v1/workspaces/${workspace.name}/caught-mail/99999`, headers })).statusCode).toBe(404);
    expect((await server.app.inject({ url: `/api/v1/workspaces/${workspace.name}/caught-mail` })).statusCode).toBe(401);
  });
});

describe('kizuna serve with KIZUNA_SMTP_URL', () => {
  let server: RunningServer;
  const lines: string[] = [];
  beforeAll(async () => {
    server = await startServer(config(sink.url), { log: (line) => lines.push(line) });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('sends to that server, runs no catcher, and has no caught-mail routes', async () => {
    expect(lines.filter((line) => line.includes('caught'))).toEqual([]);
    await customerViewsCourse('C-2', 'misaki@example.jp');
    await until(async () => sink.received.length > 0);
    expect(sink.received.map((mail) => mail.to)).toEqual([['misaki@example.jp']]);
    const response = await server.app.inject({ url: `/api/v1/workspaces/${workspace.name}/caught-mail`, headers: await readKey(workspace) });
    expect(response.statusCode).toBe(404);
  });
});
