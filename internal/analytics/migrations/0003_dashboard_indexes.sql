-- Indexes for the dashboards' queries aggregated in SQL
-- (docs/analytics.md): cases closed per week, deadlines by due date,
-- orders by start date.

CREATE INDEX fact_cases_closed ON fact_cases (tenant_id, closed_date);
CREATE INDEX fact_deadlines_due ON fact_deadlines (tenant_id, due_date);
CREATE INDEX fact_orders_start ON fact_orders (tenant_id, start_date);
