import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { connectTestDatabase, freshWorkspace } from '../../../test/support/database.ts';
import { createPool } from '../../db/connect.ts';
import { manualClock, type ManualClock } from '../../shared/clock.ts';
import type { Workspace } from '../../workspaces/workspaces.ts';
import { keptFactsStore, type KeptOutcome } from './kept-facts.ts';
import { placeWorkspace } from './place.ts';
import { placingContext, readActiveMap } from './placing-run.ts';
import { drainJourneyChanges } from './reactor.ts';
import { activateTestMap, ingest, PRODUCTS, recomputedCells, storedCells, TEST_MAP } from './test-map.ts';
import { loadWorkspaceFacts, SUBSCRIPTION_STATES, type WorkspaceFacts } from './workspace-facts.ts';

/**
 * Facts kept between full placements (kept-facts.ts) must equal the facts read from the
 * tables at the same instant, whatever happened in between: writes drained by this process,
 * by another process (another pool: another store) or not drained yet, records dated in the
 * future coming due, and local days passing (event windows sliding).
 */
const database = connectTestDatabase();
const { pool } = database;
/** Another process's view of the same database. */
const other = createPool({ url: database.url, max: 2 });
afterAll(async () => {
  await other.end();
  await database.close();
});
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Every profile's facts by customer id, as plain values. */
function byCustomer(facts: WorkspaceFacts): Map<number, unknown[]> {
  const rows = new Map<number, unknown[]>();
  for (let i = 0; i < facts.count; i++) {
    rows.set(facts.ids[i]!, [
      facts.customer[i],
      facts.purchaseCount[i],
      facts.totalSpend[i],
      facts.firstPurchaseDay[i],
      facts.lastPurchaseDay[i],
      facts.attributes.map((column) => column[i]),
      facts.products.map((product) => [product.purchases[i], product.firstDeliveredDay[i], product.lastDeliveredDay[i]]),
      SUBSCRIPTION_STATES[facts.subscriptionState[i]!],
      facts.subscriptionDeliveries[i],
      facts.subscriptionStartedDay[i],
      facts.events.map((column) => column[i]),
      Number.isNaN(facts.pAlive[i]) ? null : facts.pAlive[i],
    ]);
  }
  return rows;
}

/** The kept facts of the workspace, and the same read from the tables at `at`. */
async function keptAndRead(workspaceId: string, at: Date): Promise<{ kept: Map<number, unknown[]>; read: Map<number, unknown[]> }> {
  const entry = keptFactsStore(pool).entries.get(workspaceId);
  if (!entry) throw new Error('nothing kept');
  const client = await pool.connect();
  try {
    const context = await placingContext({ client, pool, workspaceId, map: (await readActiveMap(client, workspaceId))!, at });
    return { kept: byCustomer(entry.facts), read: byCustomer((await loadWorkspaceFacts(context.facts)).facts) };
  } finally {
    client.release();
  }
}

const customer = fc.integer({ min: 0, max: 5 }).map((n) => `C${n}`);
const drain = fc.constantFrom('here' as const, 'elsewhere' as const, 'not yet' as const);
const step = fc.oneof(
  fc.record({ kind: fc.constant('customer' as const), customer, newsletter: fc.boolean(), drain }),
  fc.record({
    kind: fc.constant('order' as const),
    order: fc.integer({ min: 0, max: 3 }).map((n) => `O${n}`),
    customer,
    sku: fc.constantFrom('AOJIRU', 'TRIAL'),
    // Hours before now it was ordered; negative: later (dated in the future).
    orderedHoursAgo: fc.oneof(fc.integer({ min: -30, max: 48 }), fc.integer({ min: 0, max: 24 * 40 })),
    deliveredHoursAfter: fc.option(fc.integer({ min: 1, max: 24 * 4 })),
    status: fc.constantFrom('confirmed', 'delivered', 'cancelled'),
    drain,
  }),
  fc.record({
    kind: fc.constant('event' as const),
    customer,
    type: fc.constantFrom('page_view', 'support_contact'),
    topic: fc.constantFrom('complaint', 'question'),
    // Around the 30-day windows' edges, and a few in the future.
    hoursAgo: fc.oneof(fc.integer({ min: -30, max: -1 }), fc.integer({ min: 0, max: 48 }), fc.integer({ min: 24 * 28, max: 24 * 32 })),
    drain,
  }),
  fc.record({
    kind: fc.constant('subscription' as const),
    subscription: fc.integer({ min: 0, max: 1 }).map((n) => `S${n}`),
    customer,
    status: fc.constantFrom('active', 'paused', 'cancelled'),
    startedHoursAgo: fc.oneof(fc.integer({ min: -40, max: -1 }), fc.integer({ min: 0, max: 24 * 200 })),
    deliveries: fc.integer({ min: 0, max: 8 }),
    drain,
  }),
  fc.record({ kind: fc.constant('time' as const), hours: fc.integer({ min: 1, max: 60 }) }),
  fc.record({ kind: fc.constant('place' as const) }),
);
type Step = typeof step extends fc.Arbitrary<infer T> ? T : never;

