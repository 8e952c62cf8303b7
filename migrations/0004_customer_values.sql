-- Predicted customer value (src/analytics/customer-value.ts): the last BG/NBD + Gamma-Gamma
-- fit of each workspace, and each customer's scores from it, so the customer 360 page and
-- lists read them instead of refitting. A new run replaces the workspace's previous one.
create table customer_value_runs (
  workspace_id     bigint primary key references workspaces(id) on delete cascade,
  calibration_end  date not null,
  unit             text not null check (unit in ('day', 'week')),
  horizon_months   integer not null check (horizon_months between 1 and 120),
  margin           numeric not null check (margin >= 0 and margin <= 1),
  discount_rate    numeric not null check (discount_rate >= 0 and discount_rate < 1),
  -- the fitted parameters with standard errors and log-likelihood, as reported by the API
  bg_nbd           jsonb not null,
  gamma_gamma      jsonb,
  customers        integer not null,
  computed_at      timestamptz not null default now()
);

-- One row per customer with a purchase by the end of calibration. No foreign keys, like the
-- other bulk tables; deleting a workspace's data deletes these rows explicitly.
create table customer_values (
  workspace_id       bigint not null,
  customer_id        bigint not null,
  repeat_purchases   integer not null,
  recency            double precision not null,
  age                double precision not null,
  probability_alive  double precision not null,
  expected_purchases double precision not null,
  expected_spend     double precision not null,
  clv                double precision not null,
  primary key (workspace_id, customer_id)
);
create index customer_values_clv_idx on customer_values (workspace_id, clv desc);
