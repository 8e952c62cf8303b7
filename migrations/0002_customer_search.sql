-- Prefix search on the customer's own id (the console's search box), whatever the collation.
create index customers_external_id_prefix_idx on customers (workspace_id, external_id text_pattern_ops);
