import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestDatabase, freshWorkspace, withTransaction } from '../../test/support/database.ts';
import { ingestBatch } from '../ingest/ingest-batch.ts';
import type { Workspace } from '../workspaces/workspaces.ts';
import { COUNT_LIMIT, hiraganaToKatakana, listCustomers, type CustomerListFilters, type CustomerListPage } from './list-customers.ts';

const database = connectTestDatabase();
let workspace: Workspace;

// 2,600 佐藤 (more than the count's cap of 1,000, so the walk plan) among 3,000 profiles:
// both query plans are exercised, and every page is checked against the expected set.
const SATO = 2_600;
const TOTAL = 3_000;

beforeAll(async () => {
  workspace = await freshWorkspace(database);
  const records = Array.from({ length: TOTAL }, (_, i) => ({
    customer_id: `K${String(i).padStart(5, '0')}`,
    name: i < SATO ? `佐藤 ${i % 2 ? '花子' : '太郎'}` : `鈴木 ${i % 3 ? '恵' : '花子'}`,
    name_kana: i < SATO ? `サトウ ${i % 2 ? 'ハナコ' : 'タロウ'}` : `スズキ ${i % 3 ? 'メグミ' : 'ハナコ'}`,
    prefecture: i % 10 === 0 ? '沖縄県' : '東京都',
    email: `k${i}@example.jp`,
  }));
  await withTransaction(database.pool, (client) => ingestBatch({ client, workspace, kind: 'customers', records, mode: 'all-or-nothing' }));
});
afterAll(() => database.close());

async function everyPage(filters: CustomerListFilters, limit = 500) {
  const ids: string[] = [];
  let cursor: string | undefined;
  let total: CustomerListPage['total'] | undefined;
  do {
    const page = await listCustomers(database.db, workspace.id, filters, { limit, ...(cursor ? { cursor } : {}) });
    total ??= page.total;
    ids.push(...page.items.map((c) => c.externalId));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return { ids, total };
}

const expected = (pick: (i: number) => boolean) =>
  Array.from({ length: TOTAL }, (_, i) => i)
    .filter(pick)
    .map((i) => `K${String(i).padStart(5, '0')}`)
    .reverse();

describe('listCustomers', () => {
  it('pages through a dense match (walk plan) newest first, each profile once', async () => {
    const { ids, total } = await everyPage({ q: '佐藤' });
    expect(total).toEqual({ value: COUNT_LIMIT, exact: false });
    expect(ids).toEqual(expected((i) => i < SATO));
  });

  it('pages through a sparse match (index plan) with a filter', async () => {
    const { ids, total } = await everyPage({ q: 'すずき', prefecture: '沖縄県' }, 7);
    expect(ids).toEqual(expected((i) => i >= SATO && i % 10 === 0));
    expect(total).toEqual({ value: ids.length, exact: true });
  });

  it('gives the same answer on both plans for a given name', async () => {
    const { ids } = await everyPage({ q: '花子' });
    expect(ids).toEqual(expected((i) => (i < SATO ? i % 2 === 1 : i % 3 === 0)));
  });

  it('counts exactly below the cap, on both plans', async () => {
    expect((await everyPage({ q: '鈴木' })).total).toEqual({ value: TOTAL - SATO, exact: true });
    expect((await everyPage({ prefecture: '沖縄県' })).total).toEqual({ value: TOTAL / 10, exact: true });
    expect((await everyPage({})).total).toEqual({ value: COUNT_LIMIT, exact: false });
  });

  it('finds by email and by customer id prefix', async () => {
    expect((await everyPage({ q: 'K0299' })).ids).toEqual(expected((i) => i >= 2990 && i < 3000));
    expect((await everyPage({ q: 'k1234@' })).ids).toEqual(['K01234']);
  });

  it('rejects a forged cursor', async () => {
    await expect(listCustomers(database.db, workspace.id, {}, { limit: 5, cursor: 'bm9wZQ' })).rejects.toThrow(/cursor is not valid/);
  });
});

it('turns hiragana into katakana and leaves the rest', () => {
  expect(hiraganaToKatakana('やまだ はなこ ABC 山')).toBe('ヤマダ ハナコ ABC 山');
});
