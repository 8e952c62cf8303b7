import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestDatabase, freshWorkspace } from '../../test/support/database.ts';
import { addOrders } from '../../test/support/purchases.ts';
import { addSubscriptionHistory } from '../../test/support/subscription-history.ts';
import type { Workspace } from '../workspaces/workspaces.ts';
import { AnalyticsEngine } from './engine/analytics-engine.ts';
import { snapshotChurned, snapshotChurnProposal, snapshotChurnStatus } from './engine/churn.ts';
import { rfmTableOf, snapshotRfmOfCustomer } from './engine/rfm-customers.ts';
import { snapshotRfmSummary } from './engine/rfm.ts';
import { loadPurchaseSnapshot } from './engine/snapshot/load.ts';
import { loadSubscribedCustomers } from './engine/subscribed-customers.ts';
import { listChurned, type ChurnList } from './churn.ts';
import { churnStatusOfCustomer } from './churn-status.ts';
import { proposeChurnWindow } from './churn-window.ts';
import { rfmOfCustomer, rfmScores } from './rfm.ts';
import { setAnalyticsSettings } from './settings.ts';

/**
 * Churn that knows subscriptions: a customer with a subscription in force is never churned,
 * the window is proposed from the customers without one, and RFM's 離反 is the churn list.
 * SQL reference by hand, then the engine equal to it figure by figure.
 */
const database = connectTestDatabase();
const { pool } = database;
afterAll(() => database.close());

function listed(list: ChurnList) {
  if (list.outcome !== 'listed') throw new Error(`expected a list, got ${list.outcome}`);
  return list;
}

async function engineOf(workspace: Workspace) {
  return {
    snapshot: await loadPurchaseSnapshot(pool, workspace.id),
    subscribed: await loadSubscribedCustomers(pool, workspace.id, workspace.timezone),
  };
}

