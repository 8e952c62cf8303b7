import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestDatabase, freshWorkspace, withTransaction } from '../../../test/support/database.ts';
import { dayNumber } from '../../analytics/periods.ts';
import { rfmChurnWindow } from '../../analytics/rfm.ts';
import { rfmBaseCte, rfmScoredCtes } from '../../analytics/rfm-quintiles.ts';
import { refreshCustomerStats } from '../../orders/customer-stats.ts';
import { localDateOf } from '../../shared/time.ts';
import type { Workspace } from '../../workspaces/workspaces.ts';
import { COMPARISONS, type JourneyMap, type PropertyTest, type SubscriptionState } from '../model.ts';
import { compileMap, loadCatalogue, placeFacts } from './compile.ts';
import type { CatalogueProduct, CustomerFacts } from './facts.ts';
import { placementQuery, placementSql, propertyTestSql, SqlParams } from './sql.ts';
import { passesValueTest } from './value-test.ts';

/**
 * A small workspace (Asia/Tokyo) placed at 2024-06-30 12:00 JST by a map that uses every fact
 * kind: the one SQL query (placementSql) and the JS compiler over facts loaded here customer
 * by customer both give the placements computed by hand below.
 */

const database = connectTestDatabase();
let workspace: Workspace;
const AT = new Date('2024-06-30T12:00:00+09:00');
const TODAY = dayNumber('2024-06-30');
const ids = new Map<string, string>();

const map: JourneyMap = {
  name: 'みのり青汁本舗',
  goal: 'ストレスがなく健康で、ブランドとの接点が日常化している状態',
  stages: [
    { key: 'aware', name: '認知' },
    {
      key: 'trial',
      name: '初回購入',
      rule: {
        any: [
          { fact: 'bought', categories: ['aojiru'] },
          { fact: 'purchase_count', op: '>=', value: 1 },
        ],
      },
    },
    {
      key: 'felt',
      name: '実感',
      rule: { fact: 'days_since_delivered', products: ['AOJIRU-30'], which: 'first', op: '>=', value: { effect: 'first_feeling' } },
    },
    {
      key: 'subscribed',
      name: '定期継続',
      rule: {
        all: [
          { fact: 'subscription_status', in: ['active', 'paused'] },
          { fact: 'subscription_deliveries', op: '>=', value: 3 },
        ],
      },
    },
    {
      key: 'habit',
      name: '日常化',
      rule: {
        all: [
          { fact: 'days_since_subscription_started', op: '>=', value: 90 },
          { fact: 'total_spend', op: '>=', value: 20000 },
        ],
      },
    },
  ],
  levels: [
    { key: 'cold', name: '無関心' },
    {
      key: 'interested',
      name: '関心',
      rule: {
        any: [
          { fact: 'events', type: 'page_view', withinDays: 30, op: '>=', value: 2 },
          { fact: 'events', type: 'email_click', withinDays: 7 },
          { fact: 'events', type: 'survey_answer', where: [{ property: 'score', op: '>=', value: 9 }], withinDays: 365 },
          { fact: 'attribute', name: 'newsletter', op: '=', value: true },
        ],
      },
    },
    {
      key: 'trusting',
      name: '信頼',
      rule: {
        all: [
          { fact: 'days_since_last_purchase', op: '<=', value: 60 },
          { not: { fact: 'events', type: 'support_contact', where: [{ property: 'topic', op: '=', value: 'complaint' }], withinDays: 90 } },
        ],
      },
    },
    {
      key: 'loyal',
      name: '好意',
      rule: {
        any: [
          { fact: 'rfm_segment', in: ['loyal'] },
          { fact: 'p_alive', op: '>=', value: 0.8 },
        ],
      },
    },
    {
      key: 'fan',
      name: 'ファン',
      rule: {
        all: [
          { fact: 'attribute', name: 'ambassador' },
          { fact: 'attribute', name: 'plan', op: 'in', value: ['gold', 'platinum'] },
          { fact: 'lifecycle', in: ['customer'] },
          { fact: 'days_since_first_purchase', op: '>=', value: 180 },
        ],
      },
    },
  ],
  cells: [],
};

