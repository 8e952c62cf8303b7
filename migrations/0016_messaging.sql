-- Email: the sender settings every advertising mail must show (特定電子メール法 第4条 and
-- 施行規則 第9条: the sender's name, postal address and a contact for enquiries), the sender
-- addresses and an optional DKIM key; and the addresses never to send to again (bounces,
-- complaints, manual). See docs/messaging.md.

create table email_settings (
  workspace_id      bigint primary key references workspaces(id) on delete cascade,
  sender_name       text,
  postal_address    text,
  contact_email     text,
  contact_phone     text,
  contact_url       text,
  from_address      text,
  reply_to          text,
  -- DKIM: all three or none. The private key (PEM) is never sent back by the API.
  dkim_domain       text,
  dkim_selector     text,
  dkim_private_key  text,
  updated_at        timestamptz not null default now(),
  check ((dkim_domain is null) = (dkim_selector is null) and (dkim_domain is null) = (dkim_private_key is null))
);

-- One row per suppressed address (lower case): the first report wins its reason and time, later
-- reports of the same address change nothing, so repeating a batch is harmless.
create table email_suppressions (
  workspace_id   bigint not null references workspaces(id) on delete cascade,
  address        text collate "C" not null,
  reason         text not null check (reason in ('bounce', 'complaint', 'manual')),
  suppressed_at  timestamptz not null,
  source         text,
  detail         text,
  primary key (workspace_id, address)
);
