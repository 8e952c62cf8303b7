import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestDatabase, freshWorkspace } from '../../test/support/database.ts';
import type { Condition } from '../journey-map/model.ts';
import { BUCKETS, bucketOf, inGlobalControl } from '../measurement/assignment.ts';
import { DEFAULT_WHEN_HELD } from '../scenarios/model.ts';
import type { Workspace } from '../workspaces/workspaces.ts';
import { ContactRules } from './model.ts';
import { PREVIEW_MAX_CUSTOMERS, type PreviewRequest, type PreviewResult, previewSend } from './preview.ts';

/**
 * "What would happen if we sent this now" (previewSend) over fifteen customers whose every
 * decision is known by hand: a cap of 2 marketing contacts per 7 days, email quiet 21:00–09:00 in
 * the customer's zone, complaints, do-not-contact-until, a reservation to displace. The preview
 * stands at Wednesday 2026-06-10 12:00 in Tokyo (03:00 UTC); a held message may wait 3 days
 * (DEFAULT_WHEN_HELD), so until 2026-06-13T03:00Z.
 */
const database = connectTestDatabase();
const { pool } = database;
const DAY = 86_400_000;
const HOUR = 3_600_000;
const NOW = new Date('2026-06-10T03:00:00.000Z');
const ago = (ms: number) => new Date(NOW.getTime() - ms);
let workspace: Workspace;
let other: Workspace;

const RULES = ContactRules.parse({
  caps: [{ id: 'marketing_weekly', name: '週2通まで', max: 2, window: { days: 7 } }],
  quietHours: [{ channel: 'email', from: '21:00', to: '09:00' }],
});
const MARKETING_EMAIL: PreviewRequest = { channel: 'email', purpose: 'marketing', department: 'marketing', priority: 50, whenHeld: DEFAULT_WHEN_HELD };

type Outcome = 'send' | 'deferred' | 'skipped';
/** The customers, in id order, with their decision worked out by hand. */
const CUSTOMERS: Array<{ key: string; attributes?: Record<string, unknown>; outcome: Outcome; why: string }> = [
  { key: 'P0', attributes: { segment: 'vip' }, outcome: 'send', why: 'no contact (two in another workspace do not count)' },
  { key: 'P1', outcome: 'send', why: 'one marketing contact 2 days ago: 1 + 1 ≤ 2' },
  { key: 'P2', attributes: { segment: 'vip' }, outcome: 'deferred', why: '6 and 1 days ago: the first leaves the window in 1 day (12:00 in Tokyo, not quiet)' },
  { key: 'P2edge', outcome: 'send', why: 'exactly 7 days and 1 day ago: spans are half-open, the first no longer counts' },
  { key: 'P2txn', outcome: 'send', why: 'two transactional contacts: the cap counts marketing only' },
  { key: 'P2far', outcome: 'skipped', why: '3 and 1 days ago: free again in 4 days, past the 3-day deadline' },
  { key: 'PC', attributes: { segment: 'vip' }, outcome: 'skipped', why: 'a complaint opened yesterday' },
  { key: 'PCr', outcome: 'send', why: 'a complaint opened and resolved' },
  {
    key: 'PD1',
    attributes: { do_not_contact_until: '2026-06-11' },
    outcome: 'deferred',
    why: 'do not contact until midnight of 2026-06-11 in Tokyo (15:00Z), in quiet hours then: 09:00 (00:00Z)',
  },
  { key: 'PD2', attributes: { do_not_contact_until: '2026-06-20' }, outcome: 'skipped', why: 'do not contact until past the deadline' },
  { key: 'PD3', attributes: { do_not_contact_until: '2026-06-10T11:00:00+09:00' }, outcome: 'send', why: 'a date-time with its offset, an hour ago' },
  { key: 'PNY', attributes: { segment: 'vip', timezone: 'America/New_York' }, outcome: 'deferred', why: '23:00 in New York: quiet until 09:00 EDT = 13:00Z' },
  { key: 'PDisp', outcome: 'send', why: 'one sent, one reservation of priority 10 in an hour: displaced by priority 50' },
  { key: 'PTask', outcome: 'skipped', why: 'an open task of support: a complaint under way' },
  { key: 'PBadTz', attributes: { timezone: 'Mars/Olympus_Mons' }, outcome: 'send', why: 'an unknown zone falls back to Tokyo: noon, not quiet' },
];
const id: Record<string, string> = {};

async function ledger(workspaceId: string, customerId: string, at: Date, extra: { purpose?: string; state?: string; priority?: number } = {}): Promise<void> {
  await pool.query(
    `insert into contact_ledger (workspace_id, customer_id, at, channel, purpose, department, priority, state)
     values ($1, $2, $3, 'email', $4, 'marketing', $5, $6)`,
    [workspaceId, customerId, at, extra.purpose ?? 'marketing', extra.priority ?? 50, extra.state ?? 'sent'],
  );
}

let eventSeq = 0;
async function event(customerId: string, type: string, at: Date): Promise<void> {
  await pool.query(`insert into events (workspace_id, customer_id, type, occurred_at, idempotency_key) values ($1, $2, $3, $4, $5)`, [
    workspace.id,
    customerId,
    type,
    at,
    `pv-${++eventSeq}`,
  ]);
}

