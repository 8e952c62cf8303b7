import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { connectTestDatabase, freshWorkspace } from '../../test/support/database.ts';
import { KizunaError } from '../shared/errors.ts';
import type { Workspace } from '../workspaces/workspaces.ts';
import { createKpi, deleteKpi, Kpi, listKpis, readKpi, updateKpi } from './store.ts';

const database = connectTestDatabase();
afterAll(() => database.close());

let workspace: Workspace;
beforeEach(async () => {
  workspace = await freshWorkspace(database);
});

const create = (input: unknown) => createKpi({ pool: database.pool, workspaceId: workspace.id, input });
const update = (kpiId: string, changes: unknown) => updateKpi({ pool: database.pool, workspaceId: workspace.id, kpiId, changes });
const SALES = { name: '売上', metric: { kind: 'sales' }, granularity: 'month', target: 12_000_000 };

/** The error a promise is rejected with, for its code and message. */
async function refusal(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(KizunaError);
  const { code, message } = error as KizunaError;
  return { code, message };
}

describe('creating KPIs', () => {
  it('stores a KPI with a Japanese name and gives it the defaults', async () => {
    const kpi = await create({ ...SALES, filters: { channel: 'web' }, targetOverrides: [{ bucket: '2024-12-01', target: 20_000_000 }] });
    expect(kpi).toMatchObject({
      name: '売上',
      metric: { kind: 'sales' },
      granularity: 'month',
      target: 12_000_000,
      targetOverrides: [{ bucket: '2024-12-01', target: 20_000_000 }],
      filters: { channel: 'web' },
      direction: 'higher_is_better',
      tolerance: 0.05,
      parentId: null,
    });
    expect(await readKpi({ pool: database.pool, workspaceId: workspace.id, kpiId: kpi.id })).toEqual(kpi);
    // What the domain gives is what the API serialises: the schema keeps every field.
    expect(Kpi.parse(kpi)).toEqual(kpi);
  });

  it("makes churn rate lower-is-better and keeps its window, or the workspace's (null)", async () => {
    const own = await create({ name: '離反率', metric: { kind: 'churn_rate', window: 120 }, granularity: 'month', target: 0.2 });
    const workspaces = await create({ name: '離反率（既定）', metric: { kind: 'churn_rate' }, granularity: 'month', target: 0.2 });
    expect([own.direction, own.metric, workspaces.metric]).toEqual([
      'lower_is_better',
      { kind: 'churn_rate', window: 120 },
      { kind: 'churn_rate', window: null },
    ]);
  });

  it('writes the order prefecture filter in full (大阪 → 大阪府)', async () => {
    const kpi = await create({ ...SALES, filters: { orderPrefecture: '大阪' } });
    expect(kpi.filters).toEqual({ orderPrefecture: '大阪府' });
  });

  it('refuses an unknown metric, naming the metrics', async () => {
    expect(await refusal(create({ ...SALES, metric: { kind: 'revenue' } }))).toEqual({
      code: 'validation_failed',
      message:
        'The KPI is not valid: metric.kind: must be one of sales, customers, purchases, frequency, items_per_purchase, price_per_item, repeat_rate, f2_rate, churn_rate, active_subscribers, continuation_rate, cancellation_rate, step_up_rate, not "revenue"',
    });
  });

  it('says what a metric looks like when it is given as a word, and which fields are missing', async () => {
    expect((await refusal(create({ ...SALES, metric: 'sales' }))).message).toBe(
      'The KPI is not valid: metric: must be an object such as { "kind": "sales" } or { "kind": "f2_rate", "within": 90 }',
    );
    expect((await refusal(create({ name: '売上' }))).message).toBe(
      'The KPI is not valid: metric: is required, e.g. { "kind": "sales" } or { "kind": "f2_rate", "within": 90 }; granularity: is required; target: is required',
    );
  });

  it('refuses F2 without its window, and a window on a metric that has none', async () => {
    expect((await refusal(create({ ...SALES, metric: { kind: 'f2_rate' }, target: 0.3 }))).message).toContain(
      'metric.within: must be a whole number of days from 1 to 3650 (the F2 window)',
    );
    expect((await refusal(create({ ...SALES, metric: { kind: 'sales', within: 90 } }))).message).toContain('metric: Unrecognized key: "within"');
  });

  it('refuses a filter the metric cannot take, saying which metrics can', async () => {
    const { code, message } = await refusal(
      create({ name: 'リピート率', metric: { kind: 'repeat_rate' }, granularity: 'month', target: 0.3, filters: { gender: 'female' } }),
    );
    expect(code).toBe('validation_failed');
    expect(message).toContain(
      "filters: repeat_rate cannot be filtered (by gender): the repeat rate is measured over all the workspace's customers of a bucket (repeatRates takes no filter)",
    );
    expect(message).toContain('use a sales metric (sales, customers, purchases, frequency, items_per_purchase, price_per_item)');
    expect(
      (await refusal(create({ name: 'F2', metric: { kind: 'f2_rate', within: 90 }, granularity: 'month', target: 0.3, filters: { channel: 'web' } }))).message,
    ).toContain('f2_rate cannot be filtered (by channel)');
    expect(
      (await refusal(create({ name: '離反', metric: { kind: 'churn_rate' }, granularity: 'month', target: 0.3, filters: { orderPrefecture: '東京都' } })))
        .message,
    ).toContain('churn_rate cannot be filtered (by orderPrefecture)');
  });

  it('refuses two filters on a sales metric, and filters that do not exist or name no value', async () => {
    expect((await refusal(create({ ...SALES, filters: { channel: 'web', gender: 'female' } }))).message).toContain(
      'filters: sales can be filtered by one dimension at a time',
    );
    expect((await refusal(create({ ...SALES, filters: { colour: 'red' } }))).message).toContain(
      'filters: unknown filter "colour": the filters are channel, orderPrefecture, store, gender, customerPrefecture, ageBand, category, product',
    );
    expect((await refusal(create({ ...SALES, filters: { orderPrefecture: 'Tokio' } }))).message).toContain(
      'filters.orderPrefecture: must be a prefecture of Japan (東京都 or 東京), not "Tokio"',
    );
    expect((await refusal(create({ ...SALES, filters: { channel: 'fax' } }))).message).toContain('filters.channel: ');
  });

  it("refuses a share above 1 as the target of a rate, and overrides that are not a bucket's first day", async () => {
    expect((await refusal(create({ name: 'F2', metric: { kind: 'f2_rate', within: 90 }, granularity: 'month', target: 30 }))).message).toContain(
      'target: f2_rate is a share from 0 to 1 (0.3 for 30 %), so its target cannot be 30',
    );
    const { message } = await refusal(
      create({
        ...SALES,
        granularity: 'week',
        targetOverrides: [
          { bucket: '2024-06-05', target: 1 },
          { bucket: '2024-06-03', target: 1 },
          { bucket: '2024-06-03', target: 2 },
        ],
      }),
    );
    // 2024-06-05 is a Wednesday; its week starts on Monday the 3rd
    expect(message).toContain('targetOverrides.0.bucket: 2024-06-05 is not the first date of a week (a Monday); did you mean 2024-06-03?');
    expect(message).toContain('targetOverrides.2.bucket: 2024-06-03 has more than one override');
    expect((await refusal(create({ ...SALES, target: 0 }))).message).toContain('target: must be above 0');
    expect((await refusal(create({ ...SALES, granularity: 'day' }))).message).toContain('granularity: must be one of week, month');
  });

  it('refuses a name already taken in the workspace, not in another one', async () => {
    await create(SALES);
    expect(await refusal(create(SALES))).toMatchObject({ code: 'conflict', message: expect.stringContaining('A KPI named "売上" already exists') });
    const other = await freshWorkspace(database);
    await expect(createKpi({ pool: database.pool, workspaceId: other.id, input: SALES })).resolves.toMatchObject({ name: '売上' });
  });

  it('refuses a parent that is not a KPI of the workspace', async () => {
    const other = await freshWorkspace(database);
    const foreign = await createKpi({ pool: database.pool, workspaceId: other.id, input: SALES });
    expect(await refusal(create({ ...SALES, name: '客数', metric: { kind: 'customers' }, parentId: foreign.id }))).toEqual({
      code: 'validation_failed',
      message: `The KPI is not valid: parentId: ${foreign.id} is not the id of a KPI of this workspace`,
    });
  });
});

