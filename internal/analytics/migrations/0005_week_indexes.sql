-- Indexes for what a dashboard reads of the facts as things stood on a
-- past day (docs/analytics.md): the decisions executed after it, all
-- units' (covering what ExecutionDeadlines counts of them) and a team's,
-- and a team's deadlines not met by it.

DROP INDEX IF EXISTS fact_decisions_executed;
CREATE INDEX fact_decisions_executed_after ON fact_decisions (tenant_id, executed_date, execute_by, outcome, unit_id, case_type, district_id);
CREATE INDEX fact_decisions_unit_executed ON fact_decisions (tenant_id, unit_id, executed_date, execute_by, outcome);
CREATE INDEX fact_deadlines_unit_met ON fact_deadlines (tenant_id, unit_id, met_date, due_date);
