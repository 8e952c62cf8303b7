import type pg from 'pg';
import { inKeyOrder } from '../db/lock-order.ts';
import type { ProductRecord } from './product-record.ts';

/**
 * Inserts or updates products by SKU. Optional fields absent from a record keep their stored
 * value; unchanged rows are not touched, so the same batch twice changes nothing.
 * (The insert and the update read the same snapshot: rows inserted here are not updated again.)
 */
export async function upsertProducts(client: pg.ClientBase, workspaceId: string, batch: readonly ProductRecord[]): Promise<void> {
  if (batch.length === 0) return;
  // Rows are locked in key order, so concurrent batches sharing products never deadlock (db/lock-order.ts).
  const records = inKeyOrder(batch, (r) => r.sku);
  const column = <T>(pick: (r: ProductRecord) => T) => records.map(pick);
  await client.query(
    `with r as (
       select * from unnest($2::text[], $3::text[], $4::text[], $5::numeric[], $6::boolean[], $7::int[], $8::int[], $9::numeric[], $10::jsonb[],
                            $11::boolean[])
         as r(sku, name, category, price, is_subscription, first_days, clear_days, share, attributes, is_trial)
     ), inserted as (
       insert into products (workspace_id, sku, name, category, price, is_subscription,
                             effect_first_feeling_days, effect_clear_days, effect_share, attributes, is_trial)
       select $1, sku, name, category, price, coalesce(is_subscription, false), first_days, clear_days, share, coalesce(attributes, '{}'),
              coalesce(is_trial, false)
         from r
       on conflict (workspace_id, sku) do nothing
     )
     update products p set
       name = r.name,
       category = coalesce(r.category, p.category),
       price = coalesce(r.price, p.price),
       is_subscription = coalesce(r.is_subscription, p.is_subscription),
       is_trial = coalesce(r.is_trial, p.is_trial),
       effect_first_feeling_days = coalesce(r.first_days, p.effect_first_feeling_days),
       effect_clear_days = coalesce(r.clear_days, p.effect_clear_days),
       effect_share = coalesce(r.share, p.effect_share),
       attributes = p.attributes || coalesce(r.attributes, '{}'),
       updated_at = now()
     from r
     where p.workspace_id = $1 and p.sku = r.sku
       and (p.name, p.category, p.price, p.is_subscription, p.is_trial, p.effect_first_feeling_days, p.effect_clear_days, p.effect_share, p.attributes)
           is distinct from
           (r.name, coalesce(r.category, p.category), coalesce(r.price, p.price), coalesce(r.is_subscription, p.is_subscription),
            coalesce(r.is_trial, p.is_trial),
            coalesce(r.first_days, p.effect_first_feeling_days), coalesce(r.clear_days, p.effect_clear_days),
            coalesce(r.share, p.effect_share), p.attributes || coalesce(r.attributes, '{}'))`,
    [
      workspaceId,
      column((r) => r.sku),
      column((r) => r.name),
      column((r) => r.category),
      column((r) => r.price ?? null),
      column((r) => r.is_subscription ?? null),
      column((r) => r.effect_first_feeling_days ?? null),
      column((r) => r.effect_clear_days ?? null),
      column((r) => r.effect_share ?? null),
      column((r) => (r.attributes ? JSON.stringify(r.attributes) : null)),
      column((r) => r.is_trial ?? null),
    ],
  );
}
