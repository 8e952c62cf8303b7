import { readFile } from 'node:fs/promises';
import iconv from 'iconv-lite';
import { afterAll, describe, expect, it } from 'vitest';
import { fixture } from '../../test/fixtures/import/support.ts';
import { runKizuna } from '../../test/support/cli.ts';
import { connectTestDatabase, freshWorkspace, withTransaction } from '../../test/support/database.ts';
import { ingestBatch } from '../ingest/ingest-batch.ts';
import { fixedClock } from '../shared/clock.ts';
import type { Workspace } from '../workspaces/workspaces.ts';
import { importCsv, type CsvSource, type ImportCsvParams } from './import-csv.ts';

const database = connectTestDatabase();
afterAll(() => database.close());

async function workspaceWithCatalogue(): Promise<Workspace> {
  const workspace = await freshWorkspace(database);
  const products = [
    { sku: 'SERUM-30', name: '美容液 30日分', price: 3980 },
    { sku: 'CREAM-50', name: 'クリーム 50g', price: 3300 },
  ];
  await withTransaction(database.pool, (client) => ingestBatch({ client, workspace, kind: 'products', records: products, mode: 'all-or-nothing' }));
  return workspace;
}

function importSubscriptions(workspace: Workspace, source: CsvSource, options: Partial<ImportCsvParams> = {}) {
  return importCsv({
    pool: database.pool,
    workspace,
    kind: 'subscriptions',
    source,
    mode: 'all-or-nothing',
    dryRun: false,
    clock: fixedClock('2024-04-01T00:00:00Z'),
    ...options,
  });
}

async function subscriptionsOf(workspace: Workspace) {
  const { rows } = await database.pool.query(
    `select s.external_id, c.external_id as customer, s.course, s.cycle_unit, s.cycle_every, s.status, s.started_at, s.next_delivery_on,
            s.deliveries, s.skips, s.cancelled_at, s.cancel_reason, s.cancel_note,
            (select json_agg(json_build_array(p.sku, i.quantity) order by i.line_no)
               from subscription_items i join products p on p.id = i.product_id where i.subscription_id = s.id) as items,
            (select json_agg(json_build_array(h.status, h.actor) order by h.changed_at, h.id)
               from subscription_status_changes h where h.subscription_id = s.id) as history
       from subscriptions s join customers c on c.id = s.customer_id where s.workspace_id = $1 order by s.external_id`,
    [workspace.id],
  );
  return rows;
}

async function countRows(workspace: Workspace) {
  const { rows } = await database.pool.query(
    `select (select count(*) from subscriptions where workspace_id = $1)::int as subscriptions,
            (select count(*) from subscription_status_changes where workspace_id = $1)::int as history,
            (select count(*) from customers where workspace_id = $1)::int as customers,
            (select count(*) from events where workspace_id = $1)::int as events,
            (select count(*) from subscription_changes where workspace_id = $1)::int as changes`,
    [workspace.id],
  );
  return rows[0];
}

// subscriptions-ja.csv, by hand: T-001 has two item lines (not adjacent) in one 30-day course; 定期ステータス
// 継続中 → active, 休止中 → paused, 解約 / 停止 → cancelled; the reason 効果を感じない is a label (no note),
// 値段が高い is matched by keyword (price) and kept as the note. Dates without a time are midnight in Tokyo.
const EXPECTED = [
  {
    external_id: 'T-001',
    customer: 'M001',
    course: '美容液コース',
    cycle_unit: 'days',
    cycle_every: 30,
    status: 'active',
    started_at: new Date('2024-01-09T15:00:00Z'),
    next_delivery_on: '2024-03-10',
    deliveries: 2,
    skips: 0,
    cancelled_at: null,
    cancel_reason: null,
    cancel_note: null,
    items: [
      ['SERUM-30', 1],
      ['CREAM-50', 2],
    ],
    history: [['active', 'import']],
  },
  {
    external_id: 'T-002',
    customer: 'M002',
    course: 'クリームコース',
    cycle_unit: 'months',
    cycle_every: 1,
    status: 'paused',
    started_at: new Date('2023-11-30T15:00:00Z'),
    next_delivery_on: null,
    deliveries: 3,
    skips: 1,
    cancelled_at: null,
    cancel_reason: null,
    cancel_note: null,
    items: [['CREAM-50', 1]],
    history: [
      ['active', 'import'],
      ['paused', 'import'],
    ],
  },
  {
    external_id: 'T-003',
    customer: 'M003',
    course: '美容液コース',
    cycle_unit: 'months',
    cycle_every: 2,
    status: 'cancelled',
    started_at: new Date('2023-09-30T15:00:00Z'),
    next_delivery_on: null,
    deliveries: 2,
    skips: 0,
    cancelled_at: new Date('2024-02-19T15:00:00Z'),
    cancel_reason: 'no_effect',
    cancel_note: null,
    items: [['SERUM-30', 1]],
    history: [
      ['active', 'import'],
      ['cancelled', 'import'],
    ],
  },
  {
    external_id: 'T-004',
    customer: 'M001',
    course: '美容液コース',
    cycle_unit: 'day_of_month',
    cycle_every: 15,
    status: 'cancelled',
    started_at: new Date('2023-07-31T15:00:00Z'),
    next_delivery_on: null,
    deliveries: 5,
    skips: 0,
    cancelled_at: new Date('2023-12-19T15:00:00Z'),
    cancel_reason: 'price',
    cancel_note: '値段が高い',
    items: [['SERUM-30', 1]],
    history: [
      ['active', 'import'],
      ['cancelled', 'import'],
    ],
  },
];

