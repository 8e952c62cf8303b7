import type { Database } from '../../src/db/connect.ts';
import type { Workspace } from '../../src/workspaces/workspaces.ts';
import { addOrders, type FixtureOrder } from './purchases.ts';
import { addSubscriptions, markTrialsAndSources, nameDeliveries, type FixtureSubscription } from './subscriptions.ts';

/**
 * A small 定期 brand with hand-computed figures, shared by the subscription analyses' tests
 * (engine = SQL, API, CLI). Asia/Tokyo; "today" is 2024-07-01 (SUBSCRIPTION_BRAND_NOW).
 *
 * First purchases (TRIAL is a trial product):
 *   A 01-05 TRIAL (instagram)  B 01-02 AOJIRU (search)  C 01-20 TRIAL (instagram)  D 01-25 TRIAL (no source)
 *   E 02-01 TRIAL (search), then 03-05 and 05-05 KOSO: deliveries 1 and 2 of S6
 *   H 02-20 TRIAL (search)  F 04-20 TRIAL (instagram)  G 06-25 TRIAL (search)
 *
 * Subscriptions (start → status, stored deliveries):
 *   S1 A Monthly   AOJIRU 01-10 → cancelled 03-20 (price), 2
 *   S2 B Monthly   AOJIRU 01-15 → paused 04-05, active again 05-05 (a pause), 5, one skip
 *   S3 C Bimonthly KOSO   02-01 → paused 03-01, 1
 *   S4 D Monthly   AOJIRU 02-10 → cancelled 02-25 (delivery_delay, the workspace's own reason), 0
 *   S5 A Monthly   AOJIRU 04-01 → active, 3 (A's re-subscription after S1's cancellation)
 *   S6 E Bimonthly KOSO   03-05 → cancelled 06-10 (no_effect), 2 (orders name deliveries 1 and 2)
 *   S7 F Monthly   KOSO   05-01 → cancelled 06-20 (no_effect), 1
 *   S8 G Monthly   AOJIRU 07-01 → active, 0 (starts today: left out as of today)
 *   S9 B Bimonthly KOSO   05-20 → active, 1 (B's second subscription, beside S2)
 */
export const SUBSCRIPTION_BRAND_NOW = '2024-07-01T01:00:00Z';

const ORDERS: FixtureOrder[] = [
  { customer: 'A', at: '2024-01-05 10:00', amount: 980, sku: 'TRIAL' },
  { customer: 'B', at: '2024-01-02 10:00', amount: 3980, sku: 'AOJIRU' },
  { customer: 'C', at: '2024-01-20 10:00', amount: 980, sku: 'TRIAL' },
  { customer: 'D', at: '2024-01-25 10:00', amount: 980, sku: 'TRIAL' },
  { customer: 'E', at: '2024-02-01 10:00', amount: 980, sku: 'TRIAL' },
  { customer: 'E', at: '2024-03-05 10:00', amount: 3980, sku: 'KOSO' },
  { customer: 'E', at: '2024-05-05 10:00', amount: 3980, sku: 'KOSO' },
  { customer: 'H', at: '2024-02-20 10:00', amount: 980, sku: 'TRIAL' },
  { customer: 'F', at: '2024-04-20 10:00', amount: 980, sku: 'TRIAL' },
  { customer: 'G', at: '2024-06-25 10:00', amount: 980, sku: 'TRIAL' },
];

const SUBSCRIPTIONS: FixtureSubscription[] = [
  {
    id: 'S1',
    customer: 'A',
    course: 'Monthly',
    product: 'AOJIRU',
    startedAt: '2024-01-10 10:00',
    status: 'cancelled',
    deliveries: 2,
    cancelledAt: '2024-03-20 10:00',
    cancelReason: 'price',
  },
  {
    id: 'S2',
    customer: 'B',
    course: 'Monthly',
    product: 'AOJIRU',
    startedAt: '2024-01-15 10:00',
    status: 'active',
    deliveries: 5,
    skips: 1,
    changes: [
      { at: '2024-04-05 10:00', status: 'paused' },
      { at: '2024-05-05 10:00', status: 'active' },
    ],
  },
  {
    id: 'S3',
    customer: 'C',
    course: 'Bimonthly',
    product: 'KOSO',
    startedAt: '2024-02-01 10:00',
    status: 'paused',
    deliveries: 1,
    changes: [{ at: '2024-03-01 10:00', status: 'paused' }],
  },
  {
    id: 'S4',
    customer: 'D',
    course: 'Monthly',
    product: 'AOJIRU',
    startedAt: '2024-02-10 10:00',
    status: 'cancelled',
    deliveries: 0,
    cancelledAt: '2024-02-25 10:00',
    cancelReason: 'delivery_delay',
  },
  { id: 'S5', customer: 'A', course: 'Monthly', product: 'AOJIRU', startedAt: '2024-04-01 10:00', status: 'active', deliveries: 3 },
  {
    id: 'S6',
    customer: 'E',
    course: 'Bimonthly',
    product: 'KOSO',
    startedAt: '2024-03-05 10:00',
    status: 'cancelled',
    deliveries: 2,
    cancelledAt: '2024-06-10 10:00',
    cancelReason: 'no_effect',
  },
  {
    id: 'S7',
    customer: 'F',
    course: 'Monthly',
    product: 'KOSO',
    startedAt: '2024-05-01 10:00',
    status: 'cancelled',
    deliveries: 1,
    cancelledAt: '2024-06-20 10:00',
    cancelReason: 'no_effect',
  },
  { id: 'S8', customer: 'G', course: 'Monthly', product: 'AOJIRU', startedAt: '2024-07-01 09:00', status: 'active', deliveries: 0 },
  { id: 'S9', customer: 'B', course: 'Bimonthly', product: 'KOSO', startedAt: '2024-05-20 10:00', status: 'active', deliveries: 1 },
];

export async function addSubscriptionBrand(database: Database, workspace: Workspace): Promise<void> {
  await addOrders(database, workspace, ORDERS);
  await addSubscriptions(database, workspace, SUBSCRIPTIONS);
  await nameDeliveries(database, workspace, [
    { order: 'O0006-E', subscription: 'S6', delivery: 1 },
    { order: 'O0007-E', subscription: 'S6', delivery: 2 },
  ]);
  await markTrialsAndSources(database, workspace, {
    trialSkus: ['TRIAL'],
    sources: { A: 'instagram', B: 'search', C: 'instagram', E: 'search', F: 'instagram', G: 'search', H: 'search' },
  });
  await database.pool.query(
    `insert into subscription_cancel_reasons (workspace_id, code, label_ja, label_en) values ($1, 'delivery_delay', '配送の遅れ', 'Late delivery')`,
    [workspace.id],
  );
}
