import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestDatabase, freshWorkspace, withTransaction } from '../../test/support/database.ts';
import { ingestBatch, type IngestMode } from '../ingest/ingest-batch.ts';
import type { BatchKind } from '../ingest/records.ts';
import { fixedClock } from '../shared/clock.ts';
import type { Workspace } from '../workspaces/workspaces.ts';

const database = connectTestDatabase();
let workspace: Workspace;

beforeAll(async () => {
  workspace = await freshWorkspace(database);
  await ingest('products', [
    { sku: 'TRIAL-7', name: 'お試し 7日分', price: 980, is_trial: true },
    { sku: 'SERUM-30', name: '美容液 30日分', price: 3980, is_subscription: true },
    { sku: 'CREAM-50', name: 'クリーム 50g', price: 3300 },
  ]);
});
afterAll(() => database.close());

const API = 'API key "shop"';

function ingest(kind: BatchKind, records: unknown[], options: { at?: string; mode?: IngestMode } = {}) {
  const writer = { clock: fixedClock(options.at ?? '2024-03-01T00:00:00Z'), actor: API };
  return withTransaction(database.pool, (client) => ingestBatch({ client, workspace, kind, records, mode: options.mode ?? 'all-or-nothing', writer }));
}

async function subscription(externalId: string) {
  const { rows } = await database.pool.query(
    `select s.status, s.status_changed_at, s.course, s.cycle_unit, s.cycle_every, s.deliveries, s.skips, s.next_delivery_on,
            s.cancelled_at, s.cancel_reason, s.cancel_note, c.external_id as customer, p.sku as first_product,
            (select json_agg(json_build_array(ip.sku, i.quantity) order by i.line_no)
               from subscription_items i join products ip on ip.id = i.product_id where i.subscription_id = s.id) as items,
            (select json_agg(json_build_object('status', h.status, 'at', h.changed_at, 'reason', h.reason, 'note', h.note, 'actor', h.actor)
                             order by h.changed_at, h.id)
               from subscription_status_changes h where h.subscription_id = s.id) as history
       from subscriptions s join customers c on c.id = s.customer_id left join products p on p.id = s.first_product_id
      where s.workspace_id = $1 and s.external_id = $2`,
    [workspace.id, externalId],
  );
  return rows[0];
}

async function eventsOf(subscriptionId: string) {
  const { rows } = await database.pool.query<{ type: string; occurred_at: Date; properties: Record<string, unknown>; idempotency_key: string }>(
    `select type, occurred_at, properties, idempotency_key from events
      where workspace_id = $1 and properties->>'subscription_id' = $2 order by occurred_at, id`,
    [workspace.id, subscriptionId],
  );
  return rows;
}

async function snapshot() {
  const { rows } = await database.pool.query(
    `select (select json_agg(s order by s.external_id) from subscriptions s where workspace_id = $1) as subscriptions,
            (select json_agg(i order by i.subscription_id, i.line_no) from subscription_items i where workspace_id = $1) as items,
            (select json_agg(h order by h.id) from subscription_status_changes h where workspace_id = $1) as history,
            (select count(*) from events where workspace_id = $1) as events,
            (select count(*) from subscription_changes where workspace_id = $1) as changes,
            (select json_agg(o order by o.external_id) from orders o where workspace_id = $1) as orders`,
    [workspace.id],
  );
  return rows[0];
}

const S1 = {
  subscription_id: 'S-1',
  customer_id: 'C-1',
  course: '美容液定期コース',
  items: [
    { sku: 'SERUM-30', quantity: 1 },
    { sku: 'CREAM-50', quantity: 2 },
  ],
  cycle: '1ヶ月ごと',
  status: 'active',
  started_at: '2024-01-10 10:00',
  next_delivery_on: '2024-03-10',
  deliveries: 2,
};

