import type pg from 'pg';
import type { ValidRecords } from '../ingest/ingest-batch.ts';
import { resolveCustomerIds } from '../customers/resolve-customers.ts';
import { noteJourneyChanges } from './changes.ts';

/**
 * The journey map's hook in writeRecords (the ingest API and the CSV importer): after a batch
 * is written, in its transaction, queue the customers it touched for re-placement, each with
 * what changed for them (the last record of the batch naming them):
 * - customers: cause 'customer', ref the profile's external id;
 * - orders: cause 'order', ref the order's external id; an order moved to another customer
 *   re-places its previous owner too (`previousOwners`);
 * - events: cause 'event', ref the idempotency key;
 * - subscriptions: cause 'subscription', ref the subscription's external id; a subscription
 *   moved to another customer re-places its previous owner too;
 * - products: the catalogue is what rules resolve SKUs, categories and effect timelines
 *   against, so a batch that changed a product's category or effect timeline, or added a
 *   product, re-places everyone (customer_ids null, cause 'import'); a batch that changed only
 *   names or prices queues nothing.
 * The writers of customers, orders and events return the profile ids they wrote; a subscriptions
 * batch's are resolved with one query (resolveCustomerIds). One insert queues the change.
 */
export async function noteRecordsForJourney(
  client: pg.ClientBase,
  workspaceId: string,
  valid: ValidRecords,
  written: {
    /** Customers and events: the profile id of each external id the batch named, as their writers return it. */
    customerIds?: ReadonlyMap<string, string>;
    orders?: { customers: Array<{ customerId: string; orderId: string | null }> };
    /** Subscriptions: their owners before the write (subscriptionOwners), in case one moved to another customer. */
    previousOwners?: Array<{ customerId: string; subscriptionId: string }>;
    catalogueChanged?: boolean;
  },
): Promise<void> {
  switch (valid.kind) {
    case 'customers': {
      const ids =
        written.customerIds ??
        (await resolveCustomerIds(
          client,
          workspaceId,
          valid.records.map((r) => r.customer_id),
        ));
      await note(
        client,
        workspaceId,
        'customer',
        valid.records.map((r) => [ids.get(r.customer_id), r.customer_id]),
      );
      return;
    }
    case 'orders':
      await note(
        client,
        workspaceId,
        'order',
        (written.orders?.customers ?? []).map((c) => [c.customerId, c.orderId]),
      );
      return;
    case 'events': {
      const ids =
        written.customerIds ??
        (await resolveCustomerIds(
          client,
          workspaceId,
          valid.records.map((r) => r.customer_id),
        ));
      await note(
        client,
        workspaceId,
        'event',
        valid.records.map((r) => [ids.get(r.customer_id), r.idempotency_key]),
      );
      return;
    }
    case 'subscriptions': {
      const ids = await resolveCustomerIds(
        client,
        workspaceId,
        valid.records.map((r) => r.customer_id),
      );
      await note(client, workspaceId, 'subscription', [
        ...(written.previousOwners ?? []).map((owner): [string, string] => [owner.customerId, owner.subscriptionId]),
        ...valid.records.map((r): [string | undefined, string] => [ids.get(r.customer_id), r.subscription_id]),
      ]);
      return;
    }
    case 'products':
      if (written.catalogueChanged) await noteJourneyChanges(client, workspaceId, { cause: 'import', customerIds: null });
      return;
  }
}

/** One row per batch: each customer once, with the ref of the last record naming them. */
async function note(
  client: pg.ClientBase,
  workspaceId: string,
  cause: 'customer' | 'order' | 'event' | 'subscription',
  touched: Array<[string | undefined, string | null]>,
): Promise<void> {
  const refs = new Map<string, string | null>();
  for (const [customerId, ref] of touched) {
    if (customerId === undefined) continue;
    if (ref === null && refs.has(customerId)) continue;
    refs.set(customerId, ref);
  }
  await noteJourneyChanges(client, workspaceId, { cause, customerIds: [...refs.keys()], causeRefs: [...refs.values()] });
}

/** The customers the batch's subscriptions belong to before it is written (a subscription may move to another customer). */
export async function subscriptionOwners(
  client: pg.ClientBase,
  workspaceId: string,
  records: ReadonlyArray<{ subscription_id: string }>,
): Promise<Array<{ customerId: string; subscriptionId: string }>> {
  const { rows } = await client.query<{ customer_id: string; external_id: string }>(
    'select customer_id, external_id from subscriptions where workspace_id = $1 and external_id = any($2::text[])',
    [workspaceId, records.map((r) => r.subscription_id)],
  );
  return rows.map((row) => ({ customerId: row.customer_id, subscriptionId: row.external_id }));
}

/** The catalogue fields rules read, of the given SKUs, to tell whether a products batch changed them. */
export async function catalogueFields(client: pg.ClientBase, workspaceId: string, skus: readonly string[]): Promise<string> {
  const { rows } = await client.query<{ fields: string }>(
    `select coalesce(string_agg(concat_ws('|', sku, coalesce(category, '∅'), coalesce(effect_first_feeling_days::text, '∅'), coalesce(effect_clear_days::text, '∅')), ',' order by sku), '') as fields
       from products where workspace_id = $1 and sku = any($2::text[])`,
    [workspaceId, skus],
  );
  return rows[0]!.fields;
}
