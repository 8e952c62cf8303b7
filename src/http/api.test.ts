import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestDatabase, freshWorkspace } from '../../test/support/database.ts';
import { createApiKey } from '../auth/api-keys.ts';
import { addMember } from '../auth/memberships.ts';
import { createUser } from '../auth/users.ts';
import type { Workspace } from '../workspaces/workspaces.ts';
import { buildApp } from './app.ts';
import { AnalyticsEngine } from '../analytics/engine/analytics-engine.ts';

const database = connectTestDatabase();
let app: FastifyInstance;
let brand: Workspace;
let other: Workspace;
let writeKey: string;
let readKey: string;
let otherKey: string;

beforeAll(async () => {
  app = await buildApp({ database, analytics: new AnalyticsEngine(database.pool), config: { secureCookies: false } });
  brand = await freshWorkspace(database);
  other = await freshWorkspace(database);
  writeKey = (await createApiKey(database.db, { workspaceId: brand.id, name: 'sync', role: 'marketing' })).key;
  readKey = (await createApiKey(database.db, { workspaceId: brand.id, name: 'bi', role: 'read_only' })).key;
  otherKey = (await createApiKey(database.db, { workspaceId: other.id, name: 'other', role: 'admin' })).key;
});
afterAll(async () => {
  await app.close();
  await database.close();
});

function post(path: string, key: string, payload: unknown) {
  return app.inject({ method: 'POST', url: `/api/v1${path}`, headers: { authorization: `Bearer ${key}` }, payload: payload as object });
}
function get(path: string, key: string) {
  return app.inject({ method: 'GET', url: `/api/v1${path}`, headers: { authorization: `Bearer ${key}` } });
}

const customers = [
  { customer_id: 'M-1', name: '山田 花子', name_kana: 'ヤマダ ハナコ', email: 'hanako@example.jp', phone: '090-1111-2222', prefecture: '東京都' },
  { customer_id: 'M-2', name: '佐藤 太郎', name_kana: 'サトウ タロウ', email: 'taro@example.jp', prefecture: '大阪府', gender: 'male' },
  { customer_id: 'M-3', name: '山本 恵', name_kana: 'ヤマモト メグミ', prefecture: '東京都', gender: 'female' },
];

describe('ingest API', () => {
  it('rejects an invalid batch with 422, listing index, field and reason, and stores nothing', async () => {
    const response = await post(`/workspaces/${brand.name}/customers/batch`, writeKey, {
      records: [customers[0], { customer_id: 'M-9', birth_date: '1990-02-30' }, { name: 'no id' }],
    });
    expect(response.statusCode).toBe(422);
    const body = response.json();
    expect(body.code).toBe('validation_failed');
    expect(body.details.errors).toEqual([
      expect.objectContaining({ index: 1, field: 'birth_date', reason: 'no such date: "1990-02-30"', code: 'no_such_date' }),
      expect.objectContaining({ index: 2, field: 'customer_id', code: 'required' }),
    ]);
    const stored = await database.db.selectFrom('customers').select('id').where('workspace_id', '=', brand.id).execute();
    expect(stored).toHaveLength(0);
  });

  it('stores valid records with skip-invalid and is idempotent', async () => {
    const first = await post(`/workspaces/${brand.name}/customers/batch`, writeKey, { mode: 'skip-invalid', records: [...customers, { customer_id: '' }] });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ received: 4, valid: 3, invalid: 1, stored: true });
    const again = await post(`/workspaces/${brand.name}/customers/batch`, writeKey, { records: customers });
    expect(again.statusCode).toBe(200);
    const rows = await database.db
      .selectFrom('customers')
      .select(['external_id', 'updated_at'])
      .where('workspace_id', '=', brand.id)
      .orderBy('external_id')
      .execute();
    expect(rows.map((r) => r.external_id)).toEqual(['M-1', 'M-2', 'M-3']);
    const events = Array.from({ length: 3 }, (_, i) => ({
      customer_id: 'M-1',
      type: 'page_view',
      occurred_at: `2024-05-0${i + 1} 12:00`,
      idempotency_key: `pv-${i}`,
    }));
    expect((await post(`/workspaces/${brand.name}/events/batch`, writeKey, { records: events })).statusCode).toBe(200);
    expect((await post(`/workspaces/${brand.name}/events/batch`, writeKey, { records: events })).statusCode).toBe(200);
    const summary = (await get(`/workspaces/${brand.name}`, readKey)).json();
    expect(summary.counts).toMatchObject({ leads: 3, customers: 0, events: 3 });
  });

  it('refuses more than 10,000 records in one request', async () => {
    const records = Array.from({ length: 10_001 }, (_, i) => ({ customer_id: 'M-1', type: 'x', occurred_at: '2024-01-01', idempotency_key: `k${i}` }));
    const response = await post(`/workspaces/${brand.name}/events/batch`, writeKey, { records });
    expect(response.statusCode).toBe(413);
    expect(response.json().code).toBe('payload_too_large');
  });

  it('answers a malformed body with 400 and a JSON error', async () => {
    const response = await post(`/workspaces/${brand.name}/orders/batch`, writeKey, { records: 'nope' });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'bad_request' });
  });
});