describe('a subscription in force keeps a customer out of churn', () => {
  // Asia/Tokyo, as of d = 2024-07-01, window 30 (the setting): silent ⇔ last purchase day < 06-01.
  // Purchases on 03-01 unless said; the status as of d is the last change before d (the state at its start).
  //   A  03-01, 04-01; active since 03-01                         → subscriber (kept)
  //   B  active 03-01, paused 05-15                               → paused is in force (kept)
  //   C  active 03-01, cancelled 06-10                            → churned ¥5,000
  //   D  a subscription starting 07-02, after d                   → churned ¥4,000
  //   E  a subscription starting 07-01 10:00, on d                → not yet at d's start: churned ¥8,000
  //   F  cancelled 04-01, re-subscribed under a new 定期番号 06-20 → kept
  //   G  cancelled 03-15, the same one resumed 06-01             → kept
  //   H  no subscription                                          → churned ¥3,000
  //   I  06-15, no subscription                                   → within the window
  //   J  06-20, active since 06-20                                → within the window (a subscriber, not "kept")
  //   K  active 03-01, cancelled 07-01 09:00 (on d)               → still active at d's start (kept)
  //   L  paused 05-01 10:00 and cancelled 05-01 11:00             → the day's last: churned ¥1,000
  // Base 12; silent A–H, K, L (10); in force among them A, B, F, G, K: kept 5; churned C, D, E, H, L: 5.
  // Recency scores (n = 12, k = customers whose last day is on or before theirs): 03-01 → k = 9
  // (all but A, I, J) → ⌈45 ÷ 12⌉ = 4: every churned customer has R = 4; A (04-01) k = 10 → 5.
  let workspace: Workspace;
  let ids: Map<string, string>;
  const amounts: Record<string, number> = { A: 6000, B: 7000, C: 5000, D: 4000, E: 8000, F: 9000, G: 9500, H: 3000, I: 500, J: 600, K: 2000, L: 1000 };
  beforeAll(async () => {
    workspace = await freshWorkspace(database, { timezone: 'Asia/Tokyo' });
    ids = await addOrders(database, workspace, [
      ...Object.entries(amounts)
        .filter(([customer]) => customer !== 'I' && customer !== 'J')
        .map(([customer, amount]) => ({ customer, at: '2024-03-01 12:00', amount: customer === 'A' ? amount / 2 : amount })),
      { customer: 'A', at: '2024-04-01 12:00', amount: 3000 },
      { customer: 'I', at: '2024-06-15 12:00', amount: 500 },
      { customer: 'J', at: '2024-06-20 12:00', amount: 600 },
    ]);
    const id = (customer: string) => ids.get(customer)!;
    await addSubscriptionHistory(pool, workspace, [
      { customerId: id('A'), changes: [{ status: 'active', at: '2024-03-01 12:00' }] },
      {
        customerId: id('B'),
        changes: [
          { status: 'active', at: '2024-03-01 12:00' },
          { status: 'paused', at: '2024-05-15 09:00' },
        ],
      },
      {
        customerId: id('C'),
        changes: [
          { status: 'active', at: '2024-03-01 12:00' },
          { status: 'cancelled', at: '2024-06-10 09:00' },
        ],
      },
      { customerId: id('D'), changes: [{ status: 'active', at: '2024-07-02 09:00' }] },
      { customerId: id('E'), changes: [{ status: 'active', at: '2024-07-01 10:00' }] },
      {
        customerId: id('F'),
        changes: [
          { status: 'active', at: '2024-03-01 12:00' },
          { status: 'cancelled', at: '2024-04-01 09:00' },
        ],
      },
      { customerId: id('F'), changes: [{ status: 'active', at: '2024-06-20 09:00' }] },
      {
        customerId: id('G'),
        changes: [
          { status: 'active', at: '2024-03-01 12:00' },
          { status: 'cancelled', at: '2024-03-15 09:00' },
          { status: 'active', at: '2024-06-01 09:00' },
        ],
      },
      { customerId: id('J'), changes: [{ status: 'active', at: '2024-06-20 12:00' }] },
      {
        customerId: id('K'),
        changes: [
          { status: 'active', at: '2024-03-01 12:00' },
          { status: 'cancelled', at: '2024-07-01 09:00' },
        ],
      },
      {
        customerId: id('L'),
        changes: [
          { status: 'active', at: '2024-03-01 12:00' },
          { status: 'paused', at: '2024-05-01 10:00' },
          { status: 'cancelled', at: '2024-05-01 11:00' },
        ],
      },
    ]);
    await setAnalyticsSettings({ pool, workspaceId: workspace.id, changes: { churnWindowDays: 30 } });
  });

  it('never churns a customer with an active or paused subscription on the date, and says how many it kept out', async () => {
    const list = listed(await listChurned({ pool, workspaceId: workspace.id, asOf: '2024-07-01', limit: 10 }));
    expect(list).toMatchObject({ customers: 12, churned: 5, churnRate: 5 / 12, keptBySubscription: 5, window: { days: 30, source: 'setting' } });
    expect(list.items.map((c) => [c.externalId, c.totalSpent, c.daysSince, c.recencyScore])).toEqual([
      ['E', '8000', 122, 4],
      ['C', '5000', 122, 4],
      ['D', '4000', 122, 4],
      ['H', '3000', 122, 4],
      ['L', '1000', 122, 4],
    ]);
    // As of 07-02, the changes of 07-01 count: K's cancellation churns K, E's start keeps E.
    const after = listed(await listChurned({ pool, workspaceId: workspace.id, asOf: '2024-07-02', limit: 10 }));
    expect(after.items.map((c) => c.externalId).sort()).toEqual(['C', 'D', 'H', 'K', 'L']);
    expect(after.keptBySubscription).toBe(5);
  });

  it("gives each customer's churn status with its reason", async () => {
    const status = (customer: string) => churnStatusOfCustomer({ pool, workspaceId: workspace.id, asOf: '2024-07-01', customerId: ids.get(customer)! });
    const window = { days: 30, source: 'setting' };
    expect(await status('A')).toEqual({ status: 'subscriber', lastPurchaseDay: '2024-04-01', daysSince: 91, window, churnedOn: null });
    expect(await status('C')).toEqual({ status: 'churned', lastPurchaseDay: '2024-03-01', daysSince: 122, window, churnedOn: '2024-04-01' });
    expect(await status('I')).toEqual({ status: 'within_window', lastPurchaseDay: '2024-06-15', daysSince: 16, window, churnedOn: null });
  });

  it("makes RFM's 離反 exactly the churned customers, whatever their recency score", async () => {
    // R: A 5 (k 10), I (06-15) k = 11 → 5, J k = 12 → 5; the 03-01 nine 4. F: A 2 purchases → k 12 → 5, the one-time
    // buyers k 11 → 5. Not churned: A (2 purchases, R 5, F 5) 優良 although silent 91 days (a subscriber);
    // B, E, F, G, I, J bought once: 新規.
    const summary = await rfmScores({ pool, workspaceId: workspace.id, asOf: '2024-07-01' });
    expect(summary.churnWindow).toEqual({ days: 30, source: 'setting' });
    expect(summary.segments.map((s) => [s.code, s.customers])).toEqual([
      ['churned', 5],
      ['at_risk', 0],
      ['new', 6],
      ['loyal', 1],
      ['stable', 0],
    ]);
    expect(await rfmOfCustomer({ pool, workspaceId: workspace.id, asOf: '2024-07-01', customerId: ids.get('C')! })).toMatchObject({
      scores: { recency: 4 },
      segment: 'churned',
    });
    expect(await rfmOfCustomer({ pool, workspaceId: workspace.id, asOf: '2024-07-01', customerId: ids.get('A')! })).toMatchObject({ segment: 'loyal' });
  });

  it('gives the same figures from the engine', async () => {
    const { snapshot, subscribed } = await engineOf(workspace);
    for (const asOf of ['2024-07-01', '2024-06-30', '2024-05-01']) {
      const sql = await listChurned({ pool, workspaceId: workspace.id, asOf, limit: 10 });
      expect(await snapshotChurned({ pool, snapshot, subscribed, asOf, limit: 10 })).toEqual(sql);
      expect(snapshotRfmSummary(snapshot, await rfmTableOf({ pool, snapshot, subscribed, asOf }))).toEqual(
        await rfmScores({ pool, workspaceId: workspace.id, asOf }),
      );
      for (const customer of ids.keys()) {
        const customerId = ids.get(customer)!;
        expect(await snapshotChurnStatus({ pool, snapshot, subscribed, asOf, customerId })).toEqual(
          await churnStatusOfCustomer({ pool, workspaceId: workspace.id, asOf, customerId }),
        );
        expect(await snapshotRfmOfCustomer({ pool, snapshot, subscribed, asOf, customerId })).toEqual(
          await rfmOfCustomer({ pool, workspaceId: workspace.id, asOf, customerId }),
        );
      }
    }
  });

  it('loads who has a subscription again when the subscription data changes', async () => {
    const engine = new AnalyticsEngine(pool);
    try {
      const first = await engine.subscribedCustomers(workspace.id, workspace.timezone);
      expect(await engine.subscribedCustomers(workspace.id, workspace.timezone)).toBe(first);
      await addSubscriptionHistory(pool, workspace, [{ customerId: ids.get('H')!, changes: [{ status: 'active', at: '2024-06-30 10:00' }] }]);
      const second = await engine.subscribedCustomers(workspace.id, workspace.timezone);
      expect(second).not.toBe(first);
      expect(second.customers).toBe(first.customers + 1);
    } finally {
      engine.close();
    }
  });
});

