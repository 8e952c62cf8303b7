import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, snapshotWorkspace } from '../../test/fixtures/import/support.ts';
import { connectTestDatabase, freshWorkspace } from '../../test/support/database.ts';
import type { BatchKind } from '../ingest/records.ts';
import type { Workspace } from '../workspaces/workspaces.ts';
import { importCsv, type CsvSource, type ImportCsvParams } from './import-csv.ts';

const database = connectTestDatabase();
let workspace: Workspace;

beforeAll(async () => {
  workspace = await freshWorkspace(database);
});
afterAll(() => database.close());

function importFile(kind: BatchKind, source: CsvSource, options: Partial<ImportCsvParams> = {}) {
  return importCsv({ pool: database.pool, workspace, kind, source, mode: 'all-or-nothing', dryRun: false, ...options });
}

describe('importCsv: customers, products and events', () => {
  it('imports customers with normalised values, and keeps unknown columns as attributes', async () => {
    const report = await importFile('customers', { path: fixture('customers-ja.csv') });
    expect(report).toMatchObject({ kind: 'customers', encoding: 'utf-8', rows: 3, records: 3, valid: 3, stored: true, errors: [] });
    expect(report.columns).toContainEqual({ column: '氏名（カナ）', field: 'name_kana' });
    expect(report.columns).toContainEqual({ column: '会員ランク', field: 'attributes.会員ランク' });
    const customers = await database.db
      .selectFrom('customers')
      .select(['external_id', 'name', 'name_kana', 'gender', 'birth_date', 'prefecture', 'attributes'])
      .where('workspace_id', '=', workspace.id)
      .orderBy('external_id')
      .execute();
    expect(customers).toEqual([
      {
        external_id: 'K001',
        name: '山田 花子',
        name_kana: 'ヤマダ ハナコ',
        gender: 'female',
        birth_date: '1985-04-12',
        prefecture: '東京都',
        attributes: { 会員ランク: 'ゴールド' },
      },
      { external_id: 'K002', name: '田中 太郎', name_kana: 'タナカ タロウ', gender: 'male', birth_date: '1990-12-01', prefecture: '大阪府', attributes: {} },
      {
        external_id: 'K003',
        name: '中村 結衣',
        name_kana: 'ナカムラ ユイ',
        gender: null,
        birth_date: null,
        prefecture: '福岡県',
        attributes: { 会員ランク: 'シルバー' },
      },
    ]);
    const identities = await database.db
      .selectFrom('customer_identities')
      .select(['kind', 'value'])
      .where('workspace_id', '=', workspace.id)
      .orderBy('value')
      .execute();
    expect(identities).toEqual([
      { kind: 'phone', value: '08012345678' },
      { kind: 'phone', value: '09012345678' },
      { kind: 'email', value: 'hanako@example.jp' },
      { kind: 'email', value: 'taro@example.jp' },
    ]);
    const before = await snapshotWorkspace(database, workspace);
    await importFile('customers', { path: fixture('customers-ja.csv') });
    expect(await snapshotWorkspace(database, workspace)).toEqual(before);
  });

  it('reports a repeated customer id and an email that belongs to another customer, on their lines', async () => {
    const file = ['会員ID,氏名,メールアドレス', 'K010,新規 一,new1@example.jp', 'K011,新規 二,hanako@example.jp', 'K010,新規 一,new1@example.jp'].join('\n');
    const report = await importFile('customers', { buffer: Buffer.from(file) }, { mode: 'skip-invalid' });
    expect(report.errors).toEqual([
      {
        line: 3,
        column: 'メールアドレス',
        value: 'hanako@example.jp',
        reason: 'email "hanako@example.jp" already belongs to customer K001',
        code: 'identity_taken',
      },
      { line: 4, column: '会員ID', value: 'K010', reason: 'duplicate customer_id "K010" (also on line 2)', code: 'duplicate' },
    ]);
    expect(report).toMatchObject({ stored: true, valid: 1, invalid: 2 });
    const stored = await database.db
      .selectFrom('customers')
      .select('external_id')
      .where('workspace_id', '=', workspace.id)
      .where('external_id', 'in', ['K010', 'K011'])
      .execute();
    expect(stored).toEqual([{ external_id: 'K010' }]);
  });

  it('imports products with yen prices, subscription flags and the effect timeline', async () => {
    const report = await importFile('products', { path: fixture('products-ja.csv') });
    expect(report).toMatchObject({ rows: 2, valid: 2, stored: true, errors: [] });
    const products = await database.db
      .selectFrom('products')
      .select(['sku', 'name', 'category', 'price', 'is_subscription', 'effect_first_feeling_days', 'effect_clear_days', 'effect_share'])
      .where('workspace_id', '=', workspace.id)
      .orderBy('sku')
      .execute();
    expect(products).toEqual([
      {
        sku: 'SERUM-30',
        name: '美容液 30mL',
        category: 'スキンケア',
        price: '1980',
        is_subscription: false,
        effect_first_feeling_days: 7,
        effect_clear_days: 28,
        effect_share: '0.7',
      },
      {
        sku: 'SERUM-SUB',
        name: '美容液 定期便',
        category: 'スキンケア',
        price: '1780',
        is_subscription: true,
        effect_first_feeling_days: 7,
        effect_clear_days: 28,
        effect_share: '0.7',
      },
    ]);
  });

  it('refuses product values the schema refuses, naming the column', async () => {
    const file = ['商品コード,商品名,価格,定期,実感率', 'X-1,石鹸,abc,たぶん,150%'].join('\n');
    const report = await importFile('products', { buffer: Buffer.from(file) });
    expect(report.stored).toBe(false);
    expect(report.errors.map((e) => [e.line, e.column, e.value])).toEqual([
      [2, '価格', 'abc'],
      [2, '定期', 'たぶん'],
      [2, '実感率', '150%'],
    ]);
  });

  it('stores events once: a derived key makes a repeated line and a second import change nothing', async () => {
    const report = await importFile('events', { path: fixture('events-en.csv') });
    expect(report).toMatchObject({ rows: 3, valid: 3, invalid: 0, stored: true, errors: [] });
    const events = async () =>
      database.db
        .selectFrom('events')
        .select(['type', 'occurred_at', 'properties', 'idempotency_key'])
        .where('workspace_id', '=', workspace.id)
        .orderBy('occurred_at')
        .execute();
    const stored = await events();
    expect(stored.map((e) => [e.type, e.occurred_at.toISOString(), e.properties])).toEqual([
      ['page_view', '2024-03-01T01:00:00.000Z', { path: '/serum' }],
      ['cart_add', '2024-03-02T02:00:00.000Z', {}],
    ]);
    expect(stored[0]!.idempotency_key).toMatch(/^csv:[0-9a-f]{40}$/);
    await importFile('events', { path: fixture('events-en.csv') });
    expect(await events()).toEqual(stored);
  });
});
