-- Scenario runtime (src/scenarios/runtime/): enrollments, their step log, and the effects their
-- steps produce, each written under a deterministic key before it is performed.
--
-- scenario_enrollments: one customer's way through one version of a scenario. The state is the
-- interpreter's (src/scenarios/interpreter.ts): the step it waits in, the visit count, since
-- when, and why the steps it runs next run then (timing). wake_at: when its wait ends (the job
-- `step:${id}:${step_id}` rings then; a runner with an injected clock reads wake_at). An event
-- wait keeps the awaited type and property tests; a wait on the effect timeline without a
-- delivery yet waits for one (waiting_for_delivery). trigger: what enrolled the customer (kind,
-- reference, instant, and the order's product for the effect timeline), kept with every send.
-- At most one active enrollment per scenario and customer.
create table scenario_enrollments (
  id                   bigint generated always as identity primary key,
  workspace_id         bigint not null references workspaces(id) on delete cascade,
  scenario_id          bigint not null references scenarios(id) on delete cascade,
  version              integer not null,
  customer_id          bigint not null,
  status               text not null check (status in ('active', 'completed', 'exited')),
  step_id              text,
  visit                integer not null default 0,
  since                timestamptz not null,
  timing               jsonb not null,
  exit_reason          text,
  trigger              jsonb not null,
  wake_at              timestamptz,
  wait_event_type      text,
  wait_event_where     jsonb,
  waiting_for_delivery boolean not null default false,
  entered_at           timestamptz not null,
  finished_at          timestamptz,
  foreign key (scenario_id, version) references scenario_versions (scenario_id, version)
);
create unique index scenario_enrollments_active_idx on scenario_enrollments (scenario_id, customer_id) where status = 'active';
create index scenario_enrollments_customer_idx on scenario_enrollments (workspace_id, customer_id, scenario_id, entered_at desc);
create index scenario_enrollments_wake_idx on scenario_enrollments (wake_at) where status = 'active' and wake_at is not null;
create index scenario_enrollments_event_idx on scenario_enrollments (workspace_id, customer_id, wait_event_type) where status = 'active' and wait_event_type is not null;

-- What each enrollment did, step by step (the dry run shows the same path; the console counts
-- entered / waiting / passed / exited per step from it).
create table scenario_step_log (
  id            bigint generated always as identity primary key,
  enrollment_id bigint not null references scenario_enrollments(id) on delete cascade,
  step_id       text not null,
  kind          text not null,
  outcome       text not null check (outcome in ('waiting', 'passed', 'exited', 'completed')),
  at            timestamptz not null,
  detail        text,
  until         timestamptz
);
create index scenario_step_log_enrollment_idx on scenario_step_log (enrollment_id, id);

-- The effects of steps, each under its deterministic key (`send:${enrollment}:${step}:${visit}`):
-- written in the transaction that advances the enrollment, performed afterwards, so a retry or a
-- second worker finds the key taken. why: the structured reason (scenario, version, step,
-- trigger, timing, cell) the footer, the customer's page and the timeline put in words.
create table scenario_effects (
  id            bigint generated always as identity primary key,
  workspace_id  bigint not null references workspaces(id) on delete cascade,
  key           text collate "C" not null unique,
  enrollment_id bigint not null references scenario_enrollments(id) on delete cascade,
  customer_id   bigint not null,
  step_id       text not null,
  kind          text not null check (kind in ('send', 'task', 'update_attribute')),
  payload       jsonb not null,
  why           jsonb not null,
  status        text not null default 'pending' check (status in ('pending', 'done', 'not_done', 'failed')),
  outcome       jsonb,
  created_at    timestamptz not null,
  done_at       timestamptz
);
create index scenario_effects_pending_idx on scenario_effects (workspace_id, id) where status = 'pending';
create index scenario_effects_customer_idx on scenario_effects (workspace_id, customer_id, created_at desc);
