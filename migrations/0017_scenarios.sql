-- Scenarios (シナリオ, src/scenarios/): a workspace's scenarios and their published versions.
--
-- scenarios: one row per scenario, found by its key (unique in the workspace; the document's
-- "key"). status: draft (never published), active (customers enter the published version),
-- paused (nobody enters), archived (retired). published_version: the version customers enter
-- now (null until the first publish). draft: the editor's working copy, any JSON object (it is
-- checked, not refused, when saved; a publish refuses it until it checks clean), with who saved
-- it and when; null when there is none beyond the published version.
create table scenarios (
  id                      bigint generated always as identity primary key,
  workspace_id            bigint not null references workspaces(id) on delete cascade,
  key                     text collate "C" not null check (key ~ '^[a-z][a-z0-9_]{0,39}$'),
  status                  text not null default 'draft' check (status in ('draft', 'active', 'paused', 'archived')),
  published_version       integer check (published_version >= 1),
  draft                   jsonb check (draft is null or jsonb_typeof(draft) = 'object'),
  draft_saved_by          text,
  draft_saved_at          timestamptz,
  created_at              timestamptz not null default now(),
  updated_at              timestamptz not null default now(),
  unique (workspace_id, key),
  check ((status = 'draft') = (published_version is null)),
  check ((draft is null) = (draft_saved_at is null))
);

-- scenario_versions: every published version, immutable. An enrollment keeps the version it
-- entered until it leaves, so a version is never changed or deleted while the scenario lives.
-- created_by: how the change is shown (a user's name and email, an API key's name, "cli"),
-- like charter_versions; summary: what changed from the version before.
create table scenario_versions (
  scenario_id           bigint not null references scenarios(id) on delete cascade,
  version               integer not null check (version >= 1),
  document              jsonb not null check (jsonb_typeof(document) = 'object'),
  created_by            text not null,
  created_by_user_id    bigint references users(id) on delete set null,
  created_by_api_key_id bigint references api_keys(id) on delete set null,
  created_at            timestamptz not null default now(),
  summary               text not null default '',
  primary key (scenario_id, version)
);
