-- A customer's first email address (the recipient of every send, the list's email column) is
-- found by customer and kind, oldest first: one index entry instead of every identity of the
-- customer. It replaces the index on customer_id alone (its leading column serves those lookups).
-- The lookups name no workspace: with the primary key (workspace_id, kind, value) in reach and
-- the table not yet analysed after an import, the planner would otherwise walk every email
-- identity of the workspace for each customer.
create index customer_identities_customer_kind_idx on customer_identities (customer_id, kind, created_at, value);
drop index customer_identities_customer_idx;