describe('the window proposed from the customers without a subscription', () => {
  // Asia/Tokyo. N1…N10, no subscription: purchase days 01-01, 01-11, 01-31, 03-01 (2024, a leap
  // year) → gaps 10, 20, 30 each. M1…M3 subscribed since 01-01: 01-01, 02-01, 03-01 → 31, 29; M1
  // also 09-17 (200 days). M4: 01-01, 01-11 (a gap of 10), a subscription starting 12-01.
  // As of 10-01 (M4 not a subscriber yet), customers without one gave 31 gaps, 10 ×11, 20 ×10,
  // 30 ×10: p50 at 15 = 20, p75 at 22.5 = 30, p80 24, p90 27, p95 28.5 all 30 → 30 days;
  // histogram width ⌈30 ÷ 19⌉ = 2: bins ⌊(g − 1) ÷ 2⌋ = 4, 9, 14.
  // With every purchase (M4 a subscriber): 30 gaps 10 ×10, 20 ×10, 30 ×10 → the same percentiles.
  let workspace: Workspace;
  const bins = (filled: Record<number, number>) => ({ width: 2, counts: Array.from({ length: 20 }, (_, i) => filled[i] ?? 0) });
  async function build(nonSubscribers: number): Promise<Workspace> {
    const created = await freshWorkspace(database, { timezone: 'Asia/Tokyo' });
    const orders = [];
    for (let n = 1; n <= nonSubscribers; n++) {
      for (const day of ['01-01', '01-11', '01-31', '03-01']) orders.push({ customer: `N${n}`, at: `2024-${day} 12:00`, amount: 1000 });
    }
    for (const m of [1, 2, 3]) for (const day of ['01-01', '02-01', '03-01']) orders.push({ customer: `M${m}`, at: `2024-${day} 12:00`, amount: 3000 });
    orders.push({ customer: 'M1', at: '2024-09-17 12:00', amount: 3000 });
    for (const day of ['01-01', '01-11']) orders.push({ customer: 'M4', at: `2024-${day} 12:00`, amount: 1000 });
    const ids = await addOrders(database, created, orders);
    await addSubscriptionHistory(pool, created, [
      ...[1, 2, 3].map((m) => ({ customerId: ids.get(`M${m}`)!, changes: [{ status: 'active' as const, at: '2024-01-01 12:00' }] })),
      { customerId: ids.get('M4')!, changes: [{ status: 'active' as const, at: '2024-12-01 12:00' }] },
    ]);
    return created;
  }
  beforeAll(async () => {
    workspace = await build(10);
  });

  it('reads the gaps of the customers who had no subscription by the date, and says so with the distribution', async () => {
    expect(await proposeChurnWindow({ pool, workspaceId: workspace.id, asOf: '2024-10-01' })).toEqual({
      days: 30,
      population: { kind: 'non_subscribers', reason: 'subscribers_left_out', customers: 11, subscribers: 3, minimumGaps: 30 },
      intervals: { count: 31, median: 20, p75: 30, p80: 30, p90: 30, p95: 30, histogram: bins({ 4: 11, 9: 10, 14: 10 }) },
    });
    expect(await proposeChurnWindow({ pool, workspaceId: workspace.id })).toEqual({
      days: 30,
      population: { kind: 'non_subscribers', reason: 'subscribers_left_out', customers: 10, subscribers: 4, minimumGaps: 30 },
      intervals: { count: 30, median: 20, p75: 30, p80: 30, p90: 30, p95: 30, histogram: bins({ 4: 10, 9: 10, 14: 10 }) },
    });
  });

  it('falls back to every customer, and says so, when those without a subscription give too few gaps', async () => {
    // N1…N5 (15 gaps < 30), all purchases, M4 a subscriber: 10 ×5, 20 ×5, 29 ×3, 30 ×5, 31 ×3, 200, 10 (M4) → n = 23:
    // 10 ×6 (ranks 0–5), 20 ×5 (6–10), 29 ×3 (11–13), 30 ×5 (14–18), 31 ×3 (19–21), 200 (22).
    // p50 at 11 = 29; p75 at 16.5 = 30; p80 at 17.6 = 30; p90 at 19.8 = 31; p95 at 20.9 = 31 → 31 days.
    // Width ⌈31 ÷ 19⌉ = 2: 10 → 4, 20 → 9, 29 → 14, 30 → 14, 31 → 15, 200 → 19.
    const small = await build(5);
    expect(await proposeChurnWindow({ pool, workspaceId: small.id })).toEqual({
      days: 31,
      population: { kind: 'all_customers', reason: 'too_few_gaps', customers: 9, subscribers: 4, minimumGaps: 30 },
      intervals: { count: 23, median: 29, p75: 30, p80: 30, p90: 31, p95: 31, histogram: bins({ 4: 6, 9: 5, 14: 8, 15: 3, 19: 1 }) },
    });
    const { snapshot, subscribed } = await engineOf(small);
    expect(snapshotChurnProposal(snapshot, subscribed)).toEqual(await proposeChurnWindow({ pool, workspaceId: small.id }));
  });

  it('gives the same proposal from the engine', async () => {
    const { snapshot, subscribed } = await engineOf(workspace);
    for (const asOf of [undefined, '2024-10-01', '2024-02-15']) {
      expect(snapshotChurnProposal(snapshot, subscribed, asOf)).toEqual(await proposeChurnWindow({ pool, workspaceId: workspace.id, asOf }));
    }
  });
});
