import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { connectTestDatabase, freshWorkspace } from '../../../test/support/database.ts';
import { manualClock, type ManualClock } from '../../shared/clock.ts';
import type { Workspace } from '../../workspaces/workspaces.ts';
import { placeWorkspace } from './place.ts';
import { drainJourneyChanges, sweepJourneyMap } from './reactor.ts';
import { journeyCellCounts } from './reads.ts';
import { activateTestMap, countsBothWays, ingest, PRODUCTS, recomputedCells, storedCells } from './test-map.ts';

/**
 * The live path (writers queue the customers they touch, the drain re-places them, the
 * midnight sweep re-places everyone when days pass) must leave every customer where a full
 * placement from scratch would put them now: after any sequence of writes, every stored cell
 * equals the cell recomputed from the facts (stages kept by those reached), and the counts
 * add up.
 */
const database = connectTestDatabase();
const { pool } = database;
afterAll(() => database.close());
const DAY = 86_400_000;

const customer = fc.integer({ min: 0, max: 5 }).map((n) => `C${n}`);
const write = fc.oneof(
  fc.record({ kind: fc.constant('customer' as const), customer, newsletter: fc.boolean() }),
  fc.record({
    kind: fc.constant('order' as const),
    // Order ids shared by all customers: a rewrite may move an order to another customer.
    order: fc.integer({ min: 0, max: 2 }).map((n) => `O${n}`),
    customer,
    sku: fc.constantFrom('AOJIRU', 'TRIAL'),
    quantity: fc.integer({ min: 1, max: 15 }),
    daysAgo: fc.integer({ min: 0, max: 60 }),
    deliveredAfter: fc.option(fc.integer({ min: 0, max: 5 })),
    status: fc.constantFrom('confirmed', 'delivered', 'cancelled', 'returned'),
  }),
  fc.record({
    kind: fc.constant('event' as const),
    customer,
    type: fc.constantFrom('page_view', 'support_contact', 'survey_answer'),
    topic: fc.constantFrom('complaint', 'question'),
    score: fc.integer({ min: 0, max: 10 }),
    daysAgo: fc.integer({ min: 0, max: 100 }),
  }),
  fc.record({
    kind: fc.constant('subscription' as const),
    subscription: fc.integer({ min: 0, max: 2 }).map((n) => `S${n}`),
    customer,
    status: fc.constantFrom('active', 'paused', 'cancelled'),
    startedDaysAgo: fc.integer({ min: 0, max: 200 }),
    deliveries: fc.integer({ min: 0, max: 10 }),
  }),
  fc.record({ kind: fc.constant('days' as const), days: fc.integer({ min: 1, max: 20 }) }),
);
type Write = typeof write extends fc.Arbitrary<infer T> ? T : never;

async function apply(workspace: Workspace, clock: ManualClock, step: Write, eventKey: () => string): Promise<void> {
  const now = clock.now().getTime();
  const ago = (days: number) => new Date(now - days * DAY - 60_000).toISOString();
  switch (step.kind) {
    case 'customer':
      await ingest(pool, workspace, 'customers', [{ customer_id: step.customer, attributes: { newsletter: step.newsletter } }], clock);
      break;
    case 'order': {
      const orderedAt = now - step.daysAgo * DAY - 60_000;
      const deliveredAt = step.deliveredAfter === null ? null : new Date(Math.min(orderedAt + step.deliveredAfter * DAY, now - 1000)).toISOString();
      await ingest(
        pool,
        workspace,
        'orders',
        [
          {
            order_id: step.order,
            customer_id: step.customer,
            ordered_at: new Date(orderedAt).toISOString(),
            delivered_at: deliveredAt,
            status: step.status,
            items: [{ sku: step.sku, quantity: step.quantity, unit_price: step.sku === 'AOJIRU' ? '3980' : '980' }],
          },
        ],
        clock,
      );
      break;
    }
    case 'event': {
      const properties = step.type === 'support_contact' ? { topic: step.topic } : step.type === 'survey_answer' ? { score: step.score } : {};
      await ingest(
        pool,
        workspace,
        'events',
        [{ idempotency_key: eventKey(), customer_id: step.customer, type: step.type, occurred_at: ago(step.daysAgo), properties }],
        clock,
      );
      break;
    }
    case 'subscription':
      await ingest(
        pool,
        workspace,
        'subscriptions',
        [
          {
            subscription_id: step.subscription,
            customer_id: step.customer,
            sku: 'AOJIRU',
            cycle: { unit: 'months', every: 1 },
            status: step.status,
            started_at: ago(step.startedDaysAgo),
            deliveries: step.deliveries,
            ...(step.status === 'cancelled' ? { cancelled_at: new Date(now - 1000).toISOString() } : {}),
          },
        ],
        clock,
      );
      break;
    case 'days':
      // Days pass: the reactor's midnight timer would sweep the workspace.
      clock.advance(step.days * DAY);
      await sweepJourneyMap({ pool, workspaceId: workspace.id, clock });
      return;
  }
  await drainJourneyChanges({ pool, workspaceId: workspace.id, clock });
}

describe('the live path', () => {
  it('leaves every customer where a full placement would put them, after any sequence of writes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(write, { minLength: 1, maxLength: 25 }), async (steps) => {
        const workspace = await freshWorkspace(database);
        const clock = manualClock('2026-06-10T03:00:00Z');
        let events = 0;
        await ingest(pool, workspace, 'products', PRODUCTS, clock);
        await activateTestMap(pool, workspace.id);
        await placeWorkspace({ pool, workspaceId: workspace.id, clock, cause: 'map' });
        for (const step of steps) await apply(workspace, clock, step, () => `e${++events}`);
        expect(await storedCells(pool, workspace.id)).toEqual(await recomputedCells(pool, workspace.id, clock));
        const both = await countsBothWays(pool, workspace.id);
        expect(both.stored).toEqual(both.counted);
        const counts = await journeyCellCounts({ pool, workspaceId: workspace.id });
        expect(counts.placed).toBe(counts.profiles);
      }),
      { numRuns: 60 },
    );
  }, 240_000);
});