describe('the KPI tree', () => {
  async function chain() {
    const sales = await create(SALES);
    const customers = await create({ name: '客数', metric: { kind: 'customers' }, granularity: 'month', target: 4000, parentId: sales.id });
    const web = await create({
      name: 'Web客数',
      metric: { kind: 'customers' },
      granularity: 'month',
      target: 3000,
      parentId: customers.id,
      filters: { channel: 'web' },
    });
    return { sales, customers, web };
  }

  it('lists KPIs depth first, each under its parent', async () => {
    const { sales, customers, web } = await chain();
    const other = await create({ name: 'F2', metric: { kind: 'f2_rate', within: 90 }, granularity: 'month', target: 0.3 });
    const price = await create({ name: '単価', metric: { kind: 'price_per_item' }, granularity: 'month', target: 2500, parentId: sales.id });
    const listed = await listKpis({ pool: database.pool, workspaceId: workspace.id });
    expect(listed.map((kpi) => [kpi.name, kpi.depth, kpi.parentId])).toEqual([
      ['売上', 0, null],
      ['客数', 1, sales.id],
      ['Web客数', 2, customers.id],
      ['単価', 1, sales.id],
      ['F2', 0, null],
    ]);
    expect(listed.map((kpi) => kpi.id)).toEqual([sales.id, customers.id, web.id, price.id, other.id]);
  });

  it('refuses to make a KPI its own parent or the child of one below it', async () => {
    const { sales, web } = await chain();
    expect(await refusal(update(sales.id, { parentId: sales.id }))).toEqual({
      code: 'validation_failed',
      message: 'The KPI is not valid: parentId: a KPI cannot be its own parent ("売上")',
    });
    expect(await refusal(update(sales.id, { parentId: web.id }))).toEqual({
      code: 'validation_failed',
      message:
        'The KPI is not valid: parentId: "Web客数" is below "売上", so it cannot be its parent: the tree would have a cycle (売上 → Web客数 → 客数 → 売上, each KPI followed by its parent)',
    });
    expect((await readKpi({ pool: database.pool, workspaceId: workspace.id, kpiId: sales.id })).parentId).toBeNull();
  });

  it('moves a KPI to another parent and back to the roots', async () => {
    const { sales, web } = await chain();
    expect((await update(web.id, { parentId: sales.id })).parentId).toBe(sales.id);
    expect((await update(web.id, { parentId: null })).parentId).toBeNull();
  });

  it('refuses to delete a KPI with KPIs below it, unless with its descendants', async () => {
    const { sales, customers, web } = await chain();
    expect(await refusal(deleteKpi({ pool: database.pool, workspaceId: workspace.id, kpiId: sales.id }))).toEqual({
      code: 'conflict',
      message: 'KPI "売上" has 2 KPIs below it (客数, Web客数): delete or move them first, or delete it with its descendants.',
    });
    expect(await deleteKpi({ pool: database.pool, workspaceId: workspace.id, kpiId: web.id })).toEqual({ deleted: [web.id] });
    expect(await deleteKpi({ pool: database.pool, workspaceId: workspace.id, kpiId: sales.id, withDescendants: true })).toEqual({
      deleted: [sales.id, customers.id],
    });
    expect(await listKpis({ pool: database.pool, workspaceId: workspace.id })).toEqual([]);
    expect((await refusal(deleteKpi({ pool: database.pool, workspaceId: workspace.id, kpiId: sales.id }))).code).toBe('not_found');
  });
});

