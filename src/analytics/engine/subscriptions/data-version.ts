import type pg from 'pg';

/**
 * The version of what the subscription snapshot holds: the subscription data (count and max id
 * of subscription_changes, the insert-only log every writer of subscriptions adds a row to, as
 * order_changes is for orders) together with the order data (order_changes) and the time
 * zone. Equal strings mean the same committed data. Null when there is no such workspace.
 */
export async function subscriptionDataVersion(client: pg.ClientBase | pg.Pool, workspaceId: string): Promise<{ version: string; timezone: string } | null> {
  const { rows } = await client.query<{ timezone: string; version: string }>(
    `select w.timezone,
            concat('s', s.changes, ':', coalesce(s.last, 0), '|o', o.changes, ':', coalesce(o.last, 0), '|', w.timezone) as version
       from workspaces w
       cross join lateral (select count(*) as changes, max(id) as last from subscription_changes where workspace_id = w.id) s
       cross join lateral (select count(*) as changes, max(id) as last from order_changes where workspace_id = w.id) o
      where w.id = $1`,
    [workspaceId],
  );
  return rows[0] ?? null;
}
