-- Subscriptions (定期購入) as first-class data (src/subscriptions/).
--
-- A subscription has the brand's own id (定期番号), a customer, a course (コース名) with its
-- products and quantities (subscription_items), a cycle (every N days, every N months, or a
-- day of the month), a status with the history of its changes, the number of deliveries so
-- far (お届け回数) and of skips, and on cancellation the date and a reason (a code from the
-- workspace's list, subscription_cancel_reasons, and free text).
--
-- Like the other bulk tables (0001), no foreign keys: rows are written only by the upserts in
-- src/subscriptions/, which resolve the customer and product ids in the same transaction.

create table subscriptions (
  id               bigint generated always as identity primary key,
  workspace_id     bigint not null,
  external_id      text collate "C" not null,
  customer_id      bigint not null,
  course           text,
  -- The cycle: every `cycle_every` days ('days'), every `cycle_every` months ('months'), or
  -- monthly on day `cycle_every` of the month ('day_of_month'; 31 = the month's last day when shorter).
  cycle_unit       text not null check (cycle_unit in ('days', 'months', 'day_of_month')),
  cycle_every      integer not null check (
                     (cycle_unit = 'days' and cycle_every between 1 and 365) or
                     (cycle_unit = 'months' and cycle_every between 1 and 12) or
                     (cycle_unit = 'day_of_month' and cycle_every between 1 and 31)),
  status           text not null check (status in ('active', 'paused', 'cancelled')),
  status_changed_at timestamptz not null,
  started_at       timestamptz not null,
  next_delivery_on date,
  deliveries       integer not null default 0 check (deliveries between 0 and 100000),
  skips            integer not null default 0 check (skips between 0 and 100000),
  cancelled_at     timestamptz,
  cancel_reason    text collate "C",
  cancel_note      text,
  -- The product of the course's first item: the "first product" split of the analyses.
  first_product_id bigint,
  created_at       timestamptz not null default now(),
  updated_at       timestamptz not null default now(),
  unique (workspace_id, external_id),
  check ((status = 'cancelled') = (cancelled_at is not null)),
  check (cancelled_at is null or cancelled_at >= started_at),
  check (cancel_reason is null or status = 'cancelled')
);
create index subscriptions_customer_idx on subscriptions (customer_id);
create index subscriptions_workspace_status_idx on subscriptions (workspace_id, status);

create table subscription_items (
  subscription_id bigint not null,
  line_no         integer not null,
  workspace_id    bigint not null,
  product_id      bigint not null,
  quantity        integer not null check (quantity between 1 and 1000000),
  primary key (subscription_id, line_no)
);

-- Every status a subscription has had: when, why (the cancel reason code or free text), and
-- by whom or which system (`actor`: a user, an API key's name, 'import', a back office name).
-- A subscription's first row is its start ('active' at started_at).
create table subscription_status_changes (
  id              bigint generated always as identity primary key,
  workspace_id    bigint not null,
  subscription_id bigint not null,
  customer_id     bigint not null,
  status          text not null check (status in ('active', 'paused', 'cancelled')),
  changed_at      timestamptz not null,
  reason          text,
  note            text,
  actor           text,
  unique (subscription_id, changed_at, status)
);
create index subscription_status_changes_workspace_idx on subscription_status_changes (workspace_id, changed_at);

-- The cancellation reasons a workspace uses beyond the built-in list
-- (src/subscriptions/cancel-reasons.ts): code, Japanese and English label, display order.
create table subscription_cancel_reasons (
  workspace_id bigint not null references workspaces(id) on delete cascade,
  code         text collate "C" not null check (code ~ '^[a-z][a-z0-9_]{0,39}$'),
  label_ja     text not null,
  label_en     text not null,
  position     integer not null default 1000,
  primary key (workspace_id, code)
);

-- The version log of a workspace's subscription data, like order_changes (0006): every writer
-- of subscriptions adds one row in its own transaction; readers that keep a copy (the
-- analytics engine) compare (count, max id).
create table subscription_changes (
  id           bigint generated always as identity primary key,
  workspace_id bigint not null,
  changed_at   timestamptz not null default now()
);
create index subscription_changes_workspace_idx on subscription_changes (workspace_id, id);

-- An order can name the subscription (by the brand's 定期番号, as written: the order may
-- arrive before the subscription does) and the delivery number (お届け回数) it fulfils.
alter table orders add column subscription_external_id text collate "C";
alter table orders add column delivery_number integer check (delivery_number between 1 and 100000);
create index orders_subscription_idx on orders (workspace_id, subscription_external_id, delivery_number) where subscription_external_id is not null;

-- A trial product (お試し / トライアル): a first purchase of one starts the step-up analysis.
alter table products add column is_trial boolean not null default false;

-- The margin used for customer lifetime value (粗利率): asked of the user, never assumed.
alter table analytics_settings add column clv_margin numeric check (clv_margin > 0 and clv_margin <= 1);

-- The subscription KPIs (src/kpis/definition.ts): active subscribers, continuation to the next
-- delivery from delivery `delivery_number`, the monthly cancellation rate, the step-up rate
-- within `step_up_within_days` of a trial purchase.
alter table kpis drop constraint kpis_metric_check;
alter table kpis add constraint kpis_metric_check check (metric in ('sales', 'customers', 'purchases', 'frequency', 'items_per_purchase',
  'price_per_item', 'repeat_rate', 'f2_rate', 'churn_rate', 'active_subscribers', 'continuation_rate', 'cancellation_rate', 'step_up_rate'));
alter table kpis add column delivery_number integer check (delivery_number between 1 and 1000);
alter table kpis add column step_up_within_days integer check (step_up_within_days between 1 and 3650);
alter table kpis add constraint kpis_delivery_number_check2 check ((metric = 'continuation_rate') = (delivery_number is not null));
alter table kpis add constraint kpis_step_up_within_check check ((metric = 'step_up_rate') = (step_up_within_days is not null));