async function apply(workspace: Workspace, clock: ManualClock, s: Step, eventKey: () => string): Promise<void> {
  const now = clock.now().getTime();
  const hoursAgo = (hours: number) => new Date(now - hours * HOUR - 60_000).toISOString();
  switch (s.kind) {
    case 'customer':
      await ingest(pool, workspace, 'customers', [{ customer_id: s.customer, attributes: { newsletter: s.newsletter } }], clock);
      break;
    case 'order': {
      const orderedAt = now - s.orderedHoursAgo * HOUR - 60_000;
      const record = {
        order_id: s.order,
        customer_id: s.customer,
        ordered_at: new Date(orderedAt).toISOString(),
        delivered_at: s.deliveredHoursAfter === null ? null : new Date(orderedAt + s.deliveredHoursAfter * HOUR).toISOString(),
        status: s.status,
        items: [{ sku: s.sku, quantity: 1, unit_price: s.sku === 'AOJIRU' ? '3980' : '980' }],
      };
      await ingest(pool, workspace, 'orders', [record], clock);
      break;
    }
    case 'event':
      await ingest(
        pool,
        workspace,
        'events',
        [
          {
            idempotency_key: eventKey(),
            customer_id: s.customer,
            type: s.type,
            occurred_at: hoursAgo(s.hoursAgo),
            properties: s.type === 'support_contact' ? { topic: s.topic } : {},
          },
        ],
        clock,
      );
      break;
    case 'subscription':
      await ingest(
        pool,
        workspace,
        'subscriptions',
        [
          {
            subscription_id: s.subscription,
            customer_id: s.customer,
            sku: 'AOJIRU',
            cycle: { unit: 'months', every: 1 },
            status: s.status,
            started_at: hoursAgo(s.startedHoursAgo),
            deliveries: s.deliveries,
            // Not before its start (a subscription dated in the future is cancelled after it starts).
            ...(s.status === 'cancelled'
              ? { cancelled_at: new Date(Math.max(now - 1000, Date.parse(hoursAgo(s.startedHoursAgo)) + 60_000)).toISOString() }
              : {}),
          },
        ],
        clock,
      );
      break;
    case 'time':
      clock.advance(s.hours * HOUR);
      return;
    case 'place':
      return;
  }
  if (s.drain === 'here') await drainJourneyChanges({ pool, workspaceId: workspace.id, clock });
  if (s.drain === 'elsewhere') await drainJourneyChanges({ pool: other, workspaceId: workspace.id, clock });
}

async function setUp(clock: ManualClock): Promise<Workspace> {
  const workspace = await freshWorkspace(database);
  await ingest(pool, workspace, 'products', PRODUCTS, clock);
  await activateTestMap(pool, workspace.id);
  return workspace;
}