/**
 * By hand. RFM as of 2024-06-30 over the 7 buyers (C04 C05 C07 C08 C10 C11 C12): frequency
 * 1,1,5,5,1,4,1 → F = ⌈5k/7⌉: 1 → 3, 4 → 4, 5 → 5; recency (days) 20,15,29,5,395,10,29 →
 * R: C08 5, C11 5, C05 4, C04 3, C07 3, C12 3, C10 1. Loyal (R ≥ 4 and F ≥ 4): C08 and C11
 * (C05 is new: one purchase).
 */
const EXPECTED: Record<string, { stage: number; level: number; why: string }> = {
  C01: { stage: 0, level: 0, why: 'a lead; newsletter is false' },
  C02: { stage: 0, level: 1, why: 'two page views in the last 30 days' },
  C03: { stage: 0, level: 0, why: 'one page view in the window (one the minute before it, one after `at`); a click 7 days ago is outside 7 days' },
  C04: { stage: 2, level: 2, why: 'AOJIRU-30 delivered 18 days ago ≥ 14 (first feeling); last purchase 20 days ago, no complaint' },
  C05: {
    stage: 1,
    level: 1,
    why: 'delivered 2024-06-17 08:30 JST (06-16 in UTC): 13 days < 14; a cancelled order is no purchase; a complaint; an email click 2 days ago',
  },
  C06: { stage: 0, level: 0, why: 'only a returned order; survey score "10" is text, not a number; fan needs a first purchase' },
  C07: { stage: 4, level: 3, why: 'active 定期, 4 deliveries, started 121 days ago, spend 35,000; R = 3 but P(alive) 0.9; first purchase 150 days ago < 180' },
  C08: { stage: 2, level: 4, why: 'paused 定期 with 2 deliveries; spend 13,500; ambassador on gold, first purchase 242 days ago' },
  C09: { stage: 0, level: 0, why: 'a lead with no facts (stored stage: subscribed)' },
  C10: { stage: 1, level: 1, why: 'cancelled 定期; AOJIRU-90 only; newsletter true' },
  C11: { stage: 1, level: 3, why: 'four CUP orders, RFM loyal (R 5, F 4)' },
  C12: { stage: 1, level: 3, why: 'a complaint 76 days ago; P(alive) 0.85' },
};

