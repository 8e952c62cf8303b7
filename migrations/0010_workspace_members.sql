-- Roles per workspace. A console user is a member of workspaces, each with a role; an admin of
-- one workspace is nothing in another. Instance admins (users.instance_admin: the first admin,
-- and on this upgrade every user who was an admin) may create workspaces; the creator of a
-- workspace becomes its admin.
--
-- On upgrade every existing user becomes a member of every existing workspace with the role
-- they had, so nobody loses access; admins then narrow it down per workspace.
create table workspace_members (
  workspace_id bigint not null references workspaces(id) on delete cascade,
  user_id      bigint not null references users(id) on delete cascade,
  role         text not null check (role in ('admin', 'marketing', 'support', 'site_operations', 'sales', 'read_only')),
  created_at   timestamptz not null default now(),
  primary key (workspace_id, user_id)
);
create index workspace_members_user_idx on workspace_members (user_id);

alter table users add column instance_admin boolean not null default false;
insert into workspace_members (workspace_id, user_id, role)
  select w.id, u.id, u.role from workspaces w cross join users u;
update users set instance_admin = true where role = 'admin';
alter table users drop column role;

-- Sessions past their expiry are purged on sign-in; the index keeps that a range scan.
create index sessions_expires_idx on sessions (expires_at);

-- Failed sign-ins, per account (`account:<email>`) and per client address (`address:<ip>`):
-- `failures` within the window that began at `window_started_at`; past the limit the key is
-- locked until `locked_until`. Rows are deleted on success (accounts) or when stale.
create table sign_in_throttles (
  key               text primary key,
  failures          integer not null,
  window_started_at timestamptz not null,
  locked_until      timestamptz
);
