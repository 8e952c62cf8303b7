import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { connectTestDatabase, freshWorkspace } from '../../test/support/database.ts';
import { saveCharter } from './charters.ts';
import { fakeCheck } from './fake-checker.ts';
import { charterImpact, recheckTemplates } from './recheck.ts';
import { createTemplate, publishTemplate, readTemplate, updateTemplate } from './templates.ts';
import { TEST_CHARTER } from './test-charter.ts';
import { Charter } from './types.ts';

const database = connectTestDatabase();
afterAll(() => database.close());
const pool = database.pool;
const admin = { kind: 'system', label: 'admin' } as const;
let workspaceId: string;

/** TEST_CHARTER with 今だけ made an error: a 20-point finding where it was a 5-point warning. */
const STRICTER = Charter.parse({
  ...TEST_CHARTER,
  pressure: TEST_CHARTER.pressure.map((entry) => (entry.phrase === '今だけ' ? { ...entry, severity: 'error' } : entry)),
});

beforeEach(async () => {
  workspaceId = (await freshWorkspace(database)).id;
  await saveCharter({ pool, workspaceId, input: TEST_CHARTER, actor: admin });
});

async function templates() {
  const deps = { pool, workspaceId, check: fakeCheck, actor: admin };
  const sale = await createTemplate({ ...deps, input: { name: '週末セール', department: 'marketing', channel: 'line', body: '今だけのご案内です。' } });
  const shipping = await createTemplate({ ...deps, input: { name: '発送', department: 'support', channel: 'sms', body: 'お客様のご注文を発送しました。' } });
  const rush = await createTemplate({ ...deps, input: { name: '駆け込み', department: 'sales', channel: 'sms', body: '急いでください。' } });
  return { sale, shipping, rush };
}

describe('the impact of a draft charter', () => {
  it('checks every template against the draft, blocked ones first, and writes nothing', async () => {
    const { sale, rush } = await templates();
    const impact = await charterImpact({ pool, workspaceId, charter: STRICTER, check: fakeCheck });
    expect(impact).toMatchObject({ newlyBlocked: 1, newlyPublishable: 0, scoreChanged: 1 });
    expect(impact.templates.map((t) => [t.name, t.before.score, t.after.score, t.after.counts.error])).toEqual([
      ['週末セール', 95, 80, 1],
      ['発送', 100, 100, 0],
      ['駆け込み', 80, 80, 1],
    ]);
    expect(impact.templates[0]!.before.charterVersion).toBe(1);
    expect(await readTemplate({ pool, workspaceId, templateId: sale.id })).toMatchObject({ score: 95, charterVersion: 1 });

    const lenient = Charter.parse({ ...TEST_CHARTER, pressure: [] });
    const freed = await charterImpact({ pool, workspaceId, charter: lenient, check: fakeCheck });
    expect(freed).toMatchObject({ newlyBlocked: 0, newlyPublishable: 1, scoreChanged: 2 });
    expect(freed.templates.find((t) => t.id === rush.id)?.after).toEqual({ score: 100, counts: { error: 0, warning: 0, info: 0 } });
  });
});

describe('checking the templates again after a new charter version', () => {
  it("stores each stale template's check under the new version; a published one stays published with its new errors", async () => {
    const { sale, shipping } = await templates();
    await publishTemplate({ pool, workspaceId, check: fakeCheck, templateId: sale.id, actor: admin, actorIsAdmin: true });
    await saveCharter({ pool, workspaceId, input: STRICTER, actor: admin });
    expect(await readTemplate({ pool, workspaceId, templateId: sale.id })).toMatchObject({ stale: true, score: 95 });

    expect(await recheckTemplates({ pool, workspaceId, check: fakeCheck })).toEqual({ rechecked: 3 });
    const rechecked = await readTemplate({ pool, workspaceId, templateId: sale.id });
    expect(rechecked).toMatchObject({ stale: false, charterVersion: 2, score: 80, status: 'published' });
    expect(rechecked.check.counts.error).toBe(1);
    expect(await readTemplate({ pool, workspaceId, templateId: shipping.id })).toMatchObject({ stale: false, charterVersion: 2, score: 100 });
    expect(await recheckTemplates({ pool, workspaceId, check: fakeCheck })).toEqual({ rechecked: 0 });
  });

  it('leaves a template saved under the new version alone (its own check is already current)', async () => {
    const { shipping } = await templates();
    await saveCharter({ pool, workspaceId, input: STRICTER, actor: admin });
    await updateTemplate({
      pool,
      workspaceId,
      check: fakeCheck,
      templateId: shipping.id,
      changes: { body: 'お客様のご注文を本日発送しました。' },
      actor: admin,
    });
    expect(await recheckTemplates({ pool, workspaceId, check: fakeCheck })).toEqual({ rechecked: 2 });
    expect(await readTemplate({ pool, workspaceId, templateId: shipping.id })).toMatchObject({ charterVersion: 2, updatedBy: 'admin' });
  });
});