beforeAll(async () => {
  workspace = await freshWorkspace(database, { timezone: 'Asia/Tokyo' });
  const ws = workspace.id;
  const q = (sql: string, values: unknown[] = []) => database.pool.query(sql, [ws, ...values]);
  await q(
    `insert into products (workspace_id, sku, name, category, effect_first_feeling_days, effect_clear_days) values
       ($1, 'AOJIRU-30', '青汁 30包', 'aojiru', 14, 60), ($1, 'AOJIRU-90', '青汁 90包', 'aojiru', null, 90), ($1, 'CUP', 'シェイカー', 'goods', null, null)`,
  );
  const attributes: Record<string, object> = {
    C01: { newsletter: false },
    C06: { ambassador: true, plan: 'gold' },
    C07: { ambassador: 'yes', plan: 'platinum' },
    C08: { ambassador: true, plan: 'gold' },
    C10: { newsletter: true, plan: 'silver' },
  };
  for (const key of Object.keys(EXPECTED)) {
    const lifecycle = ['C01', 'C02', 'C03', 'C09'].includes(key) ? 'lead' : 'customer';
    const { rows } = await q(`insert into customers (workspace_id, external_id, lifecycle, attributes) values ($1, $2, $3, $4) returning id`, [
      key,
      lifecycle,
      JSON.stringify(attributes[key] ?? {}),
    ]);
    ids.set(key, rows[0].id);
  }
  let orderNo = 0;
  const order = async (customer: string, sku: string, amount: number, orderedAt: string, deliveredAt: string | null, status = 'delivered') => {
    orderNo += 1;
    const { rows } = await q(
      `insert into orders (workspace_id, external_id, customer_id, ordered_at, channel, status, delivered_at, amount, item_count)
       values ($1, $2, $3, $4, 'web', $5, $6, $7, 1) returning id`,
      [`O${orderNo}`, ids.get(customer), orderedAt, status, deliveredAt, amount],
    );
    await q(
      `insert into order_items (order_id, line_no, workspace_id, product_id, quantity, unit_price) select $2, 1, $1, id, 1, $4 from products where workspace_id = $1 and sku = $3`,
      [rows[0].id, sku, amount],
    );
  };
  await order('C04', 'AOJIRU-30', 3000, '2024-06-10T10:00:00+09:00', '2024-06-12T10:00:00+09:00');
  await order('C05', 'AOJIRU-30', 3000, '2024-06-15T10:00:00+09:00', '2024-06-16T23:30:00Z');
  await order('C05', 'CUP', 1500, '2024-06-01T10:00:00+09:00', null, 'cancelled');
  await order('C06', 'AOJIRU-30', 3000, '2024-05-01T10:00:00+09:00', '2024-05-03T10:00:00+09:00', 'returned');
  await order('C07', 'AOJIRU-30', 3000, '2024-02-01T10:00:00+09:00', '2024-02-03T10:00:00+09:00');
  for (const month of ['03', '04', '05', '06']) await order('C07', 'AOJIRU-90', 8000, `2024-${month}-01T10:00:00+09:00`, `2024-${month}-03T10:00:00+09:00`);
  await order('C08', 'AOJIRU-30', 3000, '2023-11-01T10:00:00+09:00', '2023-11-03T10:00:00+09:00');
  for (const date of ['2024-01-10', '2024-03-10', '2024-05-10']) await order('C08', 'AOJIRU-30', 3000, `${date}T10:00:00+09:00`, `${date}T18:00:00+09:00`);
  await order('C08', 'CUP', 1500, '2024-06-25T10:00:00+09:00', null, 'shipped');
  await order('C10', 'AOJIRU-90', 8000, '2023-06-01T10:00:00+09:00', '2023-06-03T10:00:00+09:00');
  for (const month of ['03', '04', '05', '06']) await order('C11', 'CUP', 1500, `2024-${month}-20T10:00:00+09:00`, `2024-${month}-22T10:00:00+09:00`);
  await order('C12', 'CUP', 1500, '2024-06-01T10:00:00+09:00', '2024-06-03T10:00:00+09:00');
  await withTransaction(database.pool, (client) => refreshCustomerStats(client, [...ids.values()]));

  const subscription = async (customer: string, status: string, startedAt: string, deliveries: number, cancelledAt: string | null = null) =>
    q(
      `insert into subscriptions (workspace_id, external_id, customer_id, cycle_unit, cycle_every, status, status_changed_at, started_at, deliveries, cancelled_at)
       values ($1, $2, $3, 'months', 1, $4, $5, $6, $7, $8)`,
      [`S-${customer}`, ids.get(customer), status, cancelledAt ?? startedAt, startedAt, deliveries, cancelledAt],
    );
  await subscription('C07', 'active', '2024-03-01T10:00:00+09:00', 4);
  await subscription('C08', 'paused', '2023-12-01T10:00:00+09:00', 2);
  await subscription('C10', 'cancelled', '2023-06-01T10:00:00+09:00', 3, '2023-09-01T10:00:00+09:00');

  let eventNo = 0;
  const event = async (customer: string, type: string, occurredAt: string, properties: object = {}) => {
    eventNo += 1;
    await q(`insert into events (workspace_id, customer_id, type, occurred_at, properties, idempotency_key) values ($1, $2, $3, $4, $5, $6)`, [
      ids.get(customer),
      type,
      occurredAt,
      JSON.stringify(properties),
      `E${eventNo}`,
    ]);
  };
  await event('C02', 'page_view', '2024-06-20T10:00:00+09:00');
  await event('C02', 'page_view', '2024-06-29T10:00:00+09:00');
  await event('C03', 'page_view', '2024-05-31T23:59:59+09:00');
  await event('C03', 'page_view', '2024-06-15T10:00:00+09:00');
  await event('C03', 'page_view', '2024-06-30T13:00:00+09:00');
  await event('C03', 'email_click', '2024-06-23T23:00:00+09:00');
  await event('C05', 'support_contact', '2024-06-20T10:00:00+09:00', { topic: 'complaint' });
  await event('C05', 'email_click', '2024-06-28T10:00:00+09:00');
  await event('C06', 'survey_answer', '2024-06-01T10:00:00+09:00', { score: '10' });
  await event('C07', 'survey_answer', '2024-06-25T10:00:00+09:00', { score: 9 });
  await event('C08', 'support_contact', '2024-06-01T10:00:00+09:00', { topic: 'return' });
  await event('C12', 'support_contact', '2024-04-15T10:00:00+09:00', { topic: 'complaint' });

  for (const [customer, p] of [
    ['C05', 0.5],
    ['C07', 0.9],
    ['C10', 0.1],
    ['C12', 0.85],
  ] as const) {
    await q(
      `insert into customer_values (workspace_id, customer_id, repeat_purchases, recency, age, probability_alive, expected_purchases, expected_spend, clv)
       values ($1, $2, 0, 0, 0, $3, 0, 0, 0)`,
      [ids.get(customer), p],
    );
  }
  for (const [customer, stage] of [
    ['C09', 'subscribed'],
    ['C10', 'gone'],
    ['C04', 'trial'],
  ] as const) {
    await q(`insert into journey_placements (workspace_id, customer_id, stage, level, map_version, placed_at) values ($1, $2, $3, 'cold', 1, now())`, [
      ids.get(customer),
      stage,
    ]);
  }
});
afterAll(() => database.close());

