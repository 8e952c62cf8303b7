import { generateKeyPairSync } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestDatabase, freshWorkspace } from '../../test/support/database.ts';
import { createApiKey } from '../auth/api-keys.ts';
import type { Role } from '../db/schema.ts';
import type { Workspace } from '../workspaces/workspaces.ts';
import { buildApp } from './app.ts';

const database = connectTestDatabase();
let app: FastifyInstance;
let workspace: Workspace;
const keys = new Map<Role, string>();

beforeAll(async () => {
  app = await buildApp({ database, config: { secureCookies: false } });
  workspace = await freshWorkspace(database);
  for (const role of ['admin', 'marketing', 'read_only'] as const)
    keys.set(role, (await createApiKey(database.db, { workspaceId: workspace.id, name: role, role })).key);
});
afterAll(async () => {
  await app.close();
  await database.close();
});

function call(role: Role, method: 'GET' | 'PUT' | 'POST', path: string, payload?: object) {
  return app.inject({
    method,
    url: `/api/v1/workspaces/${workspace.name}${path}`,
    headers: { authorization: `Bearer ${keys.get(role)}` },
    ...(payload ? { payload } : {}),
  });
}

const SETTINGS = {
  senderName: 'みのり青汁本舗株式会社',
  postalAddress: '東京都千代田区丸の内1-1-1',
  contactPhone: '0120-123-456',
  fromAddress: 'News@Minori.example.jp',
};

describe('email sender settings over HTTP', () => {
  it('lists what advertising mail still needs, and lets only an admin write', async () => {
    const empty = await call('read_only', 'GET', '/settings/email');
    expect(empty.statusCode).toBe(200);
    expect(empty.json()).toMatchObject({ senderName: null, dkim: null, missing: ['senderName', 'postalAddress', 'contact', 'fromAddress'] });
    expect((await call('marketing', 'PUT', '/settings/email', SETTINGS)).statusCode).toBe(403);
    const written = await call('admin', 'PUT', '/settings/email', SETTINGS);
    expect(written.statusCode).toBe(200);
    expect(written.json()).toMatchObject({ ...SETTINGS, fromAddress: 'news@minori.example.jp', contactEmail: null, missing: [] });
  });

  it('keeps the DKIM private key write-only and checks that it is a key', async () => {
    const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const put = await call('admin', 'PUT', '/settings/email', { ...SETTINGS, dkim: { domain: 'Minori.example.jp', selector: 'k1', privateKey: pem } });
    expect(put.statusCode).toBe(200);
    expect(put.json().dkim).toEqual({ domain: 'minori.example.jp', selector: 'k1', privateKeySet: true });
    expect(put.body).not.toContain('PRIVATE KEY');
    const read = await call('read_only', 'GET', '/settings/email');
    expect(read.body).not.toContain('PRIVATE KEY');
    // Without privateKey the key already set is kept (a new selector, say).
    const kept = await call('admin', 'PUT', '/settings/email', { ...SETTINGS, dkim: { domain: 'minori.example.jp', selector: 'k2' } });
    expect(kept.json().dkim).toEqual({ domain: 'minori.example.jp', selector: 'k2', privateKeySet: true });
    const bad = await call('admin', 'PUT', '/settings/email', { ...SETTINGS, dkim: { domain: 'minori.example.jp', selector: 'k1', privateKey: 'not a key' } });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().message).toMatch(/dkim.privateKey: not an RSA or Ed25519 private key/);
    const badFields = await call('admin', 'PUT', '/settings/email', { ...SETTINGS, fromAddress: 'nope', dkim: { domain: 'x', selector: 'k1' } });
    expect(badFields.statusCode).toBe(400);
    expect(badFields.json().message).toMatch(/body\.fromAddress/);
    expect(badFields.json().message).toMatch(/body\.dkim\.domain/);
    const cleared = await call('admin', 'PUT', '/settings/email', { ...SETTINGS, dkim: null });
    expect(cleared.json().dkim).toBeNull();
  });
});

describe('suppressions over HTTP', () => {
  it('takes bounce and complaint reports in a batch (write role), keeps the first report, and lists them newest first', async () => {
    const reports = [
      { address: 'Bounced@Example.jp', reason: 'bounce', at: '2025-02-01T00:00:00Z', source: 'ses', detail: '550 5.1.1 user unknown' },
      { address: 'angry@example.jp', reason: 'complaint', at: '2025-02-02T00:00:00Z' },
      { address: 'not-an-address', reason: 'manual' },
    ];
    expect((await call('read_only', 'POST', '/email/suppressions', { reports })).statusCode).toBe(403);
    const first = await call('marketing', 'POST', '/email/suppressions', { reports });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({
      added: 2,
      alreadySuppressed: 0,
      refused: [{ index: 2, address: 'not-an-address', reason: 'not an email address: "not-an-address"' }],
    });
    const again = await call('marketing', 'POST', '/email/suppressions', { reports: [{ address: 'bounced@example.jp', reason: 'manual' }] });
    expect(again.json()).toMatchObject({ added: 0, alreadySuppressed: 1 });
    expect((await call('marketing', 'POST', '/email/suppressions', { reports: [{ address: 'x@example.jp', reason: 'spam' }] })).statusCode).toBe(400);

    const page1 = await call('read_only', 'GET', '/email/suppressions?limit=1');
    expect(page1.json().items).toEqual([
      { address: 'angry@example.jp', reason: 'complaint', suppressedAt: '2025-02-02T00:00:00.000Z', source: null, detail: null },
    ]);
    const page2 = await call('read_only', 'GET', `/email/suppressions?limit=1&cursor=${page1.json().next}`);
    expect(page2.json()).toEqual({
      items: [{ address: 'bounced@example.jp', reason: 'bounce', suppressedAt: '2025-02-01T00:00:00.000Z', source: 'ses', detail: '550 5.1.1 user unknown' }],
      next: null,
    });
    const badCursor = await call('read_only', 'GET', '/email/suppressions?cursor=zzz');
    expect(badCursor.statusCode).toBe(400);
    expect(badCursor.json().message).toMatch(/cursor: not a cursor/);
  });
});
