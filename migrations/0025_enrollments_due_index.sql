-- The due enrollments of a workspace, oldest first (advanceDueEnrollments: a wake-up job takes the
-- next 500): walked in this index's order, a batch reads its 500 rows instead of sorting every
-- due row of the workspace, which made a timer releasing 100,000 customers at once quadratic.
create index scenario_enrollments_due_idx on scenario_enrollments (workspace_id, wake_at, id) where status = 'active' and wake_at is not null;
drop index scenario_enrollments_wake_idx;