const keyOf = (customerId: string) => [...ids.entries()].find(([, id]) => id === customerId)![0];

/** Each customer's facts, read plainly from its own rows and computed here (not by the facts loader). */
async function factsOf(customerId: string, catalogue: readonly CatalogueProduct[], rfm: Map<string, string>): Promise<CustomerFacts> {
  const { needs } = compileMap(map, catalogue);
  const one = async <T>(sql: string) => (await database.pool.query(sql, [customerId])).rows as T[];
  const localDay = (at: Date) => dayNumber(localDateOf(at, 'Asia/Tokyo'));
  const [customer] = await one<{ lifecycle: 'lead' | 'customer'; attributes: Record<string, unknown> }>(
    'select lifecycle, attributes from customers where id = $1',
  );
  const orders = (
    await one<{ id: string; ordered_at: Date; delivered_at: Date | null; amount: string; status: string }>(
      'select id, ordered_at, delivered_at, amount, status from orders where customer_id = $1',
    )
  ).filter((o) => !['cancelled', 'returned'].includes(o.status) && o.ordered_at <= AT);
  const items = await one<{ order_id: string; product_id: string }>(
    'select i.order_id, i.product_id from order_items i join orders o on o.id = i.order_id where o.customer_id = $1',
  );
  const subscriptions = await one<{ status: string; started_at: Date; deliveries: number }>(
    'select status, started_at, deliveries from subscriptions where customer_id = $1',
  );
  const events = await one<{ type: string; occurred_at: Date; properties: Record<string, unknown> }>(
    'select type, occurred_at, properties from events where customer_id = $1',
  );
  const values = await one<{ probability_alive: number }>('select probability_alive from customer_values where customer_id = $1');

  const orderDays = orders.map((o) => localDay(o.ordered_at));
  const products: CustomerFacts['products'] = {};
  for (const need of needs.products) {
    const bought = orders.filter((o) => items.some((i) => i.order_id === o.id && need.productIds.includes(i.product_id)));
    const deliveredDays = bought.filter((o) => o.delivered_at !== null && o.delivered_at <= AT).map((o) => localDay(o.delivered_at!));
    products[need.key] = {
      purchases: bought.length,
      firstDeliveredDay: deliveredDays.length ? Math.min(...deliveredDays) : null,
      lastDeliveredDay: deliveredDays.length ? Math.max(...deliveredDays) : null,
    };
  }
  const eventCounts: CustomerFacts['events'] = {};
  for (const need of needs.events) {
    eventCounts[need.key] = events.filter(
      (e) =>
        e.type === need.type &&
        e.occurred_at <= AT &&
        localDay(e.occurred_at) >= TODAY - need.withinDays + 1 &&
        need.where.every((test) => passesValueTest(e.properties[test.property], test.op, test.value)),
    ).length;
  }
  const state: SubscriptionState = subscriptions.some((s) => s.status === 'active' && s.started_at <= AT)
    ? 'active'
    : subscriptions.some((s) => s.status === 'paused')
      ? 'paused'
      : subscriptions.length > 0
        ? 'cancelled'
        : 'none';
  const inForce = subscriptions.filter((s) => s.status === 'active' || s.status === 'paused').map((s) => localDay(s.started_at));
  return {
    customerId,
    lifecycle: customer!.lifecycle,
    purchaseCount: orders.length,
    totalSpend: orders.reduce((sum, o) => sum + Number(o.amount), 0),
    firstPurchaseDay: orderDays.length ? Math.min(...orderDays) : null,
    lastPurchaseDay: orderDays.length ? Math.max(...orderDays) : null,
    products,
    subscription: { state, deliveries: Math.max(0, ...subscriptions.map((s) => s.deliveries)), startedDay: inForce.length ? Math.min(...inForce) : null },
    events: eventCounts,
    rfmSegment: rfm.get(customerId) ?? null,
    pAlive: values[0]?.probability_alive ?? null,
    attributes: customer!.attributes,
  };
}

