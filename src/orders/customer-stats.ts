import type pg from 'pg';
import { purchaseCondition } from './purchase.ts';

const PURCHASE = purchaseCondition('o');

/**
 * Recomputes the purchase summary kept on each profile (count, total, first and last
 * purchase) from its orders. A purchase is an order not cancelled or returned. The first
 * purchase makes a lead a customer, for good.
 */
export async function refreshCustomerStats(client: pg.ClientBase, customerIds: readonly string[]): Promise<void> {
  if (customerIds.length === 0) return;
  // The update locks rows in its plan's order; taking the locks in id order first means
  // concurrent writers of the same customers wait for each other instead of deadlocking.
  await client.query('select 1 from customers where id = any($1::bigint[]) order by id for no key update', [customerIds]);
  await client.query(
    `update customers c set
        purchase_count = s.purchases, purchase_total = s.total,
        first_purchase_at = s.first_at, last_purchase_at = s.last_at,
        lifecycle = case when s.purchases > 0 then 'customer' else c.lifecycle end,
        became_customer_at = coalesce(c.became_customer_at, s.first_at),
        updated_at = now()
       from (select c2.id,
                    count(o.id) filter (where ${PURCHASE})::int as purchases,
                    coalesce(sum(o.amount) filter (where ${PURCHASE}), 0) as total,
                    min(o.ordered_at) filter (where ${PURCHASE}) as first_at,
                    max(o.ordered_at) filter (where ${PURCHASE}) as last_at
               from customers c2 left join orders o on o.customer_id = c2.id
              where c2.id = any($1::bigint[])
              group by c2.id) s
      where c.id = s.id
        and (c.purchase_count, c.purchase_total, c.first_purchase_at, c.last_purchase_at, c.lifecycle, c.became_customer_at)
            is distinct from
            (s.purchases, s.total, s.first_at, s.last_at, case when s.purchases > 0 then 'customer' else c.lifecycle end,
             coalesce(c.became_customer_at, s.first_at))`,
    [customerIds],
  );
}