const preview = (request: Partial<PreviewRequest> = {}, rules: ContactRules = RULES, ws: Workspace = workspace): Promise<PreviewResult> =>
  previewSend(pool, { workspaceId: ws.id, timezone: ws.timezone, rules, request: { ...MARKETING_EMAIL, ...request }, now: NOW });

beforeAll(async () => {
  workspace = await freshWorkspace(database);
  other = await freshWorkspace(database);
  for (const customer of CUSTOMERS) {
    const { rows } = await pool.query<{ id: string }>(
      `insert into customers (workspace_id, external_id, attributes, created_at) values ($1, $2, $3, '2026-01-01') returning id::text`,
      [workspace.id, customer.key, JSON.stringify(customer.attributes ?? {})],
    );
    id[customer.key] = rows[0]!.id;
  }
  await ledger(other.id, id.P0!, ago(DAY));
  await ledger(other.id, id.P0!, ago(2 * DAY));
  await ledger(workspace.id, id.P1!, ago(2 * DAY));
  await ledger(workspace.id, id.P2!, ago(6 * DAY));
  await ledger(workspace.id, id.P2!, ago(DAY));
  await ledger(workspace.id, id.P2edge!, ago(7 * DAY));
  await ledger(workspace.id, id.P2edge!, ago(DAY));
  await ledger(workspace.id, id.P2txn!, ago(DAY), { purpose: 'transactional' });
  await ledger(workspace.id, id.P2txn!, ago(2 * DAY), { purpose: 'transactional' });
  await ledger(workspace.id, id.P2far!, ago(3 * DAY));
  await ledger(workspace.id, id.P2far!, ago(DAY));
  await ledger(workspace.id, id.PDisp!, ago(2 * DAY));
  await ledger(workspace.id, id.PDisp!, new Date(NOW.getTime() + HOUR), { state: 'scheduled', priority: 10 });
  await event(id.PC!, 'support.complaint_opened', ago(DAY));
  await event(id.PCr!, 'support.complaint_opened', ago(2 * DAY));
  await event(id.PCr!, 'support.complaint_resolved', ago(DAY));
  await pool.query(
    `insert into tasks (workspace_id, department, title, customer_id, status, created_at) values ($1, 'support', 'お詫びのお電話', $2, 'open', $3)`,
    [workspace.id, id.PTask, ago(DAY)],
  );
});
afterAll(async () => {
  await database.close();
});

/** What a preview could have written: the ledger, the decisions, the effects, the rules. */
async function written(): Promise<string> {
  const { rows } = await pool.query(
    `select (select count(*) from contact_ledger) as ledger, (select count(*) from contact_decisions) as decisions,
            (select count(*) from scenario_effects) as effects, (select count(*) from contact_rules) as rules,
            (select string_agg(id || ':' || coalesce(updated_at::text, ''), ',' order by id) from customers where workspace_id = $1) as customers`,
    [workspace.id],
  );
  return JSON.stringify(rows);
}

function expected(customers: ReadonlyArray<(typeof CUSTOMERS)[number]>): Record<Outcome, number> {
  const counts: Record<Outcome, number> = { send: 0, deferred: 0, skipped: 0 };
  for (const customer of customers) counts[customer.outcome]++;
  return counts;
}