describe('placementSql', () => {
  it('places every profile as computed by hand, and as the JS compiler does over plainly loaded facts', async () => {
    const { sql, params } = await placementQuery({ pool: database.pool, workspaceId: workspace.id, map, at: AT });
    const { rows } = await database.pool.query<{ customer_id: string; stage_index: number; level_index: number }>(sql, params);
    const bySql = Object.fromEntries(rows.map((row) => [keyOf(row.customer_id), { stage: row.stage_index, level: row.level_index }]));
    const expected = Object.fromEntries(Object.entries(EXPECTED).map(([key, { stage, level }]) => [key, { stage, level }]));
    expect(bySql).toEqual(expected);

    const catalogue = await loadCatalogue(database.pool, workspace.id);
    const churnWindow = await rfmChurnWindow(database.pool, workspace.id, '2024-06-30');
    const { rows: segments } = await database.pool.query<{ customer_id: string; segment: string }>(
      `with ${rfmBaseCte('$4')}, ${rfmScoredCtes()} select customer_id, segment from segmented`,
      [workspace.id, 'Asia/Tokyo', '2024-06-30', churnWindow?.days ?? null],
    );
    const rfm = new Map(segments.map((row) => [row.customer_id, row.segment]));
    expect(
      [...rfm.entries()]
        .filter(([, segment]) => segment === 'loyal')
        .map(([id]) => keyOf(id))
        .sort(),
    ).toEqual(['C08', 'C11']);
    const compiled = compileMap(map, catalogue);
    const byJs: Record<string, { stage: number; level: number }> = {};
    for (const [key, id] of ids) byJs[key] = placeFacts(compiled, await factsOf(id, catalogue, rfm), TODAY, -1);
    expect(byJs).toEqual(expected);
  });

  it('keeps the stored stage when asked (irreversible), ignoring a stored key the map no longer has', async () => {
    const catalogue = await loadCatalogue(database.pool, workspace.id);
    const { sql, params } = placementSql(
      map,
      catalogue,
      { workspaceId: workspace.id, at: AT, timezone: 'Asia/Tokyo', churnWindowDays: null },
      { keepStoredStage: true },
    );
    const { rows } = await database.pool.query<{ customer_id: string; stage_index: number; level_index: number }>(sql, params);
    const stages = Object.fromEntries(rows.map((row) => [keyOf(row.customer_id), row.stage_index]));
    // C09 stored at subscribed (3) stays there; C10's stored "gone" counts as none; C04 stored at trial (1) rose to felt (2).
    expect(stages).toEqual({ ...Object.fromEntries(Object.entries(EXPECTED).map(([key, e]) => [key, e.stage])), C09: 3 });
  });

  it('places as of an earlier instant: facts after it do not count', async () => {
    // At 2024-06-12 09:00 JST: C04 has ordered (06-10) but the delivery (06-12 10:00) has not happened.
    const at = new Date('2024-06-12T09:00:00+09:00');
    const catalogue = await loadCatalogue(database.pool, workspace.id);
    const { sql, params } = placementSql(map, catalogue, { workspaceId: workspace.id, at, timezone: 'Asia/Tokyo', churnWindowDays: null });
    const { rows } = await database.pool.query<{ customer_id: string; stage_index: number }>(sql, params);
    const stages = Object.fromEntries(rows.map((row) => [keyOf(row.customer_id), row.stage_index]));
    expect(stages.C04).toBe(1);
    // C05's first order comes later (06-15); its cancelled order is no purchase.
    expect(stages.C05).toBe(0);
  });
});

