import type { FastifyInstance } from 'fastify';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestDatabase, freshWorkspace } from '../../test/support/database.ts';
import { createApiKey } from '../auth/api-keys.ts';
import type { Workspace } from '../workspaces/workspaces.ts';
import { buildApp } from './app.ts';
import { AnalyticsEngine } from '../analytics/engine/analytics-engine.ts';

const database = connectTestDatabase();
let app: FastifyInstance;
let workspace: Workspace;
let key: string;
let readKey: string;

beforeAll(async () => {
  app = await buildApp({ database, analytics: new AnalyticsEngine(database.pool), config: { secureCookies: false } });
  workspace = await freshWorkspace(database);
  key = (await createApiKey(database.db, { workspaceId: workspace.id, name: 'upload', role: 'site_operations' })).key;
  readKey = (await createApiKey(database.db, { workspaceId: workspace.id, name: 'read', role: 'read_only' })).key;
});
afterAll(async () => {
  await app.close();
  await database.close();
});

function multipart(fields: Record<string, string>, file: Buffer, filename = '受注.csv') {
  const boundary = '----kizuna-test-boundary';
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: text/csv\r\n\r\n`));
  parts.push(file, Buffer.from(`\r\n--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

function upload(kind: string, fields: Record<string, string>, file: Buffer, apiKey = key) {
  const body = multipart(fields, file);
  return app.inject({
    method: 'POST',
    url: `/api/v1/workspaces/${workspace.name}/imports/${kind}`,
    headers: { ...body.headers, authorization: `Bearer ${apiKey}` },
    payload: body.payload,
  });
}

// Shift_JIS, as back offices export it: line 3 has an impossible date.
const orders = iconv.encode(
  [
    '受注番号,会員ID,受注日時,商品コード,商品名,数量,単価,受注チャネル',
    'A-1,M-1,2024/1/5 10:23,TRIAL,お試しセット,1,"¥1,980",WEB',
    'A-2,M-2,2024/2/30,TRIAL,お試しセット,1,1980円,電話',
    'A-3,M-1,2024年3月1日,TRIAL,お試しセット,２,1980,LINE',
  ].join('\r\n'),
  'cp932',
);

async function orderCount() {
  return (await database.db.selectFrom('orders').select('id').where('workspace_id', '=', workspace.id).execute()).length;
}

describe('CSV import over HTTP', () => {
  it('previews a dry run: encoding, mapping, sample and every error, storing nothing', async () => {
    const response = await upload('orders', { dryRun: 'true' }, orders);
    expect(response.statusCode).toBe(200);
    const report = response.json();
    expect(report).toMatchObject({ kind: 'orders', encoding: 'shift_jis', stored: false, dryRun: true, rows: 3 });
    expect(report.columns).toContainEqual({ column: '受注日時', field: 'ordered_at' });
    expect(report.errors).toEqual([expect.objectContaining({ line: 3, column: '受注日時', value: '2024/2/30' })]);
    expect(await orderCount()).toBe(0);
  });

  it('rejects the file with 422 in all-or-nothing mode, and stores the valid rows with skip-invalid', async () => {
    const rejected = await upload('orders', {}, orders);
    expect(rejected.statusCode).toBe(422);
    expect(rejected.json().details.errors[0]).toMatchObject({ line: 3, column: '受注日時' });
    expect(await orderCount()).toBe(0);

    const stored = await upload('orders', { mode: 'skip-invalid' }, orders);
    expect(stored.statusCode).toBe(200);
    expect(stored.json()).toMatchObject({ stored: true, valid: 2, invalid: 1 });
    const amounts = await database.db
      .selectFrom('orders')
      .select(['external_id', 'amount', 'channel'])
      .where('workspace_id', '=', workspace.id)
      .orderBy('external_id')
      .execute();
    expect(amounts).toEqual([
      { external_id: 'A-1', amount: '1980', channel: 'web' },
      { external_id: 'A-3', amount: '3960', channel: 'line' },
    ]);
  });

  it("counts the errors by reason, and takes an order's earliest line time with orderTime=earliest", async () => {
    const stamped = Buffer.from(
      [
        'order_id,customer_id,ordered_at,sku,product_name,quantity,unit_price',
        'T-1,M-9,2024-04-01 10:00,TRIAL,お試しセット,1,1980',
        'T-1,M-9,2024-04-01 10:01,TRIAL2,お試しセット2,1,980',
        'T-2,,2024-04-02 10:00,TRIAL,お試しセット,1,1980',
      ].join('\n'),
    );
    const same = await upload('orders', { dryRun: 'true' }, stamped);
    expect(same.statusCode).toBe(200);
    expect(same.json().errorsByReason.map((r: { column: string | null; lines: number }) => [r.column, r.lines])).toEqual(
      expect.arrayContaining([['customer_id', 1]]),
    );
    expect(same.json().invalid).toBe(3);
    const earliest = await upload('orders', { dryRun: 'true', orderTime: 'earliest' }, stamped);
    expect(earliest.json()).toMatchObject({ invalid: 1, errorsByReason: [expect.objectContaining({ column: 'customer_id', lines: 1, firstLine: 4 })] });
    const refused = await upload('orders', { orderTime: 'latest' }, stamped);
    expect(refused.statusCode).toBe(422);
    expect(refused.json()).toMatchObject({
      code: 'validation_failed',
      details: { issues: [{ field: 'orderTime', reason: expect.stringContaining('"same"|"earliest"') }] },
    });
  });

  it('refuses a read-only key, a missing file and a malformed mapping', async () => {
    expect((await upload('orders', {}, orders, readKey)).statusCode).toBe(403);
    const noFile = await app.inject({
      method: 'POST',
      url: `/api/v1/workspaces/${workspace.name}/imports/orders`,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      payload: {},
    });
    expect(noFile.statusCode).toBe(400);
    const badMapping = await upload('orders', { mapping: '{not json' }, orders);
    expect(badMapping.statusCode).toBe(422);
    expect(badMapping.json().details.issues).toEqual([{ field: 'mapping', reason: expect.stringContaining('expected a JSON object {"CSV column": "field"}') }]);
  });

  it('validates the form fields with the route schema: an unknown mode or field is refused, naming it, and nothing is stored', async () => {
    const before = await database.db.selectFrom('orders').select('id').where('workspace_id', '=', workspace.id).execute();
    const badMode = await upload('orders', { mode: 'foo' }, orders);
    expect(badMode.statusCode).toBe(422);
    expect(badMode.json().details.issues).toEqual([{ field: 'mode', reason: expect.stringContaining('"all-or-nothing"|"skip-invalid"') }]);
    const badDryRun = await upload('orders', { dryRun: 'yes' }, orders);
    expect(badDryRun.json().details.issues).toEqual([{ field: 'dryRun', reason: expect.any(String) }]);
    const unknown = await upload('orders', { skipInvalid: 'true' }, orders);
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().details.issues).toEqual([{ field: 'skipInvalid', reason: expect.stringContaining('not a field of this form') }]);
    expect(await database.db.selectFrom('orders').select('id').where('workspace_id', '=', workspace.id).execute()).toEqual(before);
  });
});