describe('facts kept between full placements', () => {
  it('equal the facts read from the tables at every full placement, after any writes, drains anywhere and time passing', async () => {
    let keptRuns = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 20 }), async (steps) => {
        const clock = manualClock('2026-06-10T10:00:00Z');
        const workspace = await setUp(clock);
        let events = 0;
        const first = await placeWorkspace({ pool, workspaceId: workspace.id, clock, cause: 'map' });
        expect(first.facts?.mode).toBe('read');
        for (const s of [...steps, { kind: 'place' as const }]) {
          await apply(workspace, clock, s, () => `e${++events}`);
          if (s.kind !== 'place' && s.kind !== 'time') continue;
          const placed = await placeWorkspace({ pool, workspaceId: workspace.id, clock, cause: 'sweep' });
          // Nothing here makes the kept facts unusable: the needs, the zone and the clock's direction stay.
          expect(placed.facts?.mode).toBe('kept');
          keptRuns++;
          const { kept, read } = await keptAndRead(workspace.id, clock.now());
          expect(kept).toEqual(read);
          // And so the cells: every stored cell is the one the rules give now.
          expect(await storedCells(pool, workspace.id)).toEqual(await recomputedCells(pool, workspace.id, clock));
        }
      }),
      { numRuns: 40 },
    );
    expect(keptRuns).toBeGreaterThan(40);
  }, 240_000);

  it('re-reads only what it must, and reads everything when it cannot know what changed', async () => {
    const clock = manualClock('2026-06-10T10:00:00Z');
    const workspace = await setUp(clock);
    // Each full placement's kept facts equal the facts read from the tables.
    const place = async (): Promise<KeptOutcome | undefined> => {
      const { facts } = await placeWorkspace({ pool, workspaceId: workspace.id, clock, cause: 'sweep' });
      const { kept, read } = await keptAndRead(workspace.id, clock.now());
      expect(kept).toEqual(read);
      return facts;
    };
    const event = (key: string, customerId: string, at: Date) =>
      ingest(pool, workspace, 'events', [{ idempotency_key: key, customer_id: customerId, type: 'page_view', occurred_at: at.toISOString() }], clock);
    const pageViews = (customerId: string) => {
      const entry = keptFactsStore(pool).entries.get(workspace.id)!;
      const need = entry.facts.events[0]!;
      return need[entry.indexOf.get(Number(customerId))!];
    };
    // On the first day of the 30-day window of page views (2026-05-12 in Tokyo, 29 days before today).
    await event('a0', 'A', new Date('2026-05-12T01:00:00Z'));
    await event('d0', 'D', new Date('2026-05-12T01:00:00Z'));
    await event('a1', 'A', clock.now());
    await event('b1', 'B', clock.now());
    expect(await place()).toEqual({ mode: 'read', reason: 'nothing kept', reread: 0 });
    expect(await place()).toEqual({ mode: 'kept', reread: 0 });

    // Written and placed by this process's drain: its columns were refreshed then.
    clock.advance(HOUR);
    await event('a2', 'A', clock.now());
    await drainJourneyChanges({ pool, workspaceId: workspace.id, clock });
    expect(await place()).toEqual({ mode: 'kept', reread: 0 });

    // Placed by another process: read again here.
    await event('a3', 'A', clock.now());
    await drainJourneyChanges({ pool: other, workspaceId: workspace.id, clock });
    expect(await place()).toEqual({ mode: 'kept', reread: 1 });

    // Not placed yet: the full placement takes it, and reads the customer again.
    await event('b2', 'B', clock.now());
    expect(await place()).toEqual({ mode: 'kept', reread: 1 });

    // A new customer, placed elsewhere, joins the kept columns.
    await event('c1', 'C', clock.now());
    await drainJourneyChanges({ pool: other, workspaceId: workspace.id, clock });
    expect(await place()).toEqual({ mode: 'kept', reread: 1 });
    expect(keptFactsStore(pool).entries.get(workspace.id)!.facts.count).toBe(4);

    // An event dated tomorrow: read again once its moment has passed, not before.
    await event('a4', 'A', new Date(clock.now().getTime() + DAY));
    await drainJourneyChanges({ pool, workspaceId: workspace.id, clock });
    expect(await place()).toEqual({ mode: 'kept', reread: 0 });
    const aId = (await pool.query<{ id: string }>('select id from customers where workspace_id = $1 and external_id = $2', [workspace.id, 'A'])).rows[0]!.id;
    const dId = (await pool.query<{ id: string }>('select id from customers where workspace_id = $1 and external_id = $2', [workspace.id, 'D'])).rows[0]!.id;
    expect(pageViews(aId)).toBe(4);
    expect(pageViews(dId)).toBe(1);
    clock.advance(DAY + HOUR);
    expect(await place()).toEqual({ mode: 'kept', reread: 1 });
    // The next day: a0 left the window, a4 came due (A read again); d0 left D's window (D not read again).
    expect(pageViews(aId)).toBe(4);
    expect(pageViews(dId)).toBe(0);
    clock.advance(DAY);
    expect(await place()).toEqual({ mode: 'kept', reread: 0 });

    // A map reading other facts; the clock going back; a write of everyone (a bulk import).
    await activateTestMap(pool, workspace.id, { ...TEST_MAP, levels: TEST_MAP.levels.slice(0, 2) });
    expect(await place()).toMatchObject({ mode: 'read', reason: 'other fact needs' });
    clock.advance(-2 * HOUR);
    expect(await place()).toMatchObject({ mode: 'read', reason: 'the clock went back' });
    await ingest(pool, workspace, 'products', [{ sku: 'NEW', name: '新商品', category: 'trial', price: '500' }], clock);
    expect(await place()).toMatchObject({ mode: 'read' });
    expect(await place()).toEqual({ mode: 'kept', reread: 0 });
  });
});