describe('upsertSubscriptions', () => {
  it('writes a new subscription, its items and customer, and starts its history and timeline', async () => {
    const result = await ingest('subscriptions', [S1]);
    expect(result).toMatchObject({ received: 1, valid: 1, stored: true, errors: [] });
    expect(await subscription('S-1')).toEqual({
      status: 'active',
      // A new subscription's status began when it started (10:00 in Tokyo).
      status_changed_at: new Date('2024-01-10T01:00:00Z'),
      course: '美容液定期コース',
      cycle_unit: 'months',
      cycle_every: 1,
      deliveries: 2,
      skips: 0,
      next_delivery_on: '2024-03-10',
      cancelled_at: null,
      cancel_reason: null,
      cancel_note: null,
      customer: 'C-1',
      first_product: 'SERUM-30',
      items: [
        ['SERUM-30', 1],
        ['CREAM-50', 2],
      ],
      history: [{ status: 'active', at: '2024-01-10T01:00:00+00:00', reason: null, note: null, actor: API }],
    });
    const events = await eventsOf('S-1');
    expect(events.map((e) => [e.type, e.occurred_at.toISOString(), e.idempotency_key])).toEqual([
      ['subscription_started', '2024-01-10T01:00:00.000Z', 'subscription:S-1:started:2024-01-10T01:00:00.000Z'],
    ]);
    expect(events[0]!.properties).toMatchObject({ subscription_id: 'S-1', course: '美容液定期コース', deliveries: 2, cycle_unit: 'months', cycle_every: 1 });
  });

  it('pauses at the clock time when the record gives no time, resumes, and counts each skip', async () => {
    await ingest('subscriptions', [{ ...S1, status: 'paused' }], { at: '2024-03-15T00:00:00Z' });
    await ingest('subscriptions', [{ ...S1, status: 'active', skips: 2, deliveries: 3, next_delivery_on: '2024-05-10' }], { at: '2024-04-01T00:00:00Z' });
    const stored = await subscription('S-1');
    expect(stored.history.map((h: { status: string; at: string }) => [h.status, h.at])).toEqual([
      ['active', '2024-01-10T01:00:00+00:00'],
      ['paused', '2024-03-15T00:00:00+00:00'],
      ['active', '2024-04-01T00:00:00+00:00'],
    ]);
    expect(stored).toMatchObject({ status: 'active', status_changed_at: new Date('2024-04-01T00:00:00Z'), skips: 2, deliveries: 3 });
    const events = await eventsOf('S-1');
    expect(events.map((e) => [e.type, e.idempotency_key])).toEqual([
      ['subscription_started', 'subscription:S-1:started:2024-01-10T01:00:00.000Z'],
      ['subscription_paused', 'subscription:S-1:paused:2024-03-15T00:00:00.000Z'],
      ['subscription_resumed', 'subscription:S-1:active:2024-04-01T00:00:00.000Z'],
      ['subscription_skipped', 'subscription:S-1:skipped:1'],
      ['subscription_skipped', 'subscription:S-1:skipped:2'],
    ]);
    expect(events.at(-1)!.properties).toMatchObject({ skip_number: 2, skips: 2 });
  });

  it('cancels with a reason in words: the code matched, the words kept as the note, by the named actor', async () => {
    await ingest(
      'subscriptions',
      [
        {
          ...S1,
          status: 'cancelled',
          cancelled_at: '2024-05-01 12:00',
          cancel_reason: '飲み忘れが多くて余っている',
          cancel_note: '電話にて受付',
          changed_by: 'CS 田中',
          next_delivery_on: null,
          skips: 2,
          deliveries: 3,
        },
      ],
      { at: '2024-05-02T00:00:00Z' },
    );
    const stored = await subscription('S-1');
    expect(stored).toMatchObject({
      status: 'cancelled',
      cancelled_at: new Date('2024-05-01T03:00:00Z'),
      status_changed_at: new Date('2024-05-01T03:00:00Z'),
      cancel_reason: 'forgot_or_surplus',
      cancel_note: '飲み忘れが多くて余っている\n電話にて受付',
    });
    expect(stored.history.at(-1)).toEqual({
      status: 'cancelled',
      at: '2024-05-01T03:00:00+00:00',
      reason: 'forgot_or_surplus',
      note: '飲み忘れが多くて余っている\n電話にて受付',
      actor: 'CS 田中',
    });
    const cancelled = (await eventsOf('S-1')).find((e) => e.type === 'subscription_cancelled')!;
    expect(cancelled.idempotency_key).toBe('subscription:S-1:cancelled:2024-05-01T03:00:00.000Z');
    expect(cancelled.properties).toEqual({
      subscription_id: 'S-1',
      course: '美容液定期コース',
      deliveries: 3,
      reason: 'forgot_or_surplus',
      reason_label_ja: '飲み忘れ・余っている',
      reason_label_en: 'Forgot to take it / has some left',
      note: '飲み忘れが多くて余っている\n電話にて受付',
    });
  });

  it('takes a re-subscription under a new 定期番号 as a new subscription, and an order naming its delivery number', async () => {
    const result = await ingest('subscriptions', [
      { subscription_id: 'S-2', customer_id: 'C-1', sku: 'SERUM-30', cycle: '毎月15日', status: 'active', started_at: '2024-06-01', deliveries: 1 },
    ]);
    expect(result.stored).toBe(true);
    expect(await subscription('S-2')).toMatchObject({ status: 'active', cycle_unit: 'day_of_month', cycle_every: 15, deliveries: 1, items: [['SERUM-30', 1]] });
    expect((await subscription('S-1')).status).toBe('cancelled');
    const order = await ingest('orders', [
      {
        order_id: 'O-2',
        customer_id: 'C-1',
        ordered_at: '2024-06-15',
        subscription_id: 'S-2',
        delivery_number: '２',
        items: [{ sku: 'SERUM-30', quantity: 1, unit_price: 3980 }],
      },
    ]);
    expect(order.stored).toBe(true);
    const { rows } = await database.pool.query('select subscription_external_id, delivery_number from orders where workspace_id = $1 and external_id = $2', [
      workspace.id,
      'O-2',
    ]);
    expect(rows).toEqual([{ subscription_external_id: 'S-2', delivery_number: 2 }]);
  });

  it('refuses a delivery number without the subscription it counts in', async () => {
    const result = await ingest('orders', [
      { order_id: 'O-3', customer_id: 'C-1', ordered_at: '2024-06-15', delivery_number: 3, items: [{ sku: 'SERUM-30', quantity: 1, unit_price: 3980 }] },
    ]);
    expect(result.stored).toBe(false);
    expect(result.errors).toMatchObject([{ index: 0, field: 'delivery_number', code: 'delivery_without_subscription' }]);
  });

  it('changes nothing when the same batch comes again', async () => {
    const batch = [
      {
        ...S1,
        status: 'cancelled',
        cancelled_at: '2024-05-01 12:00',
        cancel_reason: '飲み忘れが多くて余っている',
        cancel_note: '電話にて受付',
        changed_by: 'CS 田中',
        skips: 2,
        deliveries: 3,
      },
      { subscription_id: 'S-2', customer_id: 'C-1', sku: 'SERUM-30', cycle: '毎月15日', status: 'active', started_at: '2024-06-01', deliveries: 1 },
    ];
    await ingest('subscriptions', batch, { at: '2024-07-01T00:00:00Z' });
    const before = await snapshot();
    // A day later: nothing in the batch differs from what is stored, so no row, event, history or version is added.
    await ingest('subscriptions', batch, { at: '2024-07-02T00:00:00Z' });
    expect(await snapshot()).toEqual(before);
  });

  it('notes one version row for a write that changed subscriptions, none for one that did not', async () => {
    const count = async () =>
      Number((await database.pool.query('select count(*) from subscription_changes where workspace_id = $1', [workspace.id])).rows[0].count);
    const before = await count();
    await ingest('subscriptions', [
      { subscription_id: 'S-2', customer_id: 'C-1', sku: 'SERUM-30', cycle: '毎月15日', status: 'active', started_at: '2024-06-01', deliveries: 2 },
    ]);
    expect(await count()).toBe(before + 1);
  });

  it('rejects the whole batch for an unknown product in all-or-nothing mode, stores the valid ones in skip-invalid mode', async () => {
    const batch = [
      { subscription_id: 'S-10', customer_id: 'C-10', sku: 'SERUM-30', cycle: '30日ごと', status: 'active', started_at: '2024-06-01' },
      { subscription_id: 'S-11', customer_id: 'C-11', sku: 'NOPE', cycle: '30日ごと', status: 'active', started_at: '2024-06-01' },
      { subscription_id: 'S-12', customer_id: 'C-12', sku: 'SERUM-30', cycle: '30日ごと', status: 'paused', started_at: '2024-06-01', deliveries: -1 },
      {
        subscription_id: 'S-13',
        customer_id: 'C-13',
        items: [{ sku: 'SERUM-30' }, { sku: 'GONE', quantity: 2 }],
        cycle: '30日ごと',
        status: 'active',
        started_at: '2024-06-01',
      },
    ];
    const before = await snapshot();
    const rejected = await ingest('subscriptions', batch);
    expect(rejected.stored).toBe(false);
    expect(rejected.errors.map((e) => [e.index, e.field, e.code])).toEqual([
      [1, 'sku', 'unknown_product'],
      [2, 'deliveries', 'too_small'],
      [3, 'items[1].sku', 'unknown_product'],
    ]);
    expect(await snapshot()).toEqual(before);
    const skipped = await ingest('subscriptions', batch, { mode: 'skip-invalid' });
    expect(skipped).toMatchObject({ stored: true, valid: 1, invalid: 3 });
    expect(await subscription('S-10')).toMatchObject({ status: 'active', cycle_unit: 'days', cycle_every: 30 });
    expect(await subscription('S-11')).toBeUndefined();
  });

  it('starts a new cancelled subscription active, then cancelled, with an unmatched reason kept under other', async () => {
    await ingest('subscriptions', [
      {
        subscription_id: 'S-20',
        customer_id: 'C-20',
        sku: 'SERUM-30',
        cycle: '2ヶ月ごと',
        status: 'cancelled',
        started_at: '2023-11-01',
        cancelled_at: '2024-02-20',
        cancel_reason: '家族に反対された',
        deliveries: 2,
      },
    ]);
    const stored = await subscription('S-20');
    expect(stored).toMatchObject({ cancel_reason: 'other', cancel_note: '家族に反対された' });
    expect(stored.history).toEqual([
      { status: 'active', at: '2023-10-31T15:00:00+00:00', reason: null, note: null, actor: API },
      { status: 'cancelled', at: '2024-02-19T15:00:00+00:00', reason: 'other', note: '家族に反対された', actor: API },
    ]);
    expect((await eventsOf('S-20')).map((e) => e.type)).toEqual(['subscription_started', 'subscription_cancelled']);
  });
});
