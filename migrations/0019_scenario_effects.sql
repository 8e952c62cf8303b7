-- Performing scenario effects (src/scenarios/runtime/effects.ts) and the tasks they create.
--
-- scenario_effects gains the state 'sending': a performer claims pending effects (for update skip
-- locked), marks them sending with claimed_at and commits before it talks to the SMTP server,
-- then records the outcome. A row still 'sending' after 10 minutes belongs to a performer that
-- crashed between the SMTP server and the record: it is marked failed ('interrupted') and never
-- sent again (at most once). attempts / retry_at: a send the SMTP server deferred (4xx, a lost
-- connection) goes back to pending and is tried again after retry_at, at most 5 times.
alter table scenario_effects drop constraint scenario_effects_status_check;
alter table scenario_effects add constraint scenario_effects_status_check
  check (status in ('pending', 'sending', 'done', 'not_done', 'failed'));
alter table scenario_effects add column claimed_at timestamptz;
alter table scenario_effects add column attempts integer not null default 0;
alter table scenario_effects add column retry_at timestamptz;
create index scenario_effects_sending_idx on scenario_effects (claimed_at) where status = 'sending';

-- Tasks for people (a scenario's task step): one per effect (effect_key unique), for a
-- department; anyone of it may take one (assignee) and mark it done.
create table tasks (
  id               bigint generated always as identity primary key,
  workspace_id     bigint not null references workspaces(id) on delete cascade,
  department       text not null check (department in ('marketing', 'support', 'site_operations', 'sales')),
  title            text not null,
  description      text,
  customer_id      bigint,
  due_at           timestamptz,
  status           text not null default 'open' check (status in ('open', 'done')),
  assignee_user_id bigint references users(id) on delete set null,
  effect_key       text collate "C" unique,
  why              jsonb,
  created_at       timestamptz not null,
  done_at          timestamptz,
  done_by          bigint references users(id) on delete set null
);
create index tasks_list_idx on tasks (workspace_id, status, department, due_at, id);
