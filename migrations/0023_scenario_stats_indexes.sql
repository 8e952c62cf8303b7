-- Reading a scenario's figures in the console (src/scenarios/stats.ts): the list's enrolled /
-- entered / conversions and the per-step counters count a workspace's or a scenario's
-- enrollments from this index instead of the whole table; the send log reads a scenario's sends
-- newest first, a page at a time (keyset on id), from the second.
create index scenario_enrollments_stats_idx on scenario_enrollments (workspace_id, scenario_id, version, status);
create index scenario_effects_scenario_sends_idx on scenario_effects (workspace_id, ((why->>'scenarioId')::bigint), id desc) where kind = 'send';
