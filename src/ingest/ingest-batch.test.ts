import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestDatabase, freshWorkspace, withTransaction } from '../../test/support/database.ts';
import type { Workspace } from '../workspaces/workspaces.ts';
import { ingestBatch, type IngestMode } from './ingest-batch.ts';
import type { BatchKind } from './records.ts';

const database = connectTestDatabase();
let workspace: Workspace;

beforeAll(async () => {
  workspace = await freshWorkspace(database);
});
afterAll(() => database.close());

function ingest(kind: BatchKind, records: unknown[], mode: IngestMode = 'all-or-nothing') {
  return withTransaction(database.pool, (client) => ingestBatch({ client, workspace, kind, records, mode }));
}

async function snapshot() {
  const { rows } = await database.pool.query(
    `select (select json_agg(c order by c.external_id) from customers c where workspace_id = $1) as customers,
            (select json_agg(o order by o.external_id) from orders o where workspace_id = $1) as orders,
            (select json_agg(i order by i.order_id, i.line_no) from order_items i where workspace_id = $1) as items,
            (select count(*) from events where workspace_id = $1) as events`,
    [workspace.id],
  );
  return rows[0];
}

describe('ingestBatch', () => {
  it('writes customers with identities and consents, and reads wall-clock times in the workspace zone', async () => {
    const result = await ingest('customers', [
      {
        customer_id: 'C001',
        name: '山田　花子',
        name_kana: 'ﾔﾏﾀﾞ ﾊﾅｺ',
        gender: 'female',
        birth_date: '1985/4/12',
        prefecture: '東京',
        email: ' Hanako@Example.JP ',
        phone: '090-1234-5678',
        consents: [{ channel: 'email', purpose: 'marketing', status: 'granted', at: '2024-01-05 10:00', source: 'signup form' }],
      },
    ]);
    expect(result).toMatchObject({ received: 1, valid: 1, invalid: 0, stored: true, errors: [] });
    const customer = await database.db.selectFrom('customers').selectAll().where('workspace_id', '=', workspace.id).executeTakeFirstOrThrow();
    expect(customer).toMatchObject({ name: '山田 花子', name_kana: 'ヤマダ ハナコ', prefecture: '東京都', birth_date: '1985-04-12', lifecycle: 'lead' });
    const identities = await database.db
      .selectFrom('customer_identities')
      .select(['kind', 'value'])
      .where('customer_id', '=', customer.id)
      .orderBy('kind')
      .execute();
    expect(identities).toEqual([
      { kind: 'email', value: 'hanako@example.jp' },
      { kind: 'phone', value: '09012345678' },
    ]);
    const consent = await database.db.selectFrom('consents').selectAll().where('customer_id', '=', customer.id).executeTakeFirstOrThrow();
    expect(consent.changed_at.toISOString()).toBe('2024-01-05T01:00:00.000Z');
  });

  it('rejects the whole batch in all-or-nothing mode and reports index, field and reason', async () => {
    const before = await snapshot();
    const result = await ingest('orders', [
      {
        order_id: 'O-1',
        customer_id: 'C001',
        ordered_at: '2024-02-01 09:00',
        items: [{ sku: 'TRIAL', quantity: 1, unit_price: '¥1,980', product_name: 'お試し' }],
      },
      { order_id: 'O-2', customer_id: 'C001', ordered_at: '2024-02-31', items: [{ sku: 'TRIAL', quantity: -1, unit_price: 1980 }] },
      { order_id: 'O-3', customer_id: 'C002', ordered_at: '2024-02-02', items: [{ sku: 'NOPE', quantity: 1, unit_price: 100 }] },
    ]);
    expect(result.stored).toBe(false);
    expect(result.errors.map((e) => [e.index, e.field])).toEqual([
      [1, 'ordered_at'],
      [1, 'items[0].quantity'],
      [2, 'items[0].sku'],
    ]);
    expect(result.errors[2]!.reason).toContain('unknown product "NOPE"');
    expect(await snapshot()).toEqual(before);
  });

  it('stores the valid records in skip-invalid mode, and a second send changes nothing', async () => {
    const batch = [
      {
        order_id: 'O-1',
        customer_id: 'C001',
        ordered_at: '2024-02-01 09:00',
        channel: 'web',
        items: [
          { sku: 'TRIAL', quantity: 1, unit_price: '¥1,980', product_name: 'お試し' },
          { sku: 'TRIAL', quantity: 2, unit_price: '1980円' },
        ],
      },
      { order_id: 'O-2', customer_id: 'C001', ordered_at: 'yesterday', items: [{ sku: 'TRIAL', quantity: 1, unit_price: 1980 }] },
    ];
    const first = await ingest('orders', batch, 'skip-invalid');
    expect(first).toMatchObject({ received: 2, valid: 1, invalid: 1, stored: true });
    const order = await database.db.selectFrom('orders').selectAll().where('workspace_id', '=', workspace.id).executeTakeFirstOrThrow();
    expect(order).toMatchObject({ external_id: 'O-1', amount: '5940', item_count: 3 });
    const customer = await database.db
      .selectFrom('customers')
      .selectAll()
      .where('workspace_id', '=', workspace.id)
      .where('external_id', '=', 'C001')
      .executeTakeFirstOrThrow();
    expect(customer).toMatchObject({ lifecycle: 'customer', purchase_count: 1, purchase_total: '5940' });
    const before = await snapshot();
    await ingest('orders', batch, 'skip-invalid');
    expect(await snapshot()).toEqual(before);
  });

  it('stores an event once however often it is sent', async () => {
    const event = { customer_id: 'C001', type: 'page_view', occurred_at: '2024-03-01T00:00:00Z', properties: { path: '/' }, idempotency_key: 'ev-1' };
    await ingest('events', [event, event]);
    await ingest('events', [event]);
    expect((await snapshot()).events).toBe('1');
  });

  it('refreshes the purchase summary of both customers when an order moves from one to the other', async () => {
    const moved = await freshWorkspace(database);
    const send = (customer_id: string) =>
      withTransaction(database.pool, (client) =>
        ingestBatch({
          client,
          workspace: moved,
          kind: 'orders',
          mode: 'all-or-nothing',
          records: [{ order_id: 'M-1', customer_id, ordered_at: '2024-04-01', items: [{ sku: 'TEA', quantity: 1, unit_price: 100, product_name: 'Tea' }] }],
        }),
      );
    await send('FROM');
    await send('TO');
    const customers = await database.db
      .selectFrom('customers')
      .select(['external_id', 'purchase_count', 'purchase_total'])
      .where('workspace_id', '=', moved.id)
      .orderBy('external_id')
      .execute();
    expect(customers).toEqual([
      { external_id: 'FROM', purchase_count: 0, purchase_total: '0' },
      { external_id: 'TO', purchase_count: 1, purchase_total: '100' },
    ]);
  });

  it('keeps money exact in other currencies', async () => {
    const gbp = await freshWorkspace(database, { timezone: 'Europe/London', currency: 'GBP' });
    await withTransaction(database.pool, (client) =>
      ingestBatch({
        client,
        workspace: gbp,
        kind: 'orders',
        mode: 'all-or-nothing',
        records: [
          {
            order_id: 'G1',
            customer_id: 'X',
            ordered_at: '2024-07-01 12:00',
            items: [
              { sku: 'TEA', quantity: 3, unit_price: '2.55', product_name: 'Tea' },
              { sku: 'MUG', quantity: 1, unit_price: 11.77, product_name: 'Mug' },
            ],
          },
        ],
      }),
    );
    const order = await database.db.selectFrom('orders').selectAll().where('workspace_id', '=', gbp.id).executeTakeFirstOrThrow();
    expect(order.amount).toBe('19.42');
    expect(order.ordered_at.toISOString()).toBe('2024-07-01T11:00:00.000Z');
  });

  it('refuses NUL, unpaired surrogates, deep attributes and huge prices as errors of their record and field; skip-invalid stores the rest', async () => {
    const deep: Record<string, unknown> = {};
    let level = deep;
    for (let i = 0; i < 100_000; i += 1) level = (level.a = {}) as Record<string, unknown>;
    const bad = await freshWorkspace(database);
    const send = (kind: BatchKind, records: unknown[]) =>
      withTransaction(database.pool, (client) => ingestBatch({ client, workspace: bad, kind, records, mode: 'skip-invalid' }));

    const customers = await send('customers', [
      { customer_id: 'OK-1', name: '山田 花子' },
      { customer_id: 'NUL\u0000ID' },
      { customer_id: 'C-2', name: 'Ha\u0000nako' },
      { customer_id: 'C-3', name: 'lone \ud800 high' },
      { customer_id: 'C-4', attributes: deep },
      { customer_id: 'C-5', attributes: { note: 'a\u0000b' } },
      { customer_id: 'C-6', attributes: { 'k\udc00': 1 } },
    ]);
    expect(customers).toMatchObject({ received: 7, valid: 1, invalid: 6, stored: true });
    expect(customers.errors.map((e) => [e.index, e.field, e.code])).toEqual([
      [1, 'customer_id', 'invalid_text'],
      [2, 'name', 'invalid_text'],
      [3, 'name', 'invalid_text'],
      [4, `attributes${'.a'.repeat(16)}`, 'too_deep'],
      [5, 'attributes.note', 'invalid_text'],
      [6, 'attributes', 'invalid_text'],
    ]);
    expect(customers.errors[0]!.reason).toContain('NUL character');
    expect(customers.errors[2]!.reason).toContain('unpaired surrogate (U+D800)');
    expect(customers.errors[3]!.reason).toBe('nested deeper than 16 levels');

    const products = await send('products', [
      { sku: 'P-1', name: 'Tea', price: '9'.repeat(140_000) },
      { sku: 'P-2', name: 'Tea', price: -100 },
      { sku: 'P-3', name: 'Tea', price: 1e-7 },
      { sku: 'P-4', name: 'Tea', price: 1e300 },
    ]);
    expect(products.errors.map((e) => [e.index, e.field, e.code])).toEqual([
      [0, 'price', 'too_many_digits'],
      [1, 'price', 'negative_amount'],
      [3, 'price', 'too_many_digits'],
    ]);
    expect(products.errors[0]!.reason).toContain('at most 15 digits before the decimal point');
    expect(String(products.errors[0]!.value).length).toBeLessThan(300);
    const stored = await database.db.selectFrom('products').select(['sku', 'price']).where('workspace_id', '=', bad.id).execute();
    expect(stored).toEqual([{ sku: 'P-3', price: '0.0000001' }]);

    const events = await send('events', [
      { customer_id: 'OK-1', type: 'page_view', occurred_at: '2024-03-01T00:00:00Z', idempotency_key: 'key\u0000' },
      { customer_id: 'OK-1', type: 'page_view', occurred_at: '2024-03-01T00:00:00Z', idempotency_key: 'ok', properties: { path: '/\u0000' } },
      { customer_id: 'OK-1', type: 'page_view', occurred_at: '2024-03-01T00:00:00Z', idempotency_key: 'fine' },
    ]);
    expect(events.errors.map((e) => [e.index, e.field, e.code])).toEqual([
      [0, 'idempotency_key', 'invalid_text'],
      [1, 'properties.path', 'invalid_text'],
    ]);
    expect(events).toMatchObject({ valid: 1, stored: true });
  });
});
