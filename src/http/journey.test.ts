import type { FastifyInstance } from 'fastify';
import { XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestDatabase, freshWorkspace } from '../../test/support/database.ts';
import { AnalyticsEngine } from '../analytics/engine/analytics-engine.ts';
import { createApiKey } from '../auth/api-keys.ts';
import type { JourneyMap } from '../journey-map/model.ts';
import { drainJourneyChanges } from '../journey-map/placement/reactor.ts';
import { fixedClock } from '../shared/clock.ts';
import type { Workspace } from '../workspaces/workspaces.ts';
import { buildApp } from './app.ts';
import { oneAtATime } from './routes/journey.ts';

/**
 * The journey map's HTTP API end to end on a hand-built brand: save (and every refusal with
 * its path), the live counts, the queue, flows, coverage, the technology map, exports, a
 * customer's path and the customer list filtered by cell, with the roles that may do each.
 */

const database = connectTestDatabase();
const clock = fixedClock('2024-06-10T03:00:00Z'); // 12:00 in Tokyo
let app: FastifyInstance;
let brand: Workspace;
const keys: Record<'marketing' | 'read_only' | 'support', string> = { marketing: '', read_only: '', support: '' };

// Three stages (anyone → bought → bought twice) × two levels (anyone → opened an email in 30 days).
const map: JourneyMap = {
  name: 'テストマップ',
  goal: '毎日の習慣になっている状態',
  stages: [
    { key: 'aware', name: '認知' },
    { key: 'trial', name: 'お試し', rule: { fact: 'purchase_count', op: '>=', value: 1 } },
    { key: 'repeat', name: 'リピート', rule: { fact: 'purchase_count', op: '>=', value: 2 } },
  ],
  levels: [
    { key: 'cold', name: '無関心' },
    { key: 'warm', name: '関心', rule: { fact: 'events', type: 'email_open', withinDays: 30 } },
  ],
  cells: [
    {
      stage: 'trial',
      level: 'cold',
      feelings: '続くかな',
      measures: [{ name: 'フォローメール', department: 'marketing', channel: 'email', status: 'in_use' }],
    },
    {
      stage: 'trial',
      level: 'warm',
      measures: [{ name: '同梱リーフレット', department: 'marketing', channel: 'print', solution: '同梱物', status: 'not_introduced' }],
    },
    { stage: 'aware', level: 'cold', noContact: { reason: '広告で十分' } },
  ],
};

