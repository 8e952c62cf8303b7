import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { connectTestDatabase } from '../../test/support/database.ts';
import { listCharterVersions, readCharter } from '../charter/charters.ts';
import { checkMessage } from '../charter/check-message.ts';
import { oneVoiceReport } from '../charter/one-voice.ts';
import { listTemplates } from '../charter/templates.ts';
import { DEMO_CHARTER } from './demo-charter.ts';
import { seedDemoCharter } from './demo-templates.ts';
import { loadDemoBrand } from './load-demo-brand.ts';

const database = connectTestDatabase();
afterAll(() => database.close());

describe("the demo brand's charter and templates", () => {
  it('come with the demo brand: the demo charter as version 1, templates per department whose voices split', async () => {
    const { workspace } = await loadDemoBrand(database, {
      customers: 100,
      seed: 1,
      until: '2026-10-31',
      journeyHistory: false,
      workspaceName: `demo-${randomUUID().slice(0, 8)}`,
    });
    const pool = database.pool;
    expect(await readCharter({ pool, workspaceId: workspace.id })).toMatchObject({ version: 1, charter: DEMO_CHARTER });
    expect((await listCharterVersions({ pool, workspaceId: workspace.id }))[0]).toMatchObject({ changedBy: 'demo' });

    const templates = await listTemplates({ pool, workspaceId: workspace.id });
    expect(new Set(templates.map((t) => t.department))).toEqual(new Set(['marketing', 'support', 'site_operations', 'sales']));
    expect(templates.find((t) => t.name === '週末キャンペーン（SMS）')!.counts.error).toBeGreaterThan(0);

    const report = await oneVoiceReport({ pool, workspaceId: workspace.id });
    const support = report.departments.find((d) => d.department === 'support')!;
    expect(support.addressForms.map((f) => f.form)).toContain('お客さま');
    const marketing = report.departments.find((d) => d.department === 'marketing')!;
    expect(marketing.topFindings.map((f) => f.rule)).toContain('pressure.phrase');
    expect(report.splits.map((s) => s.form)).toEqual(expect.arrayContaining(['お客さま', 'あなた']));
    const siteOperations = report.departments.find((d) => d.department === 'site_operations')!;
    expect(siteOperations.topFindings).toEqual([]); // サイトの使い勝手を改善しました is not a health claim

    // Seeding again leaves a workspace with a charter as it is.
    expect(await seedDemoCharter({ pool, workspaceId: workspace.id, check: checkMessage })).toBe(false);
    expect(await listTemplates({ pool, workspaceId: workspace.id })).toHaveLength(templates.length);
  });
});
