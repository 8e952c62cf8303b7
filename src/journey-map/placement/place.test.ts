import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestDatabase, freshWorkspace } from '../../../test/support/database.ts';
import { manualClock } from '../../shared/clock.ts';
import type { Workspace } from '../../workspaces/workspaces.ts';
import { placeWorkspace, previewPlacement } from './place.ts';
import { drainJourneyChanges, sweepJourneyMap } from './reactor.ts';
import { customerJourney, journeyCellCounts, journeyFlows, stepDownPatterns } from './reads.ts';
import { activateTestMap, cellsByExternalId, countsBothWays, ingest, movesOf, PRODUCTS, TEST_MAP } from './test-map.ts';

const database = connectTestDatabase();
const { pool } = database;
// 2026-06-10 12:00 in Tokyo.
const clock = manualClock('2026-06-10T03:00:00Z');
let workspace: Workspace;
const DAY = 86_400_000;

const write = async (kind: Parameters<typeof ingest>[2], records: unknown[]) => {
  await ingest(pool, workspace, kind, records, clock);
  return drainJourneyChanges({ pool, workspaceId: workspace.id, clock });
};
const order = (id: string, customer: string, sku: string, quantity: number, orderedAt: string, deliveredAt: string | null, status = 'confirmed') => ({
  order_id: id,
  customer_id: customer,
  ordered_at: orderedAt,
  delivered_at: deliveredAt,
  status,
  items: [{ sku, quantity, unit_price: sku === 'AOJIRU' ? '3980' : '980' }],
});
const subscription = (id: string, customer: string, status: string, startedAt: string, deliveries: number, cancelledAt?: string) => ({
  subscription_id: id,
  customer_id: customer,
  sku: 'AOJIRU',
  cycle: { unit: 'months', every: 1 },
  status,
  started_at: startedAt,
  deliveries,
  ...(cancelledAt ? { cancelled_at: cancelledAt } : {}),
});
const event = (key: string, customer: string, type: string, occurredAt: string, properties: Record<string, unknown> = {}) => ({
  idempotency_key: key,
  customer_id: customer,
  type,
  occurred_at: occurredAt,
  properties,
});

beforeAll(async () => {
  workspace = await freshWorkspace(database);
});
afterAll(() => database.close());

