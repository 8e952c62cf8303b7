import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestDatabase, freshWorkspace } from '../../test/support/database.ts';
import { fixture, snapshotWorkspace } from '../../test/fixtures/import/support.ts';
import { refreshCustomerStats } from '../orders/customer-stats.ts';
import type { Workspace } from '../workspaces/workspaces.ts';
import { importCsv, type CsvSource, type ImportCsvParams } from './import-csv.ts';

const database = connectTestDatabase();
let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'kizuna-import-'));
});
afterAll(() => database.close());

function importOrders(workspace: Workspace, source: CsvSource, options: Partial<ImportCsvParams> = {}) {
  return importCsv({ pool: database.pool, workspace, kind: 'orders', source, mode: 'all-or-nothing', dryRun: false, ...options });
}

async function waitUntil(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function ordersOf(workspace: Workspace) {
  const { rows } = await database.pool.query(
    `select o.external_id, c.external_id as customer, o.ordered_at, o.channel, o.status, o.prefecture, o.amount, o.item_count,
            (select json_agg(json_build_array(p.sku, i.quantity, i.unit_price) order by i.line_no)
               from order_items i join products p on p.id = i.product_id where i.order_id = o.id) as items
       from orders o join customers c on c.id = o.customer_id where o.workspace_id = $1 order by o.external_id`,
    [workspace.id],
  );
  return rows;
}

async function customersOf(workspace: Workspace) {
  const { rows } = await database.pool.query(
    `select c.external_id, c.name, c.name_kana, c.prefecture, c.lifecycle, c.purchase_count, c.purchase_total,
            (select json_object_agg(i.kind, i.value) from customer_identities i where i.customer_id = c.id) as identities
       from customers c where c.workspace_id = $1 order by c.external_id`,
    [workspace.id],
  );
  return rows;
}

// orders-ja.csv, by hand: A-1001 = 1×1,980 + 2×1,980 + 1×3,300 = 9,240 (SERUM-30 on two lines, both count);
// A-1002 = 3,300; A-1003 = 1,980 but cancelled; A-1004 = 3×980 = 2,940.
const EXPECTED_ORDERS = [
  {
    external_id: 'A-1001',
    customer: 'M001',
    ordered_at: new Date('2024-01-05T01:23:00Z'),
    channel: 'web',
    status: 'shipped',
    prefecture: '東京都',
    amount: '9240',
    item_count: 4,
    items: [
      ['SERUM-30', 1, 1980],
      ['SERUM-30', 2, 1980],
      ['CREAM-50', 1, 3300],
    ],
  },
  {
    external_id: 'A-1002',
    customer: 'M002',
    ordered_at: new Date('2024-01-05T15:00:00Z'),
    channel: 'phone',
    status: 'delivered',
    prefecture: '大阪府',
    amount: '3300',
    item_count: 1,
    items: [['CREAM-50', 1, 3300]],
  },
  {
    external_id: 'A-1003',
    customer: 'M001',
    ordered_at: new Date('2024-01-07T00:00:00Z'),
    channel: 'line',
    status: 'cancelled',
    prefecture: '東京都',
    amount: '1980',
    item_count: 1,
    items: [['SERUM-30', 1, 1980]],
  },
  {
    external_id: 'A-1004',
    customer: 'M003',
    ordered_at: new Date('2024-01-07T15:00:00Z'),
    channel: 'store',
    status: 'delivered',
    prefecture: '北海道',
    amount: '2940',
    item_count: 3,
    items: [['TRIAL-7', 3, 980]],
  },
];
const EXPECTED_CUSTOMERS = [
  {
    external_id: 'M001',
    name: '山田 花子',
    name_kana: 'ヤマダ ハナコ',
    prefecture: '東京都',
    lifecycle: 'customer',
    purchase_count: 1,
    purchase_total: '9240',
    identities: { email: 'hanako@example.jp', phone: '09012345678' },
  },
  {
    external_id: 'M002',
    name: '佐藤 美咲',
    name_kana: 'サトウ ミサキ',
    prefecture: '大阪府',
    lifecycle: 'customer',
    purchase_count: 1,
    purchase_total: '3300',
    identities: { email: 'misaki@example.jp', phone: '08011112222' },
  },
  {
    external_id: 'M003',
    name: '鈴木 陽菜',
    name_kana: 'スズキ ヒナ',
    prefecture: '北海道',
    lifecycle: 'customer',
    purchase_count: 1,
    purchase_total: '2940',
    identities: { phone: '0312345678' },
  },
];

describe('importCsv: order exports', () => {
  it('groups item lines into orders, normalises Japanese values and creates the customers and products they name', async () => {
    const workspace = await freshWorkspace(database);
    const report = await importOrders(workspace, { path: fixture('orders-ja.csv') });
    expect(report).toMatchObject({ kind: 'orders', encoding: 'utf-8', rows: 6, records: 4, valid: 6, invalid: 0, stored: true, dryRun: false, errors: [] });
    expect(report.columns).toContainEqual({ column: '合計金額', field: null });
    expect(report.columns).toContainEqual({ column: '単価', field: 'unit_price' });
    expect(report.sample).toHaveLength(4);
    expect(report.sample[0]).toMatchObject({
      order_id: 'A-1001',
      items: [{ sku: 'SERUM-30', quantity: 1, unit_price: '1980' }, { quantity: 2 }, { sku: 'CREAM-50' }],
    });
    expect(await ordersOf(workspace)).toEqual(EXPECTED_ORDERS);
    expect(await customersOf(workspace)).toEqual(EXPECTED_CUSTOMERS);
    const products = await database.db
      .selectFrom('products')
      .select(['sku', 'name', 'price'])
      .where('workspace_id', '=', workspace.id)
      .orderBy('sku')
      .execute();
    expect(products).toEqual([
      { sku: 'CREAM-50', name: 'クリーム 50g', price: '3300' },
      { sku: 'SERUM-30', name: '美容液 30mL', price: '1980' },
      { sku: 'TRIAL-7', name: 'お試しセット', price: '980' },
    ]);
  });

  it('reads the same export in Shift_JIS and gives the same orders', async () => {
    const workspace = await freshWorkspace(database);
    const sjis = iconv.encode(await readFile(fixture('orders-ja.csv'), 'utf8'), 'cp932');
    const file = path.join(scratch, '受注_sjis.csv');
    await writeFile(file, sjis);
    const report = await importOrders(workspace, { path: file });
    expect(report).toMatchObject({ encoding: 'shift_jis', rows: 6, records: 4, stored: true, errors: [] });
    expect(await ordersOf(workspace)).toEqual(EXPECTED_ORDERS);
  });

  it('reads English headers with a BOM, and groups lines of one order that are not adjacent', async () => {
    const workspace = await freshWorkspace(database);
    const report = await importOrders(workspace, { buffer: await readFile(fixture('orders-en-bom.csv')), name: 'orders-en-bom.csv' });
    expect(report).toMatchObject({ encoding: 'utf-8-bom', rows: 3, records: 2, valid: 3, stored: true, errors: [] });
    expect(report.columns[0]).toEqual({ column: 'Order ID', field: 'order_id' });
    const orders = await ordersOf(workspace);
    // E-1 = 2×1,200 (line 2) + 1×2,500 (line 4); E-2's TEA-1 has no name but line 2 names it.
    expect(orders.map((o) => [o.external_id, o.amount, o.item_count, o.items])).toEqual([
      [
        'E-1',
        '4900',
        3,
        [
          ['TEA-1', 2, 1200],
          ['MUG-1', 1, 2500],
        ],
      ],
      ['E-2', '1200', 1, [['TEA-1', 1, 1200]]],
    ]);
    expect(orders[1]!.ordered_at).toEqual(new Date('2024-02-02T03:30:00Z'));
    const phone = await database.db
      .selectFrom('customer_identities')
      .select('value')
      .where('workspace_id', '=', workspace.id)
      .where('kind', '=', 'phone')
      .orderBy('value')
      .execute();
    expect(phone.map((p) => p.value)).toEqual(['07055550002', '09055550001']);
    const mug = await database.db
      .selectFrom('products')
      .select('name')
      .where('workspace_id', '=', workspace.id)
      .where('sku', '=', 'MUG-1')
      .executeTakeFirstOrThrow();
    expect(mug.name).toBe('Mug, "large"');
  });

  it('changes nothing when the same file is imported again', async () => {
    const workspace = await freshWorkspace(database);
    await importOrders(workspace, { path: fixture('orders-ja.csv') });
    const before = await snapshotWorkspace(database, workspace);
    const again = await importOrders(workspace, { path: fixture('orders-ja.csv') });
    expect(again).toMatchObject({ stored: true, valid: 6, errors: [] });
    expect(await snapshotWorkspace(database, workspace)).toEqual(before);
  });

  it('updates an order whose lines changed and refreshes both customers when it moves to another', async () => {
    const workspace = await freshWorkspace(database);
    await importOrders(workspace, { path: fixture('orders-ja.csv') });
    const moved = ['受注番号,受注日時,会員ID,商品コード,数量,単価', 'A-1001,2024/1/5 10:23,M002,SERUM-30,1,1980'].join('\n');
    const report = await importOrders(workspace, { buffer: Buffer.from(moved) });
    expect(report).toMatchObject({ stored: true, errors: [] });
    const orders = await ordersOf(workspace);
    expect(orders[0]).toMatchObject({ external_id: 'A-1001', customer: 'M002', amount: '1980', item_count: 1, items: [['SERUM-30', 1, 1980]] });
    const customers = await customersOf(workspace);
    expect(customers.map((c) => [c.external_id, c.purchase_count, c.purchase_total])).toEqual([
      ['M001', 0, '0'],
      ['M002', 2, '5280'],
      ['M003', 1, '2940'],
    ]);
  });

  it('gives new customers the purchase summary refreshCustomerStats computes: a lead until a first purchase', async () => {
    const workspace = await freshWorkspace(database);
    const file = [
      '受注番号,受注日時,会員ID,商品コード,商品名,数量,単価,ステータス',
      'C-1,2024/2/1,L-1,SOAP,石鹸,1,500,キャンセル',
      'C-2,2024/2/1,K-1,SOAP,石鹸,1,500,キャンセル',
      'C-3,2024/2/3,K-1,SOAP,石鹸,2,500,発送済',
      'C-4,2024/2/5 18:30,K-1,SOAP,石鹸,1,500,返品',
      'C-5,2024/2/4,K-1,SOAP,石鹸,1,480,発送済',
    ].join('\n');
    expect(await importOrders(workspace, { buffer: Buffer.from(file) })).toMatchObject({ stored: true, errors: [] });
    const summaries = async () =>
      (
        await database.pool.query(
          `select external_id, lifecycle, purchase_count, purchase_total, first_purchase_at, last_purchase_at, became_customer_at, updated_at
         from customers where workspace_id = $1 order by external_id`,
          [workspace.id],
        )
      ).rows;
    const imported = await summaries();
    // By hand: K-1 bought on 2/3 (2 × 500) and 2/4 (480), midnight in Tokyo; C-2 is cancelled and C-4 returned.
    expect(imported).toMatchObject([
      {
        external_id: 'K-1',
        lifecycle: 'customer',
        purchase_count: 2,
        purchase_total: '1480',
        first_purchase_at: new Date('2024-02-02T15:00:00Z'),
        last_purchase_at: new Date('2024-02-03T15:00:00Z'),
        became_customer_at: new Date('2024-02-02T15:00:00Z'),
      },
      {
        external_id: 'L-1',
        lifecycle: 'lead',
        purchase_count: 0,
        purchase_total: '0',
        first_purchase_at: null,
        last_purchase_at: null,
        became_customer_at: null,
      },
    ]);
    const client = await database.pool.connect();
    try {
      const { rows } = await client.query<{ id: string }>('select id from customers where workspace_id = $1', [workspace.id]);
      await refreshCustomerStats(
        client,
        rows.map((row) => row.id),
      );
    } finally {
      client.release();
    }
    expect(await summaries()).toEqual(imported);
  });

  it('stores nothing and reports a conflict when another transaction stores one of its orders meanwhile', async () => {
    const workspace = await freshWorkspace(database);
    const other = await database.pool.connect();
    try {
      await other.query('begin');
      const { rows: otherPid } = await other.query<{ pid: number }>('select pg_backend_pid() as pid');
      await other.query(
        `insert into orders (workspace_id, external_id, customer_id, ordered_at, channel, status) values ($1, 'A-1002', 0, now(), 'web', 'confirmed')`,
        [workspace.id],
      );
      const importing = importOrders(workspace, { path: fixture('orders-ja.csv') });
      // The import waits on the other transaction's uncommitted key (blocked by it: the statement's
      // text is too long for pg_stat_activity to show where), then finds it taken.
      await waitUntil(
        async () => (await database.pool.query('select 1 from pg_stat_activity where $1::int = any(pg_blocking_pids(pid))', [otherPid[0]!.pid])).rowCount! > 0,
      );
      await other.query('commit');
      await expect(importing).rejects.toMatchObject({ code: 'conflict', message: expect.stringContaining('nothing was stored') });
    } finally {
      other.release();
    }
    expect(await customersOf(workspace)).toEqual([]);
    expect((await ordersOf(workspace)).map((o) => o.external_id)).toEqual([]);
  });

  it('follows an explicit column mapping over the automatic one', async () => {
    const workspace = await freshWorkspace(database);
    const file = ['伝票,日付,お客様,品番,品名,数,金額', 'X-1,2024/3/1,Z-1,P-1,石鹸,2,500'].join('\n');
    const mapping = { 伝票: 'order_id', 日付: 'ordered_at', お客様: 'customer_id', 品名: 'product_name', 数: 'quantity', 金額: 'unit_price' };
    const report = await importOrders(workspace, { buffer: Buffer.from(file) }, { mapping });
    expect(report).toMatchObject({ stored: true, errors: [] });
    expect(report.columns).toContainEqual({ column: '品番', field: 'sku' });
    expect((await ordersOf(workspace))[0]).toMatchObject({ external_id: 'X-1', customer: 'Z-1', amount: '1000' });
  });
});

describe('importCsv: broken order files', () => {
  // orders-mixed.csv: line 3 has no such date, line 4 a negative quantity, line 5 an unknown product
  // without a name, line 7 disagrees with line 6 (the first line of B-5) on the order date.
  const MIXED_ERRORS = [
    { line: 3, column: '受注日時', value: '2024/02/31', reason: 'no such date: "2024/02/31"', code: 'no_such_date' },
    { line: 4, column: '数量', value: '-1', reason: 'quantity must be at least 1', code: 'too_small', params: { minimum: 0, inclusive: 0 } },
    { line: 5, column: '商品コード', value: 'NOPE-1', reason: expect.stringContaining('unknown product code "NOPE-1"'), code: 'unknown_product' },
    {
      line: 7,
      column: '受注日時',
      value: '2024/1/9',
      reason: expect.stringMatching(/^ordered_at differs from line 6, the first line of order "B-5"; .*--order-time earliest \(HTTP: orderTime=earliest\)/),
      code: 'order_time_differs',
      params: { line: 6, order: 'B-5' },
    },
  ];

  it('lists every error with its line, column and value, and stores nothing (all-or-nothing)', async () => {
    const workspace = await freshWorkspace(database);
    const report = await importOrders(workspace, { path: fixture('orders-mixed.csv') });
    expect(report).toMatchObject({ rows: 7, records: 6, valid: 2, invalid: 5, stored: false });
    expect(report.errors).toEqual(MIXED_ERRORS);
    expect(await snapshotWorkspace(database, workspace)).toEqual({
      customers: null,
      identities: null,
      products: null,
      orders: null,
      items: null,
      events: null,
    });
  });

  it('compares every line of an order with its first, also lines that repeat a line that already differed', async () => {
    const workspace = await freshWorkspace(database);
    const file = [
      '受注番号,受注日時,会員ID,商品コード,商品名,数量,単価',
      'Z-1,2024/1/1,K-1,SOAP,石鹸,1,500',
      'Z-1,2024-01-01,K-1,SOAP,石鹸,1,500', // the same date, written otherwise: agrees
      'Z-1,2024/1/2,K-1,SOAP,石鹸,1,500',
      'Z-1,2024/1/2,K-1,SOAP,石鹸,1,500',
      'Z-2,2024/1/3,K-1,SOAP,石鹸,1,500',
      'Z-1,2024/1/1,K-2,SOAP,石鹸,1,500',
    ].join('\n');
    const report = await importOrders(workspace, { buffer: Buffer.from(file) });
    expect(report.stored).toBe(false);
    expect(report.errors.map((e) => [e.line, e.column, e.code])).toEqual([
      [4, '受注日時', 'order_time_differs'],
      [5, '受注日時', 'order_time_differs'],
      [7, '会員ID', 'order_lines_disagree'],
    ]);
  });

  it('checks everything in a dry run and stores nothing', async () => {
    const workspace = await freshWorkspace(database);
    const report = await importOrders(workspace, { path: fixture('orders-mixed.csv') }, { mode: 'skip-invalid', dryRun: true });
    expect(report).toMatchObject({ dryRun: true, stored: false, valid: 2, invalid: 5, errors: MIXED_ERRORS });
    expect(report.rejectedPath).toBeUndefined();
    expect((await snapshotWorkspace(database, workspace)).orders).toBeNull();
  });

  it('stores the valid orders and writes the rejected lines apart (skip-invalid)', async () => {
    const workspace = await freshWorkspace(database);
    const rejectedPath = path.join(scratch, 'mixed.rejected.csv');
    const report = await importOrders(workspace, { path: fixture('orders-mixed.csv') }, { mode: 'skip-invalid', rejectedPath });
    expect(report).toMatchObject({ rows: 7, valid: 2, invalid: 5, stored: true, rejectedPath, errors: MIXED_ERRORS });
    expect((await ordersOf(workspace)).map((o) => [o.external_id, o.customer, o.amount])).toEqual([
      ['B-1', 'M100', '1980'],
      ['B-6', 'M105', '6600'],
    ]);
    expect((await customersOf(workspace)).map((c) => c.external_id)).toEqual(['M100', 'M105']);
    const rejected = await readFile(rejectedPath);
    expect([...rejected.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(rejected.subarray(3).toString('utf8').split('\r\n')).toEqual([
      '受注番号,受注日時,会員ID,氏名,商品コード,商品名,数量,単価,error',
      'B-2,2024/02/31,M101,林 二郎,SERUM-30,美容液 30mL,1,1980,"受注日時: no such date: ""2024/02/31"""',
      'B-3,2024/1/6,M102,森 三郎,SERUM-30,美容液 30mL,-1,1980,数量: quantity must be at least 1',
      expect.stringMatching(/^B-4,2024\/1\/7,M103,池田 四郎,NOPE-1,,1,500,"?商品コード: unknown product code/),
      'B-5,2024/1/8,M104,橋本 五郎,SERUM-30,美容液 30mL,1,1980,"order ""B-5"" is rejected with line 7"',
      'B-5,2024/1/9,M104,橋本 五郎,CREAM-50,クリーム 50g,1,3300,"受注日時: ordered_at differs from line 6, the first line of order ""B-5""; if the export stamps each line as it was keyed, import with --order-time earliest (HTTP: orderTime=earliest) to give the order its earliest line\'s time"',
      '',
    ]);
  });

  it('writes a rejected cell a spreadsheet would run as a formula with a leading quote; a negative quantity stays a number', async () => {
    const workspace = await freshWorkspace(database);
    const file = path.join(scratch, 'formula.csv');
    await writeFile(file, (await readFile(fixture('orders-mixed.csv'), 'utf8')).replace('森 三郎', "=cmd|' /C calc'!A0"));
    const rejectedPath = path.join(scratch, 'formula.rejected.csv');
    await importOrders(workspace, { path: file }, { mode: 'skip-invalid', rejectedPath });
    const line = (await readFile(rejectedPath, 'utf8')).split('\r\n').find((l) => l.startsWith('B-3,'));
    expect(line).toBe("B-3,2024/1/6,M102,'=cmd|' /C calc'!A0,SERUM-30,美容液 30mL,-1,1980,数量: quantity must be at least 1");
  });

  it('refuses an empty file, a header without lines, a binary file and bytes invalid in Shift_JIS, each with one clear error', async () => {
    const workspace = await freshWorkspace(database);
    const oneError = async (bytes: Buffer) => {
      const report = await importOrders(workspace, { buffer: bytes });
      expect(report.stored).toBe(false);
      expect(report.errors).toHaveLength(1);
      return report.errors[0]!.reason;
    };
    expect(await oneError(Buffer.alloc(0))).toBe('the file is empty');
    expect(await oneError(Buffer.from('受注番号,受注日時,会員ID,商品コード,数量,単価\r\n'))).toMatch(/^no data rows/);
    expect(await oneError(Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03]))).toMatch(/not text/);
    const sjis = iconv.encode('受注番号,受注日時,会員ID,商品コード,数量,単価\r\nA-1,2024/1/5,M1,', 'cp932');
    expect(await oneError(Buffer.concat([sjis, Buffer.from([0xfd, 0xfe, 0x2c, 0x31, 0x2c, 0x31, 0x0d, 0x0a])]))).toMatch(/neither UTF-8 nor Shift_JIS/);
    expect((await snapshotWorkspace(database, workspace)).orders).toBeNull();
  });

  it('reports a quantity too large for the database as an error on its line, not a failure', async () => {
    const workspace = await freshWorkspace(database);
    const file = '受注番号,受注日時,会員ID,商品コード,商品名,数量,単価\nA-1,2024/1/5,M1,S1,石鹸,9999999999,100\n';
    const report = await importOrders(workspace, { buffer: Buffer.from(file) });
    expect(report.errors).toEqual([
      {
        line: 2,
        column: '数量',
        value: '9999999999',
        reason: 'quantity must be at most 1,000,000',
        code: 'too_large',
        params: { maximum: 1_000_000, inclusive: 1 },
      },
    ]);
  });

  it('names a required field without a column and lists the headers found', async () => {
    const workspace = await freshWorkspace(database);
    const report = await importOrders(workspace, { buffer: Buffer.from('受注番号,会員ID,商品コード,数量,単価\nA-1,M1,S1,1,100\n') });
    expect(report.stored).toBe(false);
    expect(report.errors).toEqual([
      {
        line: 1,
        column: null,
        value: null,
        reason: expect.stringMatching(
          /^no column for ordered_at, which orders need: name a column "受注日時" or .*headers found: "受注番号", "会員ID", "商品コード", "数量", "単価"/,
        ),
        code: 'no_column',
        params: { field: 'ordered_at' },
      },
    ]);
    expect(report.fields).toContainEqual({ name: 'ordered_at', required: true, header: '受注日時' });
    expect(report.fields).toContainEqual({ name: 'store', required: false, header: '店舗' });
  });
});
