import type { Database } from '../../src/db/connect.ts';
import type { SubscriptionStatus } from '../../src/shared/vocabulary.ts';
import type { Workspace } from '../../src/workspaces/workspaces.ts';
import { noteOrdersChanged } from '../../src/orders/order-changes.ts';
import { withTransaction } from './database.ts';

/** One subscription of a fixture; times are wall-clock times in the workspace's zone ('2024-05-31 23:59'). */
export interface FixtureSubscription {
  /** The 定期番号. */
  id: string;
  /** The customer's external id: created (a lead) when missing. */
  customer: string;
  course?: string;
  /** The first product's SKU: created when missing. */
  product?: string;
  startedAt: string;
  status: SubscriptionStatus;
  deliveries: number;
  skips?: number;
  cancelledAt?: string;
  cancelReason?: string;
  /** Status changes between the start and the cancellation: 'active' at startedAt and 'cancelled' at cancelledAt are always written. */
  changes?: { at: string; status: SubscriptionStatus }[];
}

/**
 * Writes subscriptions, their status history and one subscription_changes row straight with
 * SQL (the intake lives elsewhere): what the analyses read, and nothing else.
 */
export async function addSubscriptions(database: Database, workspace: Workspace, subscriptions: readonly FixtureSubscription[]): Promise<void> {
  await withTransaction(database.pool, async (client) => {
    const at = (text: string) => ({ sql: '($1::timestamp at time zone $2)', params: [text, workspace.timezone] });
    const instant = async (text: string) => (await client.query<{ t: Date }>(`select ${at(text).sql} as t`, at(text).params)).rows[0]!.t;
    for (const subscription of subscriptions) {
      await client.query(`insert into customers (workspace_id, external_id) values ($1, $2) on conflict (workspace_id, external_id) do nothing`, [
        workspace.id,
        subscription.customer,
      ]);
      const customerId = (
        await client.query<{ id: string }>('select id from customers where workspace_id = $1 and external_id = $2', [workspace.id, subscription.customer])
      ).rows[0]!.id;
      let productId: string | null = null;
      if (subscription.product) {
        await client.query(`insert into products (workspace_id, sku, name) values ($1, $2, $2) on conflict (workspace_id, sku) do nothing`, [
          workspace.id,
          subscription.product,
        ]);
        productId = (await client.query<{ id: string }>('select id from products where workspace_id = $1 and sku = $2', [workspace.id, subscription.product]))
          .rows[0]!.id;
      }
      const startedAt = await instant(subscription.startedAt);
      const cancelledAt = subscription.cancelledAt ? await instant(subscription.cancelledAt) : null;
      const changes: { at: Date; status: SubscriptionStatus; reason: string | null }[] = [{ at: startedAt, status: 'active', reason: null }];
      for (const change of subscription.changes ?? []) changes.push({ at: await instant(change.at), status: change.status, reason: null });
      if (cancelledAt) changes.push({ at: cancelledAt, status: 'cancelled', reason: subscription.cancelReason ?? null });
      const last = changes.at(-1)!;
      const { rows } = await client.query<{ id: string }>(
        `insert into subscriptions (workspace_id, external_id, customer_id, course, cycle_unit, cycle_every, status, status_changed_at, started_at,
                                    deliveries, skips, cancelled_at, cancel_reason, first_product_id)
         values ($1, $2, $3, $4, 'months', 1, $5, $6, $7, $8, $9, $10, $11, $12) returning id`,
        [
          workspace.id,
          subscription.id,
          customerId,
          subscription.course ?? null,
          subscription.status,
          last.at,
          startedAt,
          subscription.deliveries,
          subscription.skips ?? 0,
          cancelledAt,
          subscription.cancelReason ?? null,
          productId,
        ],
      );
      if (productId) {
        await client.query('insert into subscription_items (subscription_id, line_no, workspace_id, product_id, quantity) values ($1, 1, $2, $3, 1)', [
          rows[0]!.id,
          workspace.id,
          productId,
        ]);
      }
      for (const change of changes) {
        await client.query(
          `insert into subscription_status_changes (workspace_id, subscription_id, customer_id, status, changed_at, reason, actor)
           values ($1, $2, $3, $4, $5, $6, 'fixture')`,
          [workspace.id, rows[0]!.id, customerId, change.status, change.at, change.reason],
        );
      }
    }
    await client.query('insert into subscription_changes (workspace_id) values ($1)', [workspace.id]);
  });
}

/** Makes orders (by their fixture external ids, e.g. 'O0003-E') name a subscription and the delivery number they fulfil. */
export async function nameDeliveries(
  database: Database,
  workspace: Workspace,
  deliveries: readonly { order: string; subscription: string; delivery: number }[],
): Promise<void> {
  await withTransaction(database.pool, async (client) => {
    for (const { order, subscription, delivery } of deliveries) {
      const { rowCount } = await client.query(
        'update orders set subscription_external_id = $3, delivery_number = $4 where workspace_id = $1 and external_id = $2',
        [workspace.id, order, subscription, delivery],
      );
      if (rowCount !== 1) throw new Error(`no fixture order ${order}`);
    }
    await noteOrdersChanged(client, workspace.id);
  });
}

/** Marks products as trial products (お試し), and sets customers' acquisition sources. */
export async function markTrialsAndSources(
  database: Database,
  workspace: Workspace,
  params: { trialSkus: readonly string[]; sources: Readonly<Record<string, string>> },
): Promise<void> {
  await withTransaction(database.pool, async (client) => {
    await client.query('update products set is_trial = true where workspace_id = $1 and sku = any($2)', [workspace.id, params.trialSkus]);
    for (const [customer, source] of Object.entries(params.sources)) {
      await client.query(
        `update customers set attributes = attributes || jsonb_build_object('acquisition_source', $3::text) where workspace_id = $1 and external_id = $2`,
        [workspace.id, customer, source],
      );
    }
    await noteOrdersChanged(client, workspace.id);
  });
}
