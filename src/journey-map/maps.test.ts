import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestDatabase, freshWorkspace } from '../../test/support/database.ts';
import { fixedClock } from '../shared/clock.ts';
import { KizunaError } from '../shared/errors.ts';
import type { Workspace } from '../workspaces/workspaces.ts';
import { activateJourneyMapVersion, listJourneyMapVersions, readActiveJourneyMap, readJourneyMapVersion, saveJourneyMap } from './maps.ts';
import type { JourneyMap } from './model.ts';
import { journeyCellCounts } from './placement/reads.ts';
import { ingest, PRODUCTS, TEST_MAP } from './placement/test-map.ts';

const database = connectTestDatabase();
const { pool } = database;
const clock = fixedClock('2026-06-10T03:00:00Z');
const actor = { kind: 'system' as const, label: 'cli' };
let workspace: Workspace;

beforeAll(async () => {
  workspace = await freshWorkspace(database);
  await ingest(pool, workspace, 'products', PRODUCTS, clock);
  await ingest(pool, workspace, 'customers', [{ customer_id: 'M1' }, { customer_id: 'M2', attributes: { newsletter: true } }], clock);
  await ingest(
    pool,
    workspace,
    'orders',
    [{ order_id: 'MO1', customer_id: 'M1', ordered_at: '2026-06-01T10:00:00+09:00', items: [{ sku: 'TRIAL', quantity: 1, unit_price: '980' }] }],
    clock,
  );
});
afterAll(() => database.close());

const save = (input: unknown, activate?: boolean) =>
  saveJourneyMap({ pool, workspaceId: workspace.id, input, actor, clock, ...(activate === undefined ? {} : { activate }) });

describe('journey map versions', () => {
  it('refuses a map with an unknown SKU, naming the path, and writes nothing', async () => {
    const bad: JourneyMap = { ...TEST_MAP, stages: [TEST_MAP.stages[0]!, { key: 'x', name: 'X', rule: { fact: 'bought', products: ['NOPE'] } }] };
    const refused = await save(bad).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(KizunaError);
    expect((refused as KizunaError).code).toBe('validation_failed');
    const problems = ((refused as KizunaError).details as { problems: Array<{ path: string; message: string }> }).problems;
    expect(problems.map((p) => p.path)).toContain('stages[1].rule.products[0]');
    expect(await listJourneyMapVersions({ pool, workspaceId: workspace.id })).toEqual([]);
  });

  it('saves version 1 active and places everyone on it in the same call', async () => {
    const saved = await save(TEST_MAP);
    expect(saved.outcome).toBe('saved');
    if (saved.outcome !== 'saved') return;
    expect(saved.version).toMatchObject({ version: 1, status: 'active', changedBy: 'cli', summary: 'first version: 5 stages × 4 levels' });
    expect(saved.placement).toMatchObject({ profiles: 2, moved: 2 });
    expect(await journeyCellCounts({ pool, workspaceId: workspace.id })).toMatchObject({ profiles: 2, placed: 2 });
  });

  it('answers unchanged for the same map, whatever its key order', async () => {
    const reverseKeys = (value: unknown): unknown =>
      Array.isArray(value)
        ? value.map(reverseKeys)
        : value !== null && typeof value === 'object'
          ? Object.fromEntries(
              Object.entries(value)
                .reverse()
                .map(([k, v]) => [k, reverseKeys(v)]),
            )
          : value;
    expect((await save(reverseKeys(TEST_MAP))).outcome).toBe('unchanged');
    expect(await listJourneyMapVersions({ pool, workspaceId: workspace.id })).toHaveLength(1);
  });

  it('saves a draft without touching the active version, then activates it and re-places everyone', async () => {
    const edited: JourneyMap = {
      ...TEST_MAP,
      stages: [...TEST_MAP.stages.slice(0, 2), { key: 'felt2', name: '実感', rule: { fact: 'purchase_count', op: '>=', value: 2 } }],
      cells: [{ stage: 'aware', level: 'cold', feelings: '知らない' }],
    };
    const draft = await save(edited, false);
    expect(draft.outcome === 'saved' && draft.version).toMatchObject({ version: 2, status: 'draft' });
    expect(draft.outcome === 'saved' && draft.version.summary).toBe('stages: +実感 −実感 −定期継続 −日常化; cells: 1 changed');
    expect((await readActiveJourneyMap({ pool, workspaceId: workspace.id }))?.version).toBe(1);
    const activated = await activateJourneyMapVersion({ pool, workspaceId: workspace.id, version: 2, clock });
    expect(activated.version.status).toBe('active');
    expect(activated.placement?.profiles).toBe(2);
    expect((await listJourneyMapVersions({ pool, workspaceId: workspace.id })).map((v) => [v.version, v.status])).toEqual([
      [2, 'active'],
      [1, 'archived'],
    ]);
    expect((await readJourneyMapVersion({ pool, workspaceId: workspace.id, version: 1 })).map.stages).toHaveLength(5);
    const { rows } = await pool.query('select distinct map_version from journey_placements where workspace_id = $1', [workspace.id]);
    expect(rows).toEqual([{ map_version: 2 }]);
  });

  it('answers not_found for a version that does not exist', async () => {
    await expect(readJourneyMapVersion({ pool, workspaceId: workspace.id, version: 9 })).rejects.toMatchObject({ code: 'not_found' });
  });
});