describe('changing KPIs', () => {
  it('changes the fields given and keeps the others; overrides are replaced as a whole', async () => {
    const kpi = await create({ ...SALES, tolerance: 0.1, targetOverrides: [{ bucket: '2024-12-01', target: 20_000_000 }] });
    const changed = await update(kpi.id, { name: '月間売上', targetOverrides: [{ bucket: '2025-01-01', target: 8_000_000 }] });
    expect(changed).toMatchObject({ name: '月間売上', target: 12_000_000, tolerance: 0.1, targetOverrides: [{ bucket: '2025-01-01', target: 8_000_000 }] });
    expect((await update(kpi.id, { target: 13_000_000 })).targetOverrides).toEqual([{ bucket: '2025-01-01', target: 8_000_000 }]);
  });

  it('checks the KPI as a whole: a new metric must accept the filters kept', async () => {
    const kpi = await create({ ...SALES, filters: { gender: 'female' } });
    expect((await refusal(update(kpi.id, { metric: { kind: 'repeat_rate' }, target: 0.3 }))).message).toContain('repeat_rate cannot be filtered (by gender)');
    const changed = await update(kpi.id, { metric: { kind: 'churn_rate' }, target: 0.3, filters: {} });
    // a new metric without a direction takes the metric's own
    expect(changed).toMatchObject({ metric: { kind: 'churn_rate', window: null }, filters: {}, direction: 'lower_is_better' });
  });

  it('refuses a name taken by another KPI, and an unknown KPI', async () => {
    const kpi = await create(SALES);
    await create({ ...SALES, name: '客数', metric: { kind: 'customers' } });
    expect((await refusal(update(kpi.id, { name: '客数' }))).code).toBe('conflict');
    expect(await update(kpi.id, { name: '売上' })).toMatchObject({ name: '売上' });
    expect(await refusal(update('999999999', { target: 1 }))).toEqual({ code: 'not_found', message: 'No KPI with id 999999999 in this workspace.' });
    expect((await refusal(update(kpi.id, { target: -1, owner: 'me' }))).message).toContain('changes: Unrecognized key: "owner"');
  });
});
