-- A log of the transactions that changed a workspace's orders (src/orders/order-changes.ts).
-- Every writer of orders (the ingest API, the CSV import, the demo loader, deletions) adds
-- one row in its own transaction. The analytics engine (src/analytics/engine/) keeps the
-- purchases in memory and compares (count, max id) of these rows with the values it loaded
-- under: a row becomes visible only when its transaction commits, so the pair changes exactly
-- when committed order data has changed, including a transaction that committed after a later
-- one (the count moves even when the max id does not). Inserts only: concurrent writers never
-- wait on each other here, as they would on a version counter updated in place.
create table order_changes (
  id           bigint generated always as identity primary key,
  workspace_id bigint not null,
  changed_at   timestamptz not null default now()
);
create index order_changes_workspace_idx on order_changes (workspace_id, id);