describe('bad text in requests', () => {
  it('refuses NUL and unpaired surrogates in query parameters with 422 naming the parameter', async () => {
    for (const [query, name] of [
      ['q=a%00b', 'q'],
      ['cursor=%00', 'cursor'],
      ['q=ok&prefecture=%00', 'prefecture'],
    ] as const) {
      const response = await get(`/workspaces/${brand.name}/customers?${query}`, readKey);
      expect(response.statusCode, query).toBe(422);
      expect(response.json().message).toContain(`"${name}"`);
    }
    const by = await get(`/workspaces/${brand.name}/analytics/sales/difference?from=2024-03-01&to=2024-04-01&by=attribute:a%00`, readKey);
    expect(by.statusCode).toBe(422);
    expect(by.json()).toMatchObject({ code: 'validation_failed', details: { issues: [{ field: 'querystring.by', code: 'invalid_text' }] } });
  });

  it('refuses a JSON body that is not valid UTF-8, naming the byte offset, instead of storing U+FFFD', async () => {
    const body = Buffer.concat([Buffer.from('{"records":[{"customer_id":"U-1","name":"'), Buffer.from([0x82, 0xa0]), Buffer.from('"}]}')]);
    const response = await app.inject({
      method: 'POST',
      url: `/api/v1/workspaces/${brand.name}/customers/batch`,
      headers: { authorization: `Bearer ${writeKey}`, 'content-type': 'application/json' },
      payload: body,
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().message).toContain('not valid UTF-8: invalid bytes at byte offset 41');
    const stored = await database.db.selectFrom('customers').select('id').where('workspace_id', '=', brand.id).where('external_id', '=', 'U-1').execute();
    expect(stored).toHaveLength(0);
  });

  it('refuses NUL and unpaired surrogates in any other JSON body with 422 naming the field', async () => {
    const login = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'a\u0000@example.jp', password: 'whatever password' } });
    expect(login.statusCode).toBe(422);
    expect(login.json()).toMatchObject({ code: 'validation_failed', details: { issues: [{ field: 'body.email', code: 'invalid_text' }] } });
    const surrogate = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: `{"email":"x@example.jp","password":"pass\\ud800word"}`,
      headers: { 'content-type': 'application/json' },
    });
    expect(surrogate.statusCode).toBe(422);
    expect(surrogate.json().message).toContain('"password" contains an unpaired surrogate (U+D800)');
    const deep = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: `{"email":${'['.repeat(100_000)}${']'.repeat(100_000)}}`,
      headers: { 'content-type': 'application/json' },
    });
    expect(deep.statusCode).toBe(422);
    expect(deep.json().details.issues).toEqual([expect.objectContaining({ code: 'too_deep', reason: 'is nested deeper than 64 levels' })]);
  });

  it('answers a record nested 100,000 deep with 422 naming its index and field', async () => {
    const payload = `{"records":[{"customer_id":"D-1","attributes":${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}}]}`;
    const response = await app.inject({
      method: 'POST',
      url: `/api/v1/workspaces/${brand.name}/customers/batch`,
      headers: { authorization: `Bearer ${writeKey}`, 'content-type': 'application/json' },
      payload,
    });
    expect(response.statusCode).toBe(422);
    expect(response.json().details.errors).toEqual([expect.objectContaining({ index: 0, field: `attributes${'.a'.repeat(16)}`, code: 'too_deep' })]);
  });
});

