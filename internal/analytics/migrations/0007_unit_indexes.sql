-- Indexes for counting a unit's figures (docs/analytics.md): the cases
-- received and closed by unit and day, and the decisions by unit, case
-- type and day to be executed by with what their persons are counted
-- from, so that counting reads the index alone.

CREATE INDEX sum_received_unit ON sum_received (tenant_id, unit_id, day);
CREATE INDEX sum_closed_unit ON sum_closed (tenant_id, unit_id, day);
DROP INDEX IF EXISTS fact_decisions_unit_execute;
CREATE INDEX fact_decisions_unit_executable ON fact_decisions (tenant_id, unit_id, case_type, execute_by, outcome, executed_date, person_key);
