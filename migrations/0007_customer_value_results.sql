-- The figures of a customer value run beyond its fits (src/analytics/customer-value.ts):
-- repeat customers, Σ CLV, the CLV and P(alive) distributions and the holdout check, so the
-- last run can be shown whole without fitting again. Null for runs stored before this column.
alter table customer_value_runs add column results jsonb;