describe('API keys and roles', () => {
  it('lets a read-only key read but not write', async () => {
    expect((await get(`/workspaces/${brand.name}/customers`, readKey)).statusCode).toBe(200);
    const write = await post(`/workspaces/${brand.name}/customers/batch`, readKey, { records: [customers[0]] });
    expect(write.statusCode).toBe(403);
    expect(write.json().code).toBe('forbidden');
  });

  it('shows a key nothing of another workspace', async () => {
    expect((await get(`/workspaces/${brand.name}`, otherKey)).statusCode).toBe(404);
    expect((await get(`/workspaces/${brand.name}/customers`, otherKey)).statusCode).toBe(404);
    expect((await post(`/workspaces/${brand.name}/customers/batch`, otherKey, { records: [customers[0]] })).statusCode).toBe(404);
    const visible = (await get('/workspaces', otherKey)).json() as { name: string }[];
    expect(visible.map((w) => w.name)).toEqual([other.name]);
    const customerId = (await database.db.selectFrom('customers').select('id').where('workspace_id', '=', brand.id).executeTakeFirstOrThrow()).id;
    expect((await get(`/workspaces/${other.name}/customers/${customerId}`, otherKey)).statusCode).toBe(404);
    // An id beyond PostgreSQL's bigint is a bad request, not a server error.
    expect((await get(`/workspaces/${other.name}/customers/99999999999999999999`, otherKey)).statusCode).toBe(400);
    expect((await get(`/workspaces/${other.name}/customers/99999999999999999999/timeline`, otherKey)).statusCode).toBe(400);
  });

  it('rejects missing, unknown and revoked keys with 401', async () => {
    expect((await app.inject({ method: 'GET', url: '/api/v1/workspaces' })).statusCode).toBe(401);
    expect((await get('/workspaces', 'kz_nope_nope')).statusCode).toBe(401);
    const { key, info } = await createApiKey(database.db, { workspaceId: brand.id, name: 'temp', role: 'admin' });
    expect(
      (await app.inject({ method: 'DELETE', url: `/api/v1/workspaces/${brand.name}/api-keys/${info.id}`, headers: { authorization: `Bearer ${key}` } }))
        .statusCode,
    ).toBe(204);
    expect((await get('/workspaces', key)).statusCode).toBe(401);
  });
});

describe('console sessions', () => {
  it('signs in with an HttpOnly SameSite cookie and refuses a wrong password', async () => {
    const email = `${randomUUID()}@example.jp`;
    await createUser(database.db, { email, displayName: 'Support', password: 'correct horse battery' });
    await addMember(database.db, { workspaceId: brand.id, email, role: 'support' });
    const wrong = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password: 'wrong password!' } });
    expect(wrong.statusCode).toBe(401);
    const login = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password: 'correct horse battery' } });
    expect(login.statusCode).toBe(200);
    const cookie = String(login.headers['set-cookie']);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    const session = cookie.split(';')[0]!;
    const me = await app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie: session } });
    expect(me.json()).toMatchObject({ kind: 'user', email, instanceAdmin: false });
    expect((await app.inject({ method: 'GET', url: '/api/v1/workspaces', headers: { cookie: session } })).json()).toEqual([{ ...brand, role: 'support' }]);
    await app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { cookie: session } });
    expect((await app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie: session } })).statusCode).toBe(401);
  });
});