describe('importCsv of subscriptions', () => {
  it('groups the item lines of a 定期番号, reads the Japanese headers, cycles and status words, and keeps the history', async () => {
    const workspace = await workspaceWithCatalogue();
    const report = await importSubscriptions(workspace, { path: fixture('subscriptions-ja.csv') });
    expect(report).toMatchObject({ kind: 'subscriptions', encoding: 'utf-8', rows: 5, records: 4, valid: 5, invalid: 0, stored: true, errors: [] });
    expect(report.columns.map((c) => c.field)).toEqual([
      'subscription_id',
      'customer_id',
      'course',
      'sku',
      'quantity',
      'cycle',
      'status',
      'started_at',
      'next_delivery_on',
      'deliveries',
      'skips',
      'cancelled_at',
      'cancel_reason',
    ]);
    expect(await subscriptionsOf(workspace)).toEqual(EXPECTED);
    // Unknown members get a bare profile, as order files' do.
    expect(await countRows(workspace)).toMatchObject({ subscriptions: 4, customers: 3, history: 7 });
  });

  it('reads the same export in Shift_JIS and gives the same subscriptions; importing it again changes nothing', async () => {
    const workspace = await workspaceWithCatalogue();
    const sjis = iconv.encode(await readFile(fixture('subscriptions-ja.csv'), 'utf8'), 'cp932');
    const report = await importSubscriptions(workspace, { buffer: sjis, name: '定期一覧.csv' });
    expect(report).toMatchObject({ encoding: 'shift_jis', rows: 5, records: 4, stored: true, errors: [] });
    expect(await subscriptionsOf(workspace)).toEqual(EXPECTED);
    const before = await countRows(workspace);
    const again = await importSubscriptions(workspace, { buffer: sjis, name: '定期一覧.csv' }, { clock: fixedClock('2024-05-01T00:00:00Z') });
    expect(again.stored).toBe(true);
    expect(await countRows(workspace)).toEqual(before);
    expect(await subscriptionsOf(workspace)).toEqual(EXPECTED);
  });

  it('reports a clear error per broken row and stores nothing in all-or-nothing mode', async () => {
    const workspace = await workspaceWithCatalogue();
    const before = await countRows(workspace);
    const report = await importSubscriptions(workspace, { path: fixture('subscriptions-broken.csv') });
    expect(report).toMatchObject({ stored: false, rows: 6, valid: 1, invalid: 5 });
    expect(report.errors.map(({ line, column, value, code }) => ({ line, column, value, code }))).toEqual([
      { line: 3, column: 'ステータス', value: 'お休み予定', code: 'not_allowed' },
      { line: 4, column: '次回配送日', value: '2024/02/01', code: 'before_start' },
      { line: 5, column: '配送回数', value: '-1', code: 'too_small' },
      { line: 7, column: '配送サイクル', value: '2ヶ月ごと', code: 'subscription_lines_disagree' },
    ]);
    expect(report.errors[0]!.reason).toMatch(/not a subscription status/);
    expect(report.errors[1]!.reason).toBe('next_delivery_on 2024-02-01 is before the start (2024-03-01)');
    expect(report.errors[2]!.reason).toBe('deliveries must not be negative');
    expect(report.errors[3]).toMatchObject({
      reason: 'cycle differs from line 6, the first line of subscription "T-105"',
      params: { line: 6, subscription: 'T-105' },
    });
    expect(await countRows(workspace)).toEqual(before);
  });

  it('stores the valid subscriptions in skip-invalid mode, and nothing on a dry run', async () => {
    const workspace = await workspaceWithCatalogue();
    const dry = await importSubscriptions(workspace, { path: fixture('subscriptions-broken.csv') }, { mode: 'skip-invalid', dryRun: true });
    expect(dry).toMatchObject({ stored: false, dryRun: true, valid: 1, invalid: 5 });
    expect((await countRows(workspace)).subscriptions).toBe(0);
    const report = await importSubscriptions(
      workspace,
      { buffer: await readFile(fixture('subscriptions-broken.csv')), name: 'broken.csv' },
      { mode: 'skip-invalid' },
    );
    expect(report).toMatchObject({ stored: true, valid: 1, invalid: 5 });
    expect((await subscriptionsOf(workspace)).map((s) => s.external_id)).toEqual(['T-101']);
  });

  it('refuses an unknown product code on its line', async () => {
    const workspace = await workspaceWithCatalogue();
    const csv =
      '定期番号,会員ID,商品コード,お届けサイクル,定期ステータス,申込日\nT-1,M1,SERUM-30,30日ごと,継続中,2024/01/10\nT-1,M1,NOPE,30日ごと,継続中,2024/01/10\n';
    const report = await importSubscriptions(workspace, { buffer: Buffer.from(csv), name: 'x.csv' });
    expect(report.stored).toBe(false);
    expect(report.errors).toMatchObject([{ line: 3, column: '商品コード', value: 'NOPE', code: 'unknown_product' }]);
    expect(report.invalid).toBe(2);
  });
});

