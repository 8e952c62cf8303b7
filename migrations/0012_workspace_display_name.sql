-- The brand's name as people read it (みのり青汁本舗), beside the workspace's name, which is an
-- identifier used in URLs and commands (demo). Null: the console shows the workspace's name.
alter table workspaces add column display_name text
  check (display_name is null or (length(display_name) between 1 and 100 and display_name = btrim(display_name)));
