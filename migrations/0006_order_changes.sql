-- A log of the transactions that changed a workspace's orders (src/orders/order-changes.ts).
-- Every writer of orders (the ingest API, the CSV import, the demo loader, deletions) adds
-- one row in its own transaction. The analytics engine (src/analytics/engine/) keeps the
-- purchases in memory and compares (count, max id) of these rows with the values it loaded
-- under: a row becomes visible only when its transaction commits, so the pair changes exactly
-- when committed order data has changed, including a transaction that committed after a later
-- one (the count moves even when the max id does not). Inserts only: concurrent writers never
-- wait on each other here, as they would on a version counter updated in place.
--
-- customer_ids: the customers whose purchases (or first purchase day) the transaction may have
-- changed, when it knows them (the ingest API's batches); null for bulk writes (imports, the
-- demo, deletions). xid: the writing transaction, so that a reader can tell which changes
-- committed after the snapshot it loaded (pg_visible_in_snapshot) and reload only those
-- customers.
create table order_changes (
  id           bigint generated always as identity primary key,
  workspace_id bigint not null,
  xid          xid8 not null default pg_current_xact_id(),
  customer_ids bigint[],
  changed_at   timestamptz not null default now()
);
create index order_changes_workspace_idx on order_changes (workspace_id, id);