beforeAll(async () => {
  app = await buildApp({ database, analytics: new AnalyticsEngine(database.pool), config: { secureCookies: false }, clock });
  brand = await freshWorkspace(database);
  for (const role of Object.keys(keys) as (keyof typeof keys)[]) {
    keys[role] = (await createApiKey(database.db, { workspaceId: brand.id, name: `${role}-key`, role })).key;
  }
  await send('POST', 'products/batch', keys.marketing, { records: [{ sku: 'AOJIRU', name: '青汁', price: 3000 }] });
  await send('POST', 'customers/batch', keys.marketing, {
    records: ['J-1', 'J-2', 'J-3', 'J-4'].map((id) => ({ customer_id: id, name: `顧客 ${id}` })),
  });
  const order = (id: string, customer: string, at: string) => ({
    order_id: id,
    customer_id: customer,
    ordered_at: at,
    status: 'delivered',
    items: [{ sku: 'AOJIRU', quantity: 1, unit_price: 3000 }],
  });
  // J-1 bought twice, J-2 once, J-3 and J-4 never; J-2 opened an email on June 1.
  await send('POST', 'orders/batch', keys.marketing, {
    records: [
      order('O-1', 'J-1', '2024-05-01T10:00:00+09:00'),
      order('O-2', 'J-1', '2024-05-20T10:00:00+09:00'),
      order('O-3', 'J-2', '2024-05-02T10:00:00+09:00'),
    ],
  });
  await send('POST', 'events/batch', keys.marketing, {
    records: [{ customer_id: 'J-2', type: 'email_open', occurred_at: '2024-06-01T08:00:00+09:00', idempotency_key: 'open-1' }],
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

const cellsOf = (body: { cells: Array<{ stage: string; level: string; customers: number }> }) =>
  Object.fromEntries(body.cells.filter((cell) => cell.customers > 0).map((cell) => [`${cell.stage}/${cell.level}`, cell.customers]));

describe('journey map API', () => {
  it('refuses a map with every problem and its path, writing nothing; read-only and support roles may not save', async () => {
    const bad = structuredClone(map) as unknown as { stages: Array<Record<string, unknown>>; cells: Array<Record<string, unknown>> };
    bad.stages[1]!.rule = { fact: 'bought', products: ['NO-SUCH-SKU'] };
    bad.stages[2]!.rule = { fact: 'purchase_count', op: '<', value: 0 };
    bad.cells.push({ stage: 'nowhere', level: 'cold' });
    const refused = await send('PUT', 'journey', keys.marketing, { map: bad });
    expect(refused.statusCode).toBe(422);
    const paths = (refused.json().details.problems as Array<{ path: string }>).map((problem) => problem.path);
    expect(paths).toEqual(expect.arrayContaining(['stages[1].rule.products[0]', 'stages[2].rule', 'cells[3].stage']));
    expect((await send('GET', 'journey', keys.read_only)).json().map).toBeNull();

    expect((await send('PUT', 'journey', keys.read_only, { map })).statusCode).toBe(403);
    expect((await send('PUT', 'journey', keys.support, { map })).statusCode).toBe(403);
    expect((await send('POST', 'journey/place', keys.support)).statusCode).toBe(403);
    // Not a JSON object at all: a 422 naming the root, never a 500.
    const notAMap = await send('PUT', 'journey', keys.marketing, { map: 'hello' });
    expect(notAMap.statusCode).toBe(422);
  });

  it('previews an unsaved map without writing, then saves it and places everyone: counts add up to the profiles', async () => {
    const preview = await send('POST', 'journey/preview', keys.marketing, { map });
    expect(preview.statusCode).toBe(200);
    expect(cellsOf(preview.json())).toEqual({ 'aware/cold': 2, 'trial/warm': 1, 'repeat/cold': 1 });
    expect((await send('GET', 'journey', keys.read_only)).json().cells).toEqual([]);

    const saved = await send('PUT', 'journey', keys.marketing, { map });
    expect(saved.statusCode).toBe(200);
    expect(saved.json()).toMatchObject({
      outcome: 'saved',
      version: { version: 1, status: 'active', name: 'テストマップ' },
      placement: { profiles: 4, moved: 4 },
    });
    const view = (await send('GET', 'journey', keys.read_only)).json();
    expect(view).toMatchObject({ profiles: 4, placed: 4, pending: 0, version: { version: 1 } });
    expect(cellsOf(view)).toEqual({ 'aware/cold': 2, 'trial/warm': 1, 'repeat/cold': 1 });
    expect((await send('PUT', 'journey', keys.marketing, { map })).json().outcome).toBe('unchanged');
  });

  it('re-places the customers a write touched once the queue is drained, with the write as the cause', async () => {
    const ingest = await send('POST', 'events/batch', keys.marketing, {
      records: [{ customer_id: 'J-1', type: 'email_open', occurred_at: '2024-06-09T08:00:00+09:00', idempotency_key: 'open-2' }],
    });
    expect(ingest.statusCode).toBe(200);
    expect((await send('GET', 'journey', keys.read_only)).json().pending).toBe(1);
    await drainJourneyChanges({ pool: database.pool, workspaceId: brand.id, clock });
    const view = (await send('GET', 'journey', keys.read_only)).json();
    expect(view.pending).toBe(0);
    expect(cellsOf(view)).toEqual({ 'aware/cold': 2, 'trial/warm': 1, 'repeat/warm': 1 });

    const customers = (await send('GET', 'customers?journeyStage=repeat&journeyLevel=warm', keys.read_only)).json();
    expect(customers.items.map((item: { externalId: string }) => item.externalId)).toEqual(['J-1']);
    const journey = (await send('GET', `customers/${customers.items[0].id}/journey`, keys.read_only)).json();
    expect(journey.cell).toMatchObject({ stage: 'repeat', level: 'warm' });
    expect(journey.moves[0]).toMatchObject({
      from: { stage: 'repeat', level: 'cold' },
      to: { stage: 'repeat', level: 'warm' },
      cause: 'event',
      causeRef: 'open-2',
      kind: 'rise',
    });
    // The first placement took the writes queued before the map existed: J-1 entered with its last order as the cause.
    expect(journey.moves[1]).toMatchObject({ from: null, to: { stage: 'repeat', level: 'cold' }, cause: 'order', causeRef: 'O-2', kind: 'enter' });

    const flows = (await send('GET', 'journey/flows?from=2024-06-01&to=2024-06-10', keys.read_only)).json();
    expect(flows.flows).toEqual(
      expect.arrayContaining([{ from: { stage: 'repeat', level: 'cold' }, to: { stage: 'repeat', level: 'warm' }, customers: 1, kind: 'rise' }]),
    );
    expect((await send('GET', 'journey/flows?from=2024-06-10&to=2024-06-01', keys.read_only)).statusCode).toBe(422);
    expect((await send('GET', 'journey/flows?from=2024-02-30', keys.read_only)).statusCode).toBe(400);
  });

  it('shows coverage and the technology map of the active map', async () => {
    const coverage = (await send('GET', 'journey/coverage', keys.read_only)).json();
    expect(coverage.check).toEqual({ profiles: 4, placed: 4, addsUp: true });
    expect(coverage.uncovered.map((cell: { stage: string; level: string; customers: number }) => `${cell.stage}/${cell.level}:${cell.customers}`)).toEqual([
      'repeat/warm:1',
      'aware/warm:0',
      'repeat/cold:0',
    ]);
    const tech = (await send('GET', 'journey/technology', keys.read_only)).json();
    expect(tech.gaps.stages).toEqual(['aware', 'repeat']);
    expect(tech.notIntroduced.map((row: { key: string }) => row.key)).toEqual(['solution:同梱物']);
  });

  it('exports the diagram as SVG, PNG and PDF', async () => {
    const svg = await send('GET', 'journey/export?format=svg', keys.read_only);
    expect(svg.statusCode).toBe(200);
    expect(svg.headers['content-type']).toContain('image/svg+xml');
    expect(svg.headers['content-disposition']).toMatch(/^attachment; filename="journey-map.*\.svg"$/);
    expect(XMLValidator.validate(svg.body)).toBe(true);
    expect(svg.body).toContain('リピート');
    const png = await send('GET', 'journey/export?format=png&paper=a3&width=1200', keys.read_only);
    expect(png.headers['content-type']).toBe('image/png');
    expect(png.rawPayload.readUInt32BE(16)).toBe(1200);
    const pdf = await send('GET', 'journey/export?format=pdf&locale=en', keys.read_only);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    expect((await send('GET', 'journey/export?format=gif', keys.read_only)).statusCode).toBe(400);
  });

  it('keeps versions: a draft, then activating it re-places everyone', async () => {
    const draft = structuredClone(map);
    draft.levels[1]!.rule = { fact: 'events', type: 'email_open', withinDays: 365 };
    const saved = (await send('PUT', 'journey', keys.marketing, { map: draft, activate: false })).json();
    expect(saved).toMatchObject({ outcome: 'saved', version: { version: 2, status: 'draft' }, placement: null });
    const versions = (await send('GET', 'journey/versions', keys.read_only)).json();
    expect(versions.map((v: { version: number; status: string }) => `${v.version}:${v.status}`)).toEqual(['2:draft', '1:active']);
    const activated = (await send('POST', 'journey/versions/2/activate', keys.marketing)).json();
    expect(activated).toMatchObject({ version: { version: 2, status: 'active' }, placement: { profiles: 4 } });
    expect((await send('GET', 'journey/versions/1', keys.read_only)).json().version.status).toBe('archived');
    expect((await send('GET', 'journey/versions/9', keys.read_only)).statusCode).toBe(404);
  });
});

describe('one preview or re-placement at a time per workspace', () => {
  it('refuses the same work for the same workspace while it runs (429), not for another, and again once it is done', async () => {
    const exclusive = oneAtATime();
    let finish!: () => void;
    const first = exclusive('preview:1', () => new Promise<string>((resolve) => (finish = () => resolve('done'))));
    await expect(exclusive('preview:1', async () => 'again')).rejects.toMatchObject({ code: 'too_many_requests' });
    await expect(exclusive('preview:2', async () => 'other workspace')).resolves.toBe('other workspace');
    finish();
    await expect(first).resolves.toBe('done');
    await expect(exclusive('preview:1', async () => 'after')).resolves.toBe('after');
    // A failure frees the slot too.
    await expect(exclusive('preview:1', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(exclusive('preview:1', async () => 'free')).resolves.toBe('free');
  });
});
