-- Facts kept between full placements (src/journey-map/placement/kept-facts.ts): a process keeps
-- every profile's facts in memory and, before the next full placement, re-reads only the
-- customers written since. It finds them in journey_changes, which therefore keeps a drained
-- row for a while instead of deleting it:
-- - xid: the writing transaction, so a process that last read the facts with a snapshot whose
--   oldest running transaction was X re-reads the customers of every row with xid >= X (a
--   row's id is assigned before its transaction commits, so ids cannot mark what was seen);
-- - drained_at: when a drain (of any process) placed the row's customers; pending rows have none;
-- - drained_by: the process whose kept facts the drain also refreshed (that process need not
--   re-read them).
-- Drained rows are deleted two days later by the full placements.
alter table journey_changes
  add column xid        xid8 not null default pg_current_xact_id(),
  add column drained_at timestamptz,
  add column drained_by text;
create index journey_changes_pending_idx on journey_changes (workspace_id, id) where drained_at is null;

-- A fact that changes with time alone because a record lies in the future when read (a delivery
-- scheduled after the moment of placement) is re-read when that moment has passed: the kept
-- facts find such deliveries through this index.
create index orders_delivered_idx on orders (workspace_id, delivered_at);
