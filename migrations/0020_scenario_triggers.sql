-- Scenario triggers at runtime (src/scenarios/runtime/signals.ts, process-signals.ts).
--
-- scenario_signals: the durable trigger queue. Writers add one row per customer-relevant change
-- in their own transaction (the ingest API and the CSV importer through writeRecords: events,
-- orders, subscription changes; the journey placement: moves between cells), only while the
-- workspace has an active scenario or an active enrollment, and NOTIFY kizuna_scenarios with the
-- workspace id. The scenario reactor takes unprocessed rows in id order (for update skip locked),
-- applies exit rules, wakes waiting enrollments and enrolls customers whose trigger matches, and
-- marks the rows processed in the same transaction.
--   kind  event:        ref the idempotency key; data {type, properties}
--         order:        ref the order's external id; data {orderId, skus, delivered}
--         subscription: ref the subscription's external id; data {change, delivery, skus}
--         moved:        ref "stage/level" of the new cell; data {from: {stage, level} | null, to: {stage, level}, cause, causeRef}
--   at    when it happened (the event's occurred_at, the order's ordered_at, the move's instant)
create table scenario_signals (
  id           bigint generated always as identity primary key,
  workspace_id bigint not null references workspaces(id) on delete cascade,
  customer_id  bigint not null,
  kind         text not null check (kind in ('event', 'order', 'subscription', 'moved')),
  ref          text,
  at           timestamptz not null,
  data         jsonb not null default '{}'::jsonb,
  created_at   timestamptz not null default now(),
  processed_at timestamptz
);
create index scenario_signals_pending_idx on scenario_signals (workspace_id, id) where processed_at is null;

-- Whether a workspace has an active enrollment, cheaply (the writers' gate).
create index scenario_enrollments_active_workspace_idx on scenario_enrollments (workspace_id) where status = 'active';

-- The scheduled triggers (date_attribute, subscription_anniversary, audience;
-- src/scenarios/runtime/scheduled-triggers.ts): per scenario, the instant up to which its
-- moments have been run; the next run enrolls the customers whose moment falls after it.
create table scenario_trigger_cursors (
  scenario_id  bigint primary key references scenarios(id) on delete cascade,
  workspace_id bigint not null references workspaces(id) on delete cascade,
  ran_until    timestamptz not null
);
