import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestDatabase, freshWorkspace } from '../../test/support/database.ts';
import { createApiKey } from '../auth/api-keys.ts';
import { fakeCheck } from '../charter/fake-checker.ts';
import { TEST_CHARTER } from '../charter/test-charter.ts';
import type { Workspace } from '../workspaces/workspaces.ts';
import { buildApp } from './app.ts';
import { AnalyticsEngine } from '../analytics/engine/analytics-engine.ts';

// The checker is the fake of fake-checker.ts (pressure phrases and dictionary variants), so
// these tests guard the routes, permissions and the publish gate, not the rules.
const database = connectTestDatabase();
let app: FastifyInstance;

beforeAll(async () => {
  app = await buildApp({ database, analytics: new AnalyticsEngine(database.pool), config: { secureCookies: false }, checkMessage: fakeCheck });
});
afterAll(async () => {
  await app.close();
  await database.close();
});

interface Brand {
  workspace: Workspace;
  keys: { admin: string; write: string; read: string };
}

async function brand(): Promise<Brand> {
  const workspace = await freshWorkspace(database);
  const key = async (name: string, role: 'admin' | 'marketing' | 'read_only') =>
    (await createApiKey(database.db, { workspaceId: workspace.id, name, role })).key;
  return { workspace, keys: { admin: await key('owner', 'admin'), write: await key('crm', 'marketing'), read: await key('bi', 'read_only') } };
}

function call(b: Brand, method: 'GET' | 'PUT' | 'POST' | 'DELETE', path: string, key: string, payload?: object) {
  return app.inject({
    method,
    url: `/api/v1/workspaces/${b.workspace.name}${path}`,
    ...(payload ? { payload } : {}),
    headers: { authorization: `Bearer ${key}` },
  });
}

describe('charter API', () => {
  it('sets the charter as versions with who changed what; reading needs read, setting write', async () => {
    const b = await brand();
    expect((await call(b, 'GET', '/charter', b.keys.read)).statusCode).toBe(404);
    expect((await call(b, 'PUT', '/charter', b.keys.read, TEST_CHARTER)).statusCode).toBe(403);

    const first = await call(b, 'PUT', '/charter', b.keys.write, TEST_CHARTER);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ outcome: 'saved', version: { version: 1, changedBy: 'API key "crm"', changedFields: ['charter'] } });
    const second = await call(b, 'PUT', '/charter', b.keys.admin, { ...TEST_CHARTER, limits: { ...TEST_CHARTER.limits, emoji: 'none' } });
    expect(second.json()).toMatchObject({ outcome: 'saved', version: { version: 2, changedBy: 'API key "owner"', summary: 'limits.emoji: few → none' } });

    const current = await call(b, 'GET', '/charter', b.keys.read);
    expect(current.json()).toMatchObject({ version: 2, charter: { relationship: 'かかりつけ', limits: { emoji: 'none' } } });
    const versions = await call(b, 'GET', '/charter/versions', b.keys.read);
    expect(versions.json().items.map((v: { version: number }) => v.version)).toEqual([2, 1]);
  });

  it('refuses an invalid charter with each field and why, writing nothing', async () => {
    const b = await brand();
    const response = await call(b, 'PUT', '/charter', b.keys.write, { ...TEST_CHARTER, register: 'keigo', limits: { ...TEST_CHARTER.limits, emoji: 'lots' } });
    expect(response.statusCode).toBe(400);
    const fields = response.json().details.issues.map((issue: { field: string }) => issue.field);
    expect(fields).toEqual(expect.arrayContaining(['body.register', 'body.limits.emoji']));
    expect((await call(b, 'GET', '/charter', b.keys.read)).statusCode).toBe(404);
  });

  it('checks a message with the read permission; 409 without a charter', async () => {
    const b = await brand();
    const message = { body: 'お客さま、今だけです。', channel: 'line', department: 'marketing' };
    expect((await call(b, 'POST', '/charter/check', b.keys.read, message)).statusCode).toBe(409);
    await call(b, 'PUT', '/charter', b.keys.write, TEST_CHARTER);
    const response = await call(b, 'POST', '/charter/check', b.keys.read, message);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ counts: { error: 0, warning: 2, info: 0 }, score: 90, publishable: true });
    expect(response.json().findings.map((f: { text: string; range: object }) => [f.text, f.range])).toEqual([
      ['今だけ', { part: 'body', start: 5, end: 8 }],
      ['お客さま', { part: 'body', start: 0, end: 4 }],
    ]);
  });
});

