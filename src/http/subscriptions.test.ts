import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestDatabase, freshWorkspace } from '../../test/support/database.ts';
import { AnalyticsEngine } from '../analytics/engine/analytics-engine.ts';
import { createApiKey } from '../auth/api-keys.ts';
import { fixedClock } from '../shared/clock.ts';
import type { Workspace } from '../workspaces/workspaces.ts';
import { buildApp } from './app.ts';

const database = connectTestDatabase();
let app: FastifyInstance;
let brand: Workspace;
const keys: Record<'marketing' | 'support' | 'read_only' | 'admin', string> = { marketing: '', support: '', read_only: '', admin: '' };

beforeAll(async () => {
  app = await buildApp({
    database,
    analytics: new AnalyticsEngine(database.pool),
    config: { secureCookies: false },
    clock: fixedClock('2024-06-01T00:00:00Z'),
  });
  brand = await freshWorkspace(database);
  for (const role of Object.keys(keys) as (keyof typeof keys)[]) {
    keys[role] = (await createApiKey(database.db, { workspaceId: brand.id, name: `${role}-sync`, role })).key;
  }
  await send('POST', 'products/batch', keys.marketing, {
    records: [
      { sku: 'SERUM-30', name: '美容液 30日分', price: 3980 },
      { sku: 'TRIAL-7', name: 'お試し', price: 980, is_trial: true },
    ],
  });
  await send('POST', 'customers/batch', keys.marketing, {
    records: [
      { customer_id: 'M-1', name: '山田 花子' },
      { customer_id: 'M-2', name: '佐藤 太郎' },
      { customer_id: 'M-3', name: '鈴木 一郎' },
      { customer_id: 'M-4', name: '田中 恵' },
    ],
  });
});
afterAll(async () => {
  await app.close();
  await database.close();
});

