-- The two-axis journey map (src/journey-map/): the maps, where every customer and lead stands
-- on the active one, every change of cell, and the queue of customers to re-place.
--
-- journey_maps: every saved version of a workspace's map (the JSON of JourneyMap in
-- src/journey-map/model.ts, checked by the domain before it is written). One version is active
-- (the one customers are placed on); the others are drafts or archived. changed_by: how the
-- change is shown (a user's name and email, an API key's name, "cli"), like charter_versions.
create table journey_maps (
  workspace_id          bigint not null references workspaces(id) on delete cascade,
  version               integer not null check (version >= 1),
  status                text not null check (status in ('draft', 'active', 'archived')),
  map                   jsonb not null check (jsonb_typeof(map) = 'object'),
  changed_by            text not null,
  changed_by_user_id    bigint references users(id) on delete set null,
  changed_by_api_key_id bigint references api_keys(id) on delete set null,
  changed_at            timestamptz not null default now(),
  summary               text not null default '',
  primary key (workspace_id, version)
);
create unique index journey_maps_active_idx on journey_maps (workspace_id) where status = 'active';

-- Where each customer (and lead) stands on the active map: stage and level keys, since when.
-- The stage is also the highest stage reached: stages are irreversible, so placement never
-- writes a lower one (src/journey-map/placement/). No foreign keys, like the other bulk tables.
create table journey_placements (
  workspace_id bigint not null,
  customer_id  bigint not null,
  stage        text collate "C" not null,
  level        text collate "C" not null,
  map_version  integer not null,
  placed_at    timestamptz not null,
  primary key (workspace_id, customer_id)
) with (fillfactor = 80);
-- A cell's customers (the customer list filtered by cell), in id order.
create index journey_placements_cell_idx on journey_placements (workspace_id, stage, level, customer_id);

-- Every change of cell: from (null when the customer enters the map), to, when, and the
-- cause: the write that changed a fact (the order's external id, the event's idempotency key,
-- the subscription's external id in cause_ref), time passing (sweep), a new map version, or
-- history replayed when a map is first placed over past data.
create table journey_moves (
  id          bigint generated always as identity primary key,
  workspace_id bigint not null,
  customer_id bigint not null,
  map_version integer not null,
  from_stage  text collate "C",
  from_level  text collate "C",
  to_stage    text collate "C" not null,
  to_level    text collate "C" not null,
  moved_at    timestamptz not null,
  cause       text not null check (cause in ('order', 'event', 'subscription', 'customer', 'import', 'sweep', 'map', 'history')),
  cause_ref   text
);
create index journey_moves_time_idx on journey_moves (workspace_id, moved_at);
create index journey_moves_customer_idx on journey_moves (customer_id, moved_at);

-- The moves summed per local day and (from, to) cell pair, kept with every write of moves, so
-- the flows of a year read a few thousand rows instead of every move ('' = entering the map).
create table journey_flow_days (
  workspace_id bigint not null,
  day          date not null,
  from_stage   text collate "C" not null,
  from_level   text collate "C" not null,
  to_stage     text collate "C" not null,
  to_level     text collate "C" not null,
  moves        integer not null check (moves >= 0),
  primary key (workspace_id, day, from_stage, from_level, to_stage, to_level)
);

-- Live counts per cell, kept with every write of placements, so the diagram reads one row per cell.
create table journey_cell_counts (
  workspace_id bigint not null,
  stage        text collate "C" not null,
  level        text collate "C" not null,
  customers    bigint not null check (customers >= 0),
  primary key (workspace_id, stage, level)
);

-- The customers to re-place: every writer that can change a fact (ingest, imports, subscription
-- changes, events) adds a row in its own transaction and notifies channel kizuna_journey; the
-- reactor (src/journey-map/placement/) takes the committed rows, re-places those customers and
-- deletes the rows in one transaction. customer_ids null: every customer of the workspace
-- (bulk writes). cause_refs: parallel to customer_ids, what changed for each (order, event,
-- subscription external id).
create table journey_changes (
  id           bigint generated always as identity primary key,
  workspace_id bigint not null,
  customer_ids bigint[],
  cause        text not null,
  cause_refs   text[],
  created_at   timestamptz not null default now()
);
create index journey_changes_workspace_idx on journey_changes (workspace_id, id);

-- When the facts that change with time alone (days since …) were last re-placed: the sweep at
-- local midnight, and on demand.
create table journey_sweeps (
  workspace_id bigint primary key references workspaces(id) on delete cascade,
  swept_at     timestamptz not null
);

-- Rules count a customer's events of a type over the last N days: for a whole workspace this
-- index reads only the events of that type and period (and their customer) instead of all.
create index events_type_time_idx on events (workspace_id, type, occurred_at) include (customer_id);