describe("a charter's effect on the templates", () => {
  it("previews a draft's impact without writing it, and checks every template again when a new version is saved", async () => {
    const b = await brand();
    await call(b, 'PUT', '/charter', b.keys.write, TEST_CHARTER);
    await call(b, 'POST', '/templates', b.keys.write, { name: '週末セール', department: 'marketing', channel: 'line', body: '今だけのご案内です。' });
    await call(b, 'POST', '/templates', b.keys.write, { name: '発送', department: 'support', channel: 'sms', body: 'お客様、発送しました。' });
    const stricter = { ...TEST_CHARTER, pressure: [{ phrase: '今だけ', severity: 'error' }] };

    const impact = await call(b, 'POST', '/charter/impact', b.keys.read, stricter);
    expect(impact.statusCode).toBe(200);
    expect(impact.json()).toMatchObject({
      newlyBlocked: 1,
      newlyPublishable: 0,
      templates: [{ name: '週末セール', before: { score: 95 }, after: { counts: { error: 1 } } }, { name: '発送' }],
    });
    expect((await call(b, 'GET', '/charter', b.keys.read)).json().version).toBe(1);
    expect((await call(b, 'POST', '/charter/impact', b.keys.read, { ...stricter, register: 'keigo' })).statusCode).toBe(400);

    const saved = await call(b, 'PUT', '/charter', b.keys.write, stricter);
    expect(saved.json()).toMatchObject({ outcome: 'saved', version: { version: 2 }, templatesRechecked: 2 });
    const list = (await call(b, 'GET', '/templates', b.keys.read)).json().items;
    expect(
      list.map((t: { name: string; stale: boolean; charterVersion: number; counts: { error: number } }) => [t.name, t.stale, t.charterVersion, t.counts.error]),
    ).toEqual([
      ['週末セール', false, 2, 1],
      ['発送', false, 2, 0],
    ]);
    expect((await call(b, 'PUT', '/charter', b.keys.write, stricter)).json()).toMatchObject({ outcome: 'unchanged', templatesRechecked: 0 });
  });
});