describe('placement on a small brand, through the real writers and the change queue', () => {
  it('places nobody without an active map, and queued changes are dropped', async () => {
    await ingest(pool, workspace, 'products', PRODUCTS, clock);
    await ingest(pool, workspace, 'customers', [{ customer_id: 'C1' }, { customer_id: 'C6', attributes: { newsletter: true } }], clock);
    const drained = await drainJourneyChanges({ pool, workspaceId: workspace.id, clock });
    expect(drained).toEqual({ taken: 2, profiles: 0, moved: 0 });
    expect(await cellsByExternalId(pool, workspace.id)).toEqual({ C1: '-', C6: '-' });
  });

  it('places everyone on the active map: every fact kind, hand-computed', async () => {
    await ingest(
      pool,
      workspace,
      'orders',
      [
        order('O2', 'C2', 'TRIAL', 1, '2026-06-01T10:00:00+09:00', '2026-06-03T10:00:00+09:00'),
        // 青汁 first delivered 21 days ago (effect felt after 14): 実感.
        order('O3', 'C3', 'AOJIRU', 1, '2026-05-15T10:00:00+09:00', '2026-05-20T10:00:00+09:00'),
        order('O4', 'C4', 'AOJIRU', 1, '2026-04-01T10:00:00+09:00', '2026-04-05T10:00:00+09:00'),
        // 15 × 3,980 = 59,700 spent: ファン.
        order('O5', 'C5', 'AOJIRU', 15, '2026-01-10T10:00:00+09:00', '2026-01-12T10:00:00+09:00'),
        // Delivered 9 days ago: not yet felt.
        order('O7', 'C7', 'AOJIRU', 1, '2026-05-30T10:00:00+09:00', '2026-06-01T10:00:00+09:00'),
        // A cancelled order is no purchase.
        order('O9', 'C9', 'AOJIRU', 1, '2026-05-01T10:00:00+09:00', null, 'cancelled'),
      ],
      clock,
    );
    await ingest(
      pool,
      workspace,
      'subscriptions',
      [
        subscription('S4', 'C4', 'active', '2026-04-01T10:00:00+09:00', 3),
        subscription('S5', 'C5', 'active', '2026-01-10T10:00:00+09:00', 7),
        subscription('S8', 'C8', 'active', '2026-06-01T10:00:00+09:00', 0),
      ],
      clock,
    );
    await ingest(
      pool,
      workspace,
      'events',
      [
        // 30 days back from 06-10 starts on 05-12 00:00 Tokyo: the first is outside, the second inside.
        event('e1', 'C3', 'page_view', '2026-05-11T23:30:00+09:00'),
        event('e2', 'C3', 'page_view', '2026-05-12T00:10:00+09:00'),
      ],
      clock,
    );
    await activateTestMap(pool, workspace.id);
    const placed = await placeWorkspace({ pool, workspaceId: workspace.id, clock, cause: 'map' });
    expect(placed).toMatchObject({ profiles: 9, moved: 9 });
    expect(await cellsByExternalId(pool, workspace.id)).toEqual({
      C1: 'aware/cold',
      C2: 'first/cold',
      C3: 'felt/cold',
      C4: 'sub/trust',
      C5: 'habit/fan',
      C6: 'aware/warm',
      C7: 'first/cold',
      C8: 'sub/trust',
      C9: 'aware/cold',
    });
    // The writes queued before were taken by the full placement: their customers' moves carry them as the cause.
    expect(await movesOf(pool, workspace.id, 'C4')).toEqual(['∅ → sub/trust (subscription S4)']);
    expect(await movesOf(pool, workspace.id, 'C6')).toEqual(['∅ → aware/warm (map)']);
    expect((await pool.query('select 1 from journey_changes where workspace_id = $1 and drained_at is null', [workspace.id])).rowCount).toBe(0);
    const counts = await journeyCellCounts({ pool, workspaceId: workspace.id });
    expect(counts).toMatchObject({ profiles: 9, placed: 9 });
    const both = await countsBothWays(pool, workspace.id);
    expect(both.stored).toEqual(both.counted);
    // Placing again changes nothing.
    expect(await placeWorkspace({ pool, workspaceId: workspace.id, clock, cause: 'sweep' })).toMatchObject({ profiles: 9, moved: 0 });
  });

  it('re-places the customers a write touched, with the write as the cause', async () => {
    expect(await write('events', [event('e3', 'C3', 'page_view', '2026-06-08T09:00:00+09:00')])).toMatchObject({ taken: 1, profiles: 1, moved: 1 });
    expect(await movesOf(pool, workspace.id, 'C3')).toEqual(['∅ → felt/cold (event e2)', 'felt/cold → felt/warm (event e3)']);
    // A survey answer below the threshold moves nobody; 9 makes C2 a fan.
    expect(await write('events', [event('e4', 'C2', 'survey_answer', '2026-06-09T09:00:00+09:00', { score: 8 })])).toMatchObject({ moved: 0 });
    expect(await write('events', [event('e5', 'C2', 'survey_answer', '2026-06-09T10:00:00+09:00', { score: 9 })])).toMatchObject({ moved: 1 });
    // A question to support is no complaint; a complaint steps C8 down from 信頼.
    expect(await write('events', [event('e6', 'C8', 'support_contact', '2026-06-09T11:00:00+09:00', { topic: 'question' })])).toMatchObject({ moved: 0 });
    await write('events', [event('e7', 'C8', 'support_contact', '2026-06-09T12:00:00+09:00', { topic: 'complaint' })]);
    // A lead's first order: C1 enters 初回購入, cause the order.
    await write('orders', [order('O1', 'C1', 'TRIAL', 1, '2026-06-10T09:00:00+09:00', null)]);
    expect(await cellsByExternalId(pool, workspace.id)).toMatchObject({ C1: 'first/cold', C2: 'first/fan', C3: 'felt/warm', C8: 'sub/cold' });
    expect(await movesOf(pool, workspace.id, 'C8')).toEqual(['∅ → sub/trust (subscription S8)', 'sub/trust → sub/cold (event e7)']);
    expect(await movesOf(pool, workspace.id, 'C1')).toEqual(['∅ → aware/cold (map)', 'aware/cold → first/cold (order O1)']);
    // A profile's attribute: C9 subscribes to the newsletter.
    await write('customers', [{ customer_id: 'C9', attributes: { newsletter: true } }]);
    expect(await movesOf(pool, workspace.id, 'C9')).toEqual(['∅ → aware/cold (order O9)', 'aware/cold → aware/warm (customer C9)']);
  });

  it('keeps the stage a customer reached: a cancelled 定期 drops the level, not the stage', async () => {
    await write('subscriptions', [subscription('S4', 'C4', 'cancelled', '2026-04-01T10:00:00+09:00', 3, '2026-06-10T10:00:00+09:00')]);
    expect((await cellsByExternalId(pool, workspace.id)).C4).toBe('sub/cold');
    expect(await movesOf(pool, workspace.id, 'C4')).toEqual(['∅ → sub/trust (subscription S4)', 'sub/trust → sub/cold (subscription S4)']);
    const journey = await customerJourney({ pool, workspaceId: workspace.id, customerId: await idOf('C4') });
    expect(journey.cell).toEqual({ stage: 'sub', level: 'cold' });
    expect(journey.moves.map((move) => [move.kind, move.cause, move.causeRef])).toEqual([
      ['step_down', 'subscription', 'S4'],
      ['enter', 'subscription', 'S4'],
    ]);
  });

  it('the midnight sweep moves customers whose "days since" crossed a threshold', async () => {
    clock.advance(5 * DAY);
    const swept = await sweepJourneyMap({ pool, workspaceId: workspace.id, clock });
    // C7: delivered 14 days ago now, 実感. C3: the page view of 05-12 left the 30 days (window from 05-17), one left: 関心 no more.
    expect(swept).toMatchObject({ profiles: 9, moved: 2 });
    expect(await movesOf(pool, workspace.id, 'C7')).toEqual(['∅ → first/cold (order O7)', 'first/cold → felt/cold (sweep)']);
    expect((await cellsByExternalId(pool, workspace.id)).C3).toBe('felt/cold');
    const { rows } = await pool.query('select swept_at from journey_sweeps where workspace_id = $1', [workspace.id]);
    expect(rows[0].swept_at).toEqual(clock.now());
    const both = await countsBothWays(pool, workspace.id);
    expect(both.stored).toEqual(both.counted);
    expect(await journeyCellCounts({ pool, workspaceId: workspace.id })).toMatchObject({ profiles: 9, placed: 9 });
  });

  it('reads flows and step-down patterns from the rollups', async () => {
    const flows = await journeyFlows({ pool, workspaceId: workspace.id, from: '2026-06-01', to: '2026-06-30' });
    const byPair = Object.fromEntries(
      flows.map((f) => [`${f.from ? `${f.from.stage}/${f.from.level}` : '∅'} → ${f.to.stage}/${f.to.level}`, [f.customers, f.kind]]),
    );
    expect(byPair).toEqual({
      '∅ → aware/cold': [2, 'enter'],
      '∅ → first/cold': [2, 'enter'],
      '∅ → felt/cold': [1, 'enter'],
      '∅ → sub/trust': [2, 'enter'],
      '∅ → habit/fan': [1, 'enter'],
      '∅ → aware/warm': [1, 'enter'],
      'felt/cold → felt/warm': [1, 'rise'],
      'first/cold → first/fan': [1, 'rise'],
      'sub/trust → sub/cold': [2, 'step_down'],
      'aware/cold → first/cold': [1, 'advance'],
      'aware/cold → aware/warm': [1, 'rise'],
      'first/cold → felt/cold': [1, 'advance'],
      'felt/warm → felt/cold': [1, 'step_down'],
    });
    // Only the sweep's day: the two moves of 06-15.
    const sweepDay = await journeyFlows({ pool, workspaceId: workspace.id, from: '2026-06-15', to: '2026-06-15' });
    expect(sweepDay.reduce((sum, f) => sum + f.customers, 0)).toBe(2);
    const patterns = await stepDownPatterns({ pool, workspaceId: workspace.id, from: '2026-06-01', to: '2026-06-30' });
    const subDown = patterns.find((p) => p.from.stage === 'sub' && p.to.level === 'cold')!;
    expect(subDown).toMatchObject({ moves: 2, customers: 2, sampled: 2 });
    // Before C8's step-down: two support contacts; before C4's: none (the subscription's status event is its own type).
    expect(subDown.eventsBefore.find((e) => e.type === 'support_contact')).toEqual({ type: 'support_contact', moves: 1 });
  });

  it('previews an unsaved map without writing', async () => {
    const before = await countsBothWays(pool, workspace.id);
    const preview = await previewPlacement({ pool, workspaceId: workspace.id, clock, map: { ...TEST_MAP, levels: [TEST_MAP.levels[0]!] } });
    expect(preview.profiles).toBe(9);
    expect(preview.cells.filter((c) => c.customers > 0)).toEqual([
      { stage: 'aware', level: 'cold', customers: 2 },
      { stage: 'first', level: 'cold', customers: 2 },
      { stage: 'felt', level: 'cold', customers: 2 },
      { stage: 'sub', level: 'cold', customers: 2 },
      { stage: 'habit', level: 'cold', customers: 1 },
    ]);
    expect(await countsBothWays(pool, workspace.id)).toEqual(before);
  });

  it('a new map version re-places everyone and the counts follow the new keys', async () => {
    const twoStages = { ...TEST_MAP, stages: [TEST_MAP.stages[0]!, { ...TEST_MAP.stages[1]!, key: 'buyer' }] };
    await activateTestMap(pool, workspace.id, twoStages);
    const placed = await placeWorkspace({ pool, workspaceId: workspace.id, clock, cause: 'map' });
    expect(placed.profiles).toBe(9);
    const counts = await journeyCellCounts({ pool, workspaceId: workspace.id });
    expect(counts.placed).toBe(9);
    expect(new Set(counts.cells.map((c) => c.stage))).toEqual(new Set(['aware', 'buyer']));
    const both = await countsBothWays(pool, workspace.id);
    expect(both.stored).toEqual(both.counted);
  });
});

async function idOf(externalId: string): Promise<string> {
  const { rows } = await pool.query<{ id: string }>('select id from customers where workspace_id = $1 and external_id = $2', [workspace.id, externalId]);
  return rows[0]!.id;
}