describe('importCsv of the files around subscriptions', () => {
  it('reads 定期番号 and お届け回数 on order lines; a delivery number without 定期番号 is an error of its line', async () => {
    const workspace = await workspaceWithCatalogue();
    const csv = [
      '受注番号,会員ID,受注日時,商品コード,数量,単価,定期番号,お届け回数',
      'A-1,M1,2024/02/10,SERUM-30,1,3980,T-001,２',
      'A-1,M1,2024/02/10,CREAM-50,1,3300,T-001,２',
      'A-2,M1,2024/01/10,SERUM-30,1,3980,,',
      'A-3,M2,2024/01/10,SERUM-30,1,3980,,3',
    ].join('\r\n');
    const rejected = await importCsv({
      pool: database.pool,
      workspace,
      kind: 'orders',
      source: { buffer: Buffer.from(csv), name: 'o.csv' },
      mode: 'all-or-nothing',
      dryRun: false,
    });
    expect(rejected.errors).toMatchObject([{ line: 5, column: 'お届け回数', value: '3', code: 'delivery_without_subscription' }]);
    const stored = await importCsv({
      pool: database.pool,
      workspace,
      kind: 'orders',
      source: { buffer: Buffer.from(csv), name: 'o.csv' },
      mode: 'skip-invalid',
      dryRun: false,
    });
    expect(stored).toMatchObject({ stored: true, records: 3, valid: 3, invalid: 1 });
    const { rows } = await database.pool.query(
      'select external_id, subscription_external_id, delivery_number, amount from orders where workspace_id = $1 order by external_id',
      [workspace.id],
    );
    expect(rows).toEqual([
      { external_id: 'A-1', subscription_external_id: 'T-001', delivery_number: 2, amount: '7280' },
      { external_id: 'A-2', subscription_external_id: null, delivery_number: null, amount: '3980' },
    ]);
  });

  it("reads a product file's お試し column as is_trial", async () => {
    const workspace = await freshWorkspace(database);
    const csv = '商品コード,商品名,価格,お試し\nTRIAL-7,お試しセット,980,○\nSERUM-30,美容液,3980,×\nCREAM-50,クリーム,3300,\n';
    const report = await importCsv({
      pool: database.pool,
      workspace,
      kind: 'products',
      source: { buffer: Buffer.from(csv), name: 'p.csv' },
      mode: 'all-or-nothing',
      dryRun: false,
    });
    expect(report).toMatchObject({ stored: true, errors: [] });
    const { rows } = await database.pool.query('select sku, is_trial from products where workspace_id = $1 order by sku', [workspace.id]);
    expect(rows).toEqual([
      { sku: 'CREAM-50', is_trial: false },
      { sku: 'SERUM-30', is_trial: false },
      { sku: 'TRIAL-7', is_trial: true },
    ]);
  });
});

describe('kizuna import subscriptions', () => {
  it('imports a subscription export from the command line and says what it stored; refuses a broken one with exit code 1', async () => {
    const workspace = await workspaceWithCatalogue();
    const run = await runKizuna('import', workspace.name, ['subscriptions', fixture('subscriptions-ja.csv')]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('utf-8, 5 lines, 4 subscriptions');
    expect(run.stdout).toContain('定期番号 → subscription_id');
    expect(run.stdout).toContain('お届けサイクル → cycle');
    expect(run.stdout).toMatch(/Stored 5 lines in/);
    expect((await countRows(workspace)).subscriptions).toBe(4);

    const broken = await runKizuna('import', workspace.name, ['subscriptions', fixture('subscriptions-broken.csv'), '--json']);
    expect(broken.code).toBe(1);
    const report = JSON.parse(broken.stdout);
    expect(report.errors.map((e: { line: number }) => e.line)).toEqual([3, 4, 5, 7]);
    expect((await countRows(workspace)).subscriptions).toBe(4);
  });
});
