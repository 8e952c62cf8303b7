import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestDatabase, freshWorkspace, withTransaction } from '../../test/support/database.ts';
import { addOrders } from '../../test/support/purchases.ts';
import { AnalyticsEngine } from '../analytics/engine/analytics-engine.ts';
import { ingestBatch } from '../ingest/ingest-batch.ts';
import type { Workspace } from '../workspaces/workspaces.ts';
import type { CustomerOrder } from './customer-list-order.ts';
import { listCustomers, type CustomerListFilters } from './list-customers.ts';
import { rfmSegmentMembers } from './rfm-segment-members.ts';

const database = connectTestDatabase();
let workspace: Workspace;
let idOf: Map<string, string>;

// Three leads and six buyers (Asia/Tokyo):
//        purchases                          last purchase       total    CLV (stored run)
//   b1   01-10 ¥3,000, 03-01 12:00 ¥2,000   03-01 12:00         5,000    100.5
//   b2   03-01 12:00 ¥5,000                 03-01 12:00         5,000    100.5
//   b3   02-01 12:00 ¥8,000                 02-01 12:00         8,000    300.25
//   b4   01-01, 01-15, 04-01 ¥1,000 each    04-01 12:00         3,000    50
//   b5   03-01 12:00 ¥5,000                 03-01 12:00         5,000    —
//   b6   01-20 12:00 ¥12,000                01-20 12:00        12,000    —
// b1, b2 and b5 tie on last purchase and total, b1 and b2 on CLV: ties are read by id.
const LEADS = ['l1', 'l2', 'l3'];
const BUYERS = ['b1', 'b2', 'b3', 'b4', 'b5', 'b6'];

beforeAll(async () => {
  workspace = await freshWorkspace(database);
  const profiles = [...LEADS, ...BUYERS].map((customer_id) => ({ customer_id, name: `名前 ${customer_id}` }));
  await withTransaction(database.pool, (client) => ingestBatch({ client, workspace, kind: 'customers', records: profiles, mode: 'all-or-nothing' }));
  idOf = await addOrders(database, workspace, [
    { customer: 'b1', at: '2024-01-10 12:00', amount: 3000 },
    { customer: 'b1', at: '2024-03-01 12:00', amount: 2000 },
    { customer: 'b2', at: '2024-03-01 12:00', amount: 5000 },
    { customer: 'b3', at: '2024-02-01 12:00', amount: 8000 },
    { customer: 'b4', at: '2024-01-01 12:00', amount: 1000 },
    { customer: 'b4', at: '2024-01-15 12:00', amount: 1000 },
    { customer: 'b4', at: '2024-04-01 12:00', amount: 1000 },
    { customer: 'b5', at: '2024-03-01 12:00', amount: 5000 },
    { customer: 'b6', at: '2024-01-20 12:00', amount: 12000 },
  ]);
  for (const [customer, clv] of [
    ['b1', 100.5],
    ['b2', 100.5],
    ['b3', 300.25],
    ['b4', 50],
  ] as const) {
    await database.pool.query(
      `insert into customer_values (workspace_id, customer_id, repeat_purchases, recency, age, probability_alive, expected_purchases, expected_spend, clv)
       values ($1, $2, 0, 0, 1, 1, 1, 1, $3)`,
      [workspace.id, idOf.get(customer), clv],
    );
  }
});
afterAll(() => database.close());

const id = (name: string) => BigInt(idOf.get(name)!);
/** Names by id, newest (highest id) first or oldest first. */
const byId = (names: string[], direction: 'desc' | 'asc') => [...names].sort((a, b) => (id(a) < id(b) ? -1 : 1) * (direction === 'desc' ? -1 : 1));
const LEADS_NEWEST_FIRST = () => byId(LEADS, 'desc');

async function everyPage(order: CustomerOrder, limit: number, filters: CustomerListFilters = {}, segmentMembers?: () => Promise<string[]>) {
  const names: string[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 50; pages++) {
    const page = await listCustomers(database.db, workspace.id, filters, {
      limit,
      order,
      ...(cursor ? { cursor } : {}),
      ...(segmentMembers ? { segmentMembers } : {}),
    });
    names.push(...page.items.map((c) => c.externalId));
    if (page.nextCursor === null) return names;
    cursor = page.nextCursor;
  }
  throw new Error('the cursor never ended');
}