describe('templates API', () => {
  it('creates, lists by department, changes, and gates publication; an admin overrides with a reason kept in the audit log', async () => {
    const b = await brand();
    await call(b, 'PUT', '/charter', b.keys.write, TEST_CHARTER);
    const created = await call(b, 'POST', '/templates', b.keys.write, {
      name: '年末セール',
      department: 'marketing',
      channel: 'email',
      subject: '年末セール',
      body: '急いでください！',
    });
    expect(created.statusCode).toBe(201);
    const template = created.json();
    expect(template).toMatchObject({ status: 'draft', score: 80, charterVersion: 1, updatedBy: 'API key "crm"', check: { counts: { error: 1 } } });
    expect((await call(b, 'POST', '/templates', b.keys.read, { name: 'x', department: 'support', channel: 'sms', body: 'x' })).statusCode).toBe(403);
    await call(b, 'POST', '/templates', b.keys.write, { name: '発送', department: 'support', channel: 'sms', body: 'お客様、発送しました。' });

    const list = await call(b, 'GET', '/templates?department=marketing', b.keys.read);
    expect(list.json().items.map((t: { name: string; score: number }) => [t.name, t.score])).toEqual([['年末セール', 80]]);

    const refused = await call(b, 'POST', `/templates/${template.id}/publish`, b.keys.admin, {});
    expect(refused.statusCode).toBe(409);
    expect(refused.json().details.findings.map((f: { text: string }) => f.text)).toEqual(['急いで']);
    expect((await call(b, 'POST', `/templates/${template.id}/publish`, b.keys.write, { override: { reason: '確認済み' } })).statusCode).toBe(403);
    expect((await call(b, 'POST', `/templates/${template.id}/publish`, b.keys.admin, { override: { reason: ' ' } })).statusCode).toBe(400);

    const overridden = await call(b, 'POST', `/templates/${template.id}/publish`, b.keys.admin, { override: { reason: '法務確認済み' } });
    expect(overridden.statusCode).toBe(200);
    expect(overridden.json()).toMatchObject({
      outcome: 'published_over_errors',
      template: { status: 'published' },
      override: { reason: '法務確認済み', overriddenBy: 'API key "owner"' },
    });
    const read = await call(b, 'GET', `/templates/${template.id}`, b.keys.read);
    expect(read.json()).toMatchObject({ status: 'published', overrides: [{ reason: '法務確認済み', findings: [{ text: '急いで' }] }] });

    const changed = await call(b, 'PUT', `/templates/${template.id}`, b.keys.write, { body: 'ご案内です。' });
    expect(changed.json()).toMatchObject({ status: 'draft', score: 100, subject: '年末セール' });
    const published = await call(b, 'POST', `/templates/${template.id}/publish`, b.keys.write);
    expect(published.json()).toMatchObject({ outcome: 'published', template: { status: 'published' } });
    expect((await call(b, 'GET', '/templates/999999999', b.keys.read)).statusCode).toBe(404);
  });

  it('deletes a template; its overrides stay in the workspace audit log under its name', async () => {
    const b = await brand();
    await call(b, 'PUT', '/charter', b.keys.write, TEST_CHARTER);
    const template = (
      await call(b, 'POST', '/templates', b.keys.write, { name: '駆け込みセール', department: 'marketing', channel: 'sms', body: '急いでください！' })
    ).json();
    await call(b, 'POST', `/templates/${template.id}/publish`, b.keys.admin, { override: { reason: '期間限定の告知として承認' } });
    const kept = await call(b, 'POST', '/templates', b.keys.write, { name: '発送', department: 'support', channel: 'sms', body: 'お客様、発送しました。' });

    expect((await call(b, 'DELETE', `/templates/${template.id}`, b.keys.read)).statusCode).toBe(403);
    const deleted = await call(b, 'DELETE', `/templates/${template.id}`, b.keys.write);
    expect(deleted.statusCode).toBe(200);
    expect(deleted.json()).toEqual({ id: template.id, name: '駆け込みセール' });
    expect((await call(b, 'GET', `/templates/${template.id}`, b.keys.read)).statusCode).toBe(404);
    expect((await call(b, 'DELETE', `/templates/${template.id}`, b.keys.write)).statusCode).toBe(404);
    expect((await call(b, 'GET', '/templates', b.keys.read)).json().items.map((t: { id: string }) => t.id)).toEqual([kept.json().id]);

    const log = await call(b, 'GET', '/templates/overrides', b.keys.read);
    expect(log.statusCode).toBe(200);
    expect(log.json().items).toMatchObject([
      { templateId: null, templateName: '駆け込みセール', reason: '期間限定の告知として承認', findings: [{ text: '急いで' }] },
    ]);
  });

  it("reports the one voice: each department's scores and address forms", async () => {
    const b = await brand();
    await call(b, 'PUT', '/charter', b.keys.write, TEST_CHARTER);
    await call(b, 'POST', '/templates', b.keys.write, { name: 's', department: 'support', channel: 'email', body: 'お客さまへ' });
    const report = await call(b, 'GET', '/charter/one-voice', b.keys.read);
    expect(report.statusCode).toBe(200);
    expect(report.json().departments[1]).toMatchObject({ department: 'support', meanScore: 95, addressForms: [{ form: 'お客さま', standing: 'avoid' }] });
    expect(report.json().splits).toEqual([{ form: 'お客さま', departments: ['support'] }]);
  });

  it('is documented in the OpenAPI document', async () => {
    const paths = Object.keys((await app.inject({ url: '/api/v1/openapi.json' })).json().paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/api/v1/workspaces/{workspace}/charter',
        '/api/v1/workspaces/{workspace}/charter/versions',
        '/api/v1/workspaces/{workspace}/charter/check',
        '/api/v1/workspaces/{workspace}/charter/one-voice',
        '/api/v1/workspaces/{workspace}/templates',
        '/api/v1/workspaces/{workspace}/templates/{id}',
        '/api/v1/workspaces/{workspace}/templates/{id}/publish',
      ]),
    );
  });
});

describe('the check endpoint with the real checker', () => {
  it('finds a 薬機法 claim in an HTML body and locates it in the source', async () => {
    const realApp = await buildApp({ database, analytics: new AnalyticsEngine(database.pool), config: { secureCookies: false } });
    try {
      const b = await brand();
      await call(b, 'PUT', '/charter', b.keys.write, TEST_CHARTER);
      const body = '<p>いつもありがとうございます。</p><p>これで痩せる。</p>';
      const response = await realApp.inject({
        method: 'POST',
        url: `/api/v1/workspaces/${b.workspace.name}/charter/check`,
        headers: { authorization: `Bearer ${b.keys.read}` },
        payload: { body, format: 'html', channel: 'email', department: 'marketing' },
      });
      expect(response.statusCode).toBe(200);
      const claim = response.json().findings.find((f: { rule: string }) => f.rule.startsWith('claims.yakkiho'));
      expect(claim).toMatchObject({ severity: 'error', text: '痩せる' });
      expect(body.slice(claim.range.start, claim.range.end)).toBe('痩せる');
      expect(response.json().publishable).toBe(false);
    } finally {
      await realApp.close();
    }
  });
});
