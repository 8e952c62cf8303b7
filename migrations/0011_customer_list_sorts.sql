-- The customer list's sorts (src/customers/customer-list-order.ts): by last purchase and by
-- total spend, each over the profiles with a purchase (partial: leads are listed after them,
-- newest first, through customers_list_idx), and by predicted value (CLV) of the last
-- customer value run, with the customer id as the tie-breaker the keyset cursor needs. Each
-- index is walked forward or backward for either direction, so a page at 1,000,000 profiles
-- reads about a page of index entries.
--
-- The price: 0001 kept the purchase summary out of every index so its updates stay HOT.
-- These two indexes cover last_purchase_at and purchase_total, so a summary refresh now
-- writes index entries too (0001 measured 0.4 s against 2.5 s per 100,000 summaries): a list
-- a person sorts by spend is worth it, and the cost falls on bulk order imports only.
create index customers_last_purchase_idx on customers (workspace_id, last_purchase_at, id) where last_purchase_at is not null;
create index customers_purchase_total_idx on customers (workspace_id, purchase_total, id) where last_purchase_at is not null;

-- The CLV order needs the tie-breaker too; the old index (workspace_id, clv desc) did not.
drop index customer_values_clv_idx;
create index customer_values_clv_idx on customer_values (workspace_id, clv, customer_id);
