-- Contact rules (src/governance/): one voice across departments and channels, and control groups.
--
-- contact_rules: the workspace's rules as one JSON document (src/governance/model.ts,
-- ContactRules): frequency caps, quiet hours, complaint suppression, the global control group.
-- A missing row means the defaults (no caps, no quiet hours, no global control group).
create table contact_rules (
  workspace_id bigint primary key references workspaces(id) on delete cascade,
  document     jsonb not null,
  updated_at   timestamptz not null,
  updated_by   bigint references users(id) on delete set null
);

-- contact_ledger: every contact of a customer the caps count — a message sent (or handed to the
-- SMTP server), a task for people, or a deferred message holding its place at the moment it was
-- deferred to (state 'scheduled'; a higher-priority message may displace it). Decisions for a
-- customer are made under a transaction-scoped advisory lock on (workspace, customer), reading
-- this ledger, so two workers can never together break a cap. A send that did not go out (no
-- consent, rejected) is removed again. effect_id: the scenario effect it belongs to (one each).
create table contact_ledger (
  id          bigint generated always as identity primary key,
  workspace_id bigint not null references workspaces(id) on delete cascade,
  customer_id bigint not null,
  at          timestamptz not null,
  channel     text not null check (channel in ('email', 'line', 'sms', 'print', 'task')),
  purpose     text not null check (purpose in ('marketing', 'transactional')),
  department  text not null check (department in ('marketing', 'support', 'site_operations', 'sales')),
  priority    integer not null check (priority between 1 and 100),
  state       text not null check (state in ('sent', 'scheduled')),
  effect_id   bigint unique,
  scenario_id bigint
);
-- Covering: a decision reads a customer's recent contacts from the index alone (no heap visits).
create index contact_ledger_customer_idx on contact_ledger (workspace_id, customer_id, at)
  include (id, effect_id, channel, purpose, department, priority, state, scenario_id);

-- contact_decisions: every time a rule held a message back — deferred until …, skipped because
-- …, displaced by a higher-priority message — with the rule that made it. (A message sent at
-- once is its ledger row.) The send log, the customer's timeline and the why-text read it.
create table contact_decisions (
  id           bigint generated always as identity primary key,
  workspace_id bigint not null references workspaces(id) on delete cascade,
  customer_id  bigint not null,
  effect_id    bigint,
  scenario_id  bigint,
  at           timestamptz not null,
  decision     text not null check (decision in ('deferred', 'skipped', 'displaced')),
  rule         jsonb not null,
  until        timestamptz,
  detail       jsonb
);
create index contact_decisions_customer_idx on contact_decisions (workspace_id, customer_id, at desc);
create index contact_decisions_effect_idx on contact_decisions (effect_id) where effect_id is not null;
create index contact_decisions_scenario_idx on contact_decisions (workspace_id, scenario_id, at) where scenario_id is not null;

-- The arm of an enrollment, fixed at entry (a hash of the customer and the scenario, or of the
-- customer and the workspace for the global control group): treatment gets the messages; a
-- holdout or the global control group travels the same path without them (src/measurement/).
alter table scenario_enrollments add column arm text not null default 'treatment'
  check (arm in ('treatment', 'holdout', 'global_control'));
create index scenario_enrollments_measure_idx on scenario_enrollments (scenario_id, entered_at) include (arm, customer_id);

-- A customer's latest event of a type (the complaint under way: opened later than resolved), read
-- for every claimed send without walking the customer's other events.
create index events_customer_type_idx on events (customer_id, type, occurred_at desc);

-- A customer's open support tasks (a complaint under way), read for every claimed send.
create index tasks_open_support_idx on tasks (customer_id) where status = 'open' and department = 'support';