describe('propertyTestSql', () => {
  it('agrees with the JS value tests on every op, for texts, numbers, booleans, null, missing and nested values', async () => {
    const documents: object[] = [
      { p: 'gold' },
      { p: 'Gold' },
      { p: 9 },
      { p: 9.5 },
      { p: -1 },
      { p: '9' },
      { p: true },
      { p: false },
      { p: null },
      {},
      { p: { b: 1, a: [1, 'x'], cc: null } },
      { p: '𝔸' },
      { p: 'ｱ' },
      { p: '' },
    ];
    const values: PropertyTest['value'][] = ['gold', 'ｱ', '9', 'true', '{"a": [1, "x"], "b": 1, "cc": null}', '', 9, 9.5, 0, true, false];
    const tests: PropertyTest[] = [
      ...COMPARISONS.flatMap((op) => values.map((value) => ({ property: 'p', op, value }))),
      { property: 'p', op: 'in', value: ['gold', 9, true] },
      { property: 'p', op: 'in', value: ['9', false] },
      { property: 'p', op: 'in', value: 9.5 },
      { property: 'p', op: '=', value: ['gold'] },
    ];
    const params = new SqlParams();
    const docs = params.add(
      documents.map((d) => JSON.stringify(d)),
      '::jsonb[]',
    );
    const columns = tests.map((test, i) => `${propertyTestSql('d.doc', test, params)} as t${i}`);
    const { rows } = await database.pool.query<Record<string, boolean>>(
      `select d.n, ${columns.join(', ')} from unnest(${docs}) with ordinality as d(doc, n) order by d.n`,
      params.values,
    );
    const mismatches: string[] = [];
    documents.forEach((document, row) => {
      tests.forEach((test, i) => {
        const js = passesValueTest((document as Record<string, unknown>).p, test.op, test.value);
        if (rows[row]![`t${i}`] !== js)
          mismatches.push(`${JSON.stringify(document)} ${test.op} ${JSON.stringify(test.value)}: SQL ${rows[row]![`t${i}`]}, JS ${js}`);
      });
    });
    expect(mismatches).toEqual([]);
    // Spot checks by hand: a text test on a number, a number test on a text, != on a missing property.
    expect(passesValueTest(9, '=', '9')).toBe(true);
    expect(passesValueTest('9', '=', 9)).toBe(false);
    expect(passesValueTest(undefined, '!=', 'gold')).toBe(false);
    expect(passesValueTest('𝔸', '>', 'ｱ')).toBe(true);
  });
});