function send(method: 'GET' | 'POST' | 'PUT', path: string, key: string, payload?: unknown) {
  return app.inject({
    method,
    url: `/api/v1/workspaces/${brand.name}/${path}`,
    headers: { authorization: `Bearer ${key}` },
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
}

const base = { sku: 'SERUM-30', cycle: '1ヶ月ごと', started_at: '2024-01-10' };

describe('subscriptions API', () => {
  it('ingests subscriptions, names the API key in the history, and shows them on the customer 360 page newest change first', async () => {
    const first = await send('POST', 'subscriptions/batch', keys.marketing, {
      records: [
        { ...base, subscription_id: 'S-1', customer_id: 'M-1', status: 'active', course: '美容液コース', deliveries: 4, next_delivery_on: '2024-06-10' },
        { ...base, subscription_id: 'S-2', customer_id: 'M-2', status: 'paused', deliveries: 2, status_changed_at: '2024-04-01' },
        {
          ...base,
          subscription_id: 'S-3',
          customer_id: 'M-3',
          status: 'cancelled',
          cancelled_at: '2024-03-01',
          cancel_reason: '味・飲みにくさ',
          deliveries: 1,
        },
      ],
    });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ received: 3, valid: 3, stored: true });
    // S-1 is cancelled later, at the app's clock time (no time in the record), in words.
    const later = await send('POST', 'subscriptions/batch', keys.marketing, {
      records: [
        {
          ...base,
          subscription_id: 'S-1',
          customer_id: 'M-1',
          status: 'cancelled',
          course: '美容液コース',
          deliveries: 4,
          cancelled_at: '2024-05-20',
          status_changed_at: '2024-05-20 09:30',
          cancel_reason: '引っ越しのため',
        },
      ],
    });
    expect(later.statusCode).toBe(200);

    const m1 = (
      await database.db.selectFrom('customers').select('id').where('workspace_id', '=', brand.id).where('external_id', '=', 'M-1').executeTakeFirstOrThrow()
    ).id;
    const page = await send('GET', `customers/${m1}`, keys.read_only);
    expect(page.statusCode).toBe(200);
    const [subscription] = page.json().subscriptions;
    expect(subscription).toMatchObject({
      externalId: 'S-1',
      course: '美容液コース',
      items: [{ sku: 'SERUM-30', name: '美容液 30日分', quantity: 1 }],
      cycle: { unit: 'months', every: 1, labelJa: '1ヶ月ごと', labelEn: 'every month' },
      status: 'cancelled',
      startedAt: '2024-01-09T15:00:00.000Z',
      cancelledAt: '2024-05-19T15:00:00.000Z',
      deliveries: 4,
      skips: 0,
      cancelReason: { code: 'moving', labelJa: '引っ越し', labelEn: 'Moving house' },
      cancelNote: '引っ越しのため',
    });
    expect(subscription.history).toEqual([
      {
        status: 'cancelled',
        changedAt: '2024-05-20T00:30:00.000Z',
        reason: { code: 'moving', labelJa: '引っ越し', labelEn: 'Moving house' },
        note: '引っ越しのため',
        actor: 'API key "marketing-sync"',
      },
      { status: 'active', changedAt: '2024-01-09T15:00:00.000Z', reason: null, note: null, actor: 'API key "marketing-sync"' },
    ]);
  });

  it('filters the customer list by subscription status now, by any subscription, and by none', async () => {
    const names = async (filter: string) => {
      const response = await send('GET', `customers?subscription=${filter}&sort=registered&order=asc`, keys.read_only);
      expect(response.statusCode).toBe(200);
      return response.json().items.map((item: { externalId: string }) => item.externalId);
    };
    expect(await names('active')).toEqual([]);
    expect(await names('paused')).toEqual(['M-2']);
    expect(await names('cancelled')).toEqual(['M-1', 'M-3']);
    expect(await names('any')).toEqual(['M-1', 'M-2', 'M-3']);
    expect(await names('none')).toEqual(['M-4']);
    expect((await send('GET', 'customers?subscription=lapsed', keys.read_only)).statusCode).toBe(400);
  });

  it("lists the built-in cancel reasons and the workspace's own; admin and marketing add and relabel them", async () => {
    const added = await send('POST', 'subscription-cancel-reasons', keys.marketing, { code: 'delivery_delay', labelJa: '配送遅延', labelEn: 'Late delivery' });
    expect(added.statusCode).toBe(201);
    expect(added.json()).toEqual({ code: 'delivery_delay', labelJa: '配送遅延', labelEn: 'Late delivery', builtIn: false });
    const relabelled = await send('PUT', 'subscription-cancel-reasons/delivery_delay', keys.admin, { labelJa: 'お届けの遅れ', labelEn: 'Late delivery' });
    expect(relabelled.statusCode).toBe(200);
    const list = (await send('GET', 'subscription-cancel-reasons', keys.read_only)).json();
    expect(list.map((r: { code: string }) => r.code)).toEqual([
      'forgot_or_surplus',
      'no_effect',
      'price',
      'taste',
      'moving',
      'health',
      'switched',
      'achieved',
      'other',
      'delivery_delay',
    ]);
    expect(list.at(-1)).toEqual({ code: 'delivery_delay', labelJa: 'お届けの遅れ', labelEn: 'Late delivery', builtIn: false });
    // A written reason equal to the workspace's label resolves to its code.
    await send('POST', 'subscriptions/batch', keys.marketing, {
      records: [{ ...base, subscription_id: 'S-4', customer_id: 'M-4', status: 'cancelled', cancelled_at: '2024-02-01', cancel_reason: 'お届けの遅れ' }],
    });
    const { cancel_reason, cancel_note } = await database.db
      .selectFrom('subscriptions')
      .select(['cancel_reason', 'cancel_note'])
      .where('workspace_id', '=', brand.id)
      .where('external_id', '=', 'S-4')
      .executeTakeFirstOrThrow();
    expect({ cancel_reason, cancel_note }).toEqual({ cancel_reason: 'delivery_delay', cancel_note: null });
  });

  it('refuses a duplicate, built-in or malformed code with 422, other roles with 403', async () => {
    const post = (key: string, code: string) => send('POST', 'subscription-cancel-reasons', key, { code, labelJa: '理由', labelEn: 'Reason' });
    const duplicate = await post(keys.marketing, 'delivery_delay');
    expect(duplicate.statusCode).toBe(422);
    expect(duplicate.json().message).toMatch(/already has a reason with the code "delivery_delay"/);
    expect((await post(keys.marketing, 'price')).statusCode).toBe(422);
    const malformed = await post(keys.admin, 'Late Delivery!');
    expect(malformed.statusCode).toBe(422);
    expect(malformed.json().message).toMatch(/lower-case letters/);
    expect((await send('PUT', 'subscription-cancel-reasons/price', keys.admin, { labelJa: '値段', labelEn: 'Cost' })).statusCode).toBe(422);
    expect((await send('PUT', 'subscription-cancel-reasons/nothing_here', keys.admin, { labelJa: '値段', labelEn: 'Cost' })).statusCode).toBe(404);
    expect((await post(keys.support, 'support_reason')).statusCode).toBe(403);
    expect((await post(keys.read_only, 'read_reason')).statusCode).toBe(403);
  });

  it('imports a subscription file uploaded as multipart, 422 with the report when a row is broken', async () => {
    const csv = (status: string) =>
      Buffer.from(`定期番号,会員ID,商品コード,お届けサイクル,定期ステータス,申込日,お届け回数\r\nS-9,M-9,SERUM-30,2ヶ月ごと,${status},2024/02/01,3\r\n`);
    const upload = (file: Buffer) => {
      const boundary = '----kizuna-subscriptions';
      const payload = Buffer.concat([
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="定期.csv"\r\nContent-Type: text/csv\r\n\r\n`),
        file,
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]);
      return app.inject({
        method: 'POST',
        url: `/api/v1/workspaces/${brand.name}/imports/subscriptions`,
        headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, authorization: `Bearer ${keys.marketing}` },
        payload,
      });
    };
    const refused = await upload(csv('保留'));
    expect(refused.statusCode).toBe(422);
    expect(refused.json().details.errors).toMatchObject([{ line: 2, column: '定期ステータス', value: '保留', code: 'not_allowed' }]);
    const stored = await upload(csv('休止中'));
    expect(stored.statusCode).toBe(200);
    expect(stored.json()).toMatchObject({ kind: 'subscriptions', records: 1, stored: true });
    const row = await database.db
      .selectFrom('subscriptions')
      .select(['status', 'cycle_unit', 'cycle_every', 'deliveries'])
      .where('workspace_id', '=', brand.id)
      .where('external_id', '=', 'S-9')
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'paused', cycle_unit: 'months', cycle_every: 2, deliveries: 3 });
  });
});
