-- The audit log of templates published over their errors outlives the templates: deleting a
-- template keeps its overrides, which name the template as it was (template_name) and lose
-- only the link (template_id becomes null).
alter table template_overrides add column template_name text;
update template_overrides o set template_name = t.name from message_templates t where t.id = o.template_id;
alter table template_overrides alter column template_name set not null;
alter table template_overrides alter column template_id drop not null;
alter table template_overrides drop constraint template_overrides_template_id_fkey;
alter table template_overrides add constraint template_overrides_template_id_fkey
  foreign key (template_id) references message_templates(id) on delete set null;
create index template_overrides_workspace_idx on template_overrides (workspace_id, created_at);
