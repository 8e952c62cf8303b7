import { afterAll, describe, expect, it } from 'vitest';
import { connectTestDatabase, freshWorkspace } from '../../test/support/database.ts';
import { saveCharter } from './charters.ts';
import { fakeCheck } from './fake-checker.ts';
import { excerpt, oneVoiceReport } from './one-voice.ts';
import { createTemplate } from './templates.ts';
import { TEST_CHARTER } from './test-charter.ts';

const database = connectTestDatabase();
afterAll(() => database.close());

describe('oneVoiceReport', () => {
  it("shows each department's templates, mean score, most common findings and how it addresses the customer", async () => {
    const { id: workspaceId } = await freshWorkspace(database);
    const pool = database.pool;
    const actor = { kind: 'system', label: 'test' } as const;
    await saveCharter({ pool, workspaceId, input: TEST_CHARTER, actor });
    const add = (name: string, department: 'marketing' | 'support', body: string) =>
      createTemplate({ pool, workspaceId, check: fakeCheck, actor, input: { name, department, channel: 'email', body } });
    await add('m1', 'marketing', '{{ customer.name }}様、今だけのご案内です。');
    await add('m2', 'marketing', '{{customer.name}}様へ。今だけ、今だけです。');
    await add('s1', 'support', 'お客さまのご注文について、お客さまにご連絡します。');

    const report = await oneVoiceReport({ pool, workspaceId });
    expect(report.charterVersion).toBe(1);
    const [marketing, support, siteOperations] = report.departments;
    expect(marketing).toMatchObject({ department: 'marketing', meanScore: 92.5 }); // 95 and 90
    expect(marketing!.topFindings).toEqual([{ rule: 'pressure.phrase', severity: 'warning', count: 3, example: '今だけ' }]);
    expect(marketing!.addressForms.map((f) => [f.form, f.standing, f.count])).toEqual([['{{ customer.name }}様', 'use', 2]]);
    expect(support!.addressForms.map((f) => [f.form, f.standing, f.count])).toEqual([['お客さま', 'avoid', 2]]);
    expect(support!.addressForms[0]!.example).toContain('お客さまのご注文');
    expect(siteOperations).toMatchObject({ templates: [], meanScore: null, topFindings: [], addressForms: [] });
    expect(report.splits).toEqual([{ form: 'お客さま', departments: ['support'] }]);
  });
});

describe('excerpt', () => {
  it('shows a few characters around the form, with … where the text goes on, and no markup', () => {
    const text = '<p>いつもありがとうございます。</p><p>お客さまのご注文を承りました。発送までしばらくお待ちください。</p>';
    const at = text.indexOf('お客さま');
    expect(excerpt(text, at, at + 4, 6)).toBe('…ございます。 お客さまのご注文を承…');
    expect(excerpt('お客さまへ', 0, 4)).toBe('お客さまへ');
  });
});