describe('customer list, 360 and timeline', () => {
  it('finds customers by name, given name, hiragana kana, email and phone prefixes', async () => {
    const search = async (q: string) =>
      ((await get(`/workspaces/${brand.name}/customers?q=${encodeURIComponent(q)}`, readKey)).json().items as { externalId: string }[])
        .map((c) => c.externalId)
        .sort();
    expect(await search('山')).toEqual(['M-1', 'M-3']);
    expect(await search('花子')).toEqual(['M-1']);
    expect(await search('やまも')).toEqual(['M-3']);
    expect(await search('TARO@')).toEqual(['M-2']);
    expect(await search('090-1111')).toEqual(['M-1']);
    expect(await search('M-2')).toEqual(['M-2']);
    expect(await search('100%')).toEqual([]);
  });

  it('filters and pages with a cursor', async () => {
    const page1 = (await get(`/workspaces/${brand.name}/customers?prefecture=${encodeURIComponent('東京都')}&limit=1`, readKey)).json();
    expect(page1.total).toEqual({ value: 2, exact: true });
    expect(page1.items.map((c: { externalId: string }) => c.externalId)).toEqual(['M-3']);
    const page2 = (
      await get(`/workspaces/${brand.name}/customers?prefecture=${encodeURIComponent('東京都')}&limit=1&cursor=${page1.nextCursor}`, readKey)
    ).json();
    expect(page2.items.map((c: { externalId: string }) => c.externalId)).toEqual(['M-1']);
    expect(page2.nextCursor).toBeNull();
    const bad = await get(`/workspaces/${brand.name}/customers?gender=robot`, readKey);
    expect(bad.statusCode).toBe(400);
  });

  it('shows the 360 view and one timeline, paged without losing entries', async () => {
    await post(`/workspaces/${brand.name}/orders/batch`, writeKey, {
      records: [
        {
          order_id: 'O-1',
          customer_id: 'M-1',
          ordered_at: '2024-05-02 09:00',
          channel: 'web',
          items: [{ sku: 'TRIAL', quantity: 1, unit_price: 980, product_name: 'お試しセット' }],
        },
      ],
    });
    const id = (
      await database.db.selectFrom('customers').select('id').where('workspace_id', '=', brand.id).where('external_id', '=', 'M-1').executeTakeFirstOrThrow()
    ).id;
    const view = (await get(`/workspaces/${brand.name}/customers/${id}`, readKey)).json();
    expect(view.profile).toMatchObject({ externalId: 'M-1', lifecycle: 'customer', purchaseCount: 1, purchaseTotal: '980' });
    expect(view.identities).toEqual([
      { kind: 'email', value: 'hanako@example.jp' },
      { kind: 'phone', value: '09011112222' },
    ]);
    expect(view.orders[0].items).toEqual([{ lineNo: 1, sku: 'TRIAL', productName: 'お試しセット', quantity: 1, unitPrice: '980' }]);

    const seen: string[] = [];
    let before: string | null = null;
    do {
      const query: string = before ? `?limit=2&before=${before}` : '?limit=2';
      const page = (await get(`/workspaces/${brand.name}/customers/${id}/timeline${query}`, readKey)).json();
      seen.push(...page.entries.map((e: { kind: string; type: string }) => `${e.kind}:${e.type}`));
      before = page.nextBefore;
    } while (before);
    // The profile was created now (when Kizuna learned of it); the events and order are from 2024.
    expect(seen).toEqual(['profile:created', 'event:page_view', 'event:page_view', 'order:confirmed', 'event:page_view']);
  });

  it('names the brand for admins only, trimmed, 1 to 100 characters', async () => {
    const adminKey = (await createApiKey(database.db, { workspaceId: brand.id, name: 'admin', role: 'admin' })).key;
    const patch = (key: string, displayName: unknown) =>
      app.inject({
        method: 'PATCH',
        url: `/api/v1/workspaces/${brand.name}`,
        headers: { authorization: `Bearer ${key}` },
        payload: { displayName },
      });
    expect((await patch(writeKey, 'みのり青汁本舗')).statusCode).toBe(403);
    expect((await patch(adminKey, '   ')).statusCode).toBe(422);
    expect((await patch(adminKey, 'x'.repeat(101))).statusCode).toBe(400);
    expect((await patch(adminKey, ' みのり青汁本舗 ')).json()).toEqual({ displayName: 'みのり青汁本舗' });
    expect((await get(`/workspaces/${brand.name}`, readKey)).json().displayName).toBe('みのり青汁本舗');
    expect((await patch(adminKey, null)).json()).toEqual({ displayName: null });
  });

  it('sorts and filters the list as asked, validating the parameters', async () => {
    const list = async (query: string) => get(`/workspaces/${brand.name}/customers?${query}`, readKey);
    const names = async (query: string) => ((await list(query)).json().items as { externalId: string }[]).map((c) => c.externalId);
    // M-1 is the one buyer (the order above): first in every order, the others newest first.
    expect(await names('sort=totalSpend&order=asc')).toEqual(['M-1', 'M-3', 'M-2']);
    expect(await names('')).toEqual(['M-1', 'M-3', 'M-2']);
    expect(await names('purchaseCountMin=1')).toEqual(['M-1']);
    // One buyer, one purchase: scored against a base of one, they are 新規 (new) whatever today is.
    expect(await names('rfmSegment=new')).toEqual(['M-1']);
    expect(await names('rfmSegment=loyal')).toEqual([]);
    expect((await list('sort=spend')).statusCode).toBe(400);
    expect((await list('rfmSegment=vip')).statusCode).toBe(400);
    expect((await list('purchaseCountMin=-1')).statusCode).toBe(400);
    const backwards = await list('purchaseCountMin=3&purchaseCountMax=2');
    expect(backwards.statusCode).toBe(422);
    expect(backwards.json().message).toContain('purchaseCountMin (3) is above purchaseCountMax (2)');
    const cursor = (await list('sort=totalSpend&limit=1')).json().nextCursor as string;
    expect((await list(`sort=clv&limit=1&cursor=${cursor}`)).statusCode).toBe(400);
  });
});

it('serves its OpenAPI document', async () => {
  const document = (await app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json();
  expect(document.openapi).toBe('3.1.0');
  expect(Object.keys(document.paths)).toEqual(
    expect.arrayContaining(['/api/v1/workspaces/{workspace}/events/batch', '/api/v1/workspaces/{workspace}/customers/{id}/timeline']),
  );
  // Request shapes are named *Input; a response-only shape has no unused *Input twin.
  expect(Object.keys(document.components.schemas)).toEqual(expect.arrayContaining(['Error', 'EventRecordInput', 'Customer360']));
  expect(Object.keys(document.components.schemas)).not.toContain('ErrorInput');
});