describe('previewSend', () => {
  it('decides every customer as worked out by hand: sent, deferred, skipped, by rule, and writes nothing', async () => {
    const before = await written();
    const result = await preview();
    expect(await written()).toBe(before);
    expect(expected(CUSTOMERS)).toEqual({ send: 8, deferred: 3, skipped: 4 });
    expect(result).toMatchObject({
      audience: 15,
      send: 8,
      deferred: 3,
      skipped: 4,
      globalControl: 0,
      displacing: 1,
      sampled: false,
      sampleRate: 1,
      at: NOW.toISOString(),
    });
    expect(result.byRule).toHaveLength(5);
    expect(result.byRule).toEqual(
      expect.arrayContaining([
        { rule: { kind: 'cap', id: 'marketing_weekly', name: '週2通まで' }, deferred: 1, skipped: 1 },
        { rule: { kind: 'complaint' }, deferred: 0, skipped: 2 },
        // A date alone is the customer's local midnight that day.
        { rule: { kind: 'do_not_contact', until: '2026-06-10T15:00:00.000Z' }, deferred: 1, skipped: 0 },
        { rule: { kind: 'do_not_contact', until: '2026-06-19T15:00:00.000Z' }, deferred: 0, skipped: 1 },
        { rule: { kind: 'quiet_hours', channel: 'email' }, deferred: 1, skipped: 0 },
      ]),
    );
    // The most frequent first.
    expect(result.byRule.slice(0, 2).map((entry) => entry.deferred + entry.skipped)).toEqual([2, 2]);
    // Waits: 600 (New York), 1,260 (do-not-contact), 1,440 (the cap) minutes: the median is the middle one.
    expect(result.medianDeferMinutes).toBe(1260);
  });

  it('narrows to an audience (a journey-rule condition)', async () => {
    const vip: Condition = { fact: 'attribute', name: 'segment', op: '=', value: 'vip' };
    const result = await preview({ audience: vip });
    // P0 sent, P2 and PNY deferred, PC skipped.
    expect(result).toMatchObject({ audience: 4, send: 1, deferred: 2, skipped: 1, displacing: 0 });
    expect(result.byRule).toEqual(
      expect.arrayContaining([
        { rule: { kind: 'cap', id: 'marketing_weekly', name: '週2通まで' }, deferred: 1, skipped: 0 },
        { rule: { kind: 'quiet_hours', channel: 'email' }, deferred: 1, skipped: 0 },
        { rule: { kind: 'complaint' }, deferred: 0, skipped: 1 },
      ]),
    );
    // VIPs without a time zone of their own: P0, P2, PC.
    const tokyoVip = await preview({ audience: { all: [vip, { not: { fact: 'attribute', name: 'timezone', op: 'exists' } }] } });
    expect(tokyoVip).toMatchObject({ audience: 3, send: 1, deferred: 1, skipped: 1 });
    expect(tokyoVip.medianDeferMinutes).toBe(1440);
    // Nobody: an empty preview.
    const nobody = await preview({ audience: { fact: 'attribute', name: 'segment', op: '=', value: 'nobody' } });
    expect(nobody).toMatchObject({ audience: 0, send: 0, deferred: 0, skipped: 0, byRule: [], medianDeferMinutes: null });
  });

  it('holds nothing back for a transactional message (caps, quiet hours and suppression are for marketing)', async () => {
    const result = await preview({ purpose: 'transactional' }, { ...RULES, globalControlPercent: 15 });
    expect(result).toMatchObject({ audience: 15, send: 15, deferred: 0, skipped: 0, globalControl: 0, byRule: [] });
  });

  it('leaves the global control group out of a marketing message', async () => {
    const rules = { ...RULES, globalControlPercent: 15 };
    const held = CUSTOMERS.filter((customer) => inGlobalControl(workspace.id, id[customer.key]!, 15));
    const decided = CUSTOMERS.filter((customer) => !held.includes(customer));
    const result = await preview({}, rules);
    expect(result).toMatchObject({ audience: 15, globalControl: held.length, ...expected(decided) });
  });

  it('skips a message whose step skips held messages, instead of deferring it', async () => {
    const result = await preview({ whenHeld: { kind: 'skip' } });
    expect(result).toMatchObject({ send: 8, deferred: 0, skipped: 7, medianDeferMinutes: null });
  });
});

// Regression (preview.ts, the chunk query): `select id::text … order by id` once ordered by the
// output column — the id as text — while the next chunk was `id > <last id of the chunk>`
// (numeric): where ids differ in length ('9' sorts after '10') customers were decided twice or
// never. Ten customers with ids 99,999,999,995 … 100,000,000,004 gave an audience of 15; a
// workspace over one chunk (5,000) lost whole ranges.
describe('previewSend over ids of different lengths', () => {
  it('decides every customer once', async () => {
    const mixed = await freshWorkspace(database);
    await pool.query(
      `insert into customers (id, workspace_id, external_id, created_at) overriding system value
       select 99999999995 + g, $1, 'M-' || g, '2026-01-01' from generate_series(0, 9) g`,
      [mixed.id],
    );
    const result = await preview({}, ContactRules.parse({}), mixed);
    expect(result).toMatchObject({ audience: 10, send: 10 });
  });
});

// Sampling needs more than PREVIEW_MAX_CUSTOMERS (200,000) customers: the constant cannot be
// changed from a test, so the workspace gets 200,500 bare customers (a few seconds; 41 chunks).
describe('previewSend on a workspace larger than PREVIEW_MAX_CUSTOMERS', () => {
  it('decides a fixed-hash sample and scales the counts', async () => {
    expect(PREVIEW_MAX_CUSTOMERS).toBe(200_000);
    const large = await freshWorkspace(database);
    const total = PREVIEW_MAX_CUSTOMERS + 500;
    await pool.query(`insert into customers (workspace_id, external_id, created_at) select $1, 'L-' || g, '2026-01-01' from generate_series(1, $2) g`, [
      large.id,
      total,
    ]);
    const { rows } = await pool.query<{ id: string }>('select id::text from customers where workspace_id = $1', [large.id]);
    const sampleRate = PREVIEW_MAX_CUSTOMERS / total;
    const threshold = Math.floor(sampleRate * BUCKETS);
    expect(threshold).toBe(9975);
    const decided = rows.filter((row) => bucketOf('preview', row.id) < threshold).length;
    const result = await preview({}, ContactRules.parse({}), large);
    expect(result).toMatchObject({
      sampled: true,
      sampleRate,
      audience: Math.round(decided / sampleRate),
      send: Math.round(decided / sampleRate),
      deferred: 0,
      skipped: 0,
    });
    // The same preview answers the same.
    expect((await preview({}, ContactRules.parse({}), large)).audience).toBe(result.audience);
    await pool.query('delete from customers where workspace_id = $1', [large.id]);
  }, 60_000);
});
