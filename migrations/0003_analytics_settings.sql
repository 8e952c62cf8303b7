-- Per-workspace settings of the analyses (src/analytics/settings.ts). One row per workspace
-- that changed a default; no row means every default.
--
-- churn_window_days: days without a purchase after which a customer counts as churned
-- (離反: last purchase more than this many days before the date asked about). Null means
-- "use the window proposed from the brand's own inter-purchase intervals"
-- (proposeChurnWindow in src/analytics/churn.ts).
create table analytics_settings (
  workspace_id      bigint primary key references workspaces(id) on delete cascade,
  churn_window_days integer check (churn_window_days between 1 and 3650),
  updated_at        timestamptz not null default now()
);
