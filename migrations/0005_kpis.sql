-- KPIs (src/analytics/kpis.ts): a metric of the analyses with filters, a granularity and a
-- target per bucket, judged on the KPI board (src/analytics/kpi-board.ts). The brand arranges
-- them in a tree from the sales decomposition: sales → customers × frequency × items per
-- purchase × price per item.
--
-- metric: the closed list of KPI_METRICS. f2_within_days is the F2 window, given exactly when
-- the metric is f2_rate; churn_window_days is the churn window of churn_rate, null meaning the
-- workspace's (analytics_settings, else the proposed one).
-- filters: {"channel": "web"}, {"gender": "female"}…, checked by the domain against what the
-- metric can be filtered by.
-- target: per bucket of the granularity; kpi_target_overrides replaces it for given buckets.
-- tolerance: the half-width of the on-track band, as a share of the expected value (0.05 = ±5 %).
-- parent_id: the KPI above in the tree, in the same workspace (the composite key says so);
-- a KPI with children cannot be deleted alone. The domain refuses cycles.
create table kpis (
  id                bigint generated always as identity primary key,
  workspace_id      bigint not null references workspaces(id) on delete cascade,
  parent_id         bigint,
  name              text not null check (length(btrim(name)) between 1 and 100),
  metric            text not null check (metric in ('sales', 'customers', 'purchases', 'frequency', 'items_per_purchase',
                                                    'price_per_item', 'repeat_rate', 'f2_rate', 'churn_rate')),
  f2_within_days    integer check (f2_within_days between 1 and 3650),
  churn_window_days integer check (churn_window_days between 1 and 3650),
  granularity       text not null check (granularity in ('week', 'month')),
  filters           jsonb not null default '{}' check (jsonb_typeof(filters) = 'object'),
  target            numeric not null check (target > 0),
  direction         text not null check (direction in ('higher_is_better', 'lower_is_better')),
  tolerance         numeric not null default 0.05 check (tolerance >= 0 and tolerance < 1),
  created_at        timestamptz not null default now(),
  updated_at        timestamptz not null default now(),
  unique (workspace_id, name),
  unique (workspace_id, id),
  foreign key (workspace_id, parent_id) references kpis (workspace_id, id),
  check (parent_id is distinct from id),
  check ((metric = 'f2_rate') = (f2_within_days is not null)),
  check (metric = 'churn_rate' or churn_window_days is null)
);
create index kpis_parent_idx on kpis (workspace_id, parent_id);

-- A KPI's target for one bucket (its first date: a Monday for weeks, the 1st for months),
-- replacing the constant target there: a seasonal December, a campaign week.
create table kpi_target_overrides (
  kpi_id  bigint not null references kpis(id) on delete cascade,
  bucket  date not null,
  target  numeric not null check (target > 0),
  primary key (kpi_id, bucket)
);
