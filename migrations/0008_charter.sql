-- The relationship charter (src/charter/charters.ts), the message templates held to it
-- (src/charter/templates.ts) and the audit log of templates published over their errors.
--
-- charters: the current charter of a workspace (one at most), the JSON of the Charter schema
-- in src/charter/types.ts, checked by the domain before it is written. Every save adds a row
-- to charter_versions in the same transaction: version 1, 2, … with the whole charter as it
-- was saved, who saved it and a summary of the fields that changed.
-- changed_by: how the change is shown (a user's name and email, an API key's name, "cli");
-- the user or key ids are kept beside it while the user or key exists.
create table charters (
  workspace_id bigint primary key references workspaces(id) on delete cascade,
  version      integer not null check (version >= 1),
  charter      jsonb not null check (jsonb_typeof(charter) = 'object'),
  updated_at   timestamptz not null default now()
);

create table charter_versions (
  workspace_id          bigint not null references charters(workspace_id) on delete cascade,
  version               integer not null check (version >= 1),
  charter               jsonb not null check (jsonb_typeof(charter) = 'object'),
  changed_by            text not null,
  changed_by_user_id    bigint references users(id) on delete set null,
  changed_by_api_key_id bigint references api_keys(id) on delete set null,
  changed_at            timestamptz not null default now(),
  changed_fields        text[] not null,
  summary               text not null,
  primary key (workspace_id, version)
);

-- A message a department sends (email, LINE, SMS) with Liquid variables. Saving runs the
-- checker against the current charter and keeps its result (check_result: the CheckResult;
-- score and error_count copied out of it for lists), with the charter version it was checked
-- against. content_hash: SHA-256 of the checked content (channel, format, subject, body), so
-- an override in the audit log names exactly the text it let through. A template with errors
-- is published only over an admin's written override (template_overrides).
create table message_templates (
  id                bigint generated always as identity primary key,
  workspace_id      bigint not null references workspaces(id) on delete cascade,
  name              text not null check (length(btrim(name)) between 1 and 200),
  department        text not null check (department in ('marketing', 'support', 'site_operations', 'sales')),
  channel           text not null check (channel in ('email', 'line', 'sms')),
  format            text not null check (format in ('text', 'html', 'mjml')),
  subject           text,
  body              text not null,
  status            text not null default 'draft' check (status in ('draft', 'published')),
  check_result      jsonb not null check (jsonb_typeof(check_result) = 'object'),
  score             integer not null check (score between 0 and 100),
  error_count       integer not null check (error_count >= 0),
  charter_version   integer not null,
  content_hash      text not null,
  published_at      timestamptz,
  created_at        timestamptz not null default now(),
  updated_by        text not null,
  updated_at        timestamptz not null default now(),
  unique (workspace_id, name),
  check ((status = 'published') = (published_at is not null))
);
create index message_templates_department_idx on message_templates (workspace_id, department);

-- Every publication of a template over its error findings: who decided, why (a written
-- reason), the content and charter version it was for, and the findings overridden.
create table template_overrides (
  id                       bigint generated always as identity primary key,
  workspace_id             bigint not null references workspaces(id) on delete cascade,
  template_id              bigint not null references message_templates(id) on delete cascade,
  content_hash             text not null,
  charter_version          integer not null,
  overridden_by            text not null,
  overridden_by_user_id    bigint references users(id) on delete set null,
  overridden_by_api_key_id bigint references api_keys(id) on delete set null,
  reason                   text not null check (length(btrim(reason)) >= 1),
  findings                 jsonb not null check (jsonb_typeof(findings) = 'array'),
  created_at               timestamptz not null default now()
);
create index template_overrides_template_idx on template_overrides (template_id, created_at);
