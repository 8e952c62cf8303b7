import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { connectTestDatabase, freshWorkspace } from '../../test/support/database.ts';
import type { KizunaError } from '../shared/errors.ts';
import { saveCharter } from './charters.ts';
import { fakeCheck } from './fake-checker.ts';
import { createTemplate, listTemplateOverrides, listTemplates, publishTemplate, readTemplate, updateTemplate } from './templates.ts';
import { TEST_CHARTER } from './test-charter.ts';

const database = connectTestDatabase();
afterAll(() => database.close());
const pool = database.pool;
const admin = { kind: 'system', label: 'admin' } as const;
let workspaceId: string;

beforeEach(async () => {
  workspaceId = (await freshWorkspace(database)).id;
  await saveCharter({ pool, workspaceId, input: TEST_CHARTER, actor: admin });
});

const deps = () => ({ pool, workspaceId, check: fakeCheck, actor: admin });
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error as KizunaError,
  );

describe('templates', () => {
  it('saving runs the checker and keeps its result, score and the charter version', async () => {
    const template = await createTemplate({
      ...deps(),
      input: { name: '発送のお知らせ', department: 'support', channel: 'email', subject: '発送しました', body: 'お客さまのご注文を発送しました。' },
    });
    expect(template).toMatchObject({ status: 'draft', score: 95, charterVersion: 1, format: 'text', subject: '発送しました', updatedBy: 'admin' });
    expect(template.check.findings.map((f) => [f.rule, f.text])).toEqual([['dictionary.variant', 'お客さま']]);

    const fixed = await updateTemplate({ ...deps(), templateId: template.id, changes: { body: 'お客様のご注文を発送しました。' } });
    expect(fixed).toMatchObject({ score: 100, subject: '発送しました', name: '発送のお知らせ' });
    expect((await listTemplates({ pool, workspaceId })).map((t) => [t.name, t.score, t.counts.warning, t.stale])).toEqual([['発送のお知らせ', 100, 0, false]]);

    // A new charter version: the stored check is of the old one until the template is checked again.
    await saveCharter({ pool, workspaceId, input: { ...TEST_CHARTER, greetings: [] }, actor: admin });
    expect((await readTemplate({ pool, workspaceId, templateId: template.id })).stale).toBe(true);
    expect(await updateTemplate({ ...deps(), templateId: template.id, changes: {} })).toMatchObject({ stale: false, charterVersion: 2 });
  });

  it('refuses a wrong field by name, a subject outside email, a taken name, and a workspace without a charter', async () => {
    const wrong = await failure(createTemplate({ ...deps(), input: { name: '', department: 'legal', channel: 'email', body: 'x' } }));
    expect(wrong?.code).toBe('validation_failed');
    expect((wrong!.details as { problems: { field: string }[] }).problems.map((p) => p.field)).toEqual(['name', 'department']);
    expect((await failure(createTemplate({ ...deps(), input: { name: 'a', department: 'support', channel: 'line', subject: '件名', body: 'x' } })))?.code).toBe(
      'validation_failed',
    );
    await createTemplate({ ...deps(), input: { name: 'a', department: 'support', channel: 'line', body: 'x' } });
    expect((await failure(createTemplate({ ...deps(), input: { name: 'a', department: 'sales', channel: 'sms', body: 'y' } })))?.code).toBe('conflict');

    const bare = (await freshWorkspace(database)).id;
    const noCharter = await failure(createTemplate({ ...deps(), workspaceId: bare, input: { name: 'a', department: 'support', channel: 'sms', body: 'x' } }));
    expect(noCharter?.code).toBe('conflict');
    expect(noCharter?.message).toContain('charter set');
  });

  it("lists by department in the charter's order, one department when asked", async () => {
    for (const [name, department] of [
      ['b', 'sales'],
      ['c', 'marketing'],
      ['a', 'support'],
    ] as const) {
      await createTemplate({ ...deps(), input: { name, department, channel: 'sms', body: '今だけの' } });
    }
    expect((await listTemplates({ pool, workspaceId })).map((t) => t.department)).toEqual(['marketing', 'support', 'sales']);
    expect((await listTemplates({ pool, workspaceId, department: 'sales' })).map((t) => [t.name, t.score])).toEqual([['b', 95]]);
  });
});

describe('the publish gate', () => {
  it('publishes a template without errors; editing its text makes it a draft again', async () => {
    const template = await createTemplate({ ...deps(), input: { name: 'お礼', department: 'marketing', channel: 'line', body: '今だけのご案内です。' } });
    const published = await publishTemplate({ ...deps(), templateId: template.id, actorIsAdmin: false });
    expect(published.outcome).toBe('published');
    expect(published.template.status).toBe('published');
    expect((await updateTemplate({ ...deps(), templateId: template.id, changes: { name: 'お礼2' } })).status).toBe('published');
    expect((await updateTemplate({ ...deps(), templateId: template.id, changes: { body: 'ご案内です。' } })).status).toBe('draft');
  });

  it('refuses a template with errors, listing them, and writes nothing', async () => {
    const template = await createTemplate({ ...deps(), input: { name: 'セール', department: 'marketing', channel: 'email', body: '急いでください。' } });
    const refused = await failure(publishTemplate({ ...deps(), templateId: template.id, actorIsAdmin: true }));
    expect(refused?.code).toBe('conflict');
    expect((refused!.details as { findings: { rule: string; text: string }[] }).findings.map((f) => f.text)).toEqual(['急いで']);
    expect((await readTemplate({ pool, workspaceId, templateId: template.id })).status).toBe('draft');
  });

  it('lets an admin publish over errors with a written reason, kept in the audit log; nobody else, and no empty reason', async () => {
    const template = await createTemplate({ ...deps(), input: { name: 'セール', department: 'marketing', channel: 'email', body: '急いでください。' } });
    expect((await failure(publishTemplate({ ...deps(), templateId: template.id, actorIsAdmin: false, override: { reason: '法務確認済み' } })))?.code).toBe(
      'forbidden',
    );
    expect((await failure(publishTemplate({ ...deps(), templateId: template.id, actorIsAdmin: true, override: { reason: '  ' } })))?.code).toBe(
      'validation_failed',
    );
    expect(await listTemplateOverrides({ pool, workspaceId, templateId: template.id })).toEqual([]);

    const outcome = await publishTemplate({ ...deps(), templateId: template.id, actorIsAdmin: true, override: { reason: '法務確認済み：年末の告知' } });
    expect(outcome.outcome).toBe('published_over_errors');
    if (outcome.outcome !== 'published_over_errors') return;
    expect(outcome.override).toMatchObject({ reason: '法務確認済み：年末の告知', overriddenBy: 'admin', charterVersion: 1, templateId: template.id });
    expect(outcome.override.findings.map((f) => f.text)).toEqual(['急いで']);
    expect(outcome.override.contentHash).toMatch(/^[0-9a-f]{64}$/);
    expect(await listTemplateOverrides({ pool, workspaceId, templateId: template.id })).toHaveLength(1);
  });
});