describe('listCustomers order', () => {
  const cases: [string, CustomerOrder, () => string[]][] = [
    [
      'last purchase, most recent first',
      { sort: 'lastPurchase', direction: 'desc' },
      () => ['b4', ...byId(['b1', 'b2', 'b5'], 'desc'), 'b3', 'b6', ...LEADS_NEWEST_FIRST()],
    ],
    [
      'last purchase, oldest first',
      { sort: 'lastPurchase', direction: 'asc' },
      () => ['b6', 'b3', ...byId(['b1', 'b2', 'b5'], 'asc'), 'b4', ...LEADS_NEWEST_FIRST()],
    ],
    [
      'total spend, highest first',
      { sort: 'totalSpend', direction: 'desc' },
      () => ['b6', 'b3', ...byId(['b1', 'b2', 'b5'], 'desc'), 'b4', ...LEADS_NEWEST_FIRST()],
    ],
    [
      'total spend, lowest first',
      { sort: 'totalSpend', direction: 'asc' },
      () => ['b4', ...byId(['b1', 'b2', 'b5'], 'asc'), 'b3', 'b6', ...LEADS_NEWEST_FIRST()],
    ],
    ['CLV, highest first', { sort: 'clv', direction: 'desc' }, () => ['b3', ...byId(['b1', 'b2'], 'desc'), 'b4', ...byId(['b5', 'b6', ...LEADS], 'desc')]],
    ['CLV, lowest first', { sort: 'clv', direction: 'asc' }, () => ['b4', ...byId(['b1', 'b2'], 'asc'), 'b3', ...byId(['b5', 'b6', ...LEADS], 'desc')]],
    ['registration, newest first', { sort: 'registered', direction: 'desc' }, () => byId([...LEADS, ...BUYERS], 'desc')],
    ['registration, oldest first', { sort: 'registered', direction: 'asc' }, () => byId([...LEADS, ...BUYERS], 'asc')],
  ];
  for (const [label, order, expected] of cases) {
    it(`lists by ${label}, every page size giving each profile once across ties and parts`, async () => {
      for (const limit of [1, 2, 3, 4, 9, 50]) expect(await everyPage(order, limit), `limit ${limit}`).toEqual(expected());
    });
  }

  it('opens on buyers before leads by default, with the CLV of the last run', async () => {
    const page = await listCustomers(database.db, workspace.id, {}, { limit: 3 });
    const clv: Record<string, number | null> = { b4: 50, b1: 100.5, b2: 100.5, b5: null };
    expect(page.items.map((c) => [c.externalId, c.clv])).toEqual(['b4', ...byId(['b1', 'b2', 'b5'], 'desc')].slice(0, 3).map((n) => [n, clv[n]]));
  });

  it('filters by purchase count, bounds included', async () => {
    const order: CustomerOrder = { sort: 'totalSpend', direction: 'desc' };
    expect(await everyPage(order, 2, { purchaseCountMin: 2 })).toEqual(['b1', 'b4']);
    expect(await everyPage(order, 2, { purchaseCountMin: 1, purchaseCountMax: 1 })).toEqual(['b6', 'b3', ...byId(['b2', 'b5'], 'desc')]);
    expect(await everyPage(order, 2, { purchaseCountMax: 0 })).toEqual(LEADS_NEWEST_FIRST());
    await expect(listCustomers(database.db, workspace.id, { purchaseCountMin: 3, purchaseCountMax: 2 }, { limit: 5 })).rejects.toThrow(
      /purchaseCountMin \(3\) is above purchaseCountMax \(2\)/,
    );
  });

  it('filters by RFM segment through the ids analytics gives', async () => {
    const members = async () => [idOf.get('b3')!, idOf.get('b6')!];
    expect(await everyPage({ sort: 'lastPurchase', direction: 'desc' }, 1, { rfmSegment: 'churned' }, members)).toEqual(['b3', 'b6']);
  });

  it('refuses a cursor made for another order, and a forged key', async () => {
    const first = await listCustomers(database.db, workspace.id, {}, { limit: 1, order: { sort: 'totalSpend', direction: 'desc' } });
    await expect(
      listCustomers(database.db, workspace.id, {}, { limit: 1, cursor: first.nextCursor!, order: { sort: 'totalSpend', direction: 'asc' } }),
    ).rejects.toThrow(/cursor is not valid/);
    const forged = Buffer.from(JSON.stringify(['totalSpend', 'desc', 'keyed', '1; drop table', '1'])).toString('base64url');
    await expect(listCustomers(database.db, workspace.id, {}, { limit: 1, cursor: forged, order: { sort: 'totalSpend', direction: 'desc' } })).rejects.toThrow(
      /cursor is not valid/,
    );
  });
});

// As of 2024-05-01, six buyers (score = ⌈5k/6⌉, k = customers the value does not beat):
// recency b4 30, b1 b2 b5 61, b3 90, b6 102 days → R b6 1, b3 2, the rest 5; purchases b4 3,
// b1 2, others 1 → F 5, 5, 4. The churn window proposed from the gaps 14, 51, 77 (b4, b1, b4): p90 at
// 1.8 = 51 + 0.8·26 = 71.8 → 72 days, churned ⇔ last day before 02-19: b3, b6. Segments: 離反 b3 b6
// (the churn list), 新規 b2 b5, 優良 b1 b4; nobody 離反予備 (b3's R = 2, but it is churned).
describe('rfmSegmentMembers', () => {
  it('gives the ids of one segment, in memory and by the SQL reference alike', async () => {
    const analytics = new AnalyticsEngine(database.pool);
    const members = (segment: 'churned' | 'at_risk' | 'new' | 'loyal' | 'stable') =>
      rfmSegmentMembers({ analytics, pool: database.pool, workspaceId: workspace.id, asOf: '2024-05-01', segment });
    const names = async (segment: Parameters<typeof members>[0]) => {
      const ids = await members(segment);
      return [...idOf]
        .filter(([, value]) => ids.includes(value))
        .map(([name]) => name)
        .sort();
    };
    expect(await names('churned')).toEqual(['b3', 'b6']);
    expect(await names('at_risk')).toEqual([]);
    expect(await names('new')).toEqual(['b2', 'b5']);
    expect(await names('loyal')).toEqual(['b1', 'b4']);
    expect(await names('stable')).toEqual([]);
  });
});
